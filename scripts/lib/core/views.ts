// Views derived from the ledger's events alone: each entry's state (the same rule as the
// contract's entryState), filters, and the open accounts: one rule (`tally`) for the CLI's
// accounts per period, contributor, action and unit and the app's totals per group and unit.
import { ZeroAddress } from "ethers";
import type { Entry, LedgerEvents } from "./reader.js";
import { counterpartyOf, decodeUnit } from "./record.js";
import { ACTIONS, ENTRY_STATES, FLOWS } from "./vocabulary.js";
import type { ActionName, EntryStateName, FlowName } from "./vocabulary.js";

export interface EntryView {
  entry: Entry;
  id: bigint;
  flow: FlowName;
  action: ActionName;
  agent: string;
  unit: string;
  state: EntryStateName;
  accepts: number;
  disputes: number;
  correctedBy: bigint;
  /**
   * Whether the commons the entry names is registered on the ledger (a CommonsRegistered event in
   * what was read). The Ledger records a record of any commons id; an entry of an unregistered one
   * (a typo in the id, or a made-up commons) counts nowhere.
   */
  registered: boolean;
  /** Validations by appointed validators: they make the tallies and the state. */
  validations: { validator: string; verdict: "accept" | "dispute"; evidence: string; transactionHash: string }[];
  /** Opinions of accounts the commons did not appoint for this action: on record, counted nowhere. */
  endorsements: { endorser: string; verdict: "accept" | "dispute"; evidence: string; transactionHash: string }[];
  /** The other agent the record names (the receiver when the provider signed); null for a need or a flow to its own provider. */
  counterparty: string | null;
  /**
   * Whether both parties agree: "confirmed" (the counterparty co-signed the record or confirmed it
   * later), "refused" (it disputes being named), "one-sided" (no answer yet), "none" (no counterparty).
   */
  consent: Consent;
  /** The counterparty's answer as recorded (`CounterpartyAnswered`), if any. */
  answer?: { evidence: string; transactionHash: string };
}

export type Consent = "confirmed" | "refused" | "one-sided" | "none";

/** How an entry's consent reads for people. */
export const CONSENT_LABELS: Record<Consent, string> = {
  confirmed: "confirmed by both parties",
  refused: "refused by the counterparty",
  "one-sided": "one-sided (not confirmed by the counterparty)",
  none: "no counterparty",
};

/** A commons' quorum rule for one action (ILedger.QuorumRule). */
export interface QuorumRule {
  acceptsRequired: number;
  disputesToBlock: number;
  counterpartyConfirms: boolean;
}

/** The rule of an action no steward has set a rule for (the contract's default). */
export const DEFAULT_RULE: QuorumRule = { acceptsRequired: 1, disputesToBlock: 1, counterpartyConfirms: false };

/**
 * An entry's state as `Ledger.entryState` derives it: corrected once a correction names it; with
 * `counterpartyConfirms`, the counterparty's refusal disputes it and only its confirmation lets it
 * be accepted; otherwise the appointed validators' tallies against the rule. `anchored` is whether
 * any validation or answer reached the entry (an entry nobody answered stays claimed).
 */
export function entryStateOf(
  t: { accepts: number; disputes: number; correctedBy: bigint; consent: Consent; anchored: boolean },
  rule: QuorumRule,
): EntryStateName {
  if (t.correctedBy !== 0n) return "corrected";
  if (t.anchored && (t.disputes >= rule.disputesToBlock || (rule.counterpartyConfirms && t.consent === "refused"))) return "disputed";
  if (t.anchored && t.accepts >= rule.acceptsRequired && (!rule.counterpartyConfirms || t.consent === "confirmed")) return "accepted";
  return "claimed";
}

/**
 * Derives every entry's state from the events, exactly as `Ledger.entryState` does on-chain: the
 * tallies are those of `Validated` (appointed validators only); `Endorsed` opinions are listed
 * apart and change nothing.
 */
