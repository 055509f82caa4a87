// The indexer's HTTP API: what pages and the CLI ask for, one page or one total at a time, never the
// whole ledger. Ponder's SQL-over-HTTP client (/sql/*) and GraphQL (/graphql) serve everything else.
// An entry's state is the contract's rule (core/views.ts entryStateOf) applied to the tallies, the
// answer and the correction the indexer keeps, and to the quorum rule of its commons and action.
import { Hono } from "hono";
import { getAddress } from "viem";
import { db } from "ponder:api";
import schema from "ponder:schema";
import { and, asc, client, count, countDistinct, desc, eq, graphql, gt, gte, inArray, lte, max, min, or, sql, sum } from "ponder";
import { HEX_ADDRESS } from "../../../lib/core/address.js";
import { explainRevertData } from "../../../lib/core/contract-errors.js";
import { DEFAULT_RULE } from "../../../lib/core/views.js";
import { FLOWS } from "../../../lib/core/vocabulary.js";
import type { QuorumRule } from "../../../lib/core/views.js";
import { consentOf, stateOf } from "../state.js";

const app = new Hono();
app.use("/sql/*", client({ db, schema }));
app.use("/graphql", graphql({ db, schema }));

const MAX_PAGE = 500;
const NEED = FLOWS.indexOf("need");
const COMMITMENT = FLOWS.indexOf("commitment");

/**
 * The tables' statistics, gathered again whenever the ledger has grown by half since they last were.
 * Without them PostgreSQL's planner guesses, and guesses wrong on a large ledger: at 250,000 entries
 * a page of one commons' entries or of the intents took 180 to 330 ms (a bitmap of every entry, or
 * the primary key walked to its end), against under 2 ms with them. A PostgreSQL server gathers them
 * itself (autovacuum); PGlite has no autovacuum, so the embedded indexer would never have any.
 * Gathered when /head (which every client asks for first) finds an entry, then at 1.5 times that
 * count, and so on: about 35 times up to a million entries, a small ledger's in milliseconds. Each
 * time samples at most 30,000 rows a table (about 1.3 s at 250,000 entries on PGlite, during which
 * PGlite answers nothing else), so it costs about as much at a million entries as at 250,000.
 */
let statisticsAt = 0n;
function gatherStatisticsWhenGrown(count: bigint): void {
  if (count === 0n || count * 2n < statisticsAt * 3n) return;
  statisticsAt = count;
  const tables = [schema.entry, schema.entryTally, schema.accountDay, schema.validation, schema.endorsement, schema.reciprocityRecord];
  void (async () => {
    for (const table of tables) await db.execute(sql`ANALYZE ${table}`);
  })().catch((error: unknown) => {
    statisticsAt = 0n; // tried again at the next head
    console.error(`the indexer could not gather its tables' statistics: ${error instanceof Error ? error.message : String(error)}`);
  });
}

/** The head the indexer has reached: compare it with the Ledger's tip(). */
app.get("/head", async (c) => {
  const [row] = await db.select().from(schema.chainHead).where(eq(schema.chainHead.id, 1));
  gatherStatisticsWhenGrown(row?.count ?? 0n);
  return c.json({ count: String(row?.count ?? 0n), head: row?.head ?? "0x" + "00".repeat(24), blockNumber: String(row?.blockNumber ?? 0n) });
});

type EntryRow = typeof schema.entry.$inferSelect;

async function withState(rows: EntryRow[]) {
  const rules = new Map<string, QuorumRule>();
  for (const r of await db.select().from(schema.quorumRule)) rules.set(`${r.commons}:${r.action}`, r);
  return rows.map((e) => ({
    ...Object.fromEntries(Object.entries(e).map(([k, v]) => [k, typeof v === "bigint" ? String(v) : v])),
    consent: consentOf(e),
    state: stateOf(e, rules.get(`${e.commons}:${e.action}`) ?? DEFAULT_RULE),
  }));
}

type Column = Parameters<typeof eq>[0];

/**
 * The filters a request names, checked: `agent` (an address), `commons`, `resource` and `process`
 * (32-byte ids) in lower case as the tables keep them, `action` and `flow` by code (where the table
 * has them); or why not.
 */
