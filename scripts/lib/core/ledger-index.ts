// A compact index of a Ledger's events, served by `npm start` next to the app so that a browser
// does not have to pull and decode every log before it can show the accounts (20,000 entries are
// ~33 MB of eth_getLogs JSON, ~4 MB here). It carries exactly what the reader would decode from
// the logs: `decodeLedgerIndex(builder.file())` equals `decodeLedgerLogs(logs)` (a parity test
// holds it), so every view works on it unchanged.
//
// Nothing in it is taken on trust by the app: the entries are checked against the chain's own hash
// chain (each entry's record and signer chain to the on-chain head, see checkLedgerIndex in
// ledger-index-check.ts) and the other events against the node's logs, in a worker after the page
// is interactive.
//
// Layout ("commons-ledger/ledger-index@1"): dictionaries of addresses, 32-byte words, units and
// transaction hashes, then one row per event. `Recorded` and `Validated` logs are rows of numbers
// and dictionary indexes; any other log (commons, stewards, rules, checkpoints, corrections,
// skipped records) is carried as the raw log. A uint is a JSON number when it is a safe integer,
// else a decimal string. The builder re-encodes every compact row and compares it with the log's
// own bytes; a log it cannot reproduce exactly is carried raw.
import { getAddress } from "ethers";
import type { Log } from "ethers";
import { LEDGER_TOPICS } from "./abi.js";
import { decodeLedgerLogs } from "./reader.js";
import type { Entry, LedgerEvents, ValidationEvent } from "./reader.js";
import { RECORD_FIELDS, recordHashOfWords } from "./record.js";
import type { LedgerRecord } from "./record.js";
import { HEX_ADDRESS } from "./address.js";

export const LEDGER_INDEX_FORMAT = "commons-ledger/ledger-index@1";

/** Which chain, ledger and block range an index covers. */
export interface LedgerIndexMeta {
  chainId: number;
  ledger: string;
  /** Hash of block 0: which chain instance (a fresh local chain has another). */
  genesis: string;
  fromBlock: number;
  /** Last block read (inclusive). */
  toBlock: number;
}

type Uint = number | string;
/** id, signer, flow, action, provider, receiver, commons, resource, resourceSpec, process, side, quantity, unit, time, evidence, corrects, satisfies, nonce, deadline, blockNumber, tx, logIndex */
export type EntryRow = [
  Uint,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  Uint,
  number,
  Uint,
  number,
  Uint,
  Uint,
  Uint,
  Uint,
  number,
  number,
  number,
];
/** entryId, validator, verdict, evidence, accepts, disputes, blockNumber, tx, logIndex */
export type ValidationRow = [Uint, number, number, number, number, number, number, number, number];
/** topics, data, blockNumber, tx, logIndex */
export type RawLogRow = [string[], string, number, number, number];

export interface LedgerIndexFile extends LedgerIndexMeta {
  format: typeof LEDGER_INDEX_FORMAT;
  addresses: string[];
  words: string[];
  units: string[];
  txs: string[];
  entries: EntryRow[];
  validations: ValidationRow[];
  logs: RawLogRow[];
}

