// Reads a Ledger's events in the browser with the same reader the CLI uses (scripts/lib/core/reader.ts:
// block ranges that adapt to the log density, split when the node refuses a range, retried on
// transient failures) and keeps them per chain and address, so that a refresh only fetches the
// blocks after the last one read. Direct JSON-RPC over fetch: no response-size cap applies.
//
// Where the chain's configuration names a ledger index (npm start serves one, see
// scripts/lib/core/ledger-index.ts), the first read takes the events up to the index's last block from
// it (a few MB instead of every log) and only later blocks from the node; the index is then
// checked against the chain in a worker (indexCheck.ts). An index that cannot be used (unreachable,
// malformed, another chain) is skipped with its reason kept, and one found not to match the chain
// is never used again for that ledger in this page: the events are then read from the node.
import { FetchRequest, JsonRpcProvider, Network } from "ethers";
import { chainInstanceHash } from "@core/chain-instance.js";
import { decodeLedgerIndex, LedgerIndexBuilder, LedgerIndexError } from "@core/ledger-index.js";
import { decodeLedgerLogs, fetchLogs, rpcRetry } from "@core/reader.js";
import type { LedgerEvents } from "@core/reader.js";
import type { Log } from "ethers";
import { dropLedger, loadLedger, saveLedger } from "./eventCache";

export interface LedgerSnapshot {
  events: LedgerEvents;
  /** Last block read (inclusive). */
  toBlock: number;
  /** Time spent on the last refresh waiting for the node (wall time not spent decoding) and decoding, in ms. */
  fetchMs: number;
  decodeMs: number;
  /** Time spent loading the stored events from IndexedDB on this refresh, in ms (0 if none). */
  storeMs: number;
  /** Last block of the events that came from IndexedDB on the first read, or -1. */
  storedToBlock: number;
  /** The ledger index the first read started from, kept for the check against the chain. */
  index?: { url: string; toBlock: number; entries: number; body: ArrayBuffer; ms: number };
  /** Why the configured index was not used, if it was not. */
  indexSkipped?: string;
}

const providers = new Map<string, JsonRpcProvider>();

export function providerFor(rpcUrl: string, chainId: number): JsonRpcProvider {
  const key = `${chainId}|${rpcUrl}`;
  let p = providers.get(key);
  if (!p) {
    const request = new FetchRequest(rpcUrl);
    request.timeout = 30_000;
    p = new JsonRpcProvider(request, Network.from(chainId), { staticNetwork: true, cacheTimeout: -1, batchMaxCount: 1 });
    providers.set(key, p);
  }
  return p;
}

function merge(a: LedgerEvents, b: LedgerEvents): LedgerEvents {
  const checkpoints = new Map(a.checkpoints);
  for (const [k, v] of b.checkpoints) checkpoints.set(k, v);
  return {
    entries: a.entries.concat(b.entries),
    validations: a.validations.concat(b.validations),
    corrections: a.corrections.concat(b.corrections),
    checkpoints,
    skipped: a.skipped.concat(b.skipped),
    all: a.all.concat(b.all),
  };
}

const EMPTY: LedgerEvents = { entries: [], validations: [], corrections: [], checkpoints: new Map(), skipped: [], all: [] };

const cache = new Map<string, LedgerSnapshot>();

const genesis = new Map<string, Promise<string>>();

/** Which chain instance this is (a fresh local chain has another): see chain-instance.ts. */
function genesisHash(rpcUrl: string, chainId: number): Promise<string> {
  const key = `${chainId}|${rpcUrl}`;
  let h = genesis.get(key);
  if (!h) {
    h = chainInstanceHash(providerFor(rpcUrl, chainId));
    h.catch(() => genesis.delete(key));
    genesis.set(key, h);
  }
  return h;
}

/** Ledgers (by key) whose index did not match the chain, with the problem found. */
const refusedIndexes = new Map<string, string>();

export function ledgerKey(chainId: number, ledger: string, fromBlock: number): string {
  return `${chainId}|${ledger.toLowerCase()}|${fromBlock}`;
}

/** Stops using the index for this ledger (it did not match the chain) and forgets what it gave. */
export function refuseIndex(key: string, problem: string): void {
  refusedIndexes.set(key, problem);
  cache.delete(key);
}