function filtersOf(
  query: (key: string) => string | undefined,
  columns: { agent?: Column; commons: Column; action?: Column; flow?: Column; resource?: Column; process?: Column },
) {
  const filters = [];
  for (const [key, length] of [
    ["agent", 42],
    ["commons", 66],
    ["resource", 66],
    ["process", 66],
  ] as const) {
    const v = query(key);
    const column = columns[key];
    if (v === undefined || column === undefined) continue;
    if (!/^0x[0-9a-fA-F]*$/.test(v) || v.length !== length) return { error: `${key} must be 0x and ${length - 2} hex digits, not "${v}"` };
    filters.push(eq(column, v.toLowerCase()));
  }
  for (const key of ["action", "flow"] as const) {
    const v = query(key);
    const column = columns[key];
    if (v === undefined || column === undefined) continue;
    if (!/^\d{1,3}$/.test(v)) return { error: `${key} must be a code (a whole number), not "${v}"` };
    filters.push(eq(column, Number(v)));
  }
  return { filters };
}

/**
 * A page of entries in id order (`order=desc`: the newest first): `from` (the first id, default the
 * first or, newest first, the last), `limit` (1 to 500, default 50), and optionally only one `agent`
 * (address), `commons`, `resource` or `process` (32-byte ids), `action` and `flow` (codes), or with `coordination=1` only
 * the intents (needs, offers, commitments) and the entries that link to one (`satisfies`): what
 * needs and plans are made of. `total` counts the entries that pass the filters.
 */
app.get("/entries", async (c) => {
  const q = (k: string) => c.req.query(k);
  const order = q("order") ?? "asc";
  if (order !== "asc" && order !== "desc") return c.json({ error: `order must be asc or desc, not "${order}"` }, 400);
  const from = q("from") ?? (order === "asc" ? "1" : String(2n ** 63n - 1n));
  const limit = Number(q("limit") ?? "50");
  if (!/^\d{1,19}$/.test(from)) return c.json({ error: `from must be an entry id, not "${from}"` }, 400);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) return c.json({ error: `limit must be a whole number from 1 to ${MAX_PAGE}` }, 400);
  const checked = filtersOf(q, schema.entry);
  if ("error" in checked) return c.json({ error: checked.error }, 400);
  const { filters } = checked;
  // What needs and plans are made of: every intent, and every entry that links to one.
  const coordination = q("coordination");
  if (coordination !== undefined && coordination !== "1") return c.json({ error: `coordination must be 1, not "${coordination}"` }, 400);
  // (Written as ranges, not "not 0", so that the indexes on flow and satisfies find the few such rows among millions.)
  if (coordination) filters.push(or(gt(schema.entry.flow, 0), gt(schema.entry.satisfies, 0n))!);
  const where = and(...filters);
  const rows = await db
    .select()
    .from(schema.entry)
    .where(and(order === "asc" ? gte(schema.entry.id, BigInt(from)) : lte(schema.entry.id, BigInt(from)), where))
    .orderBy(order === "asc" ? asc(schema.entry.id) : desc(schema.entry.id))
    .limit(limit);
  return c.json({ total: await entriesCounted(q, filters, where), entries: await withState(rows) });
});

/**
 * How many entries pass a page's filters, without counting rows where the kept counts say it
 * (counting a million rows for every page would make pages grow with the ledger): no filter, the
 * head's count; only `agent`, `commons` and `flow`, the sum of their tallies (a row per commons,
 * agent, flow and state); otherwise the rows are counted (through an index for agent, resource,
 * process and the coordination read).
 */
async function entriesCounted(q: (k: string) => string | undefined, filters: unknown[], where: ReturnType<typeof and>): Promise<number> {
  if (filters.length === 0) {
    const [head] = await db.select({ total: schema.chainHead.count }).from(schema.chainHead).where(eq(schema.chainHead.id, 1));
    return Number(head?.total ?? 0);
  }
  // The same filters on the tallies' columns (agent, commons, flow): when none is left out, the tallies say it.
  const tallies = filtersOf(q, schema.entryTally).filters ?? [];
  if (tallies.length === filters.length) {
    const [tallied] = await db
      .select({ total: sum(schema.entryTally.entries) })
      .from(schema.entryTally)
      .where(and(...tallies));
    return Number(tallied?.total ?? 0);
  }
  const [counted] = await db.select({ total: count() }).from(schema.entry).where(where);
  return Number(counted?.total ?? 0);
}

