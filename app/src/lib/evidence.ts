// Evidence is a 32-byte content digest. People paste either the hex digest or an IPFS CID whose
// multihash is sha2-256 (CIDv0 "Qm…" in base58btc, CIDv1 "b…" in base32): the digest is the same.
// Or they choose a file, hashed here in the browser as the CLI hashes one (keccak256 of its bytes).
import { evidenceOfBytes } from "@core/record.js";

const B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const B32 = "abcdefghijklmnopqrstuvwxyz234567";

export class EvidenceError extends Error {}

function base58(text: string): Uint8Array {
  let n = 0n;
  for (const ch of text) {
    const i = B58.indexOf(ch);
    if (i < 0) throw new EvidenceError(`"${ch}" is not a base58 character`);
    n = n * 58n + BigInt(i);
  }
  const bytes: number[] = [];
  while (n > 0n) {
    bytes.unshift(Number(n & 0xffn));
    n >>= 8n;
  }
  for (const ch of text) {
    if (ch !== "1") break;
    bytes.unshift(0);
  }
  return Uint8Array.from(bytes);
}

function base32(text: string): Uint8Array {
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of text) {
    const i = B32.indexOf(ch);
    if (i < 0) throw new EvidenceError(`"${ch}" is not a base32 character`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}

function varint(bytes: Uint8Array, at: number): [number, number] {
  let v = 0;
  let shift = 0;
  for (let i = at; i < bytes.length && i < at + 4; i++) {
    v |= (bytes[i] & 0x7f) << shift;
    if ((bytes[i] & 0x80) === 0) return [v, i + 1];
    shift += 7;
  }
  throw new EvidenceError("its varint is truncated");
}

const hex = (b: Uint8Array) => "0x" + Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

function sha256Digest(multihash: Uint8Array, at: number): string {
  const [code, next] = varint(multihash, at);
  const [length, start] = varint(multihash, next);
  if (code !== 0x12 || length !== 32) throw new EvidenceError("only sha2-256 CIDs (32-byte digests) can be recorded");
  if (multihash.length !== start + 32) throw new EvidenceError("its length does not match a sha2-256 digest");
  return hex(multihash.subarray(start));
}

/** "" -> zero; 0x + 64 hex digits as is; a CIDv0/CIDv1 (sha2-256) -> its digest. Throws EvidenceError. */
export function parseEvidence(input: string): string {
  const text = input.trim();
  if (text === "") return "0x" + "0".repeat(64);
  if (text.startsWith("0x")) {
    if (!/^0x[0-9a-fA-F]{64}$/.test(text)) throw new EvidenceError(`"${text}" is not a 32-byte hex digest (0x + 64 hex digits)`);
    return text.toLowerCase();
  }
  try {
    if (/^Qm/.test(text)) {
      if (text.length !== 46) throw new EvidenceError("a CIDv0 has 46 characters");
      return sha256Digest(base58(text), 0);
    }
    if (/^b/.test(text)) {
      const bytes = base32(text.slice(1));
      const [version, next] = varint(bytes, 0);
      if (version !== 1) throw new EvidenceError(`CID version ${version} is not supported`);
      const [, mh] = varint(bytes, next); // content codec (raw, dag-pb, ...): any
      return sha256Digest(bytes, mh);
    }
    throw new EvidenceError("expected 0x + 64 hex digits, a CIDv0 (Qm…) or a base32 CIDv1 (b…)");
  } catch (error) {
    throw new EvidenceError(`"${text}" is not a valid CID or digest: ${(error as Error).message}`);
  }
}

/** The evidence digest of a file chosen or dropped in the browser (read locally; nothing is uploaded): the CLI's `--evidence-file` rule. */
export async function evidenceOfFile(file: Blob): Promise<string> {
  return evidenceOfBytes(new Uint8Array(await file.arrayBuffer()));
}
