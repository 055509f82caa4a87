// Overviews of one agent and of one commons: what a Person page and a Commons page show, and what
// `commons person` and `commons commons show` print. Contributions over time (per month and unit:
// hours and euros never add up), validations given and received, the commons an agent acts in and
// the roles it holds, a commons' members. Each is made from a few sums (entries per commons, agent,
// flow and state; the day totals; one agent's validations), which the whole ledger gives here and the
// indexer keeps as events arrive, so both give the same overview by construction. Shares and
// licences come from their own domains (distribution, reciprocity) and are added by the caller.
import { deriveCommons } from "./governance.js";
import type { CommonsView } from "./governance.js";
import type { LedgerEvents } from "./reader.js";
import { dayTotals, kindOf, totalsFromDays } from "./views.js";
import type { DayTotals, EntryView, TotalRow } from "./views.js";
import type { EntryStateName, FlowName } from "./vocabulary.js";

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** What one agent did on the ledger. */
export interface PersonOverview {
  address: string;
  /** Entries the agent signed: all, and by state. */
  entries: number;
  states: Record<EntryStateName, number>;
  /** Counted contributions per month and unit (`group` is the month, "2026-11"). */
  contributions: TotalRow[];
  /** Counted contributions in all, per unit. */
  contributionTotals: TotalRow[];
  /** Counted supply-chain flows the agent signed (goods produced, consumed, moved, handed over). */
  flows: number;
  /** Needs, offers and commitments the agent published. */
  intents: number;
  /** Verdicts the agent gave as an appointed validator, and opinions kept as endorsements. */
  given: { accepts: number; disputes: number; endorsements: number };
  /** Verdicts others gave on the agent's entries. */
  received: { accepts: number; disputes: number; endorsements: number; validators: number };
  /** The commons the agent recorded in, stewards or validates, with its roles there. */
  commons: { id: string; name: string; entries: number; steward: boolean; validates: readonly string[] }[];
  /** Time of the agent's first and last entry (seconds), if any. */
  first?: bigint;
  last?: bigint;
}

function emptyStates(): Record<EntryStateName, number> {
  return { claimed: 0, accepted: 0, disputed: 0, corrected: 0 };
}

/** How many entries one agent signed in one commons in one flow and state (the indexer's entry_tally table keeps them as events arrive). */
export interface EntryTally {
  /** Lower case. */
  commons: string;
  agent: string;
  flow: FlowName;
  state: EntryStateName;
  entries: number;
}

/** The entries counted per commons, agent, flow and state. */
export function entryTallies(views: readonly EntryView[]): EntryTally[] {
  const rows = new Map<string, EntryTally>();
  for (const v of views) {
    const commons = v.entry.record.commons.toLowerCase();
    const key = `${commons}|${v.agent}|${v.flow}|${v.state}`;
    const row = rows.get(key);
    if (row) row.entries++;
    else rows.set(key, { commons, agent: v.agent, flow: v.flow, state: v.state, entries: 1 });
  }
  return [...rows.values()];
}

/** One agent's validations given and received, and the time of its first and last entry (the indexer's /people/<address>). */
export interface Activity {
  given: PersonOverview["given"];
  received: PersonOverview["received"];
  first?: bigint;
  last?: bigint;
}

/** The activity of `address` in the whole ledger. */
export function activityOf(views: readonly EntryView[], address: string): Activity {
  const given = { accepts: 0, disputes: 0, endorsements: 0 };
  const received = { accepts: 0, disputes: 0, endorsements: 0, validators: 0 };
  const validators = new Set<string>();
  let first: bigint | undefined;
  let last: bigint | undefined;
  for (const v of views) {
    for (const x of v.validations) {
      if (!same(x.validator, address)) continue;
      if (x.verdict === "accept") given.accepts++;
      else given.disputes++;
    }
    for (const x of v.endorsements) if (same(x.endorser, address)) given.endorsements++;
    if (!same(v.agent, address)) continue;
    for (const x of v.validations) {
      if (x.verdict === "accept") received.accepts++;
      else received.disputes++;
      validators.add(x.validator.toLowerCase());
    }
    received.endorsements += v.endorsements.length;
    const t = v.entry.record.time;
    if (first === undefined || t < first) first = t;
    if (last === undefined || t > last) last = t;
  }
  received.validators = validators.size;
  return { given, received, ...(first === undefined ? {} : { first, last }) };
}