/**
 * The accounts per UTC day, contributor, commons, action and unit (only days with entries that
 * count), optionally for one `agent`, `commons` or `action`: any period is a sum of these days.
 */
app.get("/accounts", async (c) => {
  const checked = filtersOf((k) => c.req.query(k), schema.accountDay);
  if ("error" in checked) return c.json({ error: checked.error }, 400);
  const rows = await db
    .select()
    .from(schema.accountDay)
    .where(and(gt(schema.accountDay.entries, 0), ...checked.filters))
    .orderBy(asc(schema.accountDay.key));
  return c.json(
    rows.map((r) => ({ ...r, agent: checksummed(r.agent), claimed: String(r.claimed), accepted: String(r.accepted), disputed: String(r.disputed) })),
  );
});

// Agents' addresses with their checksum, each computed once: the accounts answer them so, sparing a
// first visit of the app a keccak per contributor (tens of milliseconds in a busy browser).
const checksums = new Map<string, string>();
const checksummed = (a: string) => checksums.get(a) ?? checksums.set(a, getAddress(a)).get(a)!;

/** The entries counted per flow (code), kind and state: core/views.ts `summaryOf` gives the ledger's figures from them. */
app.get("/summary", async (c) => {
  const rows = await db.select().from(schema.stateCount).where(gt(schema.stateCount.entries, 0));
  return c.json(rows.map(({ flow, kind, state, entries }) => ({ flow, kind, state, entries })));
});

/** Items batches skipped (records and validations), the latest first, each with the contract's reason in a sentence. */
app.get("/skipped", async (c) => {
  const limit = Number(c.req.query("limit") ?? "50");
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) return c.json({ error: `limit must be a whole number from 1 to ${MAX_PAGE}` }, 400);
  const rows = await db.select().from(schema.skipped).orderBy(desc(schema.skipped.blockNumber), desc(schema.skipped.logIndex)).limit(limit);
  return c.json(
    rows.map((r) => ({
      ...r,
      index: String(r.index),
      blockNumber: String(r.blockNumber),
      why: explainRevertData(r.reason) ?? `the contract's reason ${r.reason}`,
    })),
  );
});

const byPlace = (t: { blockNumber: Column; logIndex: Column }) => [asc(t.blockNumber), asc(t.logIndex)];

/** The commons registered on the Ledger, with the names they were registered under and how many entries name each. */
app.get("/commons", async (c) => {
  const [rows, tallied] = await Promise.all([
    db
      .select({ id: schema.commons.id, name: schema.commons.name, founder: schema.commons.founder, blockNumber: schema.commons.blockNumber })
      .from(schema.commons)
      .orderBy(...byPlace(schema.commons)),
    db
      .select({ commons: schema.entryTally.commons, entries: sum(schema.entryTally.entries) })
      .from(schema.entryTally)
      .groupBy(schema.entryTally.commons),
  ]);
  const entries = new Map(tallied.map((t) => [t.commons, Number(t.entries ?? 0)]));
  return c.json(rows.map((r) => ({ ...r, blockNumber: String(r.blockNumber), entries: entries.get(r.id) ?? 0 })));
});

/**
 * How many entries each agent signed in each commons, per flow (code) and state, for one `commons`
 * or one `agent` (one of them is required: a commons' members and states, an agent's entries per
 * commons; core/overview.ts makes the Commons and Person pages' overviews from them).
 */
app.get("/tallies", async (c) => {
  const checked = filtersOf((k) => c.req.query(k), schema.entryTally);
  if ("error" in checked) return c.json({ error: checked.error }, 400);
  if (checked.filters.length === 0) return c.json({ error: "give a commons (commons=0x…) or an agent (agent=0x…)" }, 400);
  const rows = await db
    .select()
    .from(schema.entryTally)
    .where(and(gt(schema.entryTally.entries, 0), ...checked.filters))
    .orderBy(asc(schema.entryTally.key));
  return c.json(rows.map(({ commons, agent, flow, state, entries }) => ({ commons, agent, flow, state, entries })));
});

/**
 * One agent's activity (core/overview.ts `Activity`): the verdicts it gave as an appointed validator
 * and the opinions it gave as endorsements; the verdicts and endorsements its entries received, and
 * from how many validators; the time of its first and last entry. Each is one indexed query.
 */