export function deriveEntries(events: LedgerEvents): EntryView[] {
  const rules = new Map<string, QuorumRule>();
  const endorsements = new Map<bigint, EntryView["endorsements"]>();
  const answers = new Map<bigint, { confirmed: boolean; counterparty: string; evidence: string; transactionHash: string }>();
  const registered = new Set<string>();
  for (const e of events.all) {
    if (e.name === "CommonsRegistered") {
      registered.add(String(e.args.commons).toLowerCase());
      continue;
    }
    if (e.name === "Endorsed") {
      const id = BigInt(e.args.entryId as bigint);
      const list = endorsements.get(id) ?? [];
      list.push({
        endorser: String(e.args.endorser),
        verdict: Number(e.args.verdict) === 0 ? "accept" : "dispute",
        evidence: String(e.args.evidence),
        transactionHash: e.transactionHash,
      });
      endorsements.set(id, list);
      continue;
    }
    if (e.name === "CounterpartyAnswered") {
      const id = BigInt(e.args.entryId as bigint);
      // The contract takes one answer per entry; the first one read is that answer.
      if (!answers.has(id)) {
        answers.set(id, {
          confirmed: Number(e.args.verdict) === 2,
          counterparty: String(e.args.counterparty),
          evidence: String(e.args.evidence),
          transactionHash: e.transactionHash,
        });
      }
      continue;
    }
    if (e.name !== "QuorumRuleSet") continue;
    rules.set(`${String(e.args.commons)}:${Number(e.args.action)}`, {
      acceptsRequired: Number(e.args.acceptsRequired),
      disputesToBlock: Number(e.args.disputesToBlock),
      counterpartyConfirms: Boolean(e.args.counterpartyConfirms),
    });
  }
  const tallies = new Map<bigint, { accepts: number; disputes: number }>();
  const validations = new Map<bigint, EntryView["validations"]>();
  for (const v of events.validations) {
    tallies.set(v.entryId, { accepts: v.accepts, disputes: v.disputes });
    const list = validations.get(v.entryId) ?? [];
    list.push({ validator: v.validator, verdict: v.verdict === 0 ? "accept" : "dispute", evidence: v.evidence, transactionHash: v.transactionHash });
    validations.set(v.entryId, list);
  }
  const corrected = new Map<bigint, bigint>();
  for (const c of events.corrections) corrected.set(c.entryId, c.correctionId);

  // Few distinct units: each is decoded once.
  const units = new Map<string, string>();
  const unitOf = (code: string) => {
    let u = units.get(code);
    if (u === undefined) units.set(code, (u = decodeUnit(code)));
    return u;
  };
  return events.entries.map((entry) => {
    const { accepts, disputes } = tallies.get(entry.id) ?? { accepts: 0, disputes: 0 };
    const correctedBy = corrected.get(entry.id) ?? 0n;
    const rule = rules.get(`${entry.record.commons}:${entry.record.action}`) ?? DEFAULT_RULE;
    const counterparty = counterpartyOf(entry.record);
    const answer = answers.get(entry.id);
    const consent: Consent = counterparty === null ? "none" : answer === undefined ? "one-sided" : answer.confirmed ? "confirmed" : "refused";
    const state = entryStateOf({ accepts, disputes, correctedBy, consent, anchored: accepts + disputes > 0 || answer !== undefined }, rule);
    return {
      entry,
      id: entry.id,
      flow: FLOWS[entry.record.flow],
      action: ACTIONS[entry.record.action],
      agent: entry.record.provider !== ZeroAddress ? entry.record.provider : entry.record.receiver,
      unit: unitOf(entry.record.unit),
      state,
      accepts,
      disputes,
      correctedBy,
      registered: registered.has(entry.record.commons.toLowerCase()),
      validations: validations.get(entry.id) ?? [],
      endorsements: endorsements.get(entry.id) ?? [],
      counterparty,
      consent,
      ...(answer ? { answer: { evidence: answer.evidence, transactionHash: answer.transactionHash } } : {}),
    };
  });
}

export interface EntryFilter {
  commons?: string;
  agent?: string;
  action?: ActionName;
  flow?: FlowName;
  state?: EntryStateName;
  /** Inclusive range on the record's time (unix seconds). */
  from?: bigint;
  to?: bigint;
}

