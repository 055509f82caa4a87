// Full verification of a ledger by anyone, from public data only: every entry's signature
// (EOA by ecrecover; ERC-1271 wallets by asking them before and after the recording block, or by
// the recording transaction's trace), the hash chain recomputed from the events, the stored
// checkpoints, and the on-chain head. An entry whose signature cannot be judged from what the
// node offers is reported as undecided, with the reason, and does not fail the ledger (V-1).
//
// Cost: the signatures come from the recording transactions' calldata (fetched in JSON-RPC
// batches, each decoded once, records matched by their raw words); EOA signatures are checked in
// batches (with libsecp256k1 through the `secp256k1` package's native binding, ~60 µs a signature;
// where it does not load, one key recovery per agent, then a randomised multi-scalar check in
// JavaScript: see below), on a worker thread for large ledgers, while the main thread goes on reading and decoding the logs.
// Every RPC call is retried on transient failures (reader.ts), so a flaky node gives the same
// report as a healthy one, or a one-line LedgerReadError.
import { ECDH, randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { computeAddress, Contract, Interface, keccak256, recoverAddress, SigningKey, TypedDataEncoder, verifyAuthorization } from "ethers";
import type { Log, Provider } from "ethers";
import { chainStep, GENESIS_HEAD } from "../core/chain.js";
import type { ChainCheck, ChainLink } from "../core/chain.js";
import { classifyRpcError, decodeLedgerLogs, fetchLogs, LedgerReadError, ledgerInterface, rpcRetry, rpcSend, rpcSendBatch, withRetry } from "../core/reader.js";
import type { Entry, LedgerEvents, ReadOptions } from "../core/reader.js";
import { agentOf, ledgerDomain } from "../core/record.js";

const ERC1271 = new Interface(["function isValidSignature(bytes32 hash, bytes signature) view returns (bytes4)"]);
const MAGIC = "0x1626ba7e";
const MAGIC_WORD = MAGIC + "0".repeat(56);
/** Whether a wallet's returned data is the magic value as the contract reads it: at least 32 bytes, the first word equal to it. */
const isMagicWord = (returned: string): boolean => returned.length >= 66 && returned.slice(0, 66).toLowerCase() === MAGIC_WORD;
const HALF_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

export interface VerifyProblem {
  id: bigint;
  reason: string;
}

export interface VerifyReport {
  ok: boolean;
  /** Block the verification was pinned to. */
  block: number;
  entries: number;
  head: string;
  onChainHead: string;
  checkpoints: number;
  eoaSignatures: number;
  contractSignatures: number;
  /** The first divergence of the chain, if any, then every bad signature. `ok` is false iff any. */
  problems: VerifyProblem[];
  /**
   * Entries whose signature cannot be judged from what the node offers (a wallet whose answer
   * changed within the recording block, a transaction the node cannot trace, a request the node
   * failed for that entry alone), each with the reason. They do not count against `ok`.
   */
  undecided: VerifyProblem[];
  events: LedgerEvents;
}

export interface VerifyOptions extends ReadOptions {
  /**
   * Check signatures in a worker thread while the main thread reads and decodes: true always,
   * false never; by default when a batch holds thousands of signatures and there is a second CPU.
   */
  worker?: boolean;
  /** Called as signatures are checked (done, total). */
  onSignatures?: (done: number, total: number) => void;
  /** Parallel RPC requests for transactions and wallet calls. */
  concurrency?: number;
}

const RECORD_BYTES = 544; // 17 static words: the ABI encoding of a Record is its EIP-712 encodeData
const RECORDED_TOPIC = ledgerInterface.getEvent("Recorded")!.topicHash;
const SELECTORS = {
  record: ledgerInterface.getFunction("record")!.selector,
  recordBatch: ledgerInterface.getFunction("recordBatch")!.selector,
  recordCorrection: ledgerInterface.getFunction("recordCorrection")!.selector,
};

/**
 * Candidate signatures per record, for the records one transaction carried. A record is keyed by
 * its 17 words in hex (what the contract hashed and logged), so an entry finds its signatures by
 * its log data without hashing the calldata's records again.
 */
export type SignatureMap = Map<string, string[]>;

function addSignature(into: SignatureMap, words: string, sig: string): void {
  const list = into.get(words);
  if (list) list.push(sig);
  else into.set(words, [sig]);
}

/**
 * Records and signatures straight from the calldata of `record`, `recordCorrection` or
 * `recordBatch`, following the ABI offsets as the contract's decoder does, without decoding 17
 * fields per record. Returns false if the calldata is not such a call or is malformed.
 */
function signaturesFromCalldata(input: string, into: SignatureMap): boolean {
  if (typeof input !== "string" || input.length < 10) return false;
  const selector = input.slice(0, 10).toLowerCase();
  const isBatch = selector === SELECTORS.recordBatch;
  if (!isBatch && selector !== SELECTORS.record && selector !== SELECTORS.recordCorrection) return false;
  const data = Buffer.from(input.slice(2), "hex");
  if (data.length * 2 !== input.length - 2) return false;
  const BASE = 4;
  const word = (at: number): number => {
    if (at < 0 || at + 32 > data.length) throw new RangeError("out of bounds");
    for (let i = at; i < at + 24; i++) if (data[i] !== 0) throw new RangeError("offset too large");
    return data.readUIntBE(at + 26, 6);
  };
  const wordsAt = (at: number): string => {
    if (at + RECORD_BYTES > data.length) throw new RangeError("out of bounds");
    return data.toString("hex", at, at + RECORD_BYTES);
  };
  const bytesAt = (at: number): string => {
    const length = word(at);
    if (at + 32 + length > data.length) throw new RangeError("out of bounds");
    return "0x" + data.toString("hex", at + 32, at + 32 + length);
  };
  const found = new Map<string, string[]>();
  try {
    if (!isBatch) {
      // record(Record, bytes) and recordCorrection(Record, bytes, EntryProof): the static record inline.
      addSignature(found, wordsAt(BASE), bytesAt(BASE + word(BASE + RECORD_BYTES)));
    } else {
      const records = BASE + word(BASE);
      const signatures = BASE + word(BASE + 32);
      const n = word(records);
      const m = word(signatures);
      if (n !== m) return false;
      for (let i = 0; i < n; i++) {
        addSignature(found, wordsAt(records + 32 + i * RECORD_BYTES), bytesAt(signatures + 32 + word(signatures + 32 + i * 32)));
      }
    }
  } catch {
    return false;
  }
  for (const [words, sigs] of found) for (const sig of sigs) addSignature(into, words, sig);
  return true;
}

interface CallFrame {
  from?: string;
  to?: string;
  input?: string;
  output?: string;
  error?: string;
  calls?: CallFrame[];
}

type SendingProvider = Provider & { send?: (m: string, p: unknown[]) => Promise<unknown> };

/** Every call made in a transaction (debug_traceTransaction's callTracer), or undefined if the node does not trace. */
async function tracedCalls(provider: SendingProvider, hash: string, opts: VerifyOptions): Promise<CallFrame[] | undefined> {
  let root: CallFrame;
  try {
    root = (await withRetry(() => rpcSend(provider, "debug_traceTransaction", [hash, { tracer: "callTracer" }]), opts)) as CallFrame;
  } catch (error) {
    // A node without tracing leaves the signature unchecked (reported); a failing node is an error.
    const { kind, reason } = classifyRpcError(error);
    if (kind === "transient") throw new LedgerReadError(`debug_traceTransaction ${hash} failed after ${Math.max(1, opts.maxAttempts ?? 5)} attempts: ${reason}`, { cause: error });
    return undefined;
  }
  const frames: CallFrame[] = [];
  const walk = (f: CallFrame) => {
    if (!f) return;
    frames.push(f);
    f.calls?.forEach(walk);
  };
  walk(root);
  return frames;
}

/** Calls into the ledger inside a transaction sent through another contract (needs debug_traceTransaction). */
async function ledgerCallsInTrace(provider: SendingProvider, hash: string, ledger: string, opts: VerifyOptions): Promise<string[] | undefined> {
  const frames = await tracedCalls(provider, hash, opts);
  return frames?.filter((f) => f.to?.toLowerCase() === ledger && f.input).map((f) => f.input!);
}

async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const workers = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
    while (!failed && next < items.length) {
      try {
        await fn(items[next++]);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  });
  await Promise.all(workers);
}