app.get("/people/:address", async (c) => {
  const address = c.req.param("address");
  if (!HEX_ADDRESS.test(address)) return c.json({ error: `"${address}" is not an address (0x and 40 hex digits)` }, 400);
  const a = address.toLowerCase() as `0x${string}`;
  const v = schema.validation;
  const [given, endorsed, received, validators, endorsements, times] = await Promise.all([
    db.select({ verdict: v.verdict, n: count() }).from(v).where(eq(v.validator, a)).groupBy(v.verdict),
    db.select({ n: count() }).from(schema.endorsement).where(eq(schema.endorsement.endorser, a)),
    db
      .select({ verdict: v.verdict, n: count() })
      .from(v)
      .innerJoin(schema.entry, eq(schema.entry.id, v.entryId))
      .where(eq(schema.entry.agent, a))
      .groupBy(v.verdict),
    db
      .select({ n: countDistinct(v.validator) })
      .from(v)
      .innerJoin(schema.entry, eq(schema.entry.id, v.entryId))
      .where(eq(schema.entry.agent, a)),
    db
      .select({ n: count() })
      .from(schema.endorsement)
      .innerJoin(schema.entry, eq(schema.entry.id, schema.endorsement.entryId))
      .where(eq(schema.entry.agent, a)),
    db
      .select({ first: min(schema.entry.time), last: max(schema.entry.time) })
      .from(schema.entry)
      .where(eq(schema.entry.agent, a)),
  ]);
  const verdicts = (rows: { verdict: number; n: number }[]) => ({
    accepts: rows.find((r) => r.verdict === 0)?.n ?? 0,
    disputes: rows.find((r) => r.verdict === 1)?.n ?? 0,
  });
  const [span] = times;
  return c.json({
    given: { ...verdicts(given), endorsements: endorsed[0]?.n ?? 0 },
    received: { ...verdicts(received), endorsements: endorsements[0]?.n ?? 0, validators: validators[0]?.n ?? 0 },
    first: span?.first == null ? null : String(span.first),
    last: span?.last == null ? null : String(span.last),
  });
});

/**
 * Who decides in each commons, in registration order (core/governance.ts `commonsView` makes the
 * view people read from it): threshold and epoch, stewards in the order they became stewards,
 * every account given roles (0: none any more) in the order they were first given some, the rules
 * in the order their actions were first set, and the proposals in id order with their approvers.
 */
app.get("/governance", async (c) => {
  const [all, stewards, roles, rules, proposals] = await Promise.all([
    db
      .select()
      .from(schema.commons)
      .orderBy(...byPlace(schema.commons)),
    db
      .select()
      .from(schema.steward)
      .orderBy(...byPlace(schema.steward)),
    db
      .select()
      .from(schema.role)
      .orderBy(...byPlace(schema.role)),
    db
      .select()
      .from(schema.quorumRule)
      .orderBy(...byPlace(schema.quorumRule)),
    db.select().from(schema.proposal).orderBy(asc(schema.proposal.id)),
  ]);
  const of = <T extends { commons: string }>(rows: T[], id: string) => rows.filter((r) => r.commons === id);
  return c.json(
    all.map((x) => ({
      id: x.id,
      name: x.name,
      founder: x.founder,
      threshold: x.threshold,
      epoch: x.epoch,
      stewards: of(stewards, x.id).map((r) => r.account),
      roles: of(roles, x.id).map((r) => [r.account, r.roles]),
      rules: of(rules, x.id).map(({ action, acceptsRequired, disputesToBlock, counterpartyConfirms }) => ({
        action,
        acceptsRequired,
        disputesToBlock,
        counterpartyConfirms,
      })),
      proposals: of(proposals, x.id).map((p) => ({ ...p, id: String(p.id), expiresAt: String(p.expiresAt), blockNumber: String(p.blockNumber) })),
    })),
  );
});

/** One entry with its validations, the endorsements of accounts not appointed (counted nowhere) and the counterparty's answer. */
/** One entry's row, if the indexer holds it. */
async function entryById(id: bigint): Promise<EntryRow | undefined> {
  const [row] = await db.select().from(schema.entry).where(eq(schema.entry.id, id));
  return row;
}

