// Builds the EntryProof the contract needs to learn an entry's content (first validation or
// correction of that entry), from the events alone.
import { ZeroAddress, ZeroHash } from "ethers";
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

/** The proof of several entries of one checkpoint interval (ILedger.RangeProof). */
export interface RangeProof {
  previousHead: string;
  firstId: bigint;
  records: LedgerRecord[];
  signers: string[];
  recordHashes: string[];
}

/** Where entry `entryId`'s checkpoint interval ends: its closing entry, or the tip if it is still open. */
export function intervalEnd(entryId: bigint, count: bigint, interval = BigInt(LIMITS.checkpointInterval)): bigint {
  const closing = ((entryId - 1n) / interval + 1n) * interval;
  return closing <= count ? closing : count;
}

function headBefore(entries: readonly Entry[], entryId: bigint): string {
  let head = GENESIS_HEAD;
  for (let i = 0n; i < entryId - 1n; i++) {
    const e = entries[Number(i)];
    head = chainStep(head, e.id, e.signer, e.recordHash);
  }
  return head;
}

/** What a range proof is built from: the chain as far as a reader has it (ids 1..count). */
export interface ChainView {
  count: bigint;
  signer(id: bigint): string;
  recordHash(id: bigint): string;
  /** The record of an entry the proof gives in full. */
  record(id: bigint): LedgerRecord;
  /** The chain head after entry `id` (GENESIS_HEAD for 0). */
  headAfter(id: bigint): string;
}

/**
 * Range proofs for `entryIds` (any order, any intervals): one per checkpoint interval they fall
 * in, from the interval's first wanted entry to its end, with the wanted records in full.
 */
export function rangeProofsOf(view: ChainView, entryIds: Iterable<bigint>, interval = BigInt(LIMITS.checkpointInterval)): RangeProof[] {
  const wanted = [...new Set(entryIds)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const id of wanted) {
    if (id < 1n || id > view.count) throw new Error(`entry ${id} does not exist (the ledger has ${view.count} entries)`);
  }
  const proofs: RangeProof[] = [];
  let i = 0;
  while (i < wanted.length) {
    const firstId = wanted[i];
    const end = intervalEnd(firstId, view.count, interval);
    const inRange = new Set<bigint>();
    while (i < wanted.length && wanted[i] <= end) inRange.add(wanted[i++]);
    const proof: RangeProof = { previousHead: headToBytes32(view.headAfter(firstId - 1n)), firstId, records: [], signers: [], recordHashes: [] };
    for (let id = firstId; id <= end; id++) {
      const full = inRange.has(id);
      if (full) proof.records.push(view.record(id));
      proof.signers.push(full ? ZeroAddress : view.signer(id));
      proof.recordHashes.push(full ? ZeroHash : view.recordHash(id));
    }
    proofs.push(proof);
  }
  return proofs;
}

/** Range proofs for `entryIds` from the complete list of entries 1..count in id order. */
export function buildRangeProofs(entries: readonly Entry[], entryIds: Iterable<bigint>, interval = BigInt(LIMITS.checkpointInterval)): RangeProof[] {
  const at = (id: bigint) => entries[Number(id - 1n)];
  const view: ChainView = {
    count: BigInt(entries.length),
    signer: (id) => at(id).signer,
    recordHash: (id) => at(id).recordHash,
    record: (id) => at(id).record,
    headAfter: (id) => headBefore(entries, id + 1n),
  };
  return rangeProofsOf(view, entryIds, interval);
}

/** `entries` must be the complete list 1..count in id order. */
export function buildEntryProof(entries: readonly Entry[], entryId: bigint, interval = BigInt(LIMITS.checkpointInterval)): EntryProof {
  const count = BigInt(entries.length);
  if (entryId < 1n || entryId > count) throw new Error(`entry ${entryId} does not exist (the ledger has ${count} entries)`);
  const head = headBefore(entries, entryId);
  const end = intervalEnd(entryId, count, interval);
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
