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
  /** Time spent fetching and decoding on the last refresh, in ms. */
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

const cache = new Map<string, LedgerSnapshot>();

/** The ledger's events up to the latest block: the cached ones plus any new blocks. */
export async function readLedgerEvents(p: { rpcUrl: string; chainId: number; ledger: string; fromBlock: number }): Promise<LedgerSnapshot> {
  const provider = providerFor(p.rpcUrl, p.chainId);
  const key = `${p.chainId}|${p.ledger.toLowerCase()}|${p.fromBlock}`;
  const previous = cache.get(key);
  const latest = await rpcRetry("eth_blockNumber", () => provider.getBlockNumber(), { maxAttempts: 2 });
  // A chain that went backwards (restarted without its state) invalidates what was read.
  const base = previous && previous.toBlock <= latest ? previous : undefined;
  const from = base ? base.toBlock + 1 : p.fromBlock;
  if (base && from > latest) return base;
  const t0 = performance.now();
  const logs = await fetchLogs(provider, p.ledger, { fromBlock: from, toBlock: latest, maxAttempts: 3, backoffMs: 150 });
  const t1 = performance.now();
  const fresh = decodeLedgerLogs(logs);
  const t2 = performance.now();
  const snapshot: LedgerSnapshot = { events: base ? merge(base.events, fresh) : fresh, toBlock: latest, fetchMs: t1 - t0, decodeMs: t2 - t1 };
  cache.set(key, snapshot);
  return snapshot;
}