/** Counted contributions per month and unit, and in all per unit (grouped by `by`: the agent or the commons the days belong to). */
function contributionsOf(days: readonly DayTotals[], by: "contributor" | "commons") {
  return {
    contributions: totalsFromDays(days, "period", "month", "contribution").sort((a, b) => a.group.localeCompare(b.group) || a.unit.localeCompare(b.unit)),
    contributionTotals: totalsFromDays(days, by, "all", "contribution").sort((a, b) => a.unit.localeCompare(b.unit)),
  };
}

/** The overview of `address` from the entries and the ledger's events (for the commons' roles). */
export function personOverview(views: readonly EntryView[], events: LedgerEvents, address: string, now: bigint): PersonOverview {
  const own = views.filter((v) => same(v.agent, address));
  return personOverviewOf(address, deriveCommons(events, now), entryTallies(own), dayTotals(own), activityOf(views, address));
}

/**
 * The overview of `address` from who decides in each commons, the agent's entry tallies and day
 * totals, and its activity: what `personOverview` gives from the whole ledger.
 */
export function personOverviewOf(
  address: string,
  commonsViews: readonly CommonsView[],
  tallies: readonly EntryTally[],
  days: readonly DayTotals[],
  activity: Activity,
): PersonOverview {
  const own = tallies.filter((t) => same(t.agent, address));
  const states = emptyStates();
  const perCommons = new Map<string, number>();
  let entries = 0;
  let intents = 0;
  for (const t of own) {
    entries += t.entries;
    states[t.state] += t.entries;
    if (t.flow !== "event") intents += t.entries;
    perCommons.set(t.commons, (perCommons.get(t.commons) ?? 0) + t.entries);
  }
  const mine = days.filter((d) => same(d.agent, address));
  const commons: PersonOverview["commons"] = [];
  for (const c of commonsViews) {
    const steward = c.stewards.some((s) => same(s, address));
    const validates = c.validators.find((x) => same(x.account, address))?.actions ?? [];
    const n = perCommons.get(c.id) ?? 0;
    if (steward || validates.length > 0 || n > 0) commons.push({ id: c.id, name: c.name, entries: n, steward, validates });
  }
  return {
    address,
    entries,
    states,
    ...contributionsOf(mine, "contributor"),
    flows: mine.filter((d) => kindOf(d) === "flow").reduce((n, d) => n + d.entries, 0),
    intents,
    given: activity.given,
    received: activity.received,
    commons,
    first: activity.first,
    last: activity.last,
  };
}

/** What one commons holds on the ledger. */
export interface CommonsOverview {
  commons: CommonsView;
  /** Everyone who signed an entry in it, steward or validator, with their counted contributions' entries. */
  members: { address: string; entries: number; steward: boolean; validator: boolean }[];
  /** Counted contributions per month and unit. */
  contributions: TotalRow[];
  /** Counted contributions in all, per unit. */
  contributionTotals: TotalRow[];
  entries: number;
  states: Record<EntryStateName, number>;
}

/** The overview of commons `id` (undefined if no such commons is registered). */
export function commonsOverview(views: readonly EntryView[], events: LedgerEvents, id: string, now: bigint): CommonsOverview | undefined {
  const commons = deriveCommons(events, now).find((c) => same(c.id, id));
  if (!commons) return undefined;
  const own = views.filter((v) => same(v.entry.record.commons, id));
  return commonsOverviewOf(commons, entryTallies(own), dayTotals(own));
}

/** The overview of a commons from who decides in it, its entry tallies and its day totals: what `commonsOverview` gives from the whole ledger. */
export function commonsOverviewOf(commons: CommonsView, tallies: readonly EntryTally[], days: readonly DayTotals[]): CommonsOverview {
  const states = emptyStates();
  const members = new Map<string, { address: string; entries: number; steward: boolean; validator: boolean }>();
  const member = (a: string) => {
    const key = a.toLowerCase();
    let m = members.get(key);
    if (!m) members.set(key, (m = { address: a, entries: 0, steward: false, validator: false }));
    return m;
  };
  let entries = 0;
  for (const t of tallies) {
    if (!same(t.commons, commons.id)) continue;
    entries += t.entries;
    states[t.state] += t.entries;
    member(t.agent).entries += t.entries;
  }
  for (const s of commons.stewards) member(s).steward = true;
  for (const x of commons.validators) member(x.account).validator = true;
  return {
    commons,
    members: [...members.values()].sort((a, b) => b.entries - a.entries || a.address.localeCompare(b.address)),
    ...contributionsOf(
      days.filter((d) => same(d.commons, commons.id)),
      "commons",
    ),
    entries,
    states,
  };
}