export class LedgerIndexError extends Error {
  override name = "LedgerIndexError";
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function uintOut(v: bigint): Uint {
  return v <= MAX_SAFE ? Number(v) : v.toString();
}

function pad(hex: string): string {
  return hex.padStart(64, "0");
}

/** The 17 words of a record as the contract logs them (its ABI encoding), as hex without 0x. */
export function recordWords(r: LedgerRecord): string {
  return (
    pad(r.flow.toString(16)) +
    pad(r.action.toString(16)) +
    pad(r.provider.slice(2).toLowerCase()) +
    pad(r.receiver.slice(2).toLowerCase()) +
    r.commons.slice(2) +
    r.resource.slice(2) +
    r.resourceSpec.slice(2) +
    r.process.slice(2) +
    pad(r.side.toString(16)) +
    pad(r.quantity.toString(16)) +
    r.unit.slice(2).padEnd(64, "0") +
    pad(r.time.toString(16)) +
    r.evidence.slice(2) +
    pad(r.corrects.toString(16)) +
    pad(r.satisfies.toString(16)) +
    pad(r.nonce.toString(16)) +
    pad(r.deadline.toString(16))
  ).toLowerCase();
}

/** The record's EIP-712 struct hash, keccak256(TYPEHASH ‖ its 17 words), as the contract computes it. */
export function recordHashOf(r: LedgerRecord): string {
  return recordHashOfWords("0x" + recordWords(r));
}

class Dictionary {
  readonly values: string[] = [];
  private readonly at = new Map<string, number>();
  id(value: string): number {
    let i = this.at.get(value);
    if (i === undefined) {
      i = this.values.length;
      this.values.push(value);
      this.at.set(value, i);
    }
    return i;
  }
}

/**
 * Builds an index from a ledger's logs, block range by block range (`add` takes logs in order).
 * `file` returns the index up to the last block added.
 */
export class LedgerIndexBuilder {
  private readonly addresses = new Dictionary();
  private readonly words = new Dictionary();
  private readonly units = new Dictionary();
  private readonly txs = new Dictionary();
  private readonly entries: EntryRow[] = [];
  private readonly validations: ValidationRow[] = [];
  private readonly logs: RawLogRow[] = [];
  private last: [number, number] = [-1, -1];

  constructor(private readonly meta: Omit<LedgerIndexMeta, "toBlock">) {}

  get entryCount(): number {
    return this.entries.length;
  }

  /** Adds logs (in order, after those added before). */
  add(logs: readonly Log[]): void {
    this.addDecoded(logs, decodeLedgerLogs(logs, { lazyRecordHash: true }));
  }

  /**
   * Adds logs together with what decodeLedgerLogs gave for them (a reader that has decoded them
   * already does not decode them twice): entries and validations are matched to their logs by
   * position and checked against them.
   */
  addDecoded(logs: readonly Log[], events: LedgerEvents): void {
    let e = 0;
    let v = 0;
    for (const log of logs) {
      if (log.blockNumber < this.last[0] || (log.blockNumber === this.last[0] && log.index <= this.last[1])) {
        throw new LedgerIndexError(`logs must come in order: block ${log.blockNumber} log ${log.index} after block ${this.last[0]} log ${this.last[1]}`);
      }
      this.last = [log.blockNumber, log.index];
      const topic = log.topics[0];
      if (topic === LEDGER_TOPICS.Recorded) {
        const entry = events.entries[e];
        if (entry && entry.blockNumber === log.blockNumber && entry.logIndex === log.index) {
          e++;
          if (this.addEntry(log, entry)) continue;
        }
      } else if (topic === LEDGER_TOPICS.Validated) {
        const validation = events.validations[v];
        if (validation && validation.blockNumber === log.blockNumber && validation.transactionHash === log.transactionHash) {
          v++;
          if (this.addValidation(log, validation)) continue;
        }
      }
      this.logs.push([[...log.topics], log.data, log.blockNumber, this.txs.id(log.transactionHash), log.index]);
    }
  }

  private addEntry(log: Log, entry: Entry): boolean {
    const r = entry.record;
    // Only what the decoder will give back exactly: the same words and topics.
    if (
      "0x" + recordWords(r) !== log.data ||
      log.topics.length !== 3 ||
      log.topics[1] !== "0x" + pad(entry.id.toString(16)) ||
      log.topics[2] !== "0x" + pad(entry.signer.slice(2).toLowerCase())
    )
      return false;
    const a = (x: string) => this.addresses.id(x);
    const w = (x: string) => this.words.id(x);
    this.entries.push([
      uintOut(entry.id),
      a(entry.signer),
      r.flow,
      r.action,
      a(r.provider),
      a(r.receiver),
      w(r.commons),
      w(r.resource),
      w(r.resourceSpec),
      w(r.process),
      r.side,
      uintOut(r.quantity),
      this.units.id(r.unit),
      uintOut(r.time),
      w(r.evidence),
      uintOut(r.corrects),
      uintOut(r.satisfies),
      uintOut(r.nonce),
      uintOut(r.deadline),
      log.blockNumber,
      this.txs.id(log.transactionHash),
      log.index,
    ]);
    return true;
  }

