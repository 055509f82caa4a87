// Totals for the accounts page, by contributor, commons, action or period, per unit (hours and
// euros never add up). The same rule as scripts/lib/core/views.ts `accounts`: events count, intents do
// not; a corrected entry is replaced by its correction; accepted and disputed by the entry state.
import { periodOf } from "@core/views.js";
import type { EntryView, Period } from "@core/views.js";
import type { LedgerEvents } from "@core/reader.js";

export type GroupBy = "contributor" | "commons" | "action" | "period";
export const GROUPS: readonly GroupBy[] = ["contributor", "commons", "action", "period"];

export interface TotalRow {
  group: string;
  unit: string;
  entries: number;
  claimed: bigint;
  accepted: bigint;
  disputed: bigint;
}

export function counts(v: EntryView): boolean {
  return v.flow === "event" && v.state !== "corrected";
}

export function groupOf(v: EntryView, by: GroupBy, period: Period): string {
  switch (by) {
    case "contributor":
      return v.agent;
    case "commons":
      return v.entry.record.commons;
    case "action":
      return v.action;
    case "period":
      return periodOf(v.entry.record.time, period === "all" ? "month" : period);
  }
}

export function totals(views: readonly EntryView[], by: GroupBy, period: Period): TotalRow[] {
  const rows = new Map<string, TotalRow>();
  for (const v of views) {
    if (!counts(v)) continue;
    const group = groupOf(v, by, period);
    const key = `${group}|${v.unit}`;
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { group, unit: v.unit, entries: 0, claimed: 0n, accepted: 0n, disputed: 0n }));
    row.entries++;
    row.claimed += v.entry.record.quantity;
    if (v.state === "accepted") row.accepted += v.entry.record.quantity;
    else if (v.state === "disputed") row.disputed += v.entry.record.quantity;
  }
  return [...rows.values()];
}

/** Units by how many counted entries use them (the most used first). */
export function unitsByUse(views: readonly EntryView[]): string[] {
  const n = new Map<string, number>();
  for (const v of views) if (counts(v)) n.set(v.unit, (n.get(v.unit) ?? 0) + 1);
  return [...n.entries()].sort((a, b) => b[1] - a[1]).map(([u]) => u);
}

/** Commons names from CommonsRegistered events. */
export function commonsNames(events: LedgerEvents | undefined): Map<string, string> {
  const names = new Map<string, string>();
  for (const e of events?.all ?? []) if (e.name === "CommonsRegistered") names.set(String(e.args.commons).toLowerCase(), String(e.args.name));
  return names;
}

/** Accepted as a share of claimed, in percent (one decimal), or 0 when nothing is claimed. */
export function acceptedShare(r: Pick<TotalRow, "claimed" | "accepted">): number {
  return r.claimed === 0n ? 0 : Number((r.accepted * 1000n) / r.claimed) / 10;
}
