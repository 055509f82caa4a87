// Keeps what the reader read in IndexedDB, so that a later visit reads only the blocks after it.
// What is kept is a ledger index (scripts/lib/core/ledger-index.ts) as JSON text: a few MB for 20,000
// entries, read back and decoded in a fraction of the time a structured copy of the decoded events
// takes. The log is append-only, so a stored prefix stays true as long as it is the same chain:
// indexes are keyed by chain id, genesis block hash (a fresh local chain has another), ledger and
// first block, and only blocks at least `finality` blocks deep are stored (0 on the local chain).
// An index that claims more blocks than the chain has is dropped. Failures only cost the cache: the
// reader then reads everything from the node as it would without one.
import { decodeLedgerIndex, LedgerIndexBuilder } from "@core/ledger-index.js";
import type { LedgerIndexFile } from "@core/ledger-index.js";
import type { LedgerEvents } from "@core/reader.js";

const DB = "commons-ledger";
/** Version 1 kept structured copies of the decoded events in "ledger-events" (dropped on upgrade). */
const STORE = "ledger-index";
const VERSION = 2;

export interface CachedLedger {
  toBlock: number;
  events: LedgerEvents;
  /** To go on adding blocks to what is stored. */
  builder: LedgerIndexBuilder;
}

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (db.objectStoreNames.contains("ledger-events")) db.deleteObjectStore("ledger-events");
      if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE);
    };
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

export async function loadLedger(key: string): Promise<CachedLedger | undefined> {
  try {
    const text = (await run("readonly", (s) => s.get(key))) as string | undefined;
    if (typeof text !== "string") return undefined;
    const file = JSON.parse(text) as LedgerIndexFile;
    // Written by this app from what it read and checked; address checksums are not checked again.
    const { meta, events } = decodeLedgerIndex(file, { checksums: false });
    return { toBlock: meta.toBlock, events, builder: LedgerIndexBuilder.from(file) };
  } catch (error) {
    console.warn(`the ledger kept in IndexedDB could not be read, reading the chain instead: ${(error as Error).message}`);
    return undefined;
  }
}

export async function saveLedger(key: string, file: LedgerIndexFile): Promise<void> {
  try {
    await run("readwrite", (s) => s.put(JSON.stringify(file), key));
  } catch (error) {
    console.warn(`the ledger could not be kept in IndexedDB: ${(error as Error).message}`);
    /* private browsing, quota: reading from the node still works */
  }
}

export async function dropLedger(key: string): Promise<void> {
  try {
    await run("readwrite", (s) => s.delete(key));
  } catch {
    /* nothing to drop */
  }
}