export function filterEntries(views: readonly EntryView[], f: EntryFilter): EntryView[] {
  return views.filter(
    (v) =>
      (f.commons === undefined || v.entry.record.commons === f.commons.toLowerCase()) &&
      (f.agent === undefined || v.agent.toLowerCase() === f.agent.toLowerCase()) &&
      (f.action === undefined || v.action === f.action) &&
      (f.flow === undefined || v.flow === f.flow) &&
      (f.state === undefined || v.state === f.state) &&
      (f.from === undefined || v.entry.record.time >= f.from) &&
      (f.to === undefined || v.entry.record.time <= f.to),
  );
}

export type Period = "all" | "year" | "month" | "week" | "day";

export function periodOf(time: bigint, period: Period): string {
  if (period === "all") return "all";
  const d = new Date(Number(time) * 1000);
  const iso = d.toISOString();
  if (period === "year") return iso.slice(0, 4);
  if (period === "month") return iso.slice(0, 7);
  if (period === "day") return iso.slice(0, 10);
  // ISO week: the Thursday of this week decides the year.
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((t.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${t.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

/** Quantities of the entries that count, in one unit: claimed, and of it accepted and disputed. */
export interface Totals {
  /** Entries that count: events, not corrected. */
  entries: number;
  claimed: bigint;
  accepted: bigint;
  disputed: bigint;
}

/**
 * Whether an entry counts in the accounts: an event of a registered commons that is not corrected
 * (a correction replaces its entry). Intents (needs, offers, commitments) are not contributions and
 * are left out.
 */
export function counts(v: Pick<EntryView, "flow" | "state" | "registered">): boolean {
  return v.flow === "event" && v.state !== "corrected" && v.registered;
}

/**
 * The one accounting rule for one entry: what it adds to the accounts (nothing unless it counts):
 * its quantity claimed, and accepted or disputed as its state says. The indexer keeps its daily
 * totals with it too.
 */
export function entryTotals(v: Pick<EntryView, "flow" | "state" | "registered">, quantity: bigint): Totals | undefined {
  if (!counts(v)) return undefined;
  return { entries: 1, claimed: quantity, accepted: v.state === "accepted" ? quantity : 0n, disputed: v.state === "disputed" ? quantity : 0n };
}

const viewTotals = (v: EntryView) => entryTotals(v, v.entry.record.quantity);

/**
 * Totals summed per `keyOf` (which must include the unit: hours and euros never add up); `row`
 * gives a new row's labels from its first item; items without totals are left out.
 */
function tally<T, R extends Totals>(
  items: readonly T[],
  totalsOf: (item: T) => Totals | undefined,
  keyOf: (item: T) => string,
  row: (item: T) => Omit<R, keyof Totals>,
): R[] {
  const rows = new Map<string, R>();
  for (const item of items) {
    const t = totalsOf(item);
    if (!t) continue;
    const key = keyOf(item);
    let r = rows.get(key);
    if (!r) rows.set(key, (r = { ...row(item), entries: 0, claimed: 0n, accepted: 0n, disputed: 0n } as R));
    r.entries += t.entries;
    r.claimed += t.claimed;
    r.accepted += t.accepted;
    r.disputed += t.disputed;
  }
  return [...rows.values()];
}

export interface AccountRow extends Totals {
  period: string;
  agent: string;
  action: ActionName;
  unit: string;
}

/**
 * Open accounting (`commons accounts`): for each period, contributor, action and unit, the quantity
 * claimed and how much of it is accepted or disputed, sorted by those four.
 */
export function accounts(views: readonly EntryView[], period: Period = "all", kind: KindFilter = "all"): AccountRow[] {
  return accountsFromDays(dayTotals(views), period, kind);
}

const byAccountRow = (a: AccountRow, b: AccountRow) =>
  a.period.localeCompare(b.period) || a.agent.localeCompare(b.agent) || a.action.localeCompare(b.action) || a.unit.localeCompare(b.unit);

/** Totals kept per UTC day (`day` as 2026-12-05), contributor, commons, action and unit: any period is a sum of days. */
export interface DayTotals extends Totals {
  day: string;
  agent: string;
  commons: string;
  action: ActionName;
  unit: string;
}

/**
 * The accounts of the entries per UTC day, contributor, commons, action and unit: what the indexer
 * keeps as events arrive (its account_day table). Every total the CLI and the app show is a sum of
 * these rows, whether they come from the entries or from the indexer.
 */
export function dayTotals(views: readonly EntryView[]): DayTotals[] {
  const dayOf = (v: EntryView) => periodOf(v.entry.record.time, "day");
  return tally<EntryView, DayTotals>(
    views,
    viewTotals,
    (v) => `${dayOf(v)}|${v.agent}|${v.entry.record.commons.toLowerCase()}|${v.action}|${v.unit}`,
    (v) => ({ day: dayOf(v), agent: v.agent, commons: v.entry.record.commons.toLowerCase(), action: v.action, unit: v.unit }),
  );
}

/** The period (of any length, an ISO week too) a day falls in, each day's computed once per call. */
function periodsOfDays(period: Period): (d: DayTotals) => string {
  const seen = new Map<string, string>();
  return (d) => seen.get(d.day) ?? seen.set(d.day, periodOf(BigInt(Date.parse(`${d.day}T00:00:00Z`) / 1000), period)).get(d.day)!;
}

/** Days of `kind` summed per `keyOf` (which must include the unit); rows left with no entries are dropped. */
function sumDays<R extends Totals>(
  days: readonly DayTotals[],
  kind: KindFilter,
  keyOf: (d: DayTotals) => string,
  row: (d: DayTotals) => Omit<R, keyof Totals>,
): R[] {
  return tally<DayTotals, R>(kind === "all" ? days : days.filter((d) => kindOf(d) === kind), (d) => d, keyOf, row).filter((r) => r.entries > 0);
}

/** The rows `accounts` gives, from day totals (the entries' or the indexer's). */
export function accountsFromDays(days: readonly DayTotals[], period: Period = "all", kind: KindFilter = "all"): AccountRow[] {
  const periodOfDay = periodsOfDays(period);
  return sumDays<AccountRow>(
    days,
    kind,
    (d) => `${periodOfDay(d)}|${d.agent}|${d.action}|${d.unit}`,
    (d) => ({ period: periodOfDay(d), agent: d.agent, action: d.action, unit: d.unit }),
  ).sort(byAccountRow);
}

export type GroupBy = "contributor" | "commons" | "action" | "period";
export const GROUPS: readonly GroupBy[] = ["contributor", "commons", "action", "period"];

export interface TotalRow extends Totals {
  group: string;
  unit: string;
}

/** The group a day's totals fall in (period: month when "all"). */
function groupOfDay(by: GroupBy, period: Period): (d: DayTotals) => string {
  const periodOfDay = periodsOfDays(period === "all" ? "month" : period);
  switch (by) {
    case "contributor":
      return (d) => d.agent;
    case "commons":
      return (d) => d.commons;
    case "action":
      return (d) => d.action;
    case "period":
      return periodOfDay;
  }
}

/**
 * What an event is to the accounts: a contribution (work, use of equipment, a citation, a service,
 * money given) or a supply-chain flow (goods produced, consumed, moved, modified or handed over).
 * The accounts count contributions; flows are the supply chain's (trace, track, needs).
 */
export type EventKind = "contribution" | "flow";
/** Which events the accounts show: contributions, supply-chain flows, or both. */
export type KindFilter = EventKind | "all";
export const KIND_FILTERS: readonly KindFilter[] = ["contribution", "flow", "all"];

/** Actions that are contributions whatever they count. */
export const CONTRIBUTION_ACTIONS: readonly ActionName[] = ["work", "cite", "use", "deliverService"];

/** Whether a unit is money: an ISO 4217 currency code (three capital letters: EUR, USD, CHF; ETH too). */
export const isMoneyUnit = (unit: string) => /^[A-Z]{3}$/.test(unit);

/** A contribution (see `EventKind`): a contribution action, or a transfer of money; anything else is a flow (5 kg of filament handed over is custody, not money). */
export function kindOf(v: Pick<EntryView, "action" | "unit">): EventKind {
  if (CONTRIBUTION_ACTIONS.includes(v.action)) return "contribution";
  return (v.action === "transfer" || v.action === "transferAllRights") && isMoneyUnit(v.unit) ? "contribution" : "flow";
}

/** The app's accounts page: totals by contributor, commons, action or period (month when "all"), per unit, of the events of `kind`. */
export function totals(views: readonly EntryView[], by: GroupBy, period: Period, kind: KindFilter = "all"): TotalRow[] {
  return totalsFromDays(dayTotals(views), by, period, kind);
}

/** The rows `totals` gives, from day totals (the entries' or the indexer's). */
export function totalsFromDays(days: readonly DayTotals[], by: GroupBy, period: Period, kind: KindFilter = "all"): TotalRow[] {
  const groupOf = groupOfDay(by, period);
  return sumDays<TotalRow>(
    days,
    kind,
    (d) => `${groupOf(d)}|${d.unit}`,
    (d) => ({ group: groupOf(d), unit: d.unit }),
  );
}

/**
 * Units by how many counted entries (of `kind`) use them (the most used first; a tie by name), from
 * day totals. The tie is broken by name, not by the order of `days`, which differs between the
 * chain reader and the indexer: the same ledger lists its units in the same order from either.
 */
export function unitsByUse(days: readonly DayTotals[], kind: KindFilter = "all"): string[] {
  const n = new Map<string, number>();
  for (const d of kind === "all" ? days : days.filter((d) => kindOf(d) === kind)) n.set(d.unit, (n.get(d.unit) ?? 0) + d.entries);
  return [...n.entries()]
    .filter(([, count]) => count > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([u]) => u);
}

/** How many entries of one flow, kind and state there are: what a summary of the ledger counts. */
export interface StateCount {
  flow: FlowName;
  kind: EventKind;
  state: EntryStateName;
  entries: number;
}

/** The entries counted per flow, kind and state (the indexer keeps the same counts as events arrive). */
export function stateCounts(views: readonly EntryView[]): StateCount[] {
  const rows = new Map<string, StateCount>();
  for (const v of views) {
    const kind = kindOf(v);
    const key = `${v.flow}|${kind}|${v.state}`;
    const row = rows.get(key);
    if (row) row.entries++;
    else rows.set(key, { flow: v.flow, kind, state: v.state, entries: 1 });
  }
  return [...rows.values()];
}

/** The ledger in figures: entries, events by kind, and of the events of `kind` how many stand accepted, disputed or claimed. */
export interface LedgerSummary {
  entries: number;
  contributions: number;
  flows: number;
  accepted: number;
  disputed: number;
  claimed: number;
  /** Needs, offers and commitments. */
  intents: number;
  corrected: number;
}

export function summaryOf(counts: readonly StateCount[], kind: KindFilter = "all"): LedgerSummary {
  const s: LedgerSummary = { entries: 0, contributions: 0, flows: 0, accepted: 0, disputed: 0, claimed: 0, intents: 0, corrected: 0 };
  for (const c of counts) {
    s.entries += c.entries;
    if (c.flow !== "event") s.intents += c.entries;
    else if (c.state === "corrected") s.corrected += c.entries;
    else {
      if (c.kind === "contribution") s.contributions += c.entries;
      else s.flows += c.entries;
      if (kind !== "all" && c.kind !== kind) continue;
      if (c.state === "accepted") s.accepted += c.entries;
      else if (c.state === "disputed") s.disputed += c.entries;
      else s.claimed += c.entries;
    }
  }
  return s;
}

/** Accepted as a share of claimed, in percent (one decimal), or 0 when nothing is claimed. */
export function acceptedShare(r: Pick<Totals, "claimed" | "accepted">): number {
  return r.claimed === 0n ? 0 : Number((r.accepted * 1000n) / r.claimed) / 10;
}

export { ENTRY_STATES };