  private addValidation(log: Log, v: ValidationEvent): boolean {
    const expected = validationLog(v);
    if (expected.data !== log.data || log.topics.length !== 3 || log.topics[1] !== expected.topics[1] || log.topics[2] !== expected.topics[2]) return false;
    this.validations.push([
      uintOut(v.entryId),
      this.addresses.id(v.validator),
      v.verdict,
      this.words.id(v.evidence),
      v.accepts,
      v.disputes,
      log.blockNumber,
      this.txs.id(log.transactionHash),
      log.index,
    ]);
    return true;
  }

  /** The index of the blocks up to `toBlock` (rows of later blocks added already are left out). */
  file(toBlock: number): LedgerIndexFile {
    const upTo = <R extends unknown[]>(rows: R[], blockAt: number): R[] => {
      let n = rows.length;
      while (n > 0 && (rows[n - 1][blockAt] as number) > toBlock) n--;
      return n === rows.length ? rows : rows.slice(0, n);
    };
    return {
      format: LEDGER_INDEX_FORMAT,
      ...this.meta,
      toBlock,
      addresses: this.addresses.values,
      words: this.words.values,
      units: this.units.values,
      txs: this.txs.values,
      entries: upTo(this.entries, 19),
      validations: upTo(this.validations, 6),
      logs: upTo(this.logs, 2),
    };
  }

  /** A builder that goes on from an index (e.g. one kept by the browser), to add later blocks. */
  static from(file: LedgerIndexFile): LedgerIndexBuilder {
    const b = new LedgerIndexBuilder({ chainId: file.chainId, ledger: file.ledger, genesis: file.genesis, fromBlock: file.fromBlock });
    for (const x of file.addresses) b.addresses.id(x);
    for (const x of file.words) b.words.id(x);
    for (const x of file.units) b.units.id(x);
    for (const x of file.txs) b.txs.id(x);
    b.entries.push(...file.entries);
    b.validations.push(...file.validations);
    b.logs.push(...file.logs);
    // Later logs come after the index's last block.
    b.last = [file.toBlock, Number.MAX_SAFE_INTEGER];
    return b;
  }
}

function validationLog(v: ValidationEvent): { topics: string[]; data: string } {
  return {
    topics: [LEDGER_TOPICS.Validated, "0x" + pad(v.entryId.toString(16)), "0x" + pad(v.validator.slice(2).toLowerCase())],
    data: "0x" + pad(v.verdict.toString(16)) + v.evidence.slice(2) + pad(v.accepts.toString(16)) + pad(v.disputes.toString(16)),
  };
}

// ------------------------------------------------------------------------------------ decoding

const WORD = /^0x[0-9a-f]{64}$/;
const UNIT = /^0x[0-9a-f]{16}$/;
const DATA = /^0x(?:[0-9a-f]{2})*$/;
const DECIMAL = /^(?:0|[1-9][0-9]*)$/;

const ENTRY_FIELDS = ["id", "signer", ...RECORD_FIELDS, "blockNumber", "tx", "logIndex"] as const;
const VALIDATION_FIELDS = ["entryId", "validator", "verdict", "evidence", "accepts", "disputes", "blockNumber", "tx", "logIndex"] as const;

function fail(message: string): never {
  throw new LedgerIndexError(`ledger index: ${message}`);
}

// Where a bad value sits: `list[i] field`, or just `list` when i < 0 (built only when there is one).
function where(list: string, i: number, field: string): string {
  return i < 0 ? list : `${list}[${i}] ${field}`;
}

const UINT_MAX: Record<number, bigint> = { 64: (1n << 64n) - 1n, 128: (1n << 128n) - 1n, 256: (1n << 256n) - 1n };

function uintIn(v: unknown, bits: 64 | 128 | 256, list: string, i: number, field: string): bigint {
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v !== "string" || !DECIMAL.test(v) || v.length > 78) fail(`${where(list, i, field)} is ${JSON.stringify(v)}, not an unsigned integer`);
  const n = BigInt(v);
  if (n > UINT_MAX[bits]) fail(`${where(list, i, field)} is ${n}, more than a uint${bits} holds`);
  return n;
}

