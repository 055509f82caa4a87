// A ledger built by hand for the supply suites (supply.test.ts, signals.test.ts): entries 1..n in
// order, with corrections and validations as the contract emits them, read through deriveEntries.
import { Wallet, ZeroAddress, ZeroHash } from "ethers";
import { buildRecord, labelId } from "../../scripts/lib/core/record.js";
import type { RecordInput } from "../../scripts/lib/core/record.js";
import type { Entry, LedgerEvents } from "../../scripts/lib/core/reader.js";
import { deriveEntries } from "../../scripts/lib/core/views.js";
import type { EntryView } from "../../scripts/lib/core/views.js";

export const ALICE = Wallet.createRandom().address;
export const BOB = Wallet.createRandom().address;
export const CAROL = Wallet.createRandom().address;
export const COMMONS = labelId("commons: supply tests");
export const T0 = 1_800_000_000n;

export type Draft = Partial<Omit<RecordInput, "resource" | "process" | "resourceSpec">> & {
  action: RecordInput["action"];
  resource?: string;
  process?: string;
  spec?: string;
};

/** A ledger built by hand: entries 1..n in order, with corrections and validations as the contract emits them. */
export class HandLedger {
  readonly events: LedgerEvents = { entries: [], validations: [], corrections: [], checkpoints: new Map(), skipped: [], all: [] };

  add(d: Draft): bigint {
    const id = BigInt(this.events.entries.length + 1);
    const record = buildRecord({
      provider: d.flow === "need" ? undefined : (d.provider ?? ALICE),
      commons: COMMONS,
      quantity: "1",
      unit: "ea",
      time: T0 + id,
      nonce: id,
      deadline: T0 + 1000n,
      ...d,
      resource: d.resource ? labelId(d.resource) : undefined,
      process: d.process ? labelId(d.process) : undefined,
      resourceSpec: d.spec ? labelId(d.spec) : undefined,
      side: d.side ?? (d.process ? (["produce", "modify", "separate", "dropoff", "copy"].includes(d.action) ? "output" : "input") : "none"),
    });
    const signer = record.provider !== ZeroAddress ? record.provider : record.receiver;
    const entry: Entry = {
      id,
      signer,
      commons: COMMONS,
      record,
      recordHash: ZeroHash,
      blockNumber: Number(id),
      transactionHash: "0x" + id.toString(16).padStart(64, "0"),
      logIndex: 0,
    };
    this.events.entries.push(entry);
    if (record.corrects !== 0n) this.events.corrections.push({ entryId: record.corrects, correctionId: id, blockNumber: Number(id) });
    return id;
  }

  dispute(entryId: bigint): void {
    this.events.validations.push({
      entryId,
      validator: CAROL,
      verdict: 1,
      evidence: ZeroHash,
      accepts: 0,
      disputes: 1,
      blockNumber: 0,
      transactionHash: ZeroHash,
    });
  }

  views(): EntryView[] {
    return deriveEntries(this.events);
  }
}