// ------------------------------------------------------------------ batch ECDSA verification
//
// Recovering a signer costs ~1 ms of BigInt arithmetic per signature in JavaScript, more than
// reading and decoding the entry. Instead, each agent's public key is recovered once (exactly, with
// ethers), and all the other signatures are checked together: ecrecover(e, v, r, s) = P exactly
// when R = (e/s)·G + (r/s)·P, where R is the curve point with x = r and y of parity v - 27. With
// random 128-bit z_i (unknown to whoever made the signatures), Σ z_i·(R_i - u1_i·G - u2_i·P_i) is
// the point at infinity for a set that holds one invalid signature with probability at most
// 2^-128; so the set is valid, or it is split and each half checked again, down to single
// signatures recovered with ethers. The multi-scalar multiplication is Pippenger's bucket method.

const FP = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;
const FN = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const GX = 0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798n;
const GY = 0x483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8n;

/** A point in Jacobian coordinates (x = X/Z², y = Y/Z³); Z = 0 is the point at infinity. */
interface Jacobian {
  X: bigint;
  Y: bigint;
  Z: bigint;
}
interface Affine {
  x: bigint;
  y: bigint;
}
const INFINITY: Jacobian = { X: 1n, Y: 1n, Z: 0n };
const sub = (a: bigint, b: bigint) => (a >= b ? a - b : a - b + FP);

function double(p: Jacobian): Jacobian {
  if (p.Z === 0n || p.Y === 0n) return INFINITY;
  const A = (p.X * p.X) % FP;
  const B = (p.Y * p.Y) % FP;
  const C = (B * B) % FP;
  const xb = p.X + B;
  const D = (2n * sub((xb * xb) % FP, (A + C) % FP)) % FP;
  const E = (3n * A) % FP;
  const F = (E * E) % FP;
  const X3 = sub(F, (2n * D) % FP);
  const Y3 = sub((E * sub(D, X3)) % FP, (8n * C) % FP);
  const Z3 = (2n * p.Y * p.Z) % FP;
  return { X: X3, Y: Y3, Z: Z3 };
}

/** p + q, q affine (madd-2007-bl). */
function addAffine(p: Jacobian, q: Affine): Jacobian {
  if (p.Z === 0n) return { X: q.x, Y: q.y, Z: 1n };
  const Z1Z1 = (p.Z * p.Z) % FP;
  const U2 = (q.x * Z1Z1) % FP;
  const S2 = (((q.y * p.Z) % FP) * Z1Z1) % FP;
  const H = sub(U2, p.X);
  const r = (2n * sub(S2, p.Y)) % FP;
  if (H === 0n) return r === 0n ? double({ X: q.x, Y: q.y, Z: 1n }) : INFINITY;
  const HH = (H * H) % FP;
  const I = (4n * HH) % FP;
  const J = (H * I) % FP;
  const V = (p.X * I) % FP;
  const X3 = sub(sub((r * r) % FP, J), (2n * V) % FP);
  const Y3 = sub((r * sub(V, X3)) % FP, (((2n * p.Y) % FP) * J) % FP);
  const zh = p.Z + H;
  const Z3 = sub(sub((zh * zh) % FP, Z1Z1), HH);
  return { X: X3, Y: Y3, Z: Z3 };
}

/** p + q (add-2007-bl). */
function add(p: Jacobian, q: Jacobian): Jacobian {
  if (p.Z === 0n) return q;
  if (q.Z === 0n) return p;
  const Z1Z1 = (p.Z * p.Z) % FP;
  const Z2Z2 = (q.Z * q.Z) % FP;
  const U1 = (p.X * Z2Z2) % FP;
  const U2 = (q.X * Z1Z1) % FP;
  const S1 = (((p.Y * q.Z) % FP) * Z2Z2) % FP;
  const S2 = (((q.Y * p.Z) % FP) * Z1Z1) % FP;
  const H = sub(U2, U1);
  const r = (2n * sub(S2, S1)) % FP;
  if (H === 0n) return r === 0n ? double(p) : INFINITY;
  const h2 = (2n * H) % FP;
  const I = (h2 * h2) % FP;
  const J = (H * I) % FP;
  const V = (U1 * I) % FP;
  const X3 = sub(sub((r * r) % FP, J), (2n * V) % FP);
  const Y3 = sub((r * sub(V, X3)) % FP, (((2n * S1) % FP) * J) % FP);
  const zz = p.Z + q.Z;
  const Z3 = (sub(sub((zz * zz) % FP, Z1Z1), Z2Z2) * H) % FP;
  return { X: X3, Y: Y3, Z: Z3 };
}