function smallIn(v: unknown, max: number, list: string, i = -1, field = ""): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0 || v > max)
    fail(`${where(list, i, field)} is ${JSON.stringify(v)}, not an integer from 0 to ${max}`);
  return v;
}

function refIn<T>(v: unknown, table: readonly T[], tableName: string, list: string, i: number, field: string): T {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v >= table.length)
    fail(`${where(list, i, field)} is ${JSON.stringify(v)}, but ${tableName} has ${table.length} values`);
  return table[v];
}

function stringsIn(v: unknown, re: RegExp, name: string, what: string): string[] {
  if (!Array.isArray(v)) fail(`${name} is not a list`);
  v.forEach((x, i) => {
    if (typeof x !== "string" || !re.test(x)) fail(`${name}[${i}] is ${JSON.stringify(x)}, not ${what}`);
  });
  return v as string[];
}

function rowsIn(v: unknown, name: string, width: number): unknown[][] {
  if (!Array.isArray(v)) fail(`${name} is not a list`);
  v.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== width) fail(`${name}[${i}] is not a row of ${width} values`);
  });
  return v as unknown[][];
}

/** Reads the index's header: format, chain, ledger and block range, each checked. */
export function ledgerIndexMeta(json: unknown): LedgerIndexMeta {
  if (typeof json !== "object" || json === null || Array.isArray(json)) fail("not a JSON object");
  const f = json as Record<string, unknown>;
  if (f.format !== LEDGER_INDEX_FORMAT) fail(`format is ${JSON.stringify(f.format)}, expected "${LEDGER_INDEX_FORMAT}"`);
  const chainId = smallIn(f.chainId, Number.MAX_SAFE_INTEGER, "chainId");
  if (typeof f.ledger !== "string" || !HEX_ADDRESS.test(f.ledger)) fail(`ledger is ${JSON.stringify(f.ledger)}, not an address`);
  if (typeof f.genesis !== "string" || !WORD.test(f.genesis)) fail(`genesis is ${JSON.stringify(f.genesis)}, not a block hash`);
  const fromBlock = smallIn(f.fromBlock, Number.MAX_SAFE_INTEGER, "fromBlock");
  const toBlock = smallIn(f.toBlock, Number.MAX_SAFE_INTEGER, "toBlock");
  if (toBlock + 1 < fromBlock) fail(`toBlock ${toBlock} is before fromBlock ${fromBlock}`);
  return { chainId, ledger: f.ledger, genesis: f.genesis, fromBlock, toBlock };
}

/**
 * Decodes an index into the events the reader would decode from the same logs. Checks every value
 * (format, dictionary entries, row shapes, references, integer ranges, log order within the block
 * range) and throws a LedgerIndexError naming the first bad one. Record hashes are computed on
 * first use. `checksums: false` skips the check that addresses are in checksum form (a keccak
 * each), for a page that shows the index at once and has it checked in full in a worker.
 */