export function refusedIndex(key: string): string | undefined {
  return refusedIndexes.get(key);
}

type IndexRead = { ok: true; events: LedgerEvents; toBlock: number; body: ArrayBuffer; ms: number } | { ok: false; reason: string };

/** The index's events, checked to be this chain's and this ledger's; never throws. */
async function readIndex(url: string, p: { chainId: number; ledger: string; fromBlock: number }, chain: Promise<[number, string]>): Promise<IndexRead> {
  const t = performance.now();
  performance.mark("commons:index-fetch");
  try {
    // Default cache mode, so that the preload the server puts in the page is used (it says no-store).
    const res = await fetch(url, { signal: AbortSignal.timeout(20_000) });
    if (!res.ok) return { ok: false, reason: `the server answered ${res.status} ${res.statusText}`.trim() };
    const body = await res.arrayBuffer();
    performance.mark("commons:index-fetched");
    // Address checksums are left to the check in the worker, which decodes the index in full.
    const { meta, events } = decodeLedgerIndex(JSON.parse(new TextDecoder().decode(body)), { checksums: false });
    performance.mark("commons:index-decoded");
    const [latest, genesis] = await chain;
    if (meta.chainId !== p.chainId) return { ok: false, reason: `the index is of chain ${meta.chainId}, not ${p.chainId}` };
    if (meta.ledger.toLowerCase() !== p.ledger.toLowerCase()) return { ok: false, reason: `the index is of the Ledger at ${meta.ledger}, not ${p.ledger}` };
    if (meta.fromBlock !== p.fromBlock) return { ok: false, reason: `the index starts at block ${meta.fromBlock}, not ${p.fromBlock}` };
    if (meta.genesis !== genesis) return { ok: false, reason: "the index is of another chain instance (another genesis block)" };
    if (meta.toBlock > latest) return { ok: false, reason: `the index reaches block ${meta.toBlock}, the chain only ${latest}` };
    return { ok: true, events, toBlock: meta.toBlock, body, ms: performance.now() - t };
  } catch (error) {
    if (error instanceof LedgerIndexError) return { ok: false, reason: error.message.replace(/^ledger index: /, "") };
    return { ok: false, reason: `it could not be read (${(error as Error).message.split("\n")[0]})` };
  }
}

const idle = () =>
  new Promise<void>((resolve) =>
    "requestIdleCallback" in window ? window.requestIdleCallback(() => resolve(), { timeout: 5_000 }) : setTimeout(resolve, 200),
  );

/** Per stored ledger: the index being kept for IndexedDB, the last block stored, and the work queued on it. */
const kept = new Map<string, { builder: LedgerIndexBuilder; savedTo: number; queue: Promise<void> }>();

/**
 * Adds what was read to the kept index and stores it up to `safe`, one block range per idle period
 * (the page stays responsive), in the order the reads happened. A failure only drops the cache.
 */
function keep(storeKey: string, parts: readonly { logs: readonly Log[]; events: LedgerEvents }[], safe: number): void {
  const k = kept.get(storeKey);
  if (!k) return;
  k.queue = k.queue.then(async () => {
    try {
      for (const part of parts) {
        await idle();
        if (kept.get(storeKey) !== k) return;
        k.builder.addDecoded(part.logs, part.events);
      }
      if (safe > k.savedTo) {
        await idle();
        await saveLedger(storeKey, k.builder.file(safe));
        k.savedTo = safe;
      }
    } catch (error) {
      console.warn(`the ledger read cannot be kept for the next visit: ${(error as Error).message}`);
      if (kept.get(storeKey) === k) kept.delete(storeKey);
    }
  });
}

/**
 * The ledger's events up to the latest block: those kept in memory or in IndexedDB (see
 * eventCache.ts) plus any new blocks. `finality`: how many of the latest blocks are not stored
 * (0 on the local chain; reorganised blocks would otherwise stay in the cache).
 */