/** Σ k_i·P_i for scalars of at most `bits` bits (Pippenger's bucket method). */
function msm(points: readonly Affine[], scalars: readonly bigint[], bits: number): Jacobian {
  const n = points.length;
  if (n === 0) return INFINITY;
  // The window that minimises windows × (one mixed addition per point + ~2 full additions per bucket).
  let c = 2;
  let cost = Infinity;
  for (let w = 2; w <= 16; w++) {
    const k = Math.ceil(bits / w) * (3 * n + 5 * 2 ** (w + 1));
    if (k < cost) [c, cost] = [w, k];
  }
  const mask = (1n << BigInt(c)) - 1n;
  const windows = Math.ceil(bits / c);
  let acc = INFINITY;
  for (let w = windows - 1; w >= 0; w--) {
    for (let i = 0; i < c && acc.Z !== 0n; i++) acc = double(acc);
    const buckets: (Jacobian | undefined)[] = new Array(1 << c);
    const shift = BigInt(w * c);
    for (let i = 0; i < n; i++) {
      const d = Number((scalars[i] >> shift) & mask);
      if (d !== 0) buckets[d] = addAffine(buckets[d] ?? INFINITY, points[i]);
    }
    let running = INFINITY;
    let sum = INFINITY;
    for (let d = (1 << c) - 1; d >= 1; d--) {
      const b = buckets[d];
      if (b) running = add(running, b);
      if (running.Z !== 0n) sum = add(sum, running);
    }
    acc = add(acc, sum);
  }
  return acc;
}

function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1] = [((a % m) + m) % m, m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  if (r0 !== 1n) throw new Error("not invertible");
  return ((s0 % m) + m) % m;
}

/** The point with x = r and y of the given parity, or undefined if r is not on the curve. */
const decompress: (r: bigint, odd: boolean) => Affine | undefined = (() => {
  const pow2 = (x: bigint, k: number) => {
    let y = x;
    for (let i = 0; i < k; i++) y = (y * y) % FP;
    return y;
  };
  const sqrt = (a: bigint): bigint => {
    // a^((p+1)/4) by the addition chain of noble-secp256k1.
    const b2 = (((a * a) % FP) * a) % FP;
    const b3 = (((b2 * b2) % FP) * a) % FP;
    const b6 = (pow2(b3, 3) * b3) % FP;
    const b9 = (pow2(b6, 3) * b3) % FP;
    const b11 = (pow2(b9, 2) * b2) % FP;
    const b22 = (pow2(b11, 11) * b11) % FP;
    const b44 = (pow2(b22, 22) * b22) % FP;
    const b88 = (pow2(b44, 44) * b44) % FP;
    const b176 = (pow2(b88, 88) * b88) % FP;
    const b220 = (pow2(b176, 44) * b44) % FP;
    const b223 = (pow2(b220, 3) * b3) % FP;
    const t1 = (pow2(b223, 23) * b22) % FP;
    const t2 = (pow2(t1, 6) * b2) % FP;
    return pow2(t2, 2);
  };
  const inJs = (r: bigint, odd: boolean): Affine | undefined => {
    const a = (((r * r) % FP) * r + 7n) % FP;
    let y = sqrt(a);
    if ((y * y) % FP !== a) return undefined;
    if (((y & 1n) === 1n) !== odd) y = FP - y;
    return { x: r, y };
  };
  // OpenSSL decompresses several times faster than BigInt code; it is checked once against it.
  try {
    const native = (r: bigint, odd: boolean): Affine | undefined => {
      const compressed = Buffer.alloc(33);
      compressed[0] = odd ? 3 : 2;
      compressed.write(r.toString(16).padStart(64, "0"), 1, "hex");
      let full: Buffer;
      try {
        full = ECDH.convertKey(compressed, "secp256k1", undefined, undefined, "uncompressed") as Buffer;
      } catch {
        return undefined;
      }
      return { x: r, y: BigInt("0x" + full.toString("hex", 33, 65)) };
    };
    const g = native(GX, (GY & 1n) === 1n);
    const h = inJs(GX, (GY & 1n) === 0n);
    if (g?.y === GY && h?.y === FP - GY && native(0n, false) === undefined) return native;
  } catch {
    /* no secp256k1 in this OpenSSL */
  }
  return inJs;
})();

