// Keeps what the reader decoded in IndexedDB, so that a later visit reads only the blocks after it.
// The log is append-only, so a stored prefix stays true as long as it is the same chain: entries
// are keyed by chain id, genesis block hash (a fresh local chain has another), ledger and first
// block, and only blocks at least `finality` blocks deep are stored (0 on the local chain). A cache
// that claims more blocks than the chain has is dropped. Failures only cost the cache: the reader
// then reads everything from the node as it would without one.
import { hashRecord } from "../../../scripts/lib/record.js";
import type { Entry, LedgerEvents } from "../../../scripts/lib/reader.js";

const DB = "commons-ledger";
const STORE = "ledger-events";
const VERSION = 1;

export interface CachedEvents {
  toBlock: number;
  events: LedgerEvents;
}

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, VERSION);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function run<T>(mode: IDBTransactionMode, fn: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const req = fn(db.transaction(STORE, mode).objectStore(STORE));
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  } finally {
    db.close();
  }
}

/** Entries are stored without their record hash; it is computed again on first use. */
function withLazyHash(e: Omit<Entry, "recordHash">): Entry {
  let memo: string | undefined;
  return Object.defineProperty(e, "recordHash", { enumerable: true, get: () => (memo ??= hashRecord(e.record)) }) as Entry;
}

export async function loadEvents(key: string): Promise<CachedEvents | undefined> {
  try {
    const stored = (await run("readonly", (s) => s.get(key))) as CachedEvents | undefined;
    if (!stored) return undefined;
    stored.events.entries = stored.events.entries.map(withLazyHash);
    return stored;
  } catch {
    return undefined;
  }
}

export async function saveEvents(key: string, value: CachedEvents): Promise<void> {
  try {
    // Plain copies: the lazy record hashes are not computed just to be stored.
    const entries = value.events.entries.map(({ id, signer, commons, record, blockNumber, transactionHash, logIndex }) => ({ id, signer, commons, record, blockNumber, transactionHash, logIndex }));
    await run("readwrite", (s) => s.put({ toBlock: value.toBlock, events: { ...value.events, entries } }, key));
  } catch {
    /* private browsing, quota: reading from the node still works */
  }
}

export async function dropEvents(key: string): Promise<void> {
  try {
    await run("readwrite", (s) => s.delete(key));
  } catch {
    /* nothing to drop */
  }
}

/** The events of blocks up to `maxBlock` (what is final enough to be stored). */
export function prefixUpTo(events: LedgerEvents, maxBlock: number): LedgerEvents {
  const all = events.all.filter((e) => e.blockNumber <= maxBlock);
  const checkpoints = new Map<bigint, string>();
  const skippedTxs = new Set<string>();
  for (const e of all) {
    if (e.name === "Checkpointed") checkpoints.set(BigInt(e.args.index as bigint), String(e.args.head).toLowerCase());
    if (e.name === "RecordSkipped") skippedTxs.add(e.transactionHash);
  }
  return {
    entries: events.entries.filter((e) => e.blockNumber <= maxBlock),
    validations: events.validations.filter((v) => v.blockNumber <= maxBlock),
    corrections: events.corrections.filter((c) => c.blockNumber <= maxBlock),
    checkpoints,
    skipped: events.skipped.filter((s) => skippedTxs.has(s.transactionHash)),
    all,
  };
}