app.get("/entries/:id", async (c) => {
  const id = c.req.param("id");
  if (!/^\d{1,19}$/.test(id)) return c.json({ error: `"${id}" is not an entry id` }, 400);
  const row = await entryById(BigInt(id));
  if (!row) return c.json({ error: `no entry ${id} (yet)` }, 404);
  const [e] = await withState([row]);
  const entryId = BigInt(id);
  const byLog = (t: typeof schema.validation | typeof schema.endorsement) => [asc(t.blockNumber), asc(t.logIndex)];
  const [validations, endorsements, [answered]] = await Promise.all([
    db
      .select()
      .from(schema.validation)
      .where(eq(schema.validation.entryId, entryId))
      .orderBy(...byLog(schema.validation)),
    db
      .select()
      .from(schema.endorsement)
      .where(eq(schema.endorsement.entryId, entryId))
      .orderBy(...byLog(schema.endorsement)),
    db.select().from(schema.answer).where(eq(schema.answer.entryId, entryId)),
  ]);
  const strings = <T extends { entryId: bigint; blockNumber: bigint }>(r: T) => ({ ...r, entryId: String(r.entryId), blockNumber: String(r.blockNumber) });
  return c.json({
    ...e,
    validations: validations.map(strings),
    endorsements: endorsements.map(strings),
    answered: answered ? strings(answered) : null,
  });
});

/** The versions of an entry: back along what each corrects, forward along what corrected it (ids ascending). */
async function versionsOf(first: EntryRow): Promise<EntryRow[]> {
  const chain = [first];
  // Corrections point back (the contract refuses a later id), so each walk ends.
  for (let e = first; e.corrects !== 0n && e.corrects < e.id;) {
    const older = await entryById(e.corrects);
    if (!older) break;
    chain.unshift((e = older));
  }
  for (let e = first; e.correctedBy > e.id;) {
    const newer = await entryById(e.correctedBy);
    if (!newer) break;
    chain.push((e = newer));
  }
  return chain;
}

/**
 * One need with what answers it: every version of the need (any of their ids may be asked for), the
 * entries that name one of them (`satisfies`), every version of the commitments among those, and
 * the entries that name one of those. That is all supply.ts deriveNeeds reads to give the need's
 * progress, commitments and satisfiers (a need's chain is one level deep: need <- commitment <- event),
 * so a reader derives the need from these entries alone as from the whole ledger. `need` is the id of
 * its standing version, or null when the entry asked for is not a need.
 */
app.get("/needs/:id", async (c) => {
  const id = c.req.param("id");
  if (!/^\d{1,19}$/.test(id)) return c.json({ error: `"${id}" is not an entry id` }, 400);
  const asked = await entryById(BigInt(id));
  if (!asked) return c.json({ error: `no entry ${id} (yet)` }, 404);
  // Not a need: the entry alone, and no need (a reader says what it is).
  if (asked.flow !== NEED) return c.json({ need: null, entries: await withState([asked]) });
  const need = await versionsOf(asked);
  const naming = async (ids: bigint[]) => (ids.length ? db.select().from(schema.entry).where(inArray(schema.entry.satisfies, ids)) : []);
  const direct = await naming(need.map((e) => e.id));
  const commitments = (await Promise.all(direct.filter((e) => e.flow === COMMITMENT).map(versionsOf))).flat();
  const viaCommitments = await naming([...new Set(commitments.map((e) => e.id))]);
  const byId = new Map<bigint, EntryRow>();
  for (const e of [...need, ...direct, ...commitments, ...viaCommitments]) byId.set(e.id, e);
  const rows = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  return c.json({ need: String(need.at(-1)!.id), entries: await withState(rows) });
});

// ---------------------------------------------------------------- the ReciprocityRegistry

/** How far the indexer has read the registry (compare with its counts()), and which registry it reads (null: none). */
app.get("/reciprocity/head", async (c) => {
  const [row] = await db.select().from(schema.registryHead).where(eq(schema.registryHead.id, 1));
  return c.json({
    registry: process.env.COMMONS_REGISTRY || null,
    works: String(row?.works ?? 0n),
    records: String(row?.records ?? 0n),
    blockNumber: String(row?.blockNumber ?? 0n),
  });
});

/** A whole number the registry numbers things by (a work, a family, a record, an entry), or why not. */
function idParam(c: { req: { query(key: string): string | undefined } }, key: string): bigint | undefined | { error: string } {
  const v = c.req.query(key);
  if (v === undefined) return undefined;
  if (!/^\d{1,19}$/.test(v)) return { error: `${key} must be a whole number (at most 19 digits), not "${v}"` };
  return BigInt(v);
}

