// What the indexer keeps, one table per thing the Ledger's events say. Entries carry every record
// field and where it was recorded; their tallies, the counterparty's answer and the correction are
// kept up to date as events arrive, so an entry's state is the contract's `entryState` rule applied
// to them and to the quorum rule of its commons and action (scripts/indexer/src/state.ts).
import { index, onchainTable, primaryKey } from "ponder";

export const entry = onchainTable(
  "entry",
  (t) => ({
    id: t.bigint().primaryKey(),
    signer: t.hex().notNull(),
    /** The record's agent: its provider, else its receiver (a need names only its receiver). */
    agent: t.hex().notNull(),
    flow: t.integer().notNull(),
    action: t.integer().notNull(),
    provider: t.hex().notNull(),
    receiver: t.hex().notNull(),
    commons: t.hex().notNull(),
    resource: t.hex().notNull(),
    resourceSpec: t.hex().notNull(),
    process: t.hex().notNull(),
    side: t.integer().notNull(),
    quantity: t.bigint().notNull(),
    unit: t.hex().notNull(),
    time: t.bigint().notNull(),
    evidence: t.hex().notNull(),
    corrects: t.bigint().notNull(),
    satisfies: t.bigint().notNull(),
    nonce: t.bigint().notNull(),
    deadline: t.bigint().notNull(),
    recordHash: t.hex().notNull(),
    /** The hash-chain head after this entry (bytes24). */
    head: t.hex().notNull(),
    blockNumber: t.bigint().notNull(),
    transactionHash: t.hex().notNull(),
    logIndex: t.integer().notNull(),
    accepts: t.integer().notNull(),
    disputes: t.integer().notNull(),
    /** The counterparty's answer: 0 none, 1 confirmed, 2 refused. */
    answer: t.integer().notNull(),
    correctedBy: t.bigint().notNull(),
  }),
  (table) => ({
    agentIndex: index().on(table.agent),
    commonsActionIndex: index().on(table.commons, table.action),
    satisfiesIndex: index().on(table.satisfies),
    // The intents (flow > 0) among all entries: the needs page's `coordination` read finds them without a scan.
    flowIndex: index().on(table.flow),
    resourceIndex: index().on(table.resource),
    processIndex: index().on(table.process),
  }),
);

export const validation = onchainTable(
  "validation",
  (t) => ({
    entryId: t.bigint().notNull(),
    validator: t.hex().notNull(),
    verdict: t.integer().notNull(),
    evidence: t.hex().notNull(),
    accepts: t.integer().notNull(),
    disputes: t.integer().notNull(),
    blockNumber: t.bigint().notNull(),
    transactionHash: t.hex().notNull(),
    logIndex: t.integer().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.transactionHash, table.logIndex] }),
    entryIndex: index().on(table.entryId),
    validatorIndex: index().on(table.validator),
  }),
);

/** Opinions of accounts not appointed to validate an entry's action: on record, counted nowhere. */
export const endorsement = onchainTable(
  "endorsement",
  (t) => ({
    entryId: t.bigint().notNull(),
    endorser: t.hex().notNull(),
    verdict: t.integer().notNull(),
    evidence: t.hex().notNull(),
    blockNumber: t.bigint().notNull(),
    transactionHash: t.hex().notNull(),
    logIndex: t.integer().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.transactionHash, table.logIndex] }),
    entryIndex: index().on(table.entryId),
    endorserIndex: index().on(table.endorser),
  }),
);

/** The counterparty's answer to an entry (once per entry): its evidence and transaction (the entry row keeps the verdict). */
export const answer = onchainTable("answer", (t) => ({
  entryId: t.bigint().primaryKey(),
  counterparty: t.hex().notNull(),
  verdict: t.integer().notNull(),
  evidence: t.hex().notNull(),
  blockNumber: t.bigint().notNull(),
  transactionHash: t.hex().notNull(),
}));

export const correction = onchainTable("correction", (t) => ({
  entryId: t.bigint().primaryKey(),
  correctionId: t.bigint().notNull(),
  blockNumber: t.bigint().notNull(),
}));

export const skipped = onchainTable(
  "skipped",
  (t) => ({
    kind: t.text().notNull(),
    index: t.bigint().notNull(),
    account: t.hex().notNull(),
    reason: t.hex().notNull(),
    blockNumber: t.bigint().notNull(),
    transactionHash: t.hex().notNull(),
    logIndex: t.integer().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.transactionHash, table.logIndex] }) }),
);

/**
 * The registered commons: name, founder, and who decides (core/governance.ts): how many stewards'
 * approvals a change needs, and the epoch (each change of stewards or threshold after registration
 * starts one; proposals of an earlier epoch are stale).
 */
export const commons = onchainTable("commons", (t) => ({
  id: t.hex().primaryKey(),
  name: t.text().notNull(),
  founder: t.hex().notNull(),
  threshold: t.integer().notNull(),
  epoch: t.integer().notNull(),
  /** Until its registration's own StewardThresholdSet: its first steward and threshold start no epoch. */
  registering: t.boolean().notNull(),
  blockNumber: t.bigint().notNull(),
  logIndex: t.integer().notNull(),
}));

