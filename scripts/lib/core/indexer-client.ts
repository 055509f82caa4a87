// Reading the ledger through the indexer (scripts/indexer/) instead of the chain's logs: its head,
// checked against the Ledger's tip() before anything it says is used, and its entries as the same
// EntryView every other reader derives (state, consent and tallies as the indexer keeps them, which
// test/helpers/indexer-suite.ts holds equal to the chain reader's and to Ledger.entryState). Browser-safe.
import { getAddress, id } from "ethers";
import { counterpartyOf, decodeUnit } from "./record.js";
import type { LedgerRecord } from "./record.js";
import type { Entry } from "./reader.js";
import type { Consent, DayTotals, EntryView, EventKind, StateCount } from "./views.js";
import { commonsView, describeChange } from "./governance.js";
import type { Activity, EntryTally } from "./overview.js";
import type { CommonsState, CommonsView } from "./governance.js";
import { ACTIONS, CHANGE_KINDS, codeOf, ENTRY_STATES, FLOWS } from "./vocabulary.js";
import type { ActionName, ChangeKindName, EntryStateName, FlowName } from "./vocabulary.js";
import { HEX_ADDRESS } from "./address.js";

export class IndexerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "IndexerError";
  }
}

/** A value as JSON carries it: bigints as decimal strings. */
type Json<T> = { [K in keyof T]: T[K] extends bigint ? string : T[K] };

/** An entry as the indexer's /entries answers it: the record's fields and where and how it stands. */
export type IndexedEntry = Json<LedgerRecord> & {
  id: string;
  signer: string;
  agent: string;
  recordHash: string;
  head: string;
  blockNumber: string;
  transactionHash: string;
  logIndex: number;
  accepts: number;
  disputes: number;
  correctedBy: string;
  state: EntryStateName;
  consent: Consent;
};

export interface IndexerHead {
  count: bigint;
  head: string;
  blockNumber: bigint;
}

export async function indexerJson<T>(url: string, what: string): Promise<T>;
export async function indexerJson<T>(url: string, what: string, opts: { missing: "undefined" }): Promise<T | undefined>;
/** The indexer's JSON answer for `what`, or why not in a sentence; with `missing`, undefined for a 404. */
export async function indexerJson<T>(url: string, what: string, opts?: { missing: "undefined" }): Promise<T | undefined> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new IndexerError(`the indexer at ${new URL(url).origin} cannot be reached (${(error as Error).message}) for ${what}`);
  }
  if (response.status === 404 && opts) return undefined;
  const body = (await response.json().catch(() => undefined)) as (T & { error?: string }) | undefined;
  if (!response.ok || body === undefined)
    throw new IndexerError(`the indexer at ${new URL(url).origin} answered ${response.status} for ${what}${body?.error ? `: ${body.error}` : ""}`);
  return body;
}

/** The indexer's JSON answer for `what` that must be a list of records, or why not in a sentence. */
export async function indexerList<T extends object>(url: string, what: string): Promise<T[]> {
  const body = await indexerJson<unknown>(url, what);
  const clip = (v: unknown) => {
    const text = JSON.stringify(v) ?? String(v);
    return text.length > 60 ? `${text.slice(0, 60)}…` : text;
  };
  const origin = new URL(url).origin;
  if (!Array.isArray(body)) throw new IndexerError(`the indexer at ${origin} answered ${clip(body)} for ${what}, not a list`);
  const bad = body.findIndex((row) => typeof row !== "object" || row === null || Array.isArray(row));
  if (bad >= 0) throw new IndexerError(`the indexer at ${origin} answered ${clip(body[bad])} as item ${bad + 1} of ${what}, not a record`);
  return body as T[];
}

/** The head the indexer has reached. */
export async function indexerHead(url: string): Promise<IndexerHead> {
  const h = await indexerJson<{ count: unknown; head: unknown; blockNumber: unknown }>(`${url}/head`, "its head");
  const whole = (v: unknown) => typeof v === "string" && /^\d{1,30}$/.test(v);
  if (!whole(h.count) || !whole(h.blockNumber) || typeof h.head !== "string" || !/^0x[0-9a-f]{48}$/.test(h.head))
    throw new IndexerError(
      `the indexer at ${new URL(url).origin} answered ${JSON.stringify(h).slice(0, 200)} for its head, which is not a count, a head and a block`,
    );
  return { count: BigInt(h.count as string), head: h.head, blockNumber: BigInt(h.blockNumber as string) };
}

