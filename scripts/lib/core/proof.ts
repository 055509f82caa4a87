// Builds the EntryProof the contract needs to learn an entry's content (first validation or
// correction of that entry), from the events alone.
import { ZeroHash } from "ethers";
import { chainStep, GENESIS_HEAD, headToBytes32 } from "./chain.js";
import type { Entry } from "./reader.js";
import type { LedgerRecord } from "./record.js";
import { LIMITS } from "./vocabulary.js";

export interface EntryProof {
  record: LedgerRecord;
  previousHead: string;
  laterSigners: string[];
  laterRecordHashes: string[];
}

/** `entries` must be the complete list 1..count in id order. */
export function buildEntryProof(entries: readonly Entry[], entryId: bigint, interval = BigInt(LIMITS.checkpointInterval)): EntryProof {
  const count = BigInt(entries.length);
  if (entryId < 1n || entryId > count) throw new Error(`entry ${entryId} does not exist (the ledger has ${count} entries)`);
  let head = GENESIS_HEAD;
  for (let i = 0n; i < entryId - 1n; i++) {
    const e = entries[Number(i)];
    head = chainStep(head, e.id, e.signer, e.recordHash);
  }
  const closing = ((entryId - 1n) / interval + 1n) * interval;
  const end = closing <= count ? closing : count;
  const later = entries.slice(Number(entryId), Number(end));
  return {
    record: entries[Number(entryId - 1n)].record,
    previousHead: headToBytes32(head),
    laterSigners: later.map((e) => e.signer),
    laterRecordHashes: later.map((e) => e.recordHash),
  };
}

/** The proof to pass once an entry is anchored (validated or corrected before): nothing is read. */
export function emptyProof(record: LedgerRecord): EntryProof {
  return { record, previousHead: ZeroHash, laterSigners: [], laterRecordHashes: [] };
}
