// The indexing functions: each Ledger event updates the tables (ponder.schema.ts). Entries arrive in
// id order (the Ledger appends them one by one), so the hash-chain head is recomputed here exactly
// as the contract computes it; a gap or a repeated id stops the indexer rather than store a wrong head.
import { and, eq } from "ponder";
import { ponder } from "ponder:registry";
import type { Context } from "ponder:registry";
import {
  accountDay,
  answer,
  chainHead,
  claim,
  commons,
  correction,
  deposit,
  distribution,
  endorsement,
  entry,
  entryTally,
  objection,
  proposal,
  quorumRule,
  reciprocityRecord,
  registryHead,
  role,
  skipped,
  steward,
  stateCount,
  validation,
  work,
} from "ponder:schema";
import type { Log } from "ethers";
import { chainStep, GENESIS_HEAD } from "../../lib/core/chain.js";
import { loadFastKeccak } from "../../lib/core/keccak.js";
import { recordHashOfWords } from "../../lib/core/record.js";
import { DEFAULT_RULE } from "../../lib/core/views.js";
import type { QuorumRule } from "../../lib/core/views.js";
import { countOf, shareOf, stateOf, tallyOf } from "./state.js";
import type { EntryRowState, Share } from "./state.js";
import type { EntryStateName } from "../../lib/core/vocabulary.js";
import { recordJson, workRow } from "../../lib/reciprocity/indexed.js";
import { decodeRegistryLogs } from "../../lib/reciprocity/reciprocity.js";

type Db = Context["db"];

// Every entry is hashed twice (its record, its chain step): in WebAssembly, ten times faster than in JS.
await loadFastKeccak();

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