/** The Ledger's tip(): how many entries it holds and its hash-chain head. */
export interface Tip {
  count: bigint;
  head: string;
}

/** The 4-byte selector of the Ledger's `tip()` (the first 4 bytes of keccak256("tip()")). */
const TIP_SELECTOR = id("tip()").slice(0, 10);

/** How long `ledgerTip` waits for the node before it gives up (a timeout, which rpcRetry tries again). */
export const TIP_TIMEOUT_MS = 10_000;

/**
 * The Ledger's tip() read with one JSON-RPC `eth_call` over fetch (no provider or ABI: the app checks
 * its indexer against it every 2 s, from the first moment of a visit). Fails with the node's
 * error (as ethers shapes one, so that `classifyRpcError` and `rpcRetry` read it), the HTTP status,
 * or an answer that is not a count and a head.
 */
export async function ledgerTip(rpcUrl: string, ledger: string, timeoutMs = TIP_TIMEOUT_MS): Promise<Tip> {
  const response = await fetch(rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_call", params: [{ to: ledger, data: TIP_SELECTOR }, "latest"] }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok)
    throw Object.assign(new Error(`the RPC answered ${response.status}`), { info: { responseStatus: `${response.status} ${response.statusText}` } });
  const body = (await response.json()) as { result?: unknown; error?: { code?: unknown; message?: unknown } };
  if (body.error) throw Object.assign(new Error(String(body.error.message)), { error: body.error });
  // (uint64 count, bytes24 head): two words, the count right-aligned, the head left-aligned.
  const words = typeof body.result === "string" ? /^0x(0{48}[0-9a-fA-F]{16})([0-9a-fA-F]{48})0{16}$/.exec(body.result) : null;
  if (!words) {
    const shown = JSON.stringify(body.result) ?? "nothing";
    throw new Error(
      `the Ledger at ${ledger} answered ${shown.length > 80 ? `${shown.slice(0, 80)}…` : shown} for tip(), not a count and a head (is it a Ledger?)`,
    );
  }
  return { count: BigInt(`0x${words[1]}`), head: `0x${words[2]!.toLowerCase()}` };
}

/** Whether the indexer may be used: its head is the tip's; or why not (`behind`: it holds fewer entries than the tip, and may catch up). */
export type IndexerCheck = { ok: true; head: IndexerHead } | { ok: false; reason: string; behind?: boolean };

/**
 * Waits (up to `waitMs`) for the indexer to reach the chain's tip, then says whether its head is the
 * tip's: the indexer is used only then. An indexer found ahead of the tip is asked again against a
 * tip read afresh (an entry may have been recorded between the two reads). The reason is a
 * sentence for the person who asked.
 */
export async function checkIndexer(url: string, readTip: () => Promise<Tip>, waitMs = 5_000): Promise<IndexerCheck> {
  const until = Date.now() + waitMs;
  // The first tip and head are asked for at once.
  let [tip, first]: [Tip, IndexerHead | undefined] = await Promise.all([readTip(), indexerHead(url)]);
  for (let rereads = 0; ; first = undefined) {
    const head = first ?? (await indexerHead(url));
    if (head.count === tip.count && head.head === tip.head) return { ok: true, head };
    if (head.count > tip.count && rereads++ === 0) {
      tip = await readTip();
      continue;
    }
    if (head.count > tip.count || (head.count === tip.count && head.head !== tip.head) || Date.now() > until)
      return {
        ok: false,
        reason: `the indexer at ${url} is at entry ${head.count} with head ${head.head}, the Ledger's tip is entry ${tip.count} with head ${tip.head}`,
        behind: head.count < tip.count,
      };
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Where a page that can read through an indexer reads from, decided from the latest check of the
 * indexer against the Ledger's tip (the app's accounts and entries pages check it every 2 s).
 */
export type Source =
  /** The indexer's head is the Ledger's tip (or was, `catchingUp` ms ago): pages ask it for what they show. */
  | { kind: "indexer"; url: string; head: IndexerHead; catchingUp?: string }
  /** The indexer is being checked against the tip. */
  | { kind: "checking"; url: string }
  /** The chain itself: no indexer, the visitor audits the whole ledger, or the indexer failed its check (`reason`). */
  | { kind: "chain"; audit: boolean; reason?: string };

/** How long pages keep showing what the indexer answered at its last checked head while it catches up with new entries. */
export const CATCH_UP_MS = 30_000;

/**
 * Where pages read from, given the latest check (`checkedAt` ms): the indexer when its head is the
 * tip's; while it is only behind (entries it has not indexed yet), at the head it was last found at
 * the tip, for up to CATCH_UP_MS after that; otherwise the chain, with the check's reason. `last`
 * keeps the last head found at the tip per indexer.
 */
export function sourceOf(url: string, check: IndexerCheck | undefined, checkedAt: number, last: Map<string, { head: IndexerHead; at: number }>): Source {
  if (!check) return { kind: "checking", url };
  if (check.ok) {
    last.set(url, { head: check.head, at: checkedAt });
    return { kind: "indexer", url, head: check.head };
  }
  const previous = last.get(url);
  if (check.behind && previous && checkedAt - previous.at <= CATCH_UP_MS) return { kind: "indexer", url, head: previous.head, catchingUp: check.reason };
  return { kind: "chain", audit: false, reason: check.reason };
}

/** An indexed entry as the EntryView the chain reader would derive (its validations are not loaded). */
export function viewOfIndexed(e: IndexedEntry, registered: ReadonlySet<string>): EntryView {
  const record: LedgerRecord = {
    flow: e.flow,
    action: e.action,
    provider: getAddress(e.provider),
    receiver: getAddress(e.receiver),
    commons: e.commons,
    resource: e.resource,
    resourceSpec: e.resourceSpec,
    process: e.process,
    side: e.side,
    quantity: BigInt(e.quantity),
    unit: e.unit,
    time: BigInt(e.time),
    evidence: e.evidence,
    corrects: BigInt(e.corrects),
    satisfies: BigInt(e.satisfies),
    nonce: BigInt(e.nonce),
    deadline: BigInt(e.deadline),
  };
  const entry: Entry = {
    id: BigInt(e.id),
    signer: getAddress(e.signer),
    commons: e.commons,
    record,
    recordHash: e.recordHash,
    blockNumber: Number(e.blockNumber),
    transactionHash: e.transactionHash,
    logIndex: e.logIndex,
  };
  codeOf(ENTRY_STATES, e.state, "state"); // a state the indexer should not answer is refused here
  const agent = getAddress(e.agent);
  return {
    entry,
    id: entry.id,
    flow: FLOWS[e.flow] as FlowName,
    action: ACTIONS[e.action] as ActionName,
    agent,
    unit: decodeUnit(e.unit),
    state: e.state,
    accepts: e.accepts,
    disputes: e.disputes,
    correctedBy: BigInt(e.correctedBy),
    registered: registered.has(e.commons.toLowerCase()),
    validations: [],
    endorsements: [],
    counterparty: counterpartyOf(record),
    consent: e.consent,
  };
}

/** One entry as the indexer's /entries/<id> answers it: with its validations, endorsements and the counterparty's answer. */
interface IndexedEntryDetail extends IndexedEntry {
  validations: { validator: string; verdict: number; evidence: string; transactionHash: string }[];
  endorsements: { endorser: string; verdict: number; evidence: string; transactionHash: string }[];
  answered: { evidence: string; transactionHash: string } | null;
}

/**
 * One entry as the EntryView the chain reader derives, with its validations, endorsements and the
 * counterparty's answer; undefined when the indexer has no such entry (yet).
 */
export async function indexedEntry(url: string, id: bigint, registered: ReadonlySet<string>): Promise<EntryView | undefined> {
  const e = await indexerJson<IndexedEntryDetail>(`${url}/entries/${id}`, `entry ${id}`, { missing: "undefined" });
  if (e === undefined) return undefined;
  const verdict = (v: number) => (v === 0 ? ("accept" as const) : ("dispute" as const));
  return {
    ...viewOfIndexed(e, registered),
    validations: e.validations.map((v) => ({
      validator: getAddress(v.validator),
      verdict: verdict(v.verdict),
      evidence: v.evidence,
      transactionHash: v.transactionHash,
    })),
    endorsements: e.endorsements.map((v) => ({
      endorser: getAddress(v.endorser),
      verdict: verdict(v.verdict),
      evidence: v.evidence,
      transactionHash: v.transactionHash,
    })),
    ...(e.answered ? { answer: { evidence: e.answered.evidence, transactionHash: e.answered.transactionHash } } : {}),
  };
}

/**
 * One need and what answers it, as the indexer's /needs/<id> gives them: `need` the id of its
 * standing version (any version's id may be asked for), `views` every entry supply.ts deriveNeeds
 * reads for it (its versions, the entries that name one, the commitments' versions and the entries
 * that name those; `need` undefined and the entry alone when it is not a need). Undefined when the
 * indexer has no entry `id` (yet); an IndexerError when the answer does not hold the entries it
 * names. supply.ts needOf over `views` gives the need, or why there is none.
 */
export async function indexedNeed(
  url: string,
  id: bigint,
  registered: ReadonlySet<string>,
): Promise<{ need: bigint | undefined; views: EntryView[] } | undefined> {
  const answer = await indexerJson<{ need: string | null; entries: IndexedEntry[] }>(`${url}/needs/${id}`, `need ${id}`, { missing: "undefined" });
  if (answer === undefined) return undefined;
  const views = answer.entries.map((e) => viewOfIndexed(e, registered));
  const need = answer.need === null ? undefined : /^\d{1,19}$/.test(String(answer.need)) ? BigInt(answer.need) : -1n;
  const holds = (x: bigint) => views.some((v) => v.id === x);
  if (need === -1n || (need !== undefined && !holds(need)) || !holds(id))
    throw new IndexerError(`the indexer at ${new URL(url).origin} answered need ${id} without the entries it names (need ${String(answer.need).slice(0, 40)})`);
  return { need, views };
}

/** Filters the indexer applies itself (the rest a reader applies to the views). */
export interface IndexerFilter {
  agent?: string;
  commons?: string;
  action?: ActionName;
  flow?: FlowName;
  /** Only the intents and the entries that link to one (`satisfies`): all that needs and plans are derived from (supply.ts deriveNeeds). */
  coordination?: boolean;
  /** Only the entries naming one resource, or one process (32-byte ids): what a trace or a track walks (supply.ts). */
  resource?: string;
  process?: string;
}

/** A filter as the indexer's query parameters: addresses and ids in lower case, action and flow by code. */
function filterParams(filter: IndexerFilter): URLSearchParams {
  const q = new URLSearchParams();
  if (filter.agent) q.set("agent", filter.agent.toLowerCase());
  if (filter.commons) q.set("commons", filter.commons.toLowerCase());
  if (filter.action) q.set("action", String(ACTIONS.indexOf(filter.action)));
  if (filter.flow) q.set("flow", String(FLOWS.indexOf(filter.flow)));
  if (filter.coordination) q.set("coordination", "1");
  if (filter.resource) q.set("resource", filter.resource.toLowerCase());
  if (filter.process) q.set("process", filter.process.toLowerCase());
  return q;
}

/** The registered commons, with the names they were registered under and how many entries name each. */
export async function indexedCommons(url: string): Promise<{ id: string; name: string; founder: string; entries: number }[]> {
  return indexerList(`${url}/commons`, "the commons");
}

/** The registered commons' ids (lower case), as `viewOfIndexed` needs them. */
export async function registeredCommons(url: string): Promise<Set<string>> {
  return new Set((await indexedCommons(url)).map((c) => c.id.toLowerCase()));
}

/** One page of entries: `from` the first id (the newest when `order` is "desc"), at most `limit` (1 to 500). */
export interface PageRequest {
  from?: bigint;
  limit?: number;
  order?: "asc" | "desc";
  filter?: IndexerFilter;
}

/** A page of entries as EntryViews, `total` the entries that pass the filter, and the id the next page starts from (if any). */
export async function indexedPage(
  url: string,
  request: PageRequest,
  registered: ReadonlySet<string>,
): Promise<{ total: number; views: EntryView[]; next?: bigint }> {
  const limit = request.limit ?? 50;
  const q = filterParams(request.filter ?? {});
  q.set("limit", String(limit));
  if (request.from !== undefined) q.set("from", String(request.from));
  if (request.order === "desc") q.set("order", "desc");
  const page = await indexerJson<{ total: number; entries: IndexedEntry[] }>(`${url}/entries?${q}`, "a page of entries");
  const views = page.entries.map((e) => viewOfIndexed(e, registered));
  const last = views.at(-1)?.id;
  const next = views.length < limit || last === undefined ? undefined : request.order === "desc" ? (last > 1n ? last - 1n : undefined) : last + 1n;
  return { total: page.total, views, next };
}

/** Every entry that passes `filter`, page by page (500 at a time), as EntryViews (`registered`: the registered commons, read if not given). */
export async function indexedViews(url: string, filter: IndexerFilter = {}, registered?: ReadonlySet<string>): Promise<EntryView[]> {
  const known = registered ?? (await registeredCommons(url));
  const views: EntryView[] = [];
  for (let from: bigint | undefined = 1n; from !== undefined;) {
    const page = await indexedPage(url, { from, limit: 500, filter }, known);
    views.push(...page.views);
    from = page.next;
  }
  return views;
}

/**
 * Every entry naming one of `resources` or `processes` (what a trace or a track walks: supply.ts
 * `walkReading` loads them so). An entry the indexer answers that names none of them is left out.
 */
export async function indexedEntriesNaming(
  url: string,
  want: { resources: readonly string[]; processes: readonly string[] },
  registered: ReadonlySet<string>,
): Promise<EntryView[]> {
  const filters: IndexerFilter[] = [...want.resources.map((resource) => ({ resource })), ...want.processes.map((process) => ({ process }))];
  const pages = await Promise.all(filters.map((f) => indexedViews(url, f, registered)));
  // Only what was asked for: an entry that names none of them is the indexer's error, not part of the walk.
  return pages.flatMap((views, i) => {
    const f = filters[i]!;
    return views.filter((v) =>
      f.resource !== undefined
        ? v.entry.record.resource.toLowerCase() === f.resource.toLowerCase()
        : v.entry.record.process.toLowerCase() === f.process!.toLowerCase(),
    );
  });
}

/** The accounts the indexer keeps per day, contributor, commons, action and unit (`accountsFromDays` and `totalsFromDays` sum them). */
export async function indexedAccountDays(url: string, filter: Pick<IndexerFilter, "agent" | "commons" | "action"> = {}): Promise<DayTotals[]> {
  const q = filterParams(filter);
  const rows = await indexerList<{
    day: string;
    agent: string;
    commons: string;
    action: number;
    unit: string;
    entries: number;
    claimed: string;
    accepted: string;
    disputed: string;
  }>(`${url}/accounts?${q}`, "the accounts");
  const units = new Map<string, string>();
  const unitOf = (code: string) => units.get(code) ?? units.set(code, decodeUnit(code)).get(code)!;
  const agents = new Map<string, string>();
  // The indexer answers each agent with its checksum, taken as given (a wrong one changes only how
  // the address is written); an indexer that answers in lower case gets it here.
  const agentOf = (a: string) => {
    const known = agents.get(a);
    if (known) return known;
    if (typeof a !== "string" || !HEX_ADDRESS.test(a))
      throw new IndexerError(
        `the indexer at ${new URL(url).origin} answered ${JSON.stringify(a).slice(0, 60)} as a contributor in the accounts, which is not an address`,
      );
    const address = /^0x[0-9a-f]{40}$/.test(a) ? getAddress(a) : a;
    agents.set(a, address);
    return address;
  };
  return rows.map((r) => ({
    day: r.day,
    agent: agentOf(r.agent),
    commons: r.commons.toLowerCase(),
    action: ACTIONS[r.action] as ActionName,
    unit: unitOf(r.unit),
    entries: r.entries,
    claimed: BigInt(r.claimed),
    accepted: BigInt(r.accepted),
    disputed: BigInt(r.disputed),
  }));
}

/** The entries the indexer counts per flow, kind and state (`summaryOf` gives the ledger's figures from them). */
export async function indexedStateCounts(url: string): Promise<StateCount[]> {
  const rows = await indexerList<{ flow: number; kind: string; state: string; entries: number }>(`${url}/summary`, "the ledger's summary");
  return rows.map((r) => ({
    flow: FLOWS[r.flow] as FlowName,
    kind: r.kind as EventKind,
    state: ENTRY_STATES[codeOf(ENTRY_STATES, r.state, "state")] as EntryStateName,
    entries: r.entries,
  }));
}

/** How many entries each agent signed in each commons, per flow and state, of one commons, one agent, or one agent in one commons (core/overview.ts makes the overviews from them). */
export async function indexedTallies(url: string, filter: { commons: string; agent?: string } | { agent: string; commons?: string }): Promise<EntryTally[]> {
  const rows = await indexerList<{ commons: string; agent: string; flow: number; state: string; entries: number }>(
    `${url}/tallies?${filterParams(filter)}`,
    filter.commons === undefined ? "an agent's entries" : filter.agent === undefined ? "the entries of a commons" : "an agent's entries in a commons",
  );
  return rows.map((r) => ({
    commons: r.commons.toLowerCase(),
    agent: getAddress(r.agent),
    flow: FLOWS[r.flow] as FlowName,
    state: ENTRY_STATES[codeOf(ENTRY_STATES, r.state, "state")] as EntryStateName,
    entries: r.entries,
  }));
}

/** One agent's validations given and received and the span of its entries, as the indexer's /people/<address> answers them. */
export async function indexedActivity(url: string, address: string): Promise<Activity> {
  const a = await indexerJson<Omit<Activity, "first" | "last"> & { first: string | null; last: string | null }>(
    `${url}/people/${address}`,
    `the activity of ${address}`,
  );
  return { given: a.given, received: a.received, ...(a.first === null || a.last === null ? {} : { first: BigInt(a.first), last: BigInt(a.last) }) };
}

/** Who decides in each commons, as the indexer keeps it from the Ledger's governance events: the same CommonsView `deriveCommons` gives at chain time `now`. */
export async function indexedGovernance(url: string, now: bigint): Promise<CommonsView[]> {
  type ProposalRow = {
    id: string;
    commons: string;
    proposer: string;
    kind: number;
    account: string;
    roles: number;
    threshold: number;
    action: number;
    acceptsRequired: number;
    disputesToBlock: number;
    counterpartyConfirms: boolean;
    epoch: number;
    expiresAt: string;
    approvers: string[];
    executed: boolean;
  };
  type RuleRow = Omit<CommonsState["rules"][number], "action"> & { action: number };
  type Row = Omit<CommonsState, "rules" | "proposals" | "now"> & { rules: RuleRow[]; proposals: ProposalRow[] };
  const rows = await indexerList<Row>(`${url}/governance`, "who decides in each commons");
  return rows.map((c) =>
    commonsView({
      id: c.id.toLowerCase(),
      name: c.name,
      founder: getAddress(c.founder),
      threshold: c.threshold,
      epoch: c.epoch,
      stewards: c.stewards.map((a) => getAddress(a)),
      roles: c.roles.map(([a, roles]) => [getAddress(a), roles]),
      rules: c.rules.map((r) => ({ ...r, action: ACTIONS[r.action] as ActionName })),
      proposals: c.proposals.map((p) => {
        const change = {
          kind: CHANGE_KINDS[p.kind] as ChangeKindName,
          account: getAddress(p.account),
          roles: p.roles,
          threshold: p.threshold,
          action: ACTIONS[p.action] as ActionName,
          acceptsRequired: p.acceptsRequired,
          disputesToBlock: p.disputesToBlock,
          counterpartyConfirms: p.counterpartyConfirms,
        };
        return {
          id: BigInt(p.id),
          commons: p.commons.toLowerCase(),
          proposer: getAddress(p.proposer),
          ...change,
          epoch: p.epoch,
          expiresAt: BigInt(p.expiresAt),
          approvers: p.approvers.map((a) => getAddress(a)),
          status: p.executed ? ("executed" as const) : ("pending" as const),
          summary: describeChange(change),
        };
      }),
      now,
    }),
  );
}
