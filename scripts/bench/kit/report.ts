// Formatting for the gas benchmark: aligned text tables and JSON-safe summaries of measurements.
import type { CalldataStats, TxMeasure } from "../../lib/kit/gas.js";

/** "12,345" (rounded), or "" for undefined. */
export function n(value: number | bigint | undefined, digits = 0): string {
  if (value === undefined) return "";
  const v = typeof value === "bigint" ? Number(value) : value;
  return v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function pct(value: number, digits = 2): string {
  return `${value >= 0 ? "+" : ""}${value.toFixed(digits)} %`;
}

export function ratio(value: number, digits = 1): string {
  return `${value.toFixed(digits)}x`;
}

/** An aligned text table; columns whose header starts with ">" are right-aligned. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const right = headers.map((h) => h.startsWith(">"));
  const head = headers.map((h) => (h.startsWith(">") ? h.slice(1) : h));
  const cells = rows.map((r) => r.map((c) => String(c)));
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => "| " + r.map((c, i) => (right[i] ? (c ?? "").padStart(widths[i]) : (c ?? "").padEnd(widths[i]))).join(" | ") + " |";
  const sep = "|" + widths.map((w, i) => (right[i] ? "-".repeat(w + 1) + ":" : "-".repeat(w + 2))).join("|") + "|";
  return [line(head), sep, ...cells.map(line)].join("\n");
}

/** A measurement without its receipt, numbers only (for JSON). */
export function summarize<T extends TxMeasure>(m: T): Omit<T, "receipt"> {
  const { receipt, ...rest } = m;
  return rest;
}

export function describeCalldata(c: CalldataStats): string {
  return `${n(c.bytes)} B (${n(c.zeroBytes)} zero, ${n(c.nonZeroBytes)} non-zero; ${n(c.gas)} gas at 4/16)`;
}

/** JSON.stringify that writes bigints as decimal strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2) + "\n";
}
