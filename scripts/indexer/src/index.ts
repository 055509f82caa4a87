// The indexing functions: each Ledger event updates the tables (ponder.schema.ts). Entries arrive in
// id order (the Ledger appends them one by one), so the hash-chain head is recomputed here exactly
// as the contract computes it; a gap or a repeated id stops the indexer rather than store a wrong head.
import { and, eq } from "ponder";
import { ponder } from "ponder:registry";
import type { Context } from "ponder:registry";
import { accountDay, answer, chainHead, commons, correction, endorsement, entry, quorumRule, skipped, stateCount, validation } from "ponder:schema";
import { chainStep, GENESIS_HEAD } from "../../lib/core/chain.js";
import { recordHashOf } from "../../lib/core/ledger-index.js";
import type { LedgerRecord } from "../../lib/core/record.js";
import { DEFAULT_RULE } from "../../lib/core/views.js";
import type { QuorumRule } from "../../lib/core/views.js";
import { countOf, shareOf, stateOf } from "./state.js";
import type { EntryRowState, Share } from "./state.js";
import type { EntryStateName } from "../../lib/core/vocabulary.js";

type Db = Context["db"];

async function ruleOf(db: Db, c: `0x${string}`, action: number): Promise<QuorumRule> {
  return (await db.find(quorumRule, { commons: c, action })) ?? DEFAULT_RULE;
}

async function registered(db: Db, c: `0x${string}`): Promise<boolean> {
  return (await db.find(commons, { id: c })) !== null;
}

/** Adds `sign` times a share to its day's accounts. */
async function addShare(db: Db, s: Share, sign: 1n | -1n): Promise<void> {
  const n = Number(sign);
  await db
    .insert(accountDay)
    .values({ ...s, entries: n * s.entries, claimed: sign * s.claimed, accepted: sign * s.accepted, disputed: sign * s.disputed })
    .onConflictDoUpdate((row) => ({
      entries: row.entries + n * s.entries,
      claimed: row.claimed + sign * s.claimed,
      accepted: row.accepted + sign * s.accepted,
      disputed: row.disputed + sign * s.disputed,
    }));
}

/** Adds `n` to the count of entries of a row's flow and kind in `state`. */
async function addCount(db: Db, e: EntryRowState, state: EntryStateName, n: number): Promise<void> {
  await db
    .insert(stateCount)
    .values({ ...countOf(e, state), entries: n })
    .onConflictDoUpdate((row) => ({ entries: row.entries + n }));
}

/** Moves an entry's share of the accounts (and its count) from what it was to what it is after `change`. */
async function changeEntry(db: Db, id: bigint, change: Partial<EntryRowState>, rule?: QuorumRule, wasRegistered?: boolean): Promise<void> {
  const before = await db.find(entry, { id });
  if (!before) return;
  const after = { ...before, ...change };
  const r = await ruleOf(db, before.commons, before.action);
  const isRegistered = await registered(db, before.commons);
  const [oldState, newState] = [stateOf(before, rule ?? r), stateOf(after, r)];
  const old = shareOf(before, oldState, wasRegistered ?? isRegistered);
  const now = shareOf(after, newState, isRegistered);
  if (Object.keys(change).length) await db.update(entry, { id }).set(change);
  if (old) await addShare(db, old, -1n);
  if (now) await addShare(db, now, 1n);
  if (oldState !== newState) {
    await addCount(db, before, oldState, -1);
    await addCount(db, after, newState, 1);
  }
}

/** Every entry of a commons (and action), for the rare events that change all their shares at once. */
async function entriesOf(db: Db, c: `0x${string}`, action?: number) {
  return db.sql
    .select({ id: entry.id })
    .from(entry)
    .where(action === undefined ? eq(entry.commons, c) : and(eq(entry.commons, c), eq(entry.action, action)));
}

const ZERO = "0x0000000000000000000000000000000000000000";