export function decodeLedgerIndex(json: unknown, opts: { checksums?: boolean } = {}): { meta: LedgerIndexMeta; events: LedgerEvents } {
  const meta = ledgerIndexMeta(json);
  const f = json as Record<string, unknown>;
  const addresses = stringsIn(f.addresses, HEX_ADDRESS, "addresses", "an address");
  if (opts.checksums !== false) {
    addresses.forEach((a, i) => {
      if (getAddress(a) !== a) fail(`addresses[${i}] is ${a}, not in checksum form (${getAddress(a)})`);
    });
  }
  const words = stringsIn(f.words, WORD, "words", "a lowercase 32-byte hex word");
  const units = stringsIn(f.units, UNIT, "units", "a lowercase 8-byte hex unit");
  const txs = stringsIn(f.txs, WORD, "txs", "a lowercase transaction hash");
  const entryRows = rowsIn(f.entries, "entries", ENTRY_FIELDS.length);
  const validationRows = rowsIn(f.validations, "validations", VALIDATION_FIELDS.length);
  const logRows = rowsIn(f.logs, "logs", 5);

  const events: LedgerEvents = { entries: [], validations: [], corrections: [], checkpoints: new Map(), skipped: [], all: [] };
  // The three row lists are each in log order; they are merged by (block, log index), as one
  // number: block * 2^20 + log index (a block holds far fewer than 2^20 logs).
  const positions = (rows: unknown[][], blockAt: number, logAt: number, name: string): number[] =>
    rows.map((row, i) => {
      const block = smallIn(row[blockAt], 2 ** 32, name, i, "blockNumber");
      if (block < meta.fromBlock || block > meta.toBlock)
        fail(`${name}[${i}] is in block ${block}, outside the index's blocks ${meta.fromBlock}..${meta.toBlock}`);
      return block * 1_048_576 + smallIn(row[logAt], 1_048_575, name, i, "logIndex");
    });
  const pe = positions(entryRows, 19, 21, "entries");
  const pv = positions(validationRows, 6, 8, "validations");
  const pl = positions(logRows, 2, 4, "logs");
  const t = { addresses, words, units, txs };
  let e = 0,
    v = 0,
    l = 0;
  let last = -1;
  while (e < pe.length || v < pv.length || l < pl.length) {
    const ke = e < pe.length ? pe[e] : Infinity;
    const kv = v < pv.length ? pv[v] : Infinity;
    const kl = l < pl.length ? pl[l] : Infinity;
    const next = Math.min(ke, kv, kl);
    if (next <= last) fail(`two events claim block ${Math.floor(next / 1_048_576)} log ${next % 1_048_576}, or a list is out of order`);
    last = next;
    if (next === ke) decodeEntryRow(entryRows[e], e++, t, events);
    else if (next === kv) decodeValidationRow(validationRows[v], v++, t, events);
    else decodeLogRow(logRows[l], l++, meta, txs, events);
  }
  return { meta, events };
}

/** An entry whose record hash is computed on first use (most readers never need it). */
class IndexedEntry implements Entry {
  readonly commons: string;
  #recordHash?: string;
  constructor(
    readonly id: bigint,
    readonly signer: string,
    readonly record: LedgerRecord,
    readonly blockNumber: number,
    readonly transactionHash: string,
    readonly logIndex: number,
  ) {
    this.commons = record.commons;
  }
  get recordHash(): string {
    return (this.#recordHash ??= recordHashOf(this.record));
  }
}

function decodeEntryRow(row: unknown[], i: number, t: { addresses: string[]; words: string[]; units: string[]; txs: string[] }, events: LedgerEvents): void {
  const E = "entries";
  const f = ENTRY_FIELDS;
  const record: LedgerRecord = {
    flow: smallIn(row[2], 3, E, i, f[2]),
    action: smallIn(row[3], 18, E, i, f[3]),
    provider: refIn(row[4], t.addresses, "addresses", E, i, f[4]),
    receiver: refIn(row[5], t.addresses, "addresses", E, i, f[5]),
    commons: refIn(row[6], t.words, "words", E, i, f[6]),
    resource: refIn(row[7], t.words, "words", E, i, f[7]),
    resourceSpec: refIn(row[8], t.words, "words", E, i, f[8]),
    process: refIn(row[9], t.words, "words", E, i, f[9]),
    side: smallIn(row[10], 2, E, i, f[10]),
    quantity: uintIn(row[11], 128, E, i, f[11]),
    unit: refIn(row[12], t.units, "units", E, i, f[12]),
    time: uintIn(row[13], 64, E, i, f[13]),
    evidence: refIn(row[14], t.words, "words", E, i, f[14]),
    corrects: uintIn(row[15], 64, E, i, f[15]),
    satisfies: uintIn(row[16], 64, E, i, f[16]),
    nonce: uintIn(row[17], 256, E, i, f[17]),
    deadline: uintIn(row[18], 64, E, i, f[18]),
  };
  const entry = new IndexedEntry(
    uintIn(row[0], 256, E, i, f[0]),
    refIn(row[1], t.addresses, "addresses", E, i, f[1]),
    record,
    row[19] as number,
    refIn(row[20], t.txs, "txs", E, i, f[20]),
    row[21] as number,
  );
  events.entries.push(entry);
  events.all.push(new RecordedItem(entry));
}

/** The `Recorded` item of `events.all`, its arguments as the reader gives them, built on first use. */
class RecordedItem {
  readonly name = "Recorded";
  readonly blockNumber: number;
  readonly transactionHash: string;
  readonly logIndex: number;
  readonly #entry: IndexedEntry;
  #args?: Record<string, unknown>;
  constructor(entry: IndexedEntry) {
    this.#entry = entry;
    this.blockNumber = entry.blockNumber;
    this.transactionHash = entry.transactionHash;
    this.logIndex = entry.logIndex;
  }
  get args(): Record<string, unknown> {
    const r = this.#entry.record;
    return (this.#args ??= {
      id: this.#entry.id,
      signer: this.#entry.signer,
      record: { ...r, flow: BigInt(r.flow), action: BigInt(r.action), side: BigInt(r.side) },
    });
  }
}