/** Adds `n` to the count of entries in `state` of a row's flow and kind, and of its agent's in its commons. */
async function addCount(db: Db, e: EntryRowState, state: EntryStateName, n: number): Promise<void> {
  await db
    .insert(stateCount)
    .values({ ...countOf(e, state), entries: n })
    .onConflictDoUpdate((row) => ({ entries: row.entries + n }));
  await db
    .insert(entryTally)
    .values({ ...tallyOf(e, state), entries: n })
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

/** An address as the database keeps it (lower case), so that keys match the rows read back. */
const lower = (a: `0x${string}`) => a.toLowerCase() as `0x${string}`;

ponder.on("Ledger:Recorded", async ({ event, context }) => {
  const { id, signer, record } = event.args;
  // The event's data is the record's ABI encoding, as the contract hashed it.
  const recordHash = recordHashOfWords(event.log.data) as `0x${string}`;
  const before = await context.db.find(chainHead, { id: 1 });
  const count = before?.count ?? 0n;
  if (id !== count + 1n) throw new Error(`entry ${id} arrived after entry ${count}: the indexer would store a wrong head`);
  const head = chainStep(before?.head ?? GENESIS_HEAD, id, signer, recordHash) as `0x${string}`;
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
    validator: lower(validator),
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
  await context.db.insert(commons).values({
    id: event.args.commons,
    name: event.args.name,
    founder: lower(event.args.founder),
    threshold: 1,
    epoch: 0,
    registering: true,
    ...where(event),
  });
  for (const { id } of before) await changeEntry(context.db, id, {}, undefined, false);
});

ponder.on("Ledger:QuorumRuleSet", async ({ event, context }) => {
  const { commons: id, action, acceptsRequired, disputesToBlock, counterpartyConfirms } = event.args;
  // The rule decides the state of every entry of this commons and action, as on chain: their shares move with it.
  const old = await ruleOf(context.db, id, action);
  await context.db
    .insert(quorumRule)
    .values({ commons: id, action, acceptsRequired, disputesToBlock, counterpartyConfirms, ...where(event) })
    .onConflictDoUpdate({ acceptsRequired, disputesToBlock, counterpartyConfirms });
  for (const e of await entriesOf(context.db, id, action)) await changeEntry(context.db, e.id, {}, old);
});

// ---------------------------------------------------------------- who decides (core/governance.ts deriveCommons, kept as events arrive)

/** Where an event was emitted: what orders stewards, roles, rules and commons as the chain readers order them. */
function where(event: { block: { number: bigint }; log: { logIndex: number } }) {
  return { blockNumber: event.block.number, logIndex: event.log.logIndex };
}

/** Starts a new epoch in a commons, unless it is registering (its first steward and threshold start none). */
async function changeStewardship(db: Db, id: `0x${string}`, change: { threshold?: number; endsRegistration?: boolean; always?: boolean }): Promise<boolean> {
  const c = await db.find(commons, { id });
  if (!c) return false;
  await db.update(commons, { id }).set({
    epoch: c.registering && !change.always ? c.epoch : c.epoch + 1,
    ...(change.threshold !== undefined ? { threshold: change.threshold } : {}),
    ...(change.endsRegistration ? { registering: false } : {}),
  });
  return true;
}

ponder.on("Ledger:StewardAdded", async ({ event, context }) => {
  const { commons: id, steward: account, by } = event.args;
  if (await changeStewardship(context.db, id, {}))
    await context.db.insert(steward).values({ commons: id, account: lower(account), by: lower(by), ...where(event) });
});

ponder.on("Ledger:StewardRemoved", async ({ event, context }) => {
  const { commons: id, steward: account } = event.args;
  if (await changeStewardship(context.db, id, { always: true })) await context.db.delete(steward, { commons: id, account: lower(account) });
});

ponder.on("Ledger:StewardThresholdSet", async ({ event, context }) => {
  await changeStewardship(context.db, event.args.commons, { threshold: event.args.threshold, endsRegistration: true });
});

ponder.on("Ledger:RolesSet", async ({ event, context }) => {
  const { commons: id, account, roles } = event.args;
  if (!(await context.db.find(commons, { id }))) return;
  await context.db
    .insert(role)
    .values({ commons: id, account: lower(account), roles, ...where(event) })
    .onConflictDoUpdate({ roles });
});

ponder.on("Ledger:ChangeProposed", async ({ event, context }) => {
  const { proposal: id, commons: c, proposer, change, epoch, expiresAt } = event.args;
  await context.db.insert(proposal).values({
    id,
    commons: c,
    proposer: lower(proposer),
    ...change,
    account: lower(change.account),
    epoch,
    expiresAt: BigInt(expiresAt),
    approvers: [],
    executed: false,
    blockNumber: event.block.number,
  });
});

ponder.on("Ledger:ChangeApproved", async ({ event, context }) => {
  const p = await context.db.find(proposal, { id: event.args.proposal });
  if (p) await context.db.update(proposal, { id: p.id }).set({ approvers: [...p.approvers, lower(event.args.steward)] });
});

ponder.on("Ledger:ChangeExecuted", async ({ event, context }) => {
  if (await context.db.find(proposal, { id: event.args.proposal })) await context.db.update(proposal, { id: event.args.proposal }).set({ executed: true });
});

// ---------------------------------------------------------------- the ReciprocityRegistry

/**
 * A registry event, decoded by the same decodeRegistryLogs the chain readers use: a work, or a
 * record filed under its work's family. Works and records arrive in id order (the registry numbers
 * each from 1); a gap or a repeat stops the indexer rather than let its counts claim what it lacks.
 */
async function onRegistryEvent({ event, context }: { event: RegistryEvent; context: Context }): Promise<void> {
  const log = {
    address: event.log.address,
    topics: event.log.topics,
    data: event.log.data,
    blockNumber: Number(event.block.number),
    transactionHash: event.transaction.hash,
  } as unknown as Log;
  const { works, records } = decodeRegistryLogs([log], event.log.address, new Map([[log.blockNumber, event.block.timestamp]]));
  const db = context.db;
  const head = (await db.find(registryHead, { id: 1 })) ?? { works: 0n, records: 0n };
  const at = { blockNumber: event.block.number, transactionHash: event.transaction.hash };
  for (const w of works) {
    if (w.work !== head.works + 1n) throw new Error(`work ${w.work} arrived after work ${head.works}: the indexer would miscount the registry`);
    await db.insert(work).values({ ...workRow(w), ...at });
    head.works = w.work;
  }
  for (const r of records) {
    if (r.id !== head.records + 1n) throw new Error(`registry record ${r.id} arrived after record ${head.records}: the indexer would miscount the registry`);
    const about = await db.find(work, { id: r.work });
    if (!about) throw new Error(`registry record ${r.id} is about work ${r.work}, which the indexer has not seen registered`);
    await db.insert(reciprocityRecord).values({
      id: r.id,
      type: r.type,
      licensee: r.licensee.toLowerCase() as `0x${string}`,
      work: r.work,
      family: about.family,
      signer: r.signer.toLowerCase() as `0x${string}`,
      entryId: r.type === "settlement" || r.type === "reversal" ? r.entryId : null,
      time: r.time,
      detail: recordJson(r),
      ...at,
    });
    head.records = r.id;
  }
  await db
    .insert(registryHead)
    .values({ id: 1, works: head.works, records: head.records, blockNumber: event.block.number })
    .onConflictDoUpdate({ works: head.works, records: head.records, blockNumber: event.block.number });
}

type RegistryEvent = {
  log: { address: `0x${string}`; topics: readonly `0x${string}`[] | []; data: `0x${string}` };
  block: { number: bigint; timestamp: bigint };
  transaction: { hash: `0x${string}` };
};

// Registered only when the deployment has a registry (ponder.config.ts lists it only then).
if (process.env.COMMONS_REGISTRY)
  for (const name of [
    "WorkRegistered",
    "Declared",
    "Attested",
    "BreachReported",
    "BreachDecided",
    "Granted",
    "Settled",
    "SettlementReversed",
    "BreachesDismissed",
  ] as const)
    ponder.on(`ReciprocityRegistry:${name}`, onRegistryEvent);

// ---------------------------------------------------------------- the IncomeDistributor

/** IIncomeDistributor.Status codes. */
const PUBLISHED = 1;
const CANCELLED = 2;
const ROLLED_OVER = 3;
const STOPPED = 4;

/** Where a distribution stands after an event that ends it (what went back to the commons) or adds to it. */
async function changeDistribution(
  db: Db,
  id: bigint,
  change: (d: typeof distribution.$inferSelect) => Partial<typeof distribution.$inferSelect>,
): Promise<void> {
  const d = await db.find(distribution, { id });
  if (!d) throw new Error(`an event of distribution ${id} arrived before its publication`);
  await db.update(distribution, { id }).set(change(d));
}

// Registered only when the deployment has a distributor (ponder.config.ts lists it only then).
if (process.env.COMMONS_DISTRIBUTOR) {
  ponder.on("IncomeDistributor:DistributionPublished", async ({ event, context }) => {
    const a = event.args;
    await context.db.insert(distribution).values({
      id: a.id,
      commons: a.commons,
      token: lower(a.token),
      by: lower(a.by),
      root: a.root,
      total: a.total,
      income: a.income,
      leafCount: a.leafCount,
      equationHash: a.equationHash,
      ledgerHead: a.ledgerHead,
      cutoff: a.cutoff,
      claimsOpenAt: BigInt(a.claimsOpenAt),
      expiresAt: BigInt(a.expiresAt),
      equationURI: a.equationURI,
      status: PUBLISHED,
      claimed: 0n,
      objected: 0n,
      released: 0n,
      challenges: 0,
      blockNumber: event.block.number,
      transactionHash: event.transaction.hash,
    });
  });

  ponder.on("IncomeDistributor:Claimed", async ({ event, context }) => {
    const { id, index, account, amount, by } = event.args;
    await context.db.insert(claim).values({
      distributionId: id,
      index,
      account: lower(account),
      amount,
      by: lower(by),
      blockNumber: event.block.number,
      transactionHash: event.transaction.hash,
    });
    await changeDistribution(context.db, id, (d) => ({ claimed: d.claimed + amount }));
  });

  const at = (event: { block: { number: bigint }; transaction: { hash: `0x${string}` }; log: { logIndex: number } }) => ({
    ...where(event),
    transactionHash: event.transaction.hash,
  });

  ponder.on("IncomeDistributor:Objected", async ({ event, context }) => {
    const { id, index, account, amount, objected, evidence } = event.args;
    await context.db.insert(objection).values({ distributionId: id, index, account: lower(account), amount, evidence, ...at(event) });
    await changeDistribution(context.db, id, () => ({ objected }));
  });

  ponder.on("IncomeDistributor:DistributionChallenged", async ({ event, context }) => {
    const { id, challenger, evidence } = event.args;
    await context.db.insert(objection).values({ distributionId: id, index: null, account: lower(challenger), amount: 0n, evidence, ...at(event) });
    await changeDistribution(context.db, id, (d) => ({ challenges: d.challenges + 1 }));
  });

  ponder.on("IncomeDistributor:DistributionCancelled", async ({ event, context }) => {
    await changeDistribution(context.db, event.args.id, () => ({ status: CANCELLED, released: event.args.released }));
  });

  ponder.on("IncomeDistributor:DistributionStopped", async ({ event, context }) => {
    const { id, objected, released } = event.args;
    await changeDistribution(context.db, id, () => ({ status: STOPPED, objected, released }));
  });

  ponder.on("IncomeDistributor:RolledOver", async ({ event, context }) => {
    await changeDistribution(context.db, event.args.id, () => ({ status: ROLLED_OVER, released: event.args.amount }));
  });

  ponder.on("IncomeDistributor:Deposited", async ({ event, context }) => {
    const { commons: c, token, from, amount } = event.args;
    await context.db.insert(deposit).values({ commons: c, token: lower(token), from: lower(from), amount, ...at(event) });
  });
}
