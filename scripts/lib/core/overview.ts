// Overviews of one agent and of one commons, from the ledger alone: what a Person page and a
// Commons page show, and what `commons person` and `commons commons show` print. Contributions over
// time (per month and unit: hours and euros never add up), validations given and received, the
// commons an agent acts in and the roles it holds, a commons' members and open needs. Shares and
// licences come from their own domains (distribution, reciprocity) and are added by the caller.
import { deriveCommons } from "./governance.js";
import type { CommonsView } from "./governance.js";
import type { LedgerEvents } from "./reader.js";
import { counts, kindOf, totals } from "./views.js";
import type { EntryView, TotalRow } from "./views.js";
import type { EntryStateName } from "./vocabulary.js";

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

/** The overview of `address` from the entries and the ledger's events (for the commons' roles). */
export function personOverview(views: readonly EntryView[], events: LedgerEvents, address: string, now: bigint): PersonOverview {
  const own = views.filter((v) => same(v.agent, address));
  const states = emptyStates();
  const given = { accepts: 0, disputes: 0, endorsements: 0 };
  const received = { accepts: 0, disputes: 0, endorsements: 0, validators: 0 };
  const validators = new Set<string>();
  const perCommons = new Map<string, number>();
  for (const v of own) {
    states[v.state]++;
    const c = v.entry.record.commons.toLowerCase();
    perCommons.set(c, (perCommons.get(c) ?? 0) + 1);
    for (const x of v.validations) {
      if (x.verdict === "accept") received.accepts++;
      else received.disputes++;
      validators.add(x.validator.toLowerCase());
    }
    received.endorsements += v.endorsements.length;
  }
  received.validators = validators.size;
  for (const v of views) {
    for (const x of v.validations) {
      if (!same(x.validator, address)) continue;
      if (x.verdict === "accept") given.accepts++;
      else given.disputes++;
    }
    for (const x of v.endorsements) if (same(x.endorser, address)) given.endorsements++;
  }
  const counted = own.filter(counts);
  const contributionsOnly = counted.filter((v) => kindOf(v) === "contribution");
  const commons: PersonOverview["commons"] = [];
  for (const c of deriveCommons(events, now)) {
    const steward = c.stewards.some((s) => same(s, address));
    const validates = c.validators.find((x) => same(x.account, address))?.actions ?? [];
    const entries = perCommons.get(c.id) ?? 0;
    if (steward || validates.length > 0 || entries > 0) commons.push({ id: c.id, name: c.name, entries, steward, validates });
  }
  const times = own.map((v) => v.entry.record.time);
  return {
    address,
    entries: own.length,
    states,
    contributions: totals(contributionsOnly, "period", "month").sort((a, b) => a.group.localeCompare(b.group) || a.unit.localeCompare(b.unit)),
    contributionTotals: totals(contributionsOnly, "contributor", "all").sort((a, b) => a.unit.localeCompare(b.unit)),
    flows: counted.length - contributionsOnly.length,
    intents: own.filter((v) => v.flow !== "event").length,
    given,
    received,
    commons,
    first: times.length ? times.reduce((a, b) => (a < b ? a : b)) : undefined,
    last: times.length ? times.reduce((a, b) => (a > b ? a : b)) : undefined,
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
  const states = emptyStates();
  const members = new Map<string, { address: string; entries: number; steward: boolean; validator: boolean }>();
  const member = (a: string) => {
    const key = a.toLowerCase();
    let m = members.get(key);
    if (!m) members.set(key, (m = { address: a, entries: 0, steward: false, validator: false }));
    return m;
  };
  for (const v of own) {
    states[v.state]++;
    member(v.agent).entries++;
  }
  for (const s of commons.stewards) member(s).steward = true;
  for (const x of commons.validators) member(x.account).validator = true;
  const contributionsOnly = own.filter(counts).filter((v) => kindOf(v) === "contribution");
  return {
    commons,
    members: [...members.values()].sort((a, b) => b.entries - a.entries || a.address.localeCompare(b.address)),
    contributions: totals(contributionsOnly, "period", "month").sort((a, b) => a.group.localeCompare(b.group) || a.unit.localeCompare(b.unit)),
    contributionTotals: totals(contributionsOnly, "commons", "all").sort((a, b) => a.unit.localeCompare(b.unit)),
    entries: own.length,
    states,
  };
}