function decodeValidationRow(row: unknown[], i: number, t: { addresses: string[]; words: string[]; txs: string[] }, events: LedgerEvents): void {
  const V = "validations";
  const f = VALIDATION_FIELDS;
  const entryId = uintIn(row[0], 256, V, i, f[0]);
  const validator = refIn(row[1], t.addresses, "addresses", V, i, f[1]);
  const verdict = smallIn(row[2], 1, V, i, f[2]);
  const evidence = refIn(row[3], t.words, "words", V, i, f[3]);
  const accepts = smallIn(row[4], 65_535, V, i, f[4]);
  const disputes = smallIn(row[5], 65_535, V, i, f[5]);
  const base = { blockNumber: row[6] as number, transactionHash: refIn(row[7], t.txs, "txs", V, i, f[7]) };
  events.validations.push({ entryId, validator, verdict, evidence, accepts, disputes, ...base });
  events.all.push({
    name: "Validated",
    args: { entryId, validator, verdict: BigInt(verdict), evidence, accepts: BigInt(accepts), disputes: BigInt(disputes) },
    ...base,
    logIndex: row[8] as number,
  });
}

function decodeLogRow(row: unknown[], i: number, meta: LedgerIndexMeta, txs: string[], events: LedgerEvents): void {
  const topics = stringsIn(row[0], WORD, `logs[${i}] topics`, "a lowercase 32-byte topic");
  if (topics.length === 0 || topics.length > 4) fail(`logs[${i}] has ${topics.length} topics`);
  const data = row[1];
  if (typeof data !== "string" || !DATA.test(data)) fail(`logs[${i}] data is not lowercase hex bytes`);
  const base = { blockNumber: row[2] as number, transactionHash: refIn(row[3], txs, "txs", "logs", i, "tx") };
  // The most frequent raw log (one per 128 entries), read without the ABI decoder: the same values.
  if (topics[0] === LEDGER_TOPICS.Checkpointed && topics.length === 2 && data.length === 66 && data.endsWith("0000000000000000")) {
    const index = BigInt(topics[1]);
    const head = data.slice(0, 50);
    events.checkpoints.set(index, head);
    events.all.push({ name: "Checkpointed", args: { index, head }, ...base, logIndex: row[4] as number });
    return;
  }
  const log = { address: meta.ledger, topics, data, ...base, index: row[4] as number } as unknown as Log;
  let decoded: LedgerEvents;
  try {
    decoded = decodeLedgerLogs([log]);
  } catch (error) {
    fail(`logs[${i}] is not a Ledger event that decodes: ${(error as Error).message.split("\n")[0]}`);
  }
  if (decoded.all.length === 0) fail(`logs[${i}] is not one of the Ledger's events (topic ${topics[0]})`);
  events.entries.push(...decoded.entries);
  events.validations.push(...decoded.validations);
  events.corrections.push(...decoded.corrections);
  for (const [k, h] of decoded.checkpoints) events.checkpoints.set(k, h);
  events.skipped.push(...decoded.skipped);
  events.all.push(...decoded.all);
}
