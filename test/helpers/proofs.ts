// Entry proofs and chain checks from the events alone, as the tools build them.
import { buildEntryProof, emptyProof } from "../../scripts/lib/core/proof.js";
import type { EntryProof } from "../../scripts/lib/core/proof.js";
import { readLedger } from "../../scripts/lib/core/reader.js";
import type { LedgerEvents } from "../../scripts/lib/core/reader.js";
import type { LedgerRecord } from "../../scripts/lib/core/record.js";
import type { Ethers } from "./records.js";

export { emptyProof };
export type { EntryProof };

export async function eventsOf(ethers: Ethers, ledger: { getAddress(): Promise<string> }): Promise<LedgerEvents> {
  return readLedger(ethers.provider, await ledger.getAddress());
}

/** The proof of `entryId` against the current chain, read from the Ledger's events. */
export async function proofFor(ethers: Ethers, ledger: { getAddress(): Promise<string> }, entryId: bigint): Promise<EntryProof> {
  const { entries } = await eventsOf(ethers, ledger);
  return buildEntryProof(entries, entryId);
}

/** The record of `entryId` as the events hold it. */
export async function recordOf(ethers: Ethers, ledger: { getAddress(): Promise<string> }, entryId: bigint): Promise<LedgerRecord> {
  const { entries } = await eventsOf(ethers, ledger);
  const entry = entries.find((e) => e.id === entryId);
  if (!entry) throw new Error(`entry ${entryId} is not in the events`);
  return entry.record;
}
