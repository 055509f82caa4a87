// Reads the ledger's event log in block ranges and decodes it. Shared by every tool that reads.
// Splits ranges when a provider refuses them (too many results, range too wide, response too
// large), retries transient failures (429, 5xx, timeouts, dropped connections, malformed JSON,
// rate-limit errors) a bounded number of times with backoff, and ignores logs from any other
// address. The block span adapts to the log density so that no response is huge, and bulk reads
// bypass ethers' slow HTTP body handling (see "direct JSON-RPC").
import { getAddress, JsonRpcProvider, Log, makeError, toQuantity } from "ethers";
import type { FetchRequest, Provider } from "ethers";
import { LEDGER_ABI, LEDGER_TOPICS } from "./abi.js";
import { lazyInterface } from "./lazy-interface.js";
import { hashRecord, RECORD_FIELDS, recordHashOfWords } from "./record.js";
import { loadFastKeccak } from "./keccak.js";
import type { LedgerRecord } from "./record.js";
import { classifyRpcError, LedgerReadError, rpcRetry, withRetry } from "./rpc-errors.js";

export { classifyRpcError, LedgerReadError, rpcRetry, withRetry } from "./rpc-errors.js";
export type { FailureKind, RetryOptions } from "./rpc-errors.js";

/** The Ledger's ABI as an ethers Interface, built on first use. */
export const ledgerInterface = lazyInterface(() => LEDGER_ABI);

/**
 * The Ledger's events about who counts: commons, stewards, roles, proposals and quorum rules. Few,
 * whatever the size of the ledger: a reader that takes entries from an indexer reads these from the
 * chain itself (`topic0: GOVERNANCE_TOPICS`).
 */
export const GOVERNANCE_EVENTS = [
  "CommonsRegistered",
  "StewardAdded",
  "StewardRemoved",
  "StewardThresholdSet",
  "RolesSet",
  "ChangeProposed",
  "ChangeApproved",
  "ChangeExecuted",
  "QuorumRuleSet",
] as const;
export const GOVERNANCE_TOPICS: readonly string[] = GOVERNANCE_EVENTS.map((name) => LEDGER_TOPICS[name]);

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
  /** Largest block span of one eth_getLogs call (the span adapts to the log density up to this). */
  chunkSize?: number;
  /** Block span of the first eth_getLogs call (default 16, so that a dense ledger is not fetched in one huge response). */
  initialSpan?: number;
  /** Logs wanted per eth_getLogs response: the span shrinks after larger responses, grows after smaller ones. */
  targetLogs?: number;
  /** Attempts per request on transient failures. */
  maxAttempts?: number;
  /** Base delay of the exponential backoff, in milliseconds. */
  backoffMs?: number;
  onProgress?: (doneBlocks: number, totalBlocks: number) => void;
  /** Called with the ledger's logs of each block range as it arrives, in block order. */
  onLogs?: (logs: readonly Log[]) => void;
  /** Only logs whose first topic is one of these (default: every log of the address). */
  topic0?: readonly string[];
  /** And whose indexed arguments (topics 1 to 3, in order; null for any) are one of these 32-byte words: [null, [signer]] for Recorded. */
  argTopics?: readonly (readonly string[] | null)[];
}

// ------------------------------------------------------------------ direct JSON-RPC
//
// ethers' HTTP transport decodes every response byte by byte in JavaScript and grows the body
// buffer quadratically, which costs several times more than the node takes to answer a large
// eth_getLogs or a batch of transactions. For a plain JsonRpcProvider on http(s) these bulk reads
// are sent directly (same URL, headers and timeout); failures are shaped like ethers' errors so
// that they are classified the same way. Any other provider goes through `send`.