/** A commons' stewards now, each with where it (last) became one. */
export const steward = onchainTable(
  "steward",
  (t) => ({
    commons: t.hex().notNull(),
    account: t.hex().notNull(),
    by: t.hex().notNull(),
    blockNumber: t.bigint().notNull(),
    logIndex: t.integer().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.commons, table.account] }) }),
);

/** Which actions each account may validate in a commons (a bit per action; 0: none any more), and where it was first given roles. */
export const role = onchainTable(
  "role",
  (t) => ({
    commons: t.hex().notNull(),
    account: t.hex().notNull(),
    roles: t.integer().notNull(),
    blockNumber: t.bigint().notNull(),
    logIndex: t.integer().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.commons, table.account] }) }),
);

/** A commons' quorum rule per action its stewards set, and where that action's rule was first set. */
export const quorumRule = onchainTable(
  "quorum_rule",
  (t) => ({
    commons: t.hex().notNull(),
    action: t.integer().notNull(),
    acceptsRequired: t.integer().notNull(),
    disputesToBlock: t.integer().notNull(),
    counterpartyConfirms: t.boolean().notNull(),
    blockNumber: t.bigint().notNull(),
    logIndex: t.integer().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.commons, table.action] }) }),
);

/** The stewards' proposed changes: the change, the epoch it was proposed in, its deadline, who approved, and whether it was executed. */
export const proposal = onchainTable(
  "proposal",
  (t) => ({
    id: t.bigint().primaryKey(),
    commons: t.hex().notNull(),
    proposer: t.hex().notNull(),
    /** core/vocabulary.ts CHANGE_KINDS, by code. */
    kind: t.integer().notNull(),
    account: t.hex().notNull(),
    roles: t.integer().notNull(),
    threshold: t.integer().notNull(),
    action: t.integer().notNull(),
    acceptsRequired: t.integer().notNull(),
    disputesToBlock: t.integer().notNull(),
    counterpartyConfirms: t.boolean().notNull(),
    epoch: t.integer().notNull(),
    expiresAt: t.bigint().notNull(),
    approvers: t.hex().array().notNull(),
    executed: t.boolean().notNull(),
    blockNumber: t.bigint().notNull(),
  }),
  (table) => ({ commonsIndex: index().on(table.commons) }),
);

/** The hash-chain head the indexer has reached, recomputed from the entries it stored (one row, id 1). */
export const chainHead = onchainTable("chain_head", (t) => ({
  id: t.integer().primaryKey(),
  count: t.bigint().notNull(),
  head: t.hex().notNull(),
  blockNumber: t.bigint().notNull(),
}));

/**
 * The accounts, kept up to date as events arrive: per UTC day, agent, commons, action and unit, the
 * events that count (not corrected, of a registered commons) and their quantity claimed, accepted
 * and disputed, as core/views.ts `accounts` counts them. Any period is a sum of days.
 */
export const accountDay = onchainTable(
  "account_day",
  (t) => ({
    key: t.text().primaryKey(),
    day: t.text().notNull(),
    agent: t.hex().notNull(),
    commons: t.hex().notNull(),
    action: t.integer().notNull(),
    unit: t.hex().notNull(),
    entries: t.integer().notNull(),
    claimed: t.bigint().notNull(),
    accepted: t.bigint().notNull(),
    disputed: t.bigint().notNull(),
  }),
  (table) => ({ agentIndex: index().on(table.agent), commonsIndex: index().on(table.commons) }),
);

/**
 * How many entries stand in each flow, kind (contribution or supply-chain flow) and state, kept up
 * to date as events arrive: the ledger's summary (core/views.ts `summaryOf`) without counting rows.
 */
export const stateCount = onchainTable("state_count", (t) => ({
  key: t.text().primaryKey(),
  flow: t.integer().notNull(),
  kind: t.text().notNull(),
  state: t.text().notNull(),
  entries: t.integer().notNull(),
}));

/**
 * How many entries each agent signed in each commons, per flow and state, kept up to date as events
 * arrive: a commons' members and states, an agent's entries per commons (core/overview.ts `entryTallies`).
 */
export const entryTally = onchainTable(
  "entry_tally",
  (t) => ({
    key: t.text().primaryKey(),
    commons: t.hex().notNull(),
    agent: t.hex().notNull(),
    flow: t.integer().notNull(),
    state: t.text().notNull(),
    entries: t.integer().notNull(),
  }),
  (table) => ({ commonsIndex: index().on(table.commons), agentIndex: index().on(table.agent) }),
);

// ---------------------------------------------------------------- the ReciprocityRegistry (when the deployment has one)

