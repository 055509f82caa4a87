// Reading the ledger through the indexer (scripts/indexer/) instead of the chain's logs: its head,
// checked against the Ledger's tip() before anything it says is used, and its entries as the same
// EntryView every other reader derives (state, consent and tallies as the indexer keeps them, which
// test/indexer.test.ts holds equal to the chain reader's and to Ledger.entryState). Browser-safe.
import { getAddress } from "ethers";
import { counterpartyOf, decodeUnit } from "./record.js";
import type { LedgerRecord } from "./record.js";
import type { Entry } from "./reader.js";
import type { Consent, DayTotals, EntryView } from "./views.js";
import { ACTIONS, codeOf, ENTRY_STATES, FLOWS } from "./vocabulary.js";
import type { ActionName, EntryStateName, FlowName } from "./vocabulary.js";

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

async function getJson<T>(url: string, what: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new IndexerError(`the indexer at ${new URL(url).origin} cannot be reached (${(error as Error).message}) for ${what}`);
  }
  const body = (await response.json().catch(() => undefined)) as (T & { error?: string }) | undefined;
  if (!response.ok || body === undefined)
    throw new IndexerError(`the indexer at ${new URL(url).origin} answered ${response.status} for ${what}${body?.error ? `: ${body.error}` : ""}`);
  return body;
}

/** The head the indexer has reached. */
export async function indexerHead(url: string): Promise<IndexerHead> {
  const h = await getJson<{ count: string; head: string; blockNumber: string }>(`${url}/head`, "its head");
  return { count: BigInt(h.count), head: h.head, blockNumber: BigInt(h.blockNumber) };
}

/**
 * Waits (up to `waitMs`) for the indexer to reach the chain's tip, then says whether its head is the
 * tip's: the indexer is used only then. The reason is a sentence for the person who asked.
 */
export async function checkIndexer(
  url: string,
  tip: { count: bigint; head: string },
  waitMs = 5_000,
): Promise<{ ok: true; head: IndexerHead } | { ok: false; reason: string }> {
  const until = Date.now() + waitMs;
  for (;;) {
    const head = await indexerHead(url);
    if (head.count === tip.count && head.head === tip.head) return { ok: true, head };
    if (head.count > tip.count || (head.count === tip.count && head.head !== tip.head) || Date.now() > until)
      return {
        ok: false,
        reason: `the indexer at ${url} is at entry ${head.count} with head ${head.head}, the Ledger's tip is entry ${tip.count} with head ${tip.head}`,
      };
    await new Promise((r) => setTimeout(r, 100));
  }
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

/** Filters the indexer applies itself (the rest a reader applies to the views). */
export interface IndexerFilter {
  agent?: string;
  commons?: string;
  action?: ActionName;
  flow?: FlowName;
}

/** A filter as the indexer's query parameters: addresses and ids in lower case, action and flow by code. */
function filterParams(filter: IndexerFilter): URLSearchParams {
  const q = new URLSearchParams();
  if (filter.agent) q.set("agent", filter.agent.toLowerCase());
  if (filter.commons) q.set("commons", filter.commons.toLowerCase());
  if (filter.action) q.set("action", String(ACTIONS.indexOf(filter.action)));
  if (filter.flow) q.set("flow", String(FLOWS.indexOf(filter.flow)));
  return q;
}

/** The registered commons, with the names they were registered under. */
export async function indexedCommons(url: string): Promise<{ id: string; name: string; founder: string }[]> {
  return getJson(`${url}/commons`, "the commons");
}

/** Every entry that passes `filter`, page by page (500 at a time), as EntryViews. */
export async function indexedViews(url: string, filter: IndexerFilter = {}): Promise<EntryView[]> {
  const registered = new Set((await indexedCommons(url)).map((c) => c.id.toLowerCase()));
  const q = filterParams(filter);
  q.set("limit", "500");
  const views: EntryView[] = [];
  for (let from = 1n; ;) {
    q.set("from", String(from));
    const page = await getJson<{ entries: IndexedEntry[] }>(`${url}/entries?${q}`, "entries");
    for (const e of page.entries) views.push(viewOfIndexed(e, registered));
    if (page.entries.length < 500) return views;
    from = BigInt(page.entries.at(-1)!.id) + 1n;
  }
}

/** The accounts the indexer keeps per day, contributor, action and unit (`accountsFromDays` sums them into any period). */
export async function indexedAccountDays(url: string, filter: Pick<IndexerFilter, "agent" | "commons" | "action"> = {}): Promise<DayTotals[]> {
  const q = filterParams(filter);
  const rows = await getJson<
    { day: string; agent: string; action: number; unit: string; entries: number; claimed: string; accepted: string; disputed: string }[]
  >(`${url}/accounts?${q}`, "the accounts");
  const units = new Map<string, string>();
  const unitOf = (code: string) => units.get(code) ?? units.set(code, decodeUnit(code)).get(code)!;
  return rows.map((r) => ({
    day: r.day,
    agent: getAddress(r.agent),
    action: ACTIONS[r.action] as ActionName,
    unit: unitOf(r.unit),
    entries: r.entries,
    claimed: BigInt(r.claimed),
    accepted: BigInt(r.accepted),
    disputed: BigInt(r.disputed),
  }));
}