function httpEndpoint(provider: Provider): FetchRequest | undefined {
  if (!(provider instanceof JsonRpcProvider)) return undefined;
  const request = provider._getConnection();
  if (!/^https?:\/\//i.test(request.url) || request.preflightFunc || request.processFunc || request.retryFunc) return undefined;
  return request;
}

let nextId = 1;

interface RpcReply {
  id?: unknown;
  result?: unknown;
  error?: { code?: unknown; message?: unknown; data?: unknown };
}

async function postJson(request: FetchRequest, payload: unknown): Promise<unknown> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(request.headers)) if (k.toLowerCase() !== "content-length") headers[k] = v;
  headers["content-type"] = "application/json";
  const response = await fetch(request.url, { method: "POST", headers, body: JSON.stringify(payload), signal: AbortSignal.timeout(request.timeout) });
  const text = await response.text();
  const info = { requestUrl: request.url, responseBody: text.slice(0, 500), responseStatus: `${response.status} ${response.statusText}` };
  if (!response.ok) throw makeError(`server response ${response.status} ${response.statusText}`, "SERVER_ERROR", { info } as never);
  try {
    return JSON.parse(text);
  } catch {
    throw makeError("response body is not valid JSON", "UNSUPPORTED_OPERATION", { operation: "bodyJson", info });
  }
}

function replyError(call: { method: string; params: unknown[] }, reply: RpcReply): Error {
  return makeError("could not coalesce error", "UNKNOWN_ERROR", { error: reply.error, payload: { method: call.method } });
}

/** One JSON-RPC call: directly over HTTP when possible, else through the provider's `send`. */
export async function rpcSend(provider: Provider, method: string, params: unknown[]): Promise<unknown> {
  const endpoint = httpEndpoint(provider);
  if (!endpoint) {
    const send = (provider as Provider & { send?: (m: string, p: unknown[]) => Promise<unknown> }).send;
    if (typeof send !== "function") throw new Error(`the provider cannot send ${method}`);
    return send.call(provider, method, params);
  }
  const id = nextId++;
  const reply = (await postJson(endpoint, { jsonrpc: "2.0", id, method, params })) as RpcReply;
  if (typeof reply !== "object" || reply === null || reply.id !== id) throw makeError("missing response for request", "BAD_DATA", { value: reply });
  if (reply.error) throw replyError({ method, params }, reply);
  return reply.result;
}

/** Several JSON-RPC calls in one batch request (or one by one through `send`); any failure rejects. */
export async function rpcSendBatch(provider: Provider, calls: readonly { method: string; params: unknown[] }[]): Promise<unknown[]> {
  const endpoint = httpEndpoint(provider);
  if (!endpoint || calls.length === 1) return Promise.all(calls.map((c) => rpcSend(provider, c.method, c.params)));
  const first = nextId;
  nextId += calls.length;
  const replies = await postJson(
    endpoint,
    calls.map((c, i) => ({ jsonrpc: "2.0", id: first + i, method: c.method, params: c.params })),
  );
  if (!Array.isArray(replies)) throw makeError("missing response for request", "BAD_DATA", { value: replies });
  const byId = new Map<unknown, RpcReply>();
  for (const r of replies as RpcReply[]) if (typeof r === "object" && r !== null) byId.set(r.id, r);
  return calls.map((c, i) => {
    const reply = byId.get(first + i);
    if (!reply) throw makeError("missing response for request", "BAD_DATA", { value: replies });
    if (reply.error) throw replyError(c, reply);
    return reply.result;
  });
}

const HASH = /^0x[0-9a-f]{64}$/;
const DATA = /^0x(?:[0-9a-f]{2})*$/;
const QUANTITY = /^0x[0-9a-f]{1,16}$/;

interface RawLog {
  address?: unknown;
  blockHash?: unknown;
  blockNumber?: unknown;
  data?: unknown;
  logIndex?: unknown;
  removed?: unknown;
  topics?: unknown;
  transactionHash?: unknown;
  transactionIndex?: unknown;
}

/**
 * eth_getLogs sent directly, wrapping the results as ethers' formatLog + Log would (checksummed
 * address, lowercase hex, numbers). Only the logs of `address` are kept.
 */
