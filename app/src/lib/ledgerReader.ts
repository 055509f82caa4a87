// Reads a Ledger's events in the browser with the same reader the CLI uses (scripts/lib/reader.ts:
// block ranges that adapt to the log density, split when the node refuses a range, retried on
// transient failures) and keeps them per chain and address, so that a refresh only fetches the
// blocks after the last one read. Direct JSON-RPC over fetch: no response-size cap applies.
import { FetchRequest, JsonRpcProvider, Network } from "ethers";
import { decodeLedgerLogs, fetchLogs, rpcRetry } from "../../../scripts/lib/reader.js";
import type { LedgerEvents } from "../../../scripts/lib/reader.js";
import { dropEvents, loadEvents, prefixUpTo, saveEvents } from "./eventCache";

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

/** The hash of block 0: which chain instance this is (a fresh local chain has another). */
function genesisHash(rpcUrl: string, chainId: number): Promise<string> {
  const key = `${chainId}|${rpcUrl}`;
  let h = genesis.get(key);
  if (!h) {
    h = rpcRetry("eth_getBlockByNumber(0)", () => providerFor(rpcUrl, chainId).getBlock(0), { maxAttempts: 2 }).then((b) => {
      if (!b?.hash) throw new Error("the node returned no genesis block");
      return b.hash;
    });
    h.catch(() => genesis.delete(key));
    genesis.set(key, h);
  }
  return h;
}

const idle = (fn: () => void) => ("requestIdleCallback" in window ? window.requestIdleCallback(fn, { timeout: 5_000 }) : setTimeout(fn, 1_000));

/**
 * The ledger's events up to the latest block: those kept in memory or in IndexedDB (see
 * eventCache.ts) plus any new blocks. `finality`: how many of the latest blocks are not stored
 * (0 on the local chain; reorganised blocks would otherwise stay in the cache).
 */
export async function readLedgerEvents(p: { rpcUrl: string; chainId: number; ledger: string; fromBlock: number; finality?: number; onProgress?: (done: number, total: number) => void }): Promise<LedgerSnapshot> {
  const provider = providerFor(p.rpcUrl, p.chainId);
  const key = `${p.chainId}|${p.ledger.toLowerCase()}|${p.fromBlock}`;
  const [latest, genesisBlock] = await Promise.all([rpcRetry("eth_blockNumber", () => provider.getBlockNumber(), { maxAttempts: 2 }), genesisHash(p.rpcUrl, p.chainId)]);
  const storeKey = `${key}|${genesisBlock}`;
  let previous = cache.get(key);
  let storeMs = 0;
  if (!previous) {
    const t = performance.now();
    const stored = await loadEvents(storeKey);
    storeMs = performance.now() - t;
    if (stored && stored.toBlock <= latest) previous = { events: stored.events, toBlock: stored.toBlock, fetchMs: 0, decodeMs: 0, storeMs, storedToBlock: stored.toBlock };
    else if (stored) void dropEvents(storeKey);
  }
  // A chain that went backwards (restarted without its state) invalidates what was read.
  const base = previous && previous.toBlock <= latest ? previous : undefined;
  const from = base ? base.toBlock + 1 : p.fromBlock;
  if (base && from > latest) {
    cache.set(key, base);
    return base;
  }
  // Each block range is decoded while the node prepares the next one (the decode is queued as a
  // task, so the next request is already on its way). Record hashes are computed on first use.
  const t0 = performance.now();
  let decodeMs = 0;
  const parts: Promise<LedgerEvents>[] = [];
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
              resolve(decodeLedgerLogs(logs, { lazyRecordHash: true }));
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
  const fresh = decoded.reduce(merge, EMPTY);
  const fetchMs = performance.now() - t0 - decodeMs;
  const snapshot: LedgerSnapshot = { events: base ? merge(base.events, fresh) : fresh, toBlock: latest, fetchMs, decodeMs, storeMs, storedToBlock: base?.storedToBlock ?? -1 };
  cache.set(key, snapshot);
  const safe = latest - (p.finality ?? 64);
  if (safe > (base?.toBlock ?? -1) && safe >= p.fromBlock) idle(() => void saveEvents(storeKey, { toBlock: safe, events: safe >= latest ? snapshot.events : prefixUpTo(snapshot.events, safe) }));
  return snapshot;
}
