// The needs page's rows, derived without React: each need with its status and what is still
// uncommitted, and the plan signals per process, from scripts/lib/supply/supply.ts (as `commons
// needs` and `commons needs --processes` show them).
import { needStatus, processSignals, uncommittedOf } from "@supply/supply.js";
import type { Labels, NeedStatus, NeedView, ProcessSignal } from "@supply/supply.js";
import { isZeroHex, shortHex } from "./format";

export interface NeedRow {
  need: NeedView;
  status: NeedStatus;
  /** Met share, in percent with one decimal (may exceed 100). */
  pct: number;
  /** Open quantity no counted commitment still promises. */
  uncommitted: bigint;
}

export interface ProcessRow extends ProcessSignal {
  /** The process's label when known, else its id shortened. */
  name: string;
  output: string;
}

export { stillToDo } from "@supply/supply.js";

/** The CSS class for a status: behind is an error, met is ok, an expiry is muted. */
export function statusClass(s: NeedStatus): string {
  return s === "behind" ? "error" : s === "met" ? "ok" : s === "expired" ? "muted" : s === "uncommitted" ? "warning" : "";
}

export function needRows(needs: readonly NeedView[], now: bigint): NeedRow[] {
  return needs.map((need) => ({
    need,
    status: needStatus(need, now),
    pct: need.quantity === 0n ? 100 : Number((need.satisfied * 1000n) / need.quantity) / 10,
    uncommitted: uncommittedOf(need),
  }));
}

const named = (labels: Labels, id: string) => (isZeroHex(id) ? "anything" : (labels.name(id) ?? shortHex(id)));

/** Plan signals per process, behind first (processSignals), with names from the labels. */
export function processRows(needs: readonly NeedView[], now: bigint, labels: Labels): ProcessRow[] {
  return processSignals(needs, now).map((p) => ({ ...p, name: named(labels, p.process), output: named(labels, p.resourceSpec) }));
}