async function getLogsRaw(provider: Provider, address: string, from: number, to: number, topics?: (string[] | null)[]): Promise<Log[]> {
  const result = (await rpcSend(provider, "eth_getLogs", [
    { address, fromBlock: toQuantity(from), toBlock: toQuantity(to), ...(topics ? { topics } : {}) },
  ])) as unknown;
  if (!Array.isArray(result)) throw makeError("eth_getLogs returned no array", "BAD_DATA", { value: result });
  const wanted = address.toLowerCase();
  const checksummed = getAddress(address);
  const out: Log[] = [];
  const lower = (v: unknown, re: RegExp, what: string): string => {
    const text = typeof v === "string" ? v.toLowerCase() : "";
    if (!re.test(text)) throw makeError(`eth_getLogs returned a log with a malformed ${what}`, "BAD_DATA", { value: v });
    return text;
  };
  for (const raw of result as RawLog[]) {
    if (typeof raw?.address !== "string" || raw.address.toLowerCase() !== wanted) continue;
    if (!Array.isArray(raw.topics)) throw makeError("eth_getLogs returned a log without topics", "BAD_DATA", { value: raw });
    out.push(
      new Log(
        {
          address: checksummed,
          blockHash: lower(raw.blockHash, HASH, "block hash"),
          blockNumber: Number.parseInt(lower(raw.blockNumber, QUANTITY, "block number"), 16),
          data: lower(raw.data, DATA, "data"),
          index: Number.parseInt(lower(raw.logIndex, QUANTITY, "log index"), 16),
          removed: raw.removed === true,
          topics: raw.topics.map((t) => lower(t, HASH, "topic")),
          transactionHash: lower(raw.transactionHash, HASH, "transaction hash"),
          transactionIndex: Number.parseInt(lower(raw.transactionIndex, QUANTITY, "transaction index"), 16),
        } as unknown as Log,
        provider,
      ),
    );
  }
  return out;
}