/** Agents' public keys, recovered once and reused across calls of checkEoaSignatures. */
export class EoaKeyCache {
  readonly keys = new Map<string, Affine | null>();
  /** The same keys as 128 hex digits (x then y), for comparing with a recovered key. */
  readonly hex = new Map<string, string>();
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

/** checkEoaSignatures with libsecp256k1: each signature recovered natively, compared with the agent's key. */
function checkWithLibsecp256k1(lib: NativeSecp256k1, checks: readonly EoaSignatureCheck[], cache: EoaKeyCache): boolean[] {
  const valid: boolean[] = new Array(checks.length).fill(false);
  for (let i = 0; i < checks.length; i++) {
    const p = parseSignature(checks[i], i);
    if (!p) continue;
    let recovered: string;
    try {
      const sig = checks[i].signature;
      recovered = Buffer.from(lib.ecdsaRecover(Buffer.from(sig.slice(2, 130), "hex"), p.odd ? 1 : 0, Buffer.from(checks[i].digest.slice(2), "hex"), false)).toString("hex", 1);
    } catch {
      continue; // no key recovers: ecrecover returns 0
    }
    let known = cache.hex.get(p.agent);
    if (known === undefined) {
      const key = cache.keys.get(p.agent);
      if (key) cache.hex.set(p.agent, (known = key.x.toString(16).padStart(64, "0") + key.y.toString(16).padStart(64, "0")));
    }
    if (known !== undefined) {
      valid[i] = recovered === known;
    } else if (computeAddress("0x04" + recovered).toLowerCase() === p.agent) {
      cache.hex.set(p.agent, recovered);
      cache.keys.set(p.agent, { x: BigInt("0x" + recovered.slice(0, 64)), y: BigInt("0x" + recovered.slice(64)) });
      valid[i] = true;
    }
  }
  return valid;
}

export interface EoaSignatureCheck {
  /** The EIP-712 digest (0x + 64 hex). */
  digest: string;
  /** The signature as the contract receives it (0x + 130 hex for an EOA). */
  signature: string;
  /** The address the signature must recover to. */
  agent: string;
}

interface Parsed {
  i: number;
  e: bigint;
  r: bigint;
  s: bigint;
  odd: boolean;
  agent: string;
  R?: Affine;
  u1?: bigint;
  u2?: bigint;
}

function parseSignature(c: EoaSignatureCheck, i: number): Parsed | undefined {
  const sig = c.signature;
  if (typeof sig !== "string" || sig.length !== 132 || !/^0x[0-9a-fA-F]{130}$/.test(sig)) return undefined;
  const v = Number.parseInt(sig.slice(130, 132), 16);
  if (v !== 27 && v !== 28) return undefined;
  const r = BigInt("0x" + sig.slice(2, 66));
  const s = BigInt("0x" + sig.slice(66, 130));
  if (r === 0n || r >= FN || s === 0n || s > HALF_ORDER) return undefined;
  return { i, e: BigInt(c.digest), r, s, odd: v === 28, agent: c.agent.toLowerCase() };
}

/** One signature, exactly as ecrecover with the contract's rules (65 bytes, v 27/28, low s). */
export function eoaSignatureValid(digest: string, sig: string, agent: string): boolean {
  if (!parseSignature({ digest, signature: sig, agent }, 0)) return false;
  try {
    return recoverAddress(digest, sig).toLowerCase() === agent.toLowerCase();
  } catch {
    return false;
  }
}

/**
 * For each check, whether `signature` is a valid EOA signature of `digest` by `agent` by the
 * contract's rules: exactly `ecrecover(digest, v, r, s) == agent` with 65 bytes, v in {27, 28}
 * and a low s. Invalid signatures are found exactly (each is recovered on its own in the end).
 */
export function checkEoaSignatures(checks: readonly EoaSignatureCheck[], cache: EoaKeyCache = new EoaKeyCache(), opts: { native?: boolean } = {}): boolean[] {
  if (nativeSecp256k1 && opts.native !== false) return checkWithLibsecp256k1(nativeSecp256k1, checks, cache);
  const valid: boolean[] = new Array(checks.length).fill(false);
  // Each agent's public key, from the first of its signatures that recovers to it (those before it
  // recover to someone else: invalid). Once the key is known, the agent's signatures are batched.
  const keys = cache.keys;
  const pending: Parsed[] = [];
  for (let i = 0; i < checks.length; i++) {
    const p = parseSignature(checks[i], i);
    if (!p) continue;
    if (!keys.get(p.agent)) {
      let key: string | undefined;
      try {
        key = SigningKey.recoverPublicKey(checks[i].digest, checks[i].signature);
      } catch {
        key = undefined;
      }
      if (key !== undefined && computeAddress(key).toLowerCase() === p.agent) {
        keys.set(p.agent, { x: BigInt("0x" + key.slice(4, 68)), y: BigInt("0x" + key.slice(68, 132)) });
        valid[i] = true;
      } else if (!keys.has(p.agent)) keys.set(p.agent, null);
      continue;
    }
    pending.push(p);
  }
  for (const c of pending) {
    const R = decompress(c.r, c.odd);
    if (!R) continue; // no point with x = r: ecrecover fails
    c.R = R;
  }
  const usable = pending.filter((c) => c.R !== undefined);
  // u1 = e/s, u2 = r/s (mod n), with one inversion for all (Montgomery's trick).
  const prefix: bigint[] = new Array(usable.length);
  let acc = 1n;
  for (let k = 0; k < usable.length; k++) {
    prefix[k] = acc;
    acc = (acc * usable[k].s) % FN;
  }
  let inv = usable.length > 0 ? modInverse(acc, FN) : 1n;
  for (let k = usable.length - 1; k >= 0; k--) {
    const sInv = (inv * prefix[k]) % FN;
    inv = (inv * usable[k].s) % FN;
    usable[k].u1 = ((usable[k].e % FN) * sInv) % FN;
    usable[k].u2 = (usable[k].r * sInv) % FN;
  }
  const zs = randomBytes(16 * Math.max(1, usable.length));
  const z = usable.map((_, k) => BigInt("0x" + zs.toString("hex", 16 * k, 16 * k + 16)) | 1n);
  const G: Affine = { x: GX, y: GY };
  const holds = (set: readonly number[]): boolean => {
    // Σ z·R - (Σ z·u1)·G - Σ_agent (Σ z·u2)·P_agent == O
    let g = 0n;
    const perAgent = new Map<string, bigint>();
    for (const k of set) {
      const c = usable[k];
      g = (g + z[k] * c.u1!) % FN;
      perAgent.set(c.agent, ((perAgent.get(c.agent) ?? 0n) + z[k] * c.u2!) % FN);
    }
    const small = msm(
      set.map((k) => usable[k].R!),
      set.map((k) => z[k]),
      128,
    );
    const bigPoints: Affine[] = [G];
    const bigScalars: bigint[] = [(FN - g) % FN];
    for (const [agent, a] of perAgent) {
      bigPoints.push(keys.get(agent)!);
      bigScalars.push((FN - a) % FN);
    }
    return add(small, msm(bigPoints, bigScalars, 256)).Z === 0n;
  };
  const settle = (set: number[]): void => {
    if (set.length === 0) return;
    if (set.length <= 4) {
      for (const k of set) valid[usable[k].i] = eoaSignatureValid(checks[usable[k].i].digest, checks[usable[k].i].signature, checks[usable[k].i].agent);
      return;
    }
    if (holds(set)) {
      for (const k of set) valid[usable[k].i] = true;
      return;
    }
    const half = set.length >> 1;
    settle(set.slice(0, half));
    settle(set.slice(half));
  };
  settle(usable.map((_, k) => k));
  return valid;
}

/**
 * The ledger's hash chain recomputed exactly as `verifyChain` (./chain.ts) does, with the same
 * result, but with each step hashed from a buffer instead of an ABI encoding (the encoder cost
 * more than the whole signature check). A test checks both agree.
 */
export function verifyChainFast(links: readonly ChainLink[], tip: { count: bigint; head: string }, checkpoints: ReadonlyMap<bigint, string> = new Map(), checkpointInterval = 128n): ChainCheck {
  const buf = Buffer.alloc(128);
  let head = GENESIS_HEAD;
  const heads: string[] = [];
  for (let i = 0; i < links.length; i++) {
    const link = links[i];
    const expectedId = BigInt(i + 1);
    if (link.id !== expectedId) {
      return { ok: false, count: BigInt(i), head, heads, divergence: { id: expectedId, reason: `entry ${expectedId} is missing (found ${link.id})` } };
    }
    // keccak256(abi.encode(bytes32(head), uint256 id, address signer, bytes32 recordHash)), first 24 bytes
    buf.fill(0);
    buf.write(head.slice(2), 0, "hex");
    buf.write(link.id.toString(16).padStart(64, "0"), 32, "hex");
    buf.write(link.signer.slice(2).padStart(40, "0"), 76, "hex");
    buf.write(link.recordHash.slice(2), 96, "hex");
    if (!/^0x[0-9a-fA-F]{40}$/.test(link.signer) || !/^0x[0-9a-fA-F]{64}$/.test(link.recordHash)) {
      // Anything unusual is hashed by the reference implementation.
      head = chainStep(head, link.id, link.signer, link.recordHash);
    } else head = keccak256(buf).slice(0, 50);
    heads.push(head);
    if (link.id % checkpointInterval === 0n) {
      const stored = checkpoints.get(link.id / checkpointInterval);
      if (stored !== undefined && stored.toLowerCase() !== head) {
        return { ok: false, count: link.id, head, heads, divergence: { id: link.id, reason: `checkpoint ${link.id / checkpointInterval} is ${stored}, recomputed ${head}` } };
      }
    }
  }
  const count = BigInt(links.length);
  if (count !== tip.count) {
    return { ok: false, count, head, heads, divergence: { id: count + 1n, reason: `the contract holds ${tip.count} entries, the events ${count}` } };
  }
  if (head !== tip.head.toLowerCase()) {
    return { ok: false, count, head, heads, divergence: { id: count, reason: `on-chain head ${tip.head} differs from the recomputed ${head}` } };
  }
  return { ok: true, count, head, heads };
}

// ------------------------------------------------------------------ signature worker

/** Records' signatures to check: parallel arrays (cheap to send to a worker). */
interface SignatureBatch {
  /** The ledger's EIP-712 domain separator (0x + 64 hex). */
  domainSeparator: string;
  /** Each record's struct hash; its digest is keccak256(0x1901 ‖ domainSeparator ‖ structHash). */
  structHashes: string[];
  signatures: string[];
  agents: string[];
}

export function recordDigest712(domainSeparator: string, structHash: string): string {
  const buf = Buffer.alloc(66);
  buf[0] = 0x19;
  buf[1] = 0x01;
  buf.write(domainSeparator.slice(2), 2, "hex");
  buf.write(structHash.slice(2), 34, "hex");
  return keccak256(buf);
}

function checkBatch(batch: SignatureBatch, cache: EoaKeyCache): boolean[] {
  const checks = batch.structHashes.map((h, i) => ({ digest: recordDigest712(batch.domainSeparator, h), signature: batch.signatures[i], agent: batch.agents[i] }));
  return checkEoaSignatures(checks, cache);
}

interface WorkerRequest {
  id: number;
  batch: SignatureBatch;
}
/** The worker's verdicts, and the agents' public keys it recovered since its last reply (x, y in hex). */
type WorkerReply = { id: number; valid: boolean[]; keys: [string, string, string][] } | { id: number; error: string };

// In a worker started by SignatureWorker: check batches with one key cache for the whole run.
if (!isMainThread && parentPort && (workerData as { commonsSignatureWorker?: boolean } | null)?.commonsSignatureWorker) {
  const port = parentPort;
  const keys = new EoaKeyCache();
  const shared = new Set<string>();
  port.on("message", (m: WorkerRequest) => {
    let reply: WorkerReply;
    try {
      const valid = checkBatch(m.batch, keys);
      const fresh: [string, string, string][] = [];
      for (const [agent, key] of keys.keys) {
        if (!key || shared.has(agent)) continue;
        shared.add(agent);
        fresh.push([agent, key.x.toString(16), key.y.toString(16)]);
      }
      reply = { id: m.id, valid, keys: fresh };
    } catch (error) {
      reply = { id: m.id, error: (error as Error).message };
    }
    port.postMessage(reply);
  });
}

/**
 * checkEoaSignatures on a second thread, so that the main thread keeps reading and decoding
 * meanwhile. Batches wait in a queue and go to the worker one at a time; once the caller has
 * nothing else to do it takes batches from the back of the queue itself (`help`). If the worker
 * cannot start (or fails), batches are checked on the calling thread.
 */
class SignatureWorker {
  private worker?: Worker;
  private failed = false;
  private busy = false;
  private nextId = 1;
  private readonly queue: { batch: SignatureBatch; resolve: (v: boolean[]) => void; reject: (e: unknown) => void }[] = [];
  private inWorker?: { id: number; batch: SignatureBatch; resolve: (v: boolean[]) => void; reject: (e: unknown) => void };
  private readonly local = new EoaKeyCache();