ponder.on("Ledger:Recorded", async ({ event, context }) => {
  const { id, signer, record } = event.args;
  const r = record as unknown as LedgerRecord;
  const recordHash = recordHashOf(r) as `0x${string}`;
  const before = await context.db.find(chainHead, { id: 1 });
  const count = before?.count ?? 0n;
  if (id !== count + 1n) throw new Error(`entry ${id} arrived after entry ${count}: the indexer would store a wrong head`);
  const head = chainStep(before?.head ?? GENESIS_HEAD, id, signer, recordHash) as `0x${string}`;
  // Addresses as the database keeps them (lower case), so that the accounts' keys match the rows read back.
  const lower = (a: `0x${string}`) => a.toLowerCase() as `0x${string}`;
  const row = {
    id,
    signer: lower(signer),
    agent: lower(record.provider !== ZERO ? record.provider : record.receiver),
    flow: record.flow,
    action: record.action,
    provider: lower(record.provider),
    receiver: lower(record.receiver),
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
  };
  await context.db.insert(entry).values(row);
  const state = stateOf(row, await ruleOf(context.db, row.commons, row.action));
  const share = shareOf(row, state, await registered(context.db, row.commons));
  if (share) await addShare(context.db, share, 1n);
  await addCount(context.db, row, state, 1);
  await context.db
    .insert(chainHead)
    .values({ id: 1, count: id, head, blockNumber: event.block.number })
    .onConflictDoUpdate({ count: id, head, blockNumber: event.block.number });
});

/** An item a batch skipped, with the ABI-encoded reason the contract gave. */
async function recordSkip(
  db: Db,
  kind: "record" | "validation",
  item: { index: bigint; account: `0x${string}`; reason: `0x${string}` },
  event: { block: { number: bigint }; transaction: { hash: `0x${string}` }; log: { logIndex: number } },
): Promise<void> {
  await db.insert(skipped).values({ kind, ...item, blockNumber: event.block.number, transactionHash: event.transaction.hash, logIndex: event.log.logIndex });
}

ponder.on("Ledger:RecordSkipped", async ({ event, context }) => {
  await recordSkip(context.db, "record", { index: event.args.index, account: event.args.agent, reason: event.args.reason }, event);
});

ponder.on("Ledger:ValidationSkipped", async ({ event, context }) => {
  await recordSkip(context.db, "validation", { index: event.args.index, account: event.args.validator, reason: event.args.reason }, event);
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
  await changeEntry(context.db, entryId, { accepts, disputes });
});

ponder.on("Ledger:Endorsed", async ({ event, context }) => {
  const { entryId, endorser, verdict, evidence } = event.args;
  await context.db.insert(endorsement).values({
    entryId,
    endorser: endorser.toLowerCase() as `0x${string}`,
    verdict,
    evidence,
    blockNumber: event.block.number,
    transactionHash: event.transaction.hash,
    logIndex: event.log.logIndex,
  });
});

ponder.on("Ledger:CounterpartyAnswered", async ({ event, context }) => {
  const { entryId, counterparty, verdict, evidence } = event.args;
  const row = await context.db.find(entry, { id: entryId });
  // One answer per entry (the contract refuses a second): the first is the answer. Verdict 2 confirms, 3 refuses.
  if (row && row.answer === 0) {
    await context.db.insert(answer).values({
      entryId,
      counterparty: counterparty.toLowerCase() as `0x${string}`,
      verdict,
      evidence,
      blockNumber: event.block.number,
      transactionHash: event.transaction.hash,
    });
    await changeEntry(context.db, entryId, { answer: verdict === 2 ? 1 : 2 });
  }
});

ponder.on("Ledger:Corrected", async ({ event, context }) => {
  const { entryId, correctionId } = event.args;
  await context.db.insert(correction).values({ entryId, correctionId, blockNumber: event.block.number });
  await changeEntry(context.db, entryId, { correctedBy: correctionId });
});

ponder.on("Ledger:CommonsRegistered", async ({ event, context }) => {
  // Entries may name a commons before it is registered: from now on they count.
  const before = await entriesOf(context.db, event.args.commons);
  await context.db.insert(commons).values({ id: event.args.commons, name: event.args.name, founder: event.args.founder, blockNumber: event.block.number });
  for (const { id } of before) await changeEntry(context.db, id, {}, undefined, false);
});

ponder.on("Ledger:QuorumRuleSet", async ({ event, context }) => {
  const { commons: id, action, acceptsRequired, disputesToBlock, counterpartyConfirms } = event.args;
  // The rule decides the state of every entry of this commons and action, as on chain: their shares move with it.
  const old = await ruleOf(context.db, id, action);
  await context.db
    .insert(quorumRule)
    .values({ commons: id, action, acceptsRequired, disputesToBlock, counterpartyConfirms })
    .onConflictDoUpdate({ acceptsRequired, disputesToBlock, counterpartyConfirms });
  for (const e of await entriesOf(context.db, id, action)) await changeEntry(context.db, e.id, {}, old);
});