/** eth_getLogs over [from, to] for `address`, splitting and retrying as needed. */
export async function fetchLogs(provider: Provider, address: string, opts: ReadOptions = {}): Promise<Log[]> {
  // Every entry fetched is hashed when decoded (its record hash): the WebAssembly keccak loads while
  // the logs are fetched (not awaited: a page's first small read must not wait for it; until it is
  // ready, the same hashes come from JavaScript).
  void loadFastKeccak();
  const from = opts.fromBlock ?? 0;
  const to = opts.toBlock ?? (await rpcRetry("eth_blockNumber", () => provider.getBlockNumber(), opts));
  const maxSpan = Math.max(1, opts.chunkSize ?? 50_000);
  const target = Math.max(1, opts.targetLogs ?? 2_000);
  const wanted = address.toLowerCase();
  const args = opts.argTopics ?? [];
  const topics = opts.topic0 || args.length ? [opts.topic0 ? [...opts.topic0] : null, ...args.map((t) => (t ? [...t] : null))] : undefined;
  // A node that ignores the filter must not slip other logs in: the filter is applied here again.
  const topicSet = opts.topic0 ? new Set(opts.topic0.map((t) => t.toLowerCase())) : undefined;
  const argSets = args.map((t) => (t ? new Set(t.map((x) => x.toLowerCase())) : undefined));
  const out: Log[] = [];
  const total = Math.max(0, to - from + 1);
  let done = 0;
  // The span starts small and adapts to the log density, so that no response is huge (ethers
  // buffers a response quadratically in its size) and wide ranges are not refused over and over.
  let span = Math.max(1, Math.min(maxSpan, opts.initialSpan ?? 16));
  // One less than the smallest span refused so far: never grow back into a refusal.
  let ceiling = maxSpan;
  let next = from;
  // Halves of refused ranges, processed before `next` so that logs come out in order.
  const pending: [number, number][] = [];
  while (pending.length > 0 || next <= to) {
    let a: number;
    let b: number;
    if (pending.length > 0) [a, b] = pending.shift()!;
    else {
      a = next;
      b = Math.min(to, next + span - 1);
      next = b + 1;
    }
    let logs: Log[];
    try {
      logs = await withRetry(
        () =>
          httpEndpoint(provider)
            ? getLogsRaw(provider, address, a, b, topics)
            : provider.getLogs({ address, fromBlock: a, toBlock: b, ...(topics ? { topics } : {}) }),
        opts,
      );
    } catch (error) {
      const { kind, reason } = classifyRpcError(error);
      if (a < b && kind === "range") {
        const mid = a + Math.floor((b - a) / 2);
        pending.unshift([a, mid], [mid + 1, b]);
        ceiling = Math.max(1, Math.min(ceiling, b - a));
        span = Math.max(1, Math.min(span, mid - a + 1));
        continue;
      }
      const attempts = kind === "transient" ? ` after ${Math.max(1, opts.maxAttempts ?? 5)} attempts` : "";
      throw new LedgerReadError(`eth_getLogs failed for blocks ${a}..${b}${attempts}: ${reason}`, { cause: error });
    }
    const mine = logs.filter(
      (log) =>
        log.address.toLowerCase() === wanted &&
        (!topicSet || topicSet.has(log.topics[0]?.toLowerCase() ?? "")) &&
        argSets.every((set, i) => !set || set.has(log.topics[i + 1]?.toLowerCase() ?? "")),
    );
    for (const log of mine) out.push(log);
    opts.onLogs?.(mine);
    const width = b - a + 1;
    if (logs.length > target) span = Math.max(1, Math.floor((width * target) / logs.length));
    else if (logs.length <= target / 4 && width >= span) span = Math.min(ceiling, maxSpan, span * 2);
    done += width;
    opts.onProgress?.(done, total);
  }
  out.sort((x, y) => x.blockNumber - y.blockNumber || x.index - y.index);
  return out;
}

/** A decoded `Record` tuple (ethers Result) as a LedgerRecord. */
export function toRecord(value: unknown): LedgerRecord {
  return recordOf((value as { toObject(): Record<string, unknown> }).toObject());
}