  /** Starts the worker thread ahead of the first batch. */
  warm(): this {
    if (!this.failed && !this.worker) this.start();
    return this;
  }

  check(batch: SignatureBatch): Promise<boolean[]> {
    if (!this.failed && !this.worker) this.start();
    if (this.failed || !this.worker) return Promise.resolve(checkBatch(batch, this.local));
    return new Promise((resolve, reject) => {
      this.queue.push({ batch, resolve, reject });
      this.next();
    });
  }

  /** Checks queued batches on this thread too, from the back, until the queue is empty. */
  help(): void {
    for (let job = this.queue.pop(); job; job = this.queue.pop()) {
      try {
        job.resolve(checkBatch(job.batch, this.local));
      } catch (error) {
        job.reject(error);
      }
    }
  }

  private next(): void {
    if (this.busy || !this.worker) return;
    const job = this.queue.shift();
    if (!job) return;
    this.busy = true;
    this.inWorker = { id: this.nextId++, ...job };
    this.worker.postMessage({ id: this.inWorker.id, batch: job.batch } satisfies WorkerRequest);
  }

  private start(): void {
    try {
      const worker = new Worker(new URL(import.meta.url), { workerData: { commonsSignatureWorker: true } });
      worker.on("message", (m: WorkerReply) => {
        const job = this.inWorker;
        if (!job || job.id !== m.id) return;
        this.inWorker = undefined;
        this.busy = false;
        if ("error" in m) job.reject(new Error(`signature worker: ${m.error}`));
        else {
          // Keys the worker recovered need not be recovered again here (see help()).
          for (const [agent, x, y] of m.keys) if (!this.local.keys.get(agent)) this.local.keys.set(agent, { x: BigInt("0x" + x), y: BigInt("0x" + y) });
          job.resolve(m.valid);
        }
        this.next();
      });
      worker.on("error", () => this.fallBack());
      worker.on("exit", () => this.fallBack());
      this.worker = worker;
    } catch {
      this.failed = true;
    }
  }

