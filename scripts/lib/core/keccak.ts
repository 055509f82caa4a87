// keccak256 for the loops that hash every entry of a ledger (its record hash and its chain step).
// ethers' keccak256 is pure JavaScript: about 40 µs for one record's 576 bytes on this machine, which
// was most of the indexer's work per entry. hash-wasm's WebAssembly build takes about 3.5 µs. It
// must be loaded first (WebAssembly is compiled asynchronously): the indexer and the index check
// await `loadFastKeccak()` before they hash, and `fetchLogs` starts it while the logs download.
// Until it has loaded, and wherever it fails to load, the same digests come from ethers. Browser-safe: hash-wasm runs in browsers and in workers.
// `putHex` writes checked hex into the bytes to hash: ethers' getBytes, which checks it again and
// allocates, cost as much as the WebAssembly hash.
// (Imported when first loaded: a page that hashes no ledger does not download it.)
import type { IHasher } from "hash-wasm";
import { keccak256 as keccak256Js } from "ethers";

let hasher: IHasher | undefined;
let loading: Promise<boolean> | undefined;

/**
 * Loads the WebAssembly keccak, once; resolves to whether it is in use (false where WebAssembly
 * cannot run, for example under a content security policy that forbids it: hashing then stays in JS).
 */
export function loadFastKeccak(): Promise<boolean> {
  loading ??= import("hash-wasm")
    .then(({ createKeccak }) => createKeccak(256))
    .then(
      (h) => {
        hasher = h;
        return true;
      },
      () => false,
    );
  return loading;
}

/** keccak256 of `bytes` as 0x and 64 lower-case hex digits, as ethers' keccak256 gives it. */
export function keccak256(bytes: Uint8Array): string {
  if (!hasher) return keccak256Js(bytes);
  // One hasher serves every call: init, update and digest run without a pause between them.
  hasher.init();
  hasher.update(bytes);
  return "0x" + hasher.digest("hex");
}

/** Writes the hex digits of `hex` from index `from` into `into` at byte `at` (the caller has checked that they are hex). */
export function putHex(into: Uint8Array, at: number, hex: string, from: number): void {
  // A hex digit's value from its character code: '0'-'9' (0x30-0x39), 'a'-'f' and 'A'-'F' (0x41-0x46, 0x61-0x66).
  const digit = (c: number) => (c & 0xf) + (c >> 6) * 9;
  for (let i = from; i < hex.length; i += 2) into[at++] = (digit(hex.charCodeAt(i)) << 4) | digit(hex.charCodeAt(i + 1));
}