/** The works registered under a license, each version with its family, terms, obligation and recognised attesters. */
export const work = onchainTable(
  "work",
  (t) => ({
    id: t.bigint().primaryKey(),
    licensor: t.hex().notNull(),
    family: t.bigint().notNull(),
    /** ppl, copyfair or other. */
    kind: t.text().notNull(),
    supersedes: t.bigint().notNull(),
    termsHash: t.hex().notNull(),
    termsUri: t.text().notNull(),
    shareAlike: t.boolean().notNull(),
    arbiter: t.hex().notNull(),
    commons: t.hex().notNull(),
    obligationAmount: t.bigint().notNull(),
    obligationUnit: t.hex().notNull(),
    obligationPeriod: t.bigint().notNull(),
    attesters: t.hex().array().notNull(),
    blockNumber: t.bigint().notNull(),
    transactionHash: t.hex().notNull(),
  }),
  (table) => ({ familyIndex: index().on(table.family) }),
);

/**
 * The registry's records (declarations, attestations, breach reports and decisions, grants,
 * settlements and their reversals), one row per record id: who and which work family they are
 * about, who signed, when, and the record itself (`detail`, as reciprocity/indexed.ts encodes it).
 * A settlement or reversal names its Ledger entry (`entryId`), so SQL can join it to `entry`.
 */
export const reciprocityRecord = onchainTable(
  "reciprocity_record",
  (t) => ({
    id: t.bigint().primaryKey(),
    type: t.text().notNull(),
    licensee: t.hex().notNull(),
    work: t.bigint().notNull(),
    family: t.bigint().notNull(),
    signer: t.hex().notNull(),
    entryId: t.bigint(),
    time: t.bigint().notNull(),
    blockNumber: t.bigint().notNull(),
    transactionHash: t.hex().notNull(),
    detail: t.json().notNull(),
  }),
  (table) => ({ standingIndex: index().on(table.licensee, table.family), entryIndex: index().on(table.entryId) }),
);

/** How many works and records the indexer holds (one row, id 1): compare them with the registry's counts(). */
export const registryHead = onchainTable("registry_head", (t) => ({
  id: t.integer().primaryKey(),
  works: t.bigint().notNull(),
  records: t.bigint().notNull(),
  blockNumber: t.bigint().notNull(),
}));

// ---------------------------------------------------------------- the IncomeDistributor (when the deployment has one)

/**
 * The published distributions: what each published (root, totals, the equation and the ledger head
 * it was computed at, its windows) and where it stands as its events say: `status` as
 * IIncomeDistributor.Status names it (published, cancelled, rolled over, stopped), what was claimed
 * and objected so far, what went back to the commons, and how often it was challenged.
 */
export const distribution = onchainTable(
  "distribution",
  (t) => ({
    id: t.bigint().primaryKey(),
    commons: t.hex().notNull(),
    token: t.hex().notNull(),
    by: t.hex().notNull(),
    root: t.hex().notNull(),
    total: t.bigint().notNull(),
    income: t.bigint().notNull(),
    leafCount: t.bigint().notNull(),
    equationHash: t.hex().notNull(),
    ledgerHead: t.hex().notNull(),
    cutoff: t.bigint().notNull(),
    claimsOpenAt: t.bigint().notNull(),
    expiresAt: t.bigint().notNull(),
    equationURI: t.text().notNull(),
    status: t.integer().notNull(),
    claimed: t.bigint().notNull(),
    objected: t.bigint().notNull(),
    released: t.bigint().notNull(),
    challenges: t.integer().notNull(),
    blockNumber: t.bigint().notNull(),
    transactionHash: t.hex().notNull(),
  }),
  (table) => ({ commonsIndex: index().on(table.commons) }),
);

/** Shares claimed: one per distribution and leaf, paid to `account`, sent by `by`. */
export const claim = onchainTable(
  "claim",
  (t) => ({
    distributionId: t.bigint().notNull(),
    index: t.bigint().notNull(),
    account: t.hex().notNull(),
    amount: t.bigint().notNull(),
    by: t.hex().notNull(),
    blockNumber: t.bigint().notNull(),
    transactionHash: t.hex().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.distributionId, table.index] }), accountIndex: index().on(table.account) }),
);

/** Contributors' objections to a distribution during its challenge window (enough of them stop it), and challenges with evidence. */
export const objection = onchainTable(
  "objection",
  (t) => ({
    distributionId: t.bigint().notNull(),
    /** The objecting leaf, or null for a challenge (anyone's, with evidence of another root). */
    index: t.bigint(),
    account: t.hex().notNull(),
    amount: t.bigint().notNull(),
    evidence: t.hex().notNull(),
    blockNumber: t.bigint().notNull(),
    transactionHash: t.hex().notNull(),
    logIndex: t.integer().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.transactionHash, table.logIndex] }), distributionIndex: index().on(table.distributionId) }),
);

/** Income deposited for a commons (the zero token: the chain's own currency). */
export const deposit = onchainTable(
  "deposit",
  (t) => ({
    commons: t.hex().notNull(),
    token: t.hex().notNull(),
    from: t.hex().notNull(),
    amount: t.bigint().notNull(),
    blockNumber: t.bigint().notNull(),
    transactionHash: t.hex().notNull(),
    logIndex: t.integer().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.transactionHash, table.logIndex] }), commonsIndex: index().on(table.commons) }),
);