  /** The worker died (or never loaded): what it had is checked here instead. */
  private fallBack(): void {
    if (this.failed) return;
    this.failed = true;
    this.worker = undefined;
    if (this.inWorker) this.queue.unshift(this.inWorker);
    this.inWorker = undefined;
    this.help();
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.failed = true;
    if (worker) await worker.terminate();
  }
}

/** A recorded entry waiting for its signature check. */
interface Pending {
  entry: Entry;
  /** The record's words as logged (hex, no 0x): the key of its signatures in the calldata. */
  words: string;
}

/** Merges the decoded events of consecutive block ranges (equal to decoding all logs at once). */
export function mergeEvents(parts: readonly LedgerEvents[]): LedgerEvents {
  const out: LedgerEvents = { entries: [], validations: [], corrections: [], checkpoints: new Map(), skipped: [], all: [] };
  for (const p of parts) {
    for (const x of p.entries) out.entries.push(x);
    for (const x of p.validations) out.validations.push(x);
    for (const x of p.corrections) out.corrections.push(x);
    for (const x of p.skipped) out.skipped.push(x);
    for (const x of p.all) out.all.push(x);
    for (const [k, v] of p.checkpoints) out.checkpoints.set(k, v);
  }
  return out;
}

/**
 * The signatures that the transactions `hashes` carried to the ledger at `ledgerAddress`
 * (lowercase), per transaction and record (keyed by the record's 17 logged words in hex): from the
 * calldata of a direct call, else from the calls into the ledger in the transaction's trace. A
 * transaction the node cannot trace is added to `untraceable`. Transactions already in `into` are
 * not fetched again.
 */
export async function loadTransactionSignatures(
  provider: Provider,
  ledgerAddress: string,
  hashes: readonly string[],
  into: Map<string, SignatureMap>,
  untraceable: Set<string>,
  opts: VerifyOptions = {},
): Promise<void> {
  const missing = [...new Set(hashes)].filter((h) => !into.has(h));
  const groups: string[][] = [];
  for (let i = 0; i < missing.length; i += 20) groups.push(missing.slice(i, i + 20));
  await pool(groups, opts.concurrency ?? 4, async (group) => {
    const txs = (await rpcRetry(
      `eth_getTransactionByHash (${group.length} transactions)`,
      () => rpcSendBatch(provider, group.map((h) => ({ method: "eth_getTransactionByHash", params: [h] }))),
      opts,
    )) as ({ to?: unknown; input?: unknown } | null)[];
    for (let i = 0; i < group.length; i++) {
      const hash = group[i];
      const tx = txs[i];
      if (!tx || typeof tx !== "object") throw new LedgerReadError(`the node does not know transaction ${hash}`);
      const signatures: SignatureMap = new Map();
      if (typeof tx.to === "string" && tx.to.toLowerCase() === ledgerAddress && typeof tx.input === "string" && signaturesFromCalldata(tx.input, signatures)) {
        into.set(hash, signatures);
        continue;
      }
      const inputs = await ledgerCallsInTrace(provider as SendingProvider, hash, ledgerAddress, opts);
      if (!inputs) untraceable.add(hash);
      else for (const input of inputs) signaturesFromCalldata(input, signatures);
      into.set(hash, signatures);
    }
  });
}

// ------------------------------------------------------------------ wallet (ERC-1271) signatures
//
// The contract accepted every recorded signature (the hash chain to the on-chain head shows the
// entry was recorded, and its rule is EOA or ERC-1271), but a wallet's answer can be asked again
// only at block boundaries: the state before the recording block and after it. A wallet that
// answers valid at either verifies. Otherwise the recording transaction's trace, where the node
// offers one, shows the answer the contract got, and decides. Without a trace, a wallet that has
// code at a boundary yet says invalid at both changed its answer within the block (V-1), and a
// wallet whose code existed only within the block (an EIP-7702 delegation set and removed there)
// cannot be asked at all: both are undecided, as is an entry whose requests the node failed. A
// non-EOA signature by an agent without code before or after the block, with nothing in the block
// giving it code, is a bad signature.

/** What a wallet said at one block boundary (the state after `block`). */
interface WalletAnswer {
  block: number;
  /** valid: the magic value for one of the signatures; invalid: anything else, a revert included. */
  answer: "valid" | "invalid" | "no code" | "failed";
  /** Why the node failed (a LedgerReadError naming the request). */
  error?: LedgerReadError;
}

/** Whether an eth_call failure is the wallet's own (a revert, out of gas): an invalid answer, as the contract takes it. */
function walletFailed(error: unknown): boolean {
  const { kind, reason } = classifyRpcError(error);
  return kind === "fatal" && /^JSON-RPC error 3 |revert|out of gas|outofgas|invalid opcode|stack (under|over)flow/i.test(reason);
}

/**
 * The wallet `agent`'s answers to isValidSignature(digest, candidate) before the recording block
 * and after it (stopping at the first valid one), asked as the ledger asks (from `caller`).
 * `codeAt` caches eth_getCode.
 */
async function askWallet(
  provider: Provider,
  agent: string,
  digest: string,
  candidates: readonly string[],
  blockNumber: number,
  opts: VerifyOptions,
  codeAt: Map<string, Promise<string>>,
  caller?: string,
): Promise<WalletAnswer[]> {
  const answers: WalletAnswer[] = [];
  for (const block of [blockNumber - 1, blockNumber]) {
    const key = `${agent.toLowerCase()}@${block}`;
    if (!codeAt.has(key)) codeAt.set(key, rpcRetry(`eth_getCode ${agent} at block ${block}`, () => provider.getCode(agent, block), opts));
    let code: string;
    try {
      code = await codeAt.get(key)!;
    } catch (error) {
      answers.push({ block, answer: "failed", error: error as LedgerReadError });
      continue;
    }
    if (code === "0x") {
      answers.push({ block, answer: "no code" });
      continue;
    }
    let answer: WalletAnswer = { block, answer: "invalid" };
    for (const sig of candidates) {
      const data = ERC1271.encodeFunctionData("isValidSignature", [digest, sig]);
      try {
        const out = await rpcRetry(`eth_call isValidSignature on ${agent} at block ${block}`, () => provider.call({ to: agent, data, blockTag: block, ...(caller ? { from: caller } : {}) }), opts);
        if (isMagicWord(out)) {
          answer = { block, answer: "valid" };
          break;
        }
      } catch (error) {
        if (!walletFailed((error as LedgerReadError).cause)) answer = { block, answer: "failed", error: error as LedgerReadError };
      }
    }
    answers.push(answer);
    if (answer.answer === "valid") break;
  }
  return answers;
}

/**
 * Whether one of `candidates` is a valid ERC-1271 signature of `digest` by the wallet `agent`,
 * asked before the recording block and after it. A wallet that reverts is an invalid signature;
 * a request the node keeps failing is a LedgerReadError. `codeAt` caches eth_getCode. (verifyLedger
 * goes further: see judgeWalletSignature.)
 */
export async function walletSignatureValid(
  provider: Provider,
  agent: string,
  digest: string,
  candidates: readonly string[],
  blockNumber: number,
  opts: VerifyOptions = {},
  codeAt: Map<string, Promise<string>> = new Map(),
): Promise<boolean> {
  const answers = await askWallet(provider, agent, digest, candidates, blockNumber, opts, codeAt);
  if (answers.some((a) => a.answer === "valid")) return true;
  const failed = answers.find((a) => a.error);
  if (failed) throw failed.error;
  return false;
}

/**
 * The answer the ledger got from `agent` for `digest` in transaction `hash`, from the node's trace:
 * valid if one of its isValidSignature calls returned the magic value as the contract reads it,
 * else invalid; undefined if the node does not trace.
 */
async function walletAnswerInTrace(provider: Provider, ledger: string, agent: string, digest: string, hash: string, opts: VerifyOptions): Promise<"valid" | "invalid" | undefined> {
  const frames = await tracedCalls(provider as SendingProvider, hash, opts);
  if (!frames) return undefined;
  const asked = frames.filter(
    (f) => f.from?.toLowerCase() === ledger && f.to?.toLowerCase() === agent.toLowerCase() && f.input?.slice(0, 74).toLowerCase() === MAGIC + digest.slice(2).toLowerCase(),
  );
  return asked.some((f) => !f.error && typeof f.output === "string" && isMagicWord(f.output)) ? "valid" : "invalid";
}

/** A transaction of block `blockNumber` carrying an EIP-7702 delegation authorised by `agent`, if any. */
async function delegationInBlock(provider: Provider, agent: string, blockNumber: number, opts: VerifyOptions): Promise<string | undefined> {
  const block = await rpcRetry(`eth_getBlockByNumber ${blockNumber}`, () => provider.getBlock(blockNumber, true), opts);
  if (!block) throw new LedgerReadError(`the node does not know block ${blockNumber}`);
  for (const tx of block.prefetchedTransactions) {
    for (const auth of tx.authorizationList ?? []) {
      try {
        if (verifyAuthorization(auth, auth.signature).toLowerCase() === agent.toLowerCase()) return tx.hash;
      } catch {
        /* an authorization that recovers to nobody */
      }
    }
  }
  return undefined;
}

type WalletVerdict = { kind: "valid" } | { kind: "invalid"; reason: string } | { kind: "undecided"; reason: string };

/**
 * Judges a recorded entry's signature that is not its agent's EOA signature, as the contract saw
 * it (see the rule above). A request that fails for this entry alone makes it undecided, once the
 * node is shown to answer otherwise; a node that answers nothing any more is a LedgerReadError.
 */
async function judgeWalletSignature(
  provider: Provider,
  ledger: string,
  e: Entry,
  digest: string,
  candidates: readonly string[],
  opts: VerifyOptions,
  codeAt: Map<string, Promise<string>>,
): Promise<WalletVerdict> {
  const agent = agentOf(e.record);
  const n = e.blockNumber;
  const answers = await askWallet(provider, agent, digest, candidates, n, opts, codeAt, ledger);
  if (answers.some((a) => a.answer === "valid")) return { kind: "valid" };
  let failure = answers.find((a) => a.error)?.error;
  const nodeAnswers = async (error: LedgerReadError): Promise<void> => {
    try {
      await rpcRetry("eth_blockNumber", () => rpcSend(provider, "eth_blockNumber", []), opts);
    } catch {
      throw error;
    }
  };
  if (failure) await nodeAnswers(failure);
  const notEoa = `the signature does not verify for ${agent}: it is not its EOA signature`;
  try {
    const traced = await walletAnswerInTrace(provider, ledger, agent, digest, e.transactionHash, opts);
    if (traced === "valid") return { kind: "valid" };
    if (traced === "invalid") return { kind: "invalid", reason: `${notEoa}, and the trace of transaction ${e.transactionHash} shows the ledger got no ERC-1271 magic value from it` };
  } catch (error) {
    if (!failure) await nodeAnswers(error as LedgerReadError);
    failure ??= error as LedgerReadError;
  }
  const nodeFailed = (error: LedgerReadError): WalletVerdict => ({ kind: "undecided", reason: `not ${agent}'s EOA signature, and the node failed a request needed to ask the wallet (${error.message})` });
  if (failure) return nodeFailed(failure);
  const transient = "which a node without transaction tracing cannot replay";
  if (answers.some((a) => a.answer === "invalid")) {
    const [before, after] = answers.map((a) => (a.answer === "no code" ? "had no code" : "said invalid"));
    const said = before === after ? `${before} before and after block ${n}` : `${before} before block ${n} and ${after} after it`;
    return { kind: "undecided", reason: `the wallet ${agent} ${said}, yet the contract accepted its signature in that block: the wallet's answer changed within the block, ${transient}` };
  }
  let delegation: string | undefined;
  try {
    delegation = await delegationInBlock(provider, agent, n, opts);
  } catch (error) {
    await nodeAnswers(error as LedgerReadError);
    return nodeFailed(error as LedgerReadError);
  }
  if (delegation) {
    return { kind: "undecided", reason: `${agent} had no code before and after block ${n}, but transaction ${delegation} of that block carries its EIP-7702 delegation: the wallet code the contract accepted the signature with existed only within the block, ${transient}` };
  }
  return { kind: "invalid", reason: `${notEoa}, and it had no code before or after block ${n} (the contract takes an EOA or an ERC-1271 signature)` };
}

export async function verifyLedger(provider: Provider, address: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const ledgerAddress = address.toLowerCase();
  const concurrency = opts.concurrency ?? 4;
  const block = opts.toBlock ?? (await rpcRetry("eth_blockNumber", () => provider.getBlockNumber(), opts));
  const { chainId } = await rpcRetry("eth_chainId", () => provider.getNetwork(), opts);
  const domainSeparator = TypedDataEncoder.hashDomain(ledgerDomain(chainId, address));
  const digestOf = (structHash: string) => recordDigest712(domainSeparator, structHash);

  // Signatures come from each transaction's calldata (or its trace when relayed through a
  // contract), kept per transaction: a copy of a record with another signature in another
  // transaction (skipped by the contract) must not replace the one that was recorded. Each block
  // range is decoded, and its transactions fetched and signatures checked, while the next range
  // is being read.
  const signaturesByTx = new Map<string, SignatureMap>();
  const untraceable = new Set<string>();
  const results = new Map<Entry, { candidates: string[]; valid?: boolean }>();
  const keys = new EoaKeyCache();
  let worker: SignatureWorker | undefined;
  const checking: Promise<void>[] = [];
  const emptyBatch = (): SignatureBatch => ({ domainSeparator, structHashes: [], signatures: [], agents: [] });
  let queued = emptyBatch();
  let queuedFor: Entry[] = [];
  let flushes = 0;
  const flush = () => {
    flushes++;
    const batch = queued;
    const batchFor = queuedFor;
    queued = emptyBatch();
    queuedFor = [];
    const record = (valid: boolean[]) => batchFor.forEach((e, i) => (results.get(e)!.valid = valid[i]));
    if (opts.worker === true || (opts.worker === undefined && batchFor.length >= 2_000 && availableParallelism() > 1) || worker) {
      worker ??= new SignatureWorker();
      checking.push(worker.check(batch).then(record));
    } else record(checkBatch(batch, keys));
  };
  const loadTransactions = (hashes: readonly string[]) => loadTransactionSignatures(provider, ledgerAddress, hashes, signaturesByTx, untraceable, { ...opts, concurrency });
  const checkRange = async (pending: readonly Pending[]): Promise<void> => {
    await loadTransactions(pending.map((p) => p.entry.transactionHash));
    for (const { entry, words } of pending) {
      const candidates = signaturesByTx.get(entry.transactionHash)?.get(words);
      if (!candidates) continue;
      // Checked against the EIP-712 digest of the struct hash the decoder computed (the record is
      // not hashed again).
      results.set(entry, { candidates });
      queued.structHashes.push(entry.recordHash);
      queued.signatures.push(candidates[0]);
      queued.agents.push(agentOf(entry.record));
      queuedFor.push(entry);
    }
    // Large batches make the multi-scalar multiplication cheaper per signature; the first one is
    // sent early so that the worker starts (and recovers the agents' keys) while reading goes on.
    if (queuedFor.length >= (worker && flushes > 0 ? 12_000 : 2_000)) flush();
  };
  const parts: LedgerEvents[] = [];
  let pipeline: Promise<void> = Promise.resolve();
  let pipelineError: unknown;
  let aborted = false;
  const onLogs = (logs: readonly Log[]) => {
    opts.onLogs?.(logs);
    const inOrder = logs.every((x, i) => i === 0 || logs[i - 1].blockNumber < x.blockNumber || (logs[i - 1].blockNumber === x.blockNumber && logs[i - 1].index < x.index));
    const sorted = inOrder ? logs : [...logs].sort((x, y) => x.blockNumber - y.blockNumber || x.index - y.index);
    const part = decodeLedgerLogs(sorted);
    parts.push(part);
    const words = new Map<string, string>();
    for (const log of sorted) if (log.topics[0] === RECORDED_TOPIC) words.set(`${log.transactionHash}:${log.index}`, log.data.slice(2));
    const pending = part.entries.map((entry) => ({ entry, words: words.get(`${entry.transactionHash}:${entry.logIndex}`) ?? "" }));
    // A dense ledger: start the worker now, so that it has loaded by the time the first batch is ready.
    if (!worker && opts.worker !== false && pending.length >= 500 && availableParallelism() > 1) worker = new SignatureWorker().warm();
    if (pending.length > 0) pipeline = pipeline.then(() => (pipelineError || aborted ? undefined : checkRange(pending))).catch((e: unknown) => void (pipelineError ??= e));
  };

  let events: LedgerEvents;
  let count: bigint;
  let onChainHead: string;
  try {
    await fetchLogs(provider, address, { ...opts, toBlock: block, onLogs });
    events = mergeEvents(parts);
    const contract = new Contract(address, ["function tip() view returns (uint64 count, bytes24 head)"], provider);
    [count, onChainHead] = await rpcRetry("tip()", () => contract.tip({ blockTag: block }) as Promise<[bigint, string]>, opts);
    await pipeline;
    if (pipelineError) throw pipelineError;
    if (queuedFor.length > 0) flush();
    // Reading is done: this thread checks what the worker has not started yet.
    worker?.help();
    await Promise.all(checking);
  } catch (error) {
    aborted = true;
    throw error;
  } finally {
    await pipeline;
    await worker?.close();
  }
  const check = verifyChainFast(events.entries, { count, head: onChainHead }, events.checkpoints);
  const problems: VerifyProblem[] = check.divergence ? [check.divergence] : [];
  const undecided: VerifyProblem[] = [];

  let eoa = 0;
  let wallets = 0;
  let done = 0;
  const total = events.entries.length;
  const walletChecks: { e: Entry; digest: string; candidates: string[] }[] = [];
  for (const e of events.entries) {
    const fail = (reason: string) => problems.push({ id: e.id, reason });
    const agent = agentOf(e.record);
    if (agent.toLowerCase() !== e.signer.toLowerCase()) fail(`event signer ${e.signer} is not the record's agent ${agent}`);
    const r = results.get(e);
    if (!r) {
      if (untraceable.has(e.transactionHash)) undecided.push({ id: e.id, reason: `transaction ${e.transactionHash} was sent through a contract and the node cannot trace it; signature not checked` });
      else fail(`no signature found for the record in transaction ${e.transactionHash}`);
      opts.onSignatures?.(++done, total);
      continue;
    }
    if (r.valid || r.candidates.slice(1).some((sig) => eoaSignatureValid(digestOf(e.recordHash), sig, agent))) {
      eoa++;
      opts.onSignatures?.(++done, total);
    } else walletChecks.push({ e, digest: digestOf(e.recordHash), candidates: r.candidates });
  }

  // Not an EOA signature: an ERC-1271 wallet, judged as the contract saw it (judgeWalletSignature).
  const codeAt = new Map<string, Promise<string>>();
  await pool(walletChecks, concurrency, async ({ e, digest, candidates }) => {
    const verdict = await judgeWalletSignature(provider, ledgerAddress, e, digest, candidates, opts, codeAt);
    if (verdict.kind === "valid") wallets++;
    else (verdict.kind === "invalid" ? problems : undecided).push({ id: e.id, reason: verdict.reason });
    opts.onSignatures?.(++done, total);
  });
  const byId = (a: VerifyProblem, b: VerifyProblem) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  problems.sort(byId);
  undecided.sort(byId);
  return {
    ok: problems.length === 0,
    block,
    entries: events.entries.length,
    head: check.head,
    onChainHead,
    checkpoints: events.checkpoints.size,
    eoaSignatures: eoa,
    contractSignatures: wallets,
    problems,
    undecided,
    events,
  };
}