/** A record from its fields by name (ethers' or viem's decoded tuple, or the words the fast decoder read). */
export function recordOf(o: Record<string, unknown>): LedgerRecord {
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

const FIELDS = RECORD_FIELDS;
// Per field: how many leading hex digits of its word must be zero (a clean encoding), or -1 for
// bytes8 (16 significant digits then zeros), and how the value is read.
const SHAPES: Record<(typeof FIELDS)[number], { zeros: number; kind: "uint" | "address" | "bytes32" | "bytes8" }> = {
  flow: { zeros: 62, kind: "uint" },
  action: { zeros: 62, kind: "uint" },
  provider: { zeros: 24, kind: "address" },
  receiver: { zeros: 24, kind: "address" },
  commons: { zeros: 0, kind: "bytes32" },
  resource: { zeros: 0, kind: "bytes32" },
  resourceSpec: { zeros: 0, kind: "bytes32" },
  process: { zeros: 0, kind: "bytes32" },
  side: { zeros: 62, kind: "uint" },
  quantity: { zeros: 32, kind: "uint" },
  unit: { zeros: -1, kind: "bytes8" },
  time: { zeros: 48, kind: "uint" },
  evidence: { zeros: 0, kind: "bytes32" },
  corrects: { zeros: 48, kind: "uint" },
  satisfies: { zeros: 48, kind: "uint" },
  nonce: { zeros: 0, kind: "uint" },
  deadline: { zeros: 48, kind: "uint" },
};
const ZEROS = "0".repeat(64);

/**
 * A `Recorded` log decoded straight from its 17 words: the same values as ethers' Interface
 * decoding (checked by a parity test) at a fraction of the cost, and the record hash as the
 * contract computed it, keccak256(TYPEHASH ‖ the words it logged). Returns undefined for anything
 * unusual (another shape, an unclean word), which then takes the generic path.
 */
function decodeRecorded(log: Log, addresses: Map<string, string>, lazyHash = false): { entry: Entry; all: LedgerEvents["all"][number] } | undefined {
  const { data, topics } = log;
  if (topics.length !== 3 || data.length !== 2 + 17 * 64 || !topics[2].startsWith("0x000000000000000000000000")) return undefined;
  const checksum = (hex40: string) => {
    let a = addresses.get(hex40);
    if (a === undefined) addresses.set(hex40, (a = getAddress("0x" + hex40)));
    return a;
  };
  const raw: Record<string, bigint | string> = {};
  for (let i = 0; i < 17; i++) {
    const name = FIELDS[i];
    const word = data.slice(2 + i * 64, 2 + (i + 1) * 64);
    const { zeros, kind } = SHAPES[name];
    if (zeros > 0 && !word.startsWith(ZEROS.slice(0, zeros))) return undefined;
    if (kind === "bytes8") {
      if (!word.endsWith(ZEROS.slice(0, 48))) return undefined;
      raw[name] = "0x" + word.slice(0, 16);
    } else if (kind === "address") raw[name] = checksum(word.slice(24));
    else if (kind === "bytes32") raw[name] = "0x" + word;
    else raw[name] = BigInt("0x" + word);
  }
  const record = recordOf(raw);
  const id = BigInt(topics[1]);
  const signer = checksum(topics[2].slice(26));
  const recordHash = () => recordHashOfWords(data);
  const base = { blockNumber: log.blockNumber, transactionHash: log.transactionHash };
  const entry = { id, signer, commons: record.commons, record, recordHash: lazyHash ? "" : recordHash(), ...base, logIndex: log.index };
  // Computed on first use (readers that only total the accounts never need it).
  if (lazyHash) {
    let memo: string | undefined;
    Object.defineProperty(entry, "recordHash", { enumerable: true, get: () => (memo ??= recordHash()) });
  }
  return {
    entry,
    all: { name: "Recorded", args: { id, signer, record: raw }, ...base, logIndex: log.index },
  };
}

/** Decodes the ledger's logs into entries, validations, corrections and checkpoints. */
export function decodeLedgerLogs(logs: readonly Log[], opts: { generic?: boolean; lazyRecordHash?: boolean } = {}): LedgerEvents {
  const events: LedgerEvents = { entries: [], validations: [], corrections: [], checkpoints: new Map(), skipped: [], all: [] };
  const addresses = new Map<string, string>();
  for (const log of logs) {
    if (!opts.generic && log.topics[0] === LEDGER_TOPICS.Recorded) {
      const fast = decodeRecorded(log, addresses, opts.lazyRecordHash);
      if (fast) {
        events.all.push(fast.all);
        events.entries.push(fast.entry);
        continue;
      }
    }
    const parsed = ledgerInterface().parseLog({ topics: [...log.topics], data: log.data });
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
        events.validations.push({
          entryId: a.entryId,
          validator: a.validator,
          verdict: Number(a.verdict),
          evidence: a.evidence,
          accepts: Number(a.accepts),
          disputes: Number(a.disputes),
          ...base,
        });
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

/** Merges the decoded events of consecutive block ranges (equal to decoding all their logs at once). */
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

/** "LedgerExpired(1700000000, 1700000100)" for ABI-encoded custom error data. */
export function describeRevert(data: string): string {
  try {
    const e = ledgerInterface().parseError(data);
    if (e) return `${e.name}(${e.args.map((x) => String(x)).join(", ")})`;
  } catch {
    /* fall through */
  }
  return data;
}

export async function readLedger(provider: Provider, address: string, opts: ReadOptions = {}): Promise<LedgerEvents> {
  return decodeLedgerLogs(await fetchLogs(provider, address, opts));
}