export async function readLedgerEvents(p: {
  rpcUrl: string;
  chainId: number;
  ledger: string;
  fromBlock: number;
  indexUrl?: string;
  finality?: number;
  onProgress?: (done: number, total: number) => void;
}): Promise<LedgerSnapshot> {
  // Every read of the whole ledger, from the chain, the browser's cache or the served index: what the
  // e2e tests count when a page must (or must not) read everything.
  performance.mark("commons:ledger-read");
  const provider = providerFor(p.rpcUrl, p.chainId);
  const key = ledgerKey(p.chainId, p.ledger, p.fromBlock);
  const chainState = Promise.all([rpcRetry("eth_blockNumber", () => provider.getBlockNumber(), { maxAttempts: 2 }), genesisHash(p.rpcUrl, p.chainId)]);
  let previous = cache.get(key);
  // A read that began before the index was refused may have cached what it gave.
  if (previous?.index && refusedIndexes.has(key)) previous = undefined;
  // The index is fetched while the node answers the two calls above.
  const fromIndex = !previous && p.indexUrl && !refusedIndexes.has(key) ? readIndex(p.indexUrl, p, chainState) : undefined;
  const [latest, genesisBlock] = await chainState;
  const storeKey = `${key}|${genesisBlock}`;
  let storeMs = 0;
  let indexSkipped: string | undefined;
  if (fromIndex) {
    const read = await fromIndex;
    if (read.ok)
      previous = {
        events: read.events,
        toBlock: read.toBlock,
        fetchMs: 0,
        decodeMs: 0,
        storeMs: 0,
        storedToBlock: -1,
        index: { url: p.indexUrl!, toBlock: read.toBlock, entries: read.events.entries.length, body: read.body, ms: read.ms },
      };
    else indexSkipped = read.reason;
  }
  if (!previous) {
    const t = performance.now();
    const stored = await loadLedger(storeKey);
    storeMs = performance.now() - t;
    if (stored && stored.toBlock <= latest) {
      previous = { events: stored.events, toBlock: stored.toBlock, fetchMs: 0, decodeMs: 0, storeMs, storedToBlock: stored.toBlock, indexSkipped };
      kept.set(storeKey, { builder: stored.builder, savedTo: stored.toBlock, queue: Promise.resolve() });
    } else if (stored) void dropLedger(storeKey);
  }
  // A chain that went backwards (restarted without its state) invalidates what was read.
  const base = previous && previous.toBlock <= latest ? previous : undefined;
  const from = base ? base.toBlock + 1 : p.fromBlock;
  if (base && from > latest) {
    cache.set(key, base);
    return base;
  }
  // What is read from the node is kept for a later visit (unless the page started from a served index).
  if (!base)
    kept.set(storeKey, {
      builder: new LedgerIndexBuilder({ chainId: p.chainId, ledger: p.ledger, genesis: genesisBlock, fromBlock: p.fromBlock }),
      savedTo: -1,
      queue: Promise.resolve(),
    });
  // Each block range is decoded while the node prepares the next one (the decode is queued as a
  // task, so the next request is already on its way). Record hashes are computed on first use.
  const t0 = performance.now();
  let decodeMs = 0;
  const parts: Promise<{ logs: readonly Log[]; events: LedgerEvents }>[] = [];
  await fetchLogs(provider, p.ledger, {
    fromBlock: from,
    toBlock: latest,
    maxAttempts: 3,
    backoffMs: 150,
    onProgress: p.onProgress,
    onLogs: (logs) => {
      parts.push(
        new Promise((resolve, reject) =>
          setTimeout(() => {
            const t = performance.now();
            try {
              resolve({ logs, events: decodeLedgerLogs(logs, { lazyRecordHash: true }) });
            } catch (error) {
              reject(error);
            }
            decodeMs += performance.now() - t;
          }, 0),
        ),
      );
    },
  });
  const decoded = await Promise.all(parts);
  const fresh = decoded.map((d) => d.events).reduce(merge, EMPTY);
  const fetchMs = performance.now() - t0 - decodeMs;
  const snapshot: LedgerSnapshot = {
    events: base ? merge(base.events, fresh) : fresh,
    toBlock: latest,
    fetchMs,
    decodeMs,
    storeMs,
    storedToBlock: base?.storedToBlock ?? -1,
    index: base?.index,
    indexSkipped: base?.indexSkipped ?? indexSkipped,
  };
  cache.set(key, snapshot);
  // Only blocks `finality` deep are stored (0 on the local chain: reorganised blocks would otherwise stay).
  if (!snapshot.index) keep(storeKey, decoded, latest - (p.finality ?? 64));
  return snapshot;
}
