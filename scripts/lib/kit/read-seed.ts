// Fast, deterministic ledger filling for the read benchmark (scripts/bench/read.ts) and the reader
// fault tests: records are built locally, hashed from their ABI words (the ABI encoding of a
// Record is its EIP-712 encodeData) and signed by deterministic Wallets that hold no ETH. The
// digest is checked once against ethers' EIP-712 encoder before anything is signed.
import { getBytes, keccak256, toUtf8Bytes, TypedDataEncoder, Wallet, ZeroHash } from "ethers";
import type { TypedDataDomain } from "ethers";
import { encodeUnit, packNonce, RECORD_TYPEHASH, recordDigest } from "../core/record.js";
import type { LedgerRecord } from "../core/record.js";

const RECORD_TYPEHASH_BYTES = getBytes(RECORD_TYPEHASH);
const RECORD_TUPLE_SIG = "(uint8,uint8,address,address,bytes32,bytes32,bytes32,bytes32,uint8,uint128,bytes8,uint64,bytes32,uint64,uint64,uint256,uint64)";
const WORDS = 17;

function putUint(buf: Uint8Array, word: number, value: bigint): void {
  let v = value;
  for (let i = word * 32 + 31; i >= word * 32 && v > 0n; i--) {
    buf[i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

function putHex(buf: Uint8Array, word: number, hex: string, leftAligned: boolean): void {
  const bytes = getBytes(hex);
  buf.set(bytes, word * 32 + (leftAligned ? 0 : 32 - bytes.length));
}

/** The 544-byte ABI encoding of a record (17 static words), without ethers' AbiCoder. */
export function recordWords(r: LedgerRecord): Uint8Array {
  const buf = new Uint8Array(32 + WORDS * 32);
  buf.set(RECORD_TYPEHASH_BYTES, 0);
  const words = buf.subarray(32);
  putUint(words, 0, BigInt(r.flow));
  putUint(words, 1, BigInt(r.action));
  putHex(words, 2, r.provider, false);
  putHex(words, 3, r.receiver, false);
  putHex(words, 4, r.commons, false);
  putHex(words, 5, r.resource, false);
  putHex(words, 6, r.resourceSpec, false);
  putHex(words, 7, r.process, false);
  putUint(words, 8, BigInt(r.side));
  putUint(words, 9, r.quantity);
  putHex(words, 10, r.unit, true);
  putUint(words, 11, r.time);
  putHex(words, 12, r.evidence, false);
  putUint(words, 13, r.corrects);
  putUint(words, 14, r.satisfies);
  putUint(words, 15, r.nonce);
  putUint(words, 16, r.deadline);
  return buf;
}

/** Signs records for one Ledger domain with a fast local EIP-712 digest. */
export class FastRecordSigner {
  readonly domainSeparator: Uint8Array;

  constructor(
    readonly domain: TypedDataDomain,
    sample: LedgerRecord,
  ) {
    this.domainSeparator = getBytes(TypedDataEncoder.hashDomain(domain));
    if (this.digest(sample) !== recordDigest(domain, sample)) throw new Error("the fast record digest differs from ethers' EIP-712 digest");
  }

  structHash(r: LedgerRecord): string {
    return keccak256(recordWords(r));
  }

  digest(r: LedgerRecord): string {
    const buf = new Uint8Array(66);
    buf[0] = 0x19;
    buf[1] = 0x01;
    buf.set(this.domainSeparator, 2);
    buf.set(getBytes(this.structHash(r)), 34);
    return keccak256(buf);
  }

  sign(wallet: Wallet, r: LedgerRecord): string {
    return wallet.signingKey.sign(this.digest(r)).serialized;
  }

  /** The record's words (for `encodeRecordBatch`) and its signature, hashing the record once. */
  prepare(wallet: Wallet, r: LedgerRecord): { words: Uint8Array; signature: string } {
    const words = recordWords(r);
    const buf = new Uint8Array(66);
    buf[0] = 0x19;
    buf[1] = 0x01;
    buf.set(this.domainSeparator, 2);
    buf.set(getBytes(keccak256(words)), 34);
    return { words, signature: wallet.signingKey.sign(keccak256(buf)).serialized };
  }
}

/** A Wallet with a deterministic private key; never funded (a relayer pays). */
export function readBenchWallet(label: string): Wallet {
  return new Wallet(keccak256(toUtf8Bytes(`commons-ledger/bench-read/${label}`)));
}

const ACTIONS = [
  { action: 0, unit: "h" }, // work
  { action: 2, unit: "h" }, // use
  { action: 5, unit: "EUR" }, // transfer
];

/**
 * Deterministic contributions: agent `i % agents.length`, an action and unit that depend on the
 * agent, a quantity that depends on the serial. Nonces follow per agent (key 1), counted locally
 * from `sequences` (agents that never recorded start at 0).
 */
export class RecordFactory {
  private readonly sequences = new Map<string, bigint>();
  private serial = 0;

  constructor(
    readonly commons: string,
    readonly receiver: string,
    readonly now: bigint,
  ) {}

  next(agent: string, agentIndex: number): LedgerRecord {
    const seq = this.sequences.get(agent) ?? 0n;
    this.sequences.set(agent, seq + 1n);
    return this.make(agent, agentIndex, seq, this.serial++);
  }

  /**
   * The k-th record when agents take turns (`agents[k % n]`) from a fresh ledger: the same as the
   * k-th call of `next` in that order, but computable anywhere (e.g. in a worker).
   */
  at(k: number, agents: readonly string[]): LedgerRecord {
    const i = k % agents.length;
    return this.make(agents[i], i, BigInt(Math.floor(k / agents.length)), k);
  }

  private make(agent: string, agentIndex: number, seq: bigint, serial: number): LedgerRecord {
    const kind = ACTIONS[agentIndex % ACTIONS.length];
    return {
      flow: 0,
      action: kind.action,
      provider: agent,
      receiver: this.receiver,
      commons: this.commons,
      resource: ZeroHash,
      resourceSpec: ZeroHash,
      process: ZeroHash,
      side: 0,
      quantity: BigInt(1 + (serial % 40)) * 250_000n,
      unit: encodeUnit(kind.unit),
      time: this.now - 3600n - BigInt(serial % 1000),
      evidence: keccak256(toUtf8Bytes(`commons-ledger/bench-read/evidence/${serial}`)),
      corrects: 0n,
      satisfies: 0n,
      nonce: packNonce(1n, seq),
      deadline: this.now + 7n * 24n * 3600n,
    };
  }
}

const RECORD_BATCH_SELECTOR = getBytes(keccak256(toUtf8Bytes(`recordBatch(${RECORD_TUPLE_SIG}[],bytes[])`))).subarray(0, 4);

/**
 * Calldata of `recordBatch(records, signatures)` from the records' words (as `recordWords` gives
 * them, type hash first) and 65-byte signatures, without ethers' AbiCoder.
 */
export function encodeRecordBatch(words: readonly Uint8Array[], signatures: readonly string[]): Uint8Array {
  const n = words.length;
  if (signatures.length !== n) throw new Error("one signature per record");
  const sigs = signatures.map((s) => getBytes(s));
  const sigBlock = sigs.reduce((sum, s) => sum + 32 + Math.ceil(s.length / 32) * 32, 0);
  const recordsBytes = 32 + n * 544;
  const total = 4 + 64 + recordsBytes + 32 + n * 32 + sigBlock;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  const putWord = (at: number, value: number) => view.setUint32(at + 28, value);
  out.set(RECORD_BATCH_SELECTOR, 0);
  putWord(4, 64);
  putWord(36, 64 + recordsBytes);
  let at = 68;
  putWord(at, n);
  at += 32;
  for (const w of words) {
    out.set(w.subarray(32), at);
    at += 544;
  }
  putWord(at, n);
  const heads = at + 32;
  let tail = n * 32;
  at = heads + n * 32;
  sigs.forEach((s, i) => {
    putWord(heads + i * 32, tail);
    putWord(at, s.length);
    out.set(s, at + 32);
    const size = 32 + Math.ceil(s.length / 32) * 32;
    at += size;
    tail += size;
  });
  return out;
}
