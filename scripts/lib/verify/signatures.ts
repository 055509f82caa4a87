// EOA signature checks exactly as the Ledger judges them: ecrecover(digest, v, r, s) == agent, with
// 65 bytes, v in {27, 28} and a low s. The curve work is libsecp256k1's (the `secp256k1` package's
// prebuilt native binding, ~60 µs a signature) where it loads, else @noble/curves' secp256k1 (pure
// JavaScript, audited, what viem and ethers use); this file holds no curve arithmetic of its own.
// Each agent's public key is kept once it is known, so that a signature costs one key recovery and
// a comparison, without an address hash.
import { createRequire } from "node:module";
import { secp256k1 } from "@noble/curves/secp256k1";
import { computeAddress, keccak256 } from "ethers";

/** n/2: the Ledger refuses a signature with a larger s (a malleated copy of a low-s one). */
const HALF_ORDER = secp256k1.CURVE.n >> 1n;
const SIGNATURE = /^0x[0-9a-fA-F]{130}$/;

export interface EoaSignatureCheck {
  /** The EIP-712 digest (0x + 64 hex). */
  digest: string;
  /** The signature as the contract receives it (0x + 130 hex for an EOA). */
  signature: string;
  /** The address the signature must recover to. */
  agent: string;
}

/** Agents' public keys (lowercase address -> 128 hex digits, x then y), learnt from their first valid signature and reused across calls of checkEoaSignatures. */
export class EoaKeyCache {
  readonly keys = new Map<string, string>();
}

/** The part of the `secp256k1` package (libsecp256k1, native) that verification uses. */
interface NativeSecp256k1 {
  /** The public key (65 bytes uncompressed) that `sig` (r || s) with `recid` signs `msg32` for; throws if none. */
  ecdsaRecover(sig: Uint8Array, recid: number, msg32: Uint8Array, compressed: boolean): Uint8Array;
}

/** libsecp256k1 if its native binding loads here (COMMONS_VERIFY_NATIVE=0 turns it off). */
const nativeSecp256k1: NativeSecp256k1 | undefined = (() => {
  if (process.env.COMMONS_VERIFY_NATIVE === "0") return undefined;
  try {
    const lib = createRequire(import.meta.url)("secp256k1/bindings.js") as Partial<NativeSecp256k1>;
    return typeof lib.ecdsaRecover === "function" ? (lib as NativeSecp256k1) : undefined;
  } catch {
    return undefined;
  }
})();

/** Whether checkEoaSignatures uses libsecp256k1 on this machine. */
export const nativeSignatureChecks = nativeSecp256k1 !== undefined;

/** Why a signature cannot pass the Ledger's ecrecover (65 bytes, v 27 or 28, low s), or undefined. */
export function eoaFormProblem(signature: string): string | undefined {
  const bytes = (signature.length - 2) / 2;
  if (bytes !== 65) return `the signature is ${bytes} bytes; an EOA signature is 65 bytes (r, s, v)`;
  const v = Number.parseInt(signature.slice(130, 132), 16);
  if (v !== 27 && v !== 28) return `the signature's v byte is ${v}; the Ledger accepts only 27 or 28`;
  const r = BigInt("0x" + signature.slice(2, 66));
  const s = BigInt("0x" + signature.slice(66, 130));
  if (s > HALF_ORDER && s < secp256k1.CURVE.n)
    return "the signature's s is in the upper half of the curve order (the malleable twin); the Ledger accepts only the low-s form";
  if (r === 0n || r >= secp256k1.CURVE.n || s === 0n || s >= secp256k1.CURVE.n) return "the signature's r or s is out of range";
  return undefined;
}

/** The recovery id (0 or 1) of a signature the contract's rules allow, else undefined. */
function recoveryId(c: EoaSignatureCheck): number | undefined {
  const sig = c.signature;
  if (typeof sig !== "string" || !SIGNATURE.test(sig) || eoaFormProblem(sig) !== undefined) return undefined;
  return Number.parseInt(sig.slice(130, 132), 16) - 27;
}

/** The uncompressed public key (128 hex digits) a signature the contract's rules allow recovers to, or undefined if none does. */
type Recover = (c: EoaSignatureCheck, recid: number) => string | undefined;

const recoverNatively =
  (lib: NativeSecp256k1): Recover =>
  (c, recid) => {
    try {
      return Buffer.from(lib.ecdsaRecover(Buffer.from(c.signature.slice(2, 130), "hex"), recid, Buffer.from(c.digest.slice(2), "hex"), false)).toString(
        "hex",
        1,
      );
    } catch {
      return undefined; // no key recovers: ecrecover returns 0
    }
  };

const recoverWithNoble: Recover = (c, recid) => {
  try {
    const sig = secp256k1.Signature.fromCompact(c.signature.slice(2, 130)).addRecoveryBit(recid);
    return sig.recoverPublicKey(c.digest.slice(2)).toHex(false).slice(2);
  } catch {
    return undefined; // no point with x = r, or the key is the point at infinity: ecrecover returns 0
  }
};

/**
 * For each check, whether `signature` is a valid EOA signature of `digest` by `agent` by the
 * contract's rules: exactly `ecrecover(digest, v, r, s) == agent` with 65 bytes, v in {27, 28}
 * and a low s. `opts.native: false` uses @noble/curves even where libsecp256k1 loads.
 */
export function checkEoaSignatures(checks: readonly EoaSignatureCheck[], cache: EoaKeyCache = new EoaKeyCache(), opts: { native?: boolean } = {}): boolean[] {
  const recover = nativeSecp256k1 && opts.native !== false ? recoverNatively(nativeSecp256k1) : recoverWithNoble;
  const valid: boolean[] = new Array(checks.length).fill(false);
  for (let i = 0; i < checks.length; i++) {
    const recid = recoveryId(checks[i]);
    if (recid === undefined) continue;
    const recovered = recover(checks[i], recid);
    if (recovered === undefined) continue;
    const agent = checks[i].agent.toLowerCase();
    const known = cache.keys.get(agent);
    if (known !== undefined) valid[i] = recovered === known;
    else if (computeAddress("0x04" + recovered).toLowerCase() === agent) {
      cache.keys.set(agent, recovered);
      valid[i] = true;
    }
  }
  return valid;
}

/** One signature, exactly as ecrecover with the contract's rules (65 bytes, v 27/28, low s). */
export function eoaSignatureValid(digest: string, signature: string, agent: string): boolean {
  return checkEoaSignatures([{ digest, signature, agent }])[0];
}

/** The EIP-712 digest of a record: keccak256(0x1901 ‖ domainSeparator ‖ structHash). */
export function recordDigest712(domainSeparator: string, structHash: string): string {
  const buf = Buffer.alloc(66);
  buf[0] = 0x19;
  buf[1] = 0x01;
  buf.write(domainSeparator.slice(2), 2, "hex");
  buf.write(structHash.slice(2), 34, "hex");
  return keccak256(buf);
}
