// Reads the ledger's event log in block ranges and decodes it. Shared by every tool that reads.
// Splits ranges when a provider refuses them (too many results, range too wide, response too
// large), retries transient failures with backoff, and ignores logs from any other address.
import { Interface } from "ethers";
import type { Log, Provider } from "ethers";
import { LEDGER_ABI } from "./abi.js";
import { hashRecord } from "./record.js";
import type { LedgerRecord } from "./record.js";

export const ledgerInterface = new Interface(LEDGER_ABI);

export interface Entry {
  id: bigint;
  signer: string;
  commons: string;
  record: LedgerRecord;
  recordHash: string;
  blockNumber: number;
  transactionHash: string;
  logIndex: number;
}

export interface ValidationEvent {
  entryId: bigint;
  validator: string;
  verdict: number;
  evidence: string;
  accepts: number;
  disputes: number;
  blockNumber: number;
  transactionHash: string;
}

export interface LedgerEvents {
  entries: Entry[];
  validations: ValidationEvent[];
  corrections: { entryId: bigint; correctionId: bigint; blockNumber: number }[];
  checkpoints: Map<bigint, string>;
  skipped: { index: bigint; agent: string; reason: string; transactionHash: string }[];
  /** Every decoded event of the ledger, in log order (for tools that need the others). */
  all: { name: string; args: Record<string, unknown>; blockNumber: number; transactionHash: string; logIndex: number }[];
}

export interface ReadOptions {
  fromBlock?: number;
  toBlock?: number;
  /** Initial block span of one eth_getLogs call. */
  chunkSize?: number;
  /** Attempts per request on transient failures. */
  maxAttempts?: number;
  /** Base delay of the exponential backoff, in milliseconds. */
  backoffMs?: number;
  onProgress?: (doneBlocks: number, totalBlocks: number) => void;
}

export class LedgerReadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "LedgerReadError";
  }
}

const RANGE_REFUSED = /(-32005|-32602.*range|too many|limit exceeded|query returned more than|block range|range too (large|wide)|response size|exceed|max(imum)? (results|range)|ResponseBodyTooLarge)/i;
const TRANSIENT = /(429|rate.?limit|timeout|timed out|ECONNRESET|ECONNREFUSED|socket hang up|EPIPE|ETIMEDOUT|5\d\d|bad gateway|service unavailable|network error|missing response|SERVER_ERROR)/i;

function describe(error: unknown): string {
  if (error instanceof Error) {
    const e = error as Error & { info?: unknown; error?: unknown; shortMessage?: string };
    return [e.shortMessage ?? e.message, JSON.stringify(e.error ?? e.info ?? "")].join(" ");
  }
  return String(error);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** eth_getLogs over [from, to] for `address`, splitting and retrying as needed. */
export async function fetchLogs(provider: Provider, address: string, opts: ReadOptions = {}): Promise<Log[]> {
  const from = opts.fromBlock ?? 0;
  const to = opts.toBlock ?? (await withRetry(() => provider.getBlockNumber(), opts));
  const chunk = Math.max(1, opts.chunkSize ?? 50_000);
  const wanted = address.toLowerCase();
  const out: Log[] = [];
  const total = to - from + 1;
  let done = 0;
  // Work list of ranges, processed in order so logs come out sorted.
  const ranges: [number, number][] = [];
  for (let a = from; a <= to; a += chunk) ranges.push([a, Math.min(to, a + chunk - 1)]);
  while (ranges.length > 0) {
    const [a, b] = ranges.shift()!;
    let logs: Log[];
    try {
      logs = await withRetry(() => provider.getLogs({ address, fromBlock: a, toBlock: b }), opts);
    } catch (error) {
      if (a < b && RANGE_REFUSED.test(describe(error))) {
        const mid = a + Math.floor((b - a) / 2);
        ranges.unshift([a, mid], [mid + 1, b]);
        continue;
      }
      throw new LedgerReadError(`eth_getLogs failed for blocks ${a}..${b}: ${describe(error)}`, { cause: error });
    }
    for (const log of logs) if (log.address.toLowerCase() === wanted) out.push(log);
    done += b - a + 1;
    opts.onProgress?.(done, total);
  }
  out.sort((x, y) => x.blockNumber - y.blockNumber || x.index - y.index);
  return out;
}

async function withRetry<T>(fn: () => Promise<T>, opts: ReadOptions): Promise<T> {
  const attempts = Math.max(1, opts.maxAttempts ?? 5);
  const base = opts.backoffMs ?? 200;
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (error) {
      const text = describe(error);
      if (i >= attempts || RANGE_REFUSED.test(text) || !TRANSIENT.test(text)) throw error;
      await sleep(base * 2 ** (i - 1));
    }
  }
}

/** A decoded `Record` tuple (ethers Result) as a LedgerRecord. */
export function toRecord(value: unknown): LedgerRecord {
  const r = value as { toObject(): Record<string, unknown> };
  const o = r.toObject();
  return {
    flow: Number(o.flow),
    action: Number(o.action),
    provider: o.provider as string,
    receiver: o.receiver as string,
    commons: o.commons as string,
    resource: o.resource as string,
    resourceSpec: o.resourceSpec as string,
    process: o.process as string,
    side: Number(o.side),
    quantity: o.quantity as bigint,
    unit: o.unit as string,
    time: o.time as bigint,
    evidence: o.evidence as string,
    corrects: o.corrects as bigint,
    satisfies: o.satisfies as bigint,
    nonce: o.nonce as bigint,
    deadline: o.deadline as bigint,
  };
}

/** Decodes the ledger's logs into entries, validations, corrections and checkpoints. */
export function decodeLedgerLogs(logs: readonly Log[]): LedgerEvents {
  const events: LedgerEvents = { entries: [], validations: [], corrections: [], checkpoints: new Map(), skipped: [], all: [] };
  for (const log of logs) {
    const parsed = ledgerInterface.parseLog({ topics: [...log.topics], data: log.data });
    if (!parsed) continue;
    const a = parsed.args;
    const base = { blockNumber: log.blockNumber, transactionHash: log.transactionHash };
    events.all.push({ name: parsed.name, args: a.toObject(true), ...base, logIndex: log.index });
    switch (parsed.name) {
      case "Recorded": {
        const record = toRecord(a.record);
        events.entries.push({ id: a.id, signer: a.signer, commons: record.commons, record, recordHash: hashRecord(record), ...base, logIndex: log.index });
        break;
      }
      case "Validated":
        events.validations.push({ entryId: a.entryId, validator: a.validator, verdict: Number(a.verdict), evidence: a.evidence, accepts: Number(a.accepts), disputes: Number(a.disputes), ...base });
        break;
      case "Corrected":
        events.corrections.push({ entryId: a.entryId, correctionId: a.correctionId, blockNumber: log.blockNumber });
        break;
      case "Checkpointed":
        events.checkpoints.set(a.index, (a.head as string).toLowerCase());
        break;
      case "RecordSkipped":
        events.skipped.push({ index: a.index, agent: a.agent, reason: describeRevert(a.reason), transactionHash: log.transactionHash });
        break;
    }
  }
  return events;
}

/** "LedgerExpired(1700000000, 1700000100)" for ABI-encoded custom error data. */
export function describeRevert(data: string): string {
  try {
    const e = ledgerInterface.parseError(data);
    if (e) return `${e.name}(${e.args.map((x) => String(x)).join(", ")})`;
  } catch {
    /* fall through */
  }
  return data;
}

export async function readLedger(provider: Provider, address: string, opts: ReadOptions = {}): Promise<LedgerEvents> {
  return decodeLedgerLogs(await fetchLogs(provider, address, opts));
}
