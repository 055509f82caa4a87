// Reads a Ledger's events in the browser with the same reader the CLI uses (scripts/lib/reader.ts:
// block ranges that adapt to the log density, split when the node refuses a range, retried on
// transient failures) and keeps them per chain and address, so that a refresh only fetches the
// blocks after the last one read. Direct JSON-RPC over fetch: no response-size cap applies.
import { FetchRequest, JsonRpcProvider, Network } from "ethers";
import { decodeLedgerLogs, fetchLogs, rpcRetry } from "../../../scripts/lib/reader.js";
import type { LedgerEvents } from "../../../scripts/lib/reader.js";

export interface LedgerSnapshot {
  events: LedgerEvents;
  /** Last block read (inclusive). */
  toBlock: number;
  /** Time spent on the last refresh waiting for the node (wall time not spent decoding) and decoding, in ms. */
  fetchMs: number;
  decodeMs: number;
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

/** The ledger's events up to the latest block: the cached ones plus any new blocks. */
export async function readLedgerEvents(p: { rpcUrl: string; chainId: number; ledger: string; fromBlock: number; onProgress?: (done: number, total: number) => void }): Promise<LedgerSnapshot> {
  const provider = providerFor(p.rpcUrl, p.chainId);
  const key = `${p.chainId}|${p.ledger.toLowerCase()}|${p.fromBlock}`;
  const previous = cache.get(key);
  const latest = await rpcRetry("eth_blockNumber", () => provider.getBlockNumber(), { maxAttempts: 2 });
  // A chain that went backwards (restarted without its state) invalidates what was read.
  const base = previous && previous.toBlock <= latest ? previous : undefined;
  const from = base ? base.toBlock + 1 : p.fromBlock;
  if (base && from > latest) return base;
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
  const snapshot: LedgerSnapshot = { events: base ? merge(base.events, fresh) : fresh, toBlock: latest, fetchMs, decodeMs };
  cache.set(key, snapshot);
  return snapshot;
}
