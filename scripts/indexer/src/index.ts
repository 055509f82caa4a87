// The indexing functions: each Ledger event updates the tables (ponder.schema.ts). Entries arrive in
// id order (the Ledger appends them one by one), so the hash-chain head is recomputed here exactly
// as the contract computes it; a gap or a repeated id stops the indexer rather than store a wrong head.
import { ponder } from "ponder:registry";
import { chainHead, commons, correction, entry, quorumRule, skipped, validation } from "ponder:schema";
import { chainStep, GENESIS_HEAD } from "../../lib/core/chain.js";
import { hashRecord } from "../../lib/core/record.js";
import type { LedgerRecord } from "../../lib/core/record.js";

const ZERO = "0x0000000000000000000000000000000000000000";

ponder.on("Ledger:Recorded", async ({ event, context }) => {
  const { id, signer, record } = event.args;
  const r = record as unknown as LedgerRecord;
  const recordHash = hashRecord(r) as `0x${string}`;
  const before = await context.db.find(chainHead, { id: 1 });
  const count = before?.count ?? 0n;
  if (id !== count + 1n) throw new Error(`entry ${id} arrived after entry ${count}: the indexer would store a wrong head`);
  const head = chainStep(before?.head ?? GENESIS_HEAD, id, signer, recordHash) as `0x${string}`;
  await context.db.insert(entry).values({
    id,
    signer,
    agent: record.provider !== ZERO ? record.provider : record.receiver,
    flow: record.flow,
    action: record.action,
    provider: record.provider,
    receiver: record.receiver,
    commons: record.commons,
    resource: record.resource,
    resourceSpec: record.resourceSpec,
    process: record.process,
    side: record.side,
    quantity: record.quantity,
    unit: record.unit,
    time: record.time,
    evidence: record.evidence,
    corrects: record.corrects,
    satisfies: record.satisfies,
    nonce: record.nonce,
    deadline: record.deadline,
    recordHash,
    head,
    blockNumber: event.block.number,
    transactionHash: event.transaction.hash,
    logIndex: event.log.logIndex,
    accepts: 0,
    disputes: 0,
    answer: 0,
    correctedBy: 0n,
  });
  await context.db
    .insert(chainHead)
    .values({ id: 1, count: id, head, blockNumber: event.block.number })
    .onConflictDoUpdate({ count: id, head, blockNumber: event.block.number });
});

ponder.on("Ledger:RecordSkipped", async ({ event, context }) => {
  await context.db.insert(skipped).values({
    kind: "record",
    index: event.args.index,
    account: event.args.agent,
    reason: event.args.reason,
    blockNumber: event.block.number,
    transactionHash: event.transaction.hash,
    logIndex: event.log.logIndex,
  });
});

ponder.on("Ledger:ValidationSkipped", async ({ event, context }) => {
  await context.db.insert(skipped).values({
    kind: "validation",
    index: event.args.index,
    account: event.args.validator,
    reason: event.args.reason,
    blockNumber: event.block.number,
    transactionHash: event.transaction.hash,
    logIndex: event.log.logIndex,
  });
});

ponder.on("Ledger:Validated", async ({ event, context }) => {
  const { entryId, validator, verdict, evidence, accepts, disputes } = event.args;
  await context.db.insert(validation).values({
    entryId,
    validator,
    verdict,
    evidence,
    accepts,
    disputes,
    blockNumber: event.block.number,
    transactionHash: event.transaction.hash,
    logIndex: event.log.logIndex,
  });
  // The event gives the tallies after it: they replace the entry's.
  await context.db.update(entry, { id: entryId }).set({ accepts, disputes });
});

ponder.on("Ledger:CounterpartyAnswered", async ({ event, context }) => {
  const row = await context.db.find(entry, { id: event.args.entryId });
  // One answer per entry (the contract refuses a second): the first is the answer. Verdict 2 confirms, 3 refuses.
  if (row && row.answer === 0) await context.db.update(entry, { id: event.args.entryId }).set({ answer: event.args.verdict === 2 ? 1 : 2 });
});

ponder.on("Ledger:Corrected", async ({ event, context }) => {
  const { entryId, correctionId } = event.args;
  await context.db.insert(correction).values({ entryId, correctionId, blockNumber: event.block.number });
  await context.db.update(entry, { id: entryId }).set({ correctedBy: correctionId });
});

ponder.on("Ledger:CommonsRegistered", async ({ event, context }) => {
  await context.db.insert(commons).values({ id: event.args.commons, name: event.args.name, founder: event.args.founder, blockNumber: event.block.number });
});

ponder.on("Ledger:QuorumRuleSet", async ({ event, context }) => {
  const { commons: id, action, acceptsRequired, disputesToBlock, counterpartyConfirms } = event.args;
  await context.db
    .insert(quorumRule)
    .values({ commons: id, action, acceptsRequired, disputesToBlock, counterpartyConfirms })
    .onConflictDoUpdate({ acceptsRequired, disputesToBlock, counterpartyConfirms });
});