/** The registered works (every version), optionally of one `family`, in id order. */
app.get("/reciprocity/works", async (c) => {
  const family = idParam(c, "family");
  if (typeof family === "object") return c.json(family, 400);
  const rows = await db
    .select()
    .from(schema.work)
    .where(family === undefined ? undefined : eq(schema.work.family, family))
    .orderBy(asc(schema.work.id));
  return c.json(rows.map((w) => Object.fromEntries(Object.entries(w).map(([k, v]) => [k, typeof v === "bigint" ? String(v) : v]))));
});

/**
 * A page of the registry's records in id order: `from` (the first id, default 1), `limit` (1 to 500,
 * default 500), and optionally only one `licensee`'s, one work `family`'s, or those naming one Ledger
 * `entry` (settlements and reversals). Each is the record as decoded from its event (`detail`).
 */
app.get("/reciprocity/records", async (c) => {
  const filters = [];
  const licensee = c.req.query("licensee");
  if (licensee !== undefined) {
    if (!HEX_ADDRESS.test(licensee)) return c.json({ error: `licensee must be 0x and 40 hex digits, not "${licensee}"` }, 400);
    filters.push(eq(schema.reciprocityRecord.licensee, licensee.toLowerCase() as `0x${string}`));
  }
  for (const [key, column] of [
    ["family", schema.reciprocityRecord.family],
    ["entry", schema.reciprocityRecord.entryId],
  ] as const) {
    const v = idParam(c, key);
    if (typeof v === "object") return c.json(v, 400);
    if (v !== undefined) filters.push(eq(column, v));
  }
  const from = idParam(c, "from") ?? 1n;
  if (typeof from === "object") return c.json(from, 400);
  const limit = Number(c.req.query("limit") ?? String(MAX_PAGE));
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) return c.json({ error: `limit must be a whole number from 1 to ${MAX_PAGE}` }, 400);
  const rows = await db
    .select({ detail: schema.reciprocityRecord.detail })
    .from(schema.reciprocityRecord)
    .where(and(gte(schema.reciprocityRecord.id, from), ...filters))
    .orderBy(asc(schema.reciprocityRecord.id))
    .limit(limit);
  return c.json(rows.map((r) => r.detail));
});

// ---------------------------------------------------------------- the IncomeDistributor

/** Bigints as decimal strings, for JSON. */
const strings = <T extends object>(row: T) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === "bigint" ? String(v) : v]));

/** The published distributions in id order, optionally of one `commons`, each with where it stands. */
app.get("/distributions", async (c) => {
  const checked = filtersOf((k) => c.req.query(k), { commons: schema.distribution.commons });
  if ("error" in checked) return c.json({ error: checked.error }, 400);
  const rows = await db
    .select()
    .from(schema.distribution)
    .where(and(...checked.filters))
    .orderBy(asc(schema.distribution.id));
  return c.json(rows.map(strings));
});

/** One distribution with its claims (by leaf) and its objections and challenges (in order). */
app.get("/distributions/:id", async (c) => {
  const id = c.req.param("id");
  if (!/^\d{1,19}$/.test(id)) return c.json({ error: `"${id}" is not a distribution id` }, 400);
  const [d] = await db
    .select()
    .from(schema.distribution)
    .where(eq(schema.distribution.id, BigInt(id)));
  if (!d) return c.json({ error: `no distribution ${id} (yet)` }, 404);
  const [claims, objections] = await Promise.all([
    db.select().from(schema.claim).where(eq(schema.claim.distributionId, d.id)).orderBy(asc(schema.claim.index)),
    db
      .select()
      .from(schema.objection)
      .where(eq(schema.objection.distributionId, d.id))
      .orderBy(asc(schema.objection.blockNumber), asc(schema.objection.logIndex)),
  ]);
  return c.json({ ...strings(d), claims: claims.map(strings), objections: objections.map(strings) });
});

/** Income deposited, in order, optionally for one `commons`. */
app.get("/deposits", async (c) => {
  const checked = filtersOf((k) => c.req.query(k), { commons: schema.deposit.commons });
  if ("error" in checked) return c.json({ error: checked.error }, 400);
  const rows = await db
    .select()
    .from(schema.deposit)
    .where(and(...checked.filters))
    .orderBy(asc(schema.deposit.blockNumber), asc(schema.deposit.logIndex));
  return c.json(rows.map(strings));
});

export default app;
