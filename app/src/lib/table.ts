// Sorting and filtering of table rows (pure).
export interface Column<T> {
  key: string;
  label: string;
  /** Value to sort by (numbers and bigints sort numerically). */
  sort: (row: T) => string | number | bigint;
  /**
   * Rows are first kept together by this (ascending, whichever the direction), then sorted by
   * `sort` within: a quantity sorts within its unit, never 250 EUR against 15.5 kg.
   */
  within?: (row: T) => string;
  /** Text the filter box searches. */
  text?: (row: T) => string;
  align?: "right";
}

export interface SortState {
  key: string;
  desc: boolean;
}

// The default locale's collation, as String.prototype.localeCompare uses it, built once.
const collator = new Intl.Collator();

export function sortRows<T>(rows: readonly T[], columns: readonly Column<T>[], sort: SortState | undefined): T[] {
  const col = sort && columns.find((c) => c.key === sort.key);
  if (!col) return [...rows];
  const dir = sort!.desc ? -1 : 1;
  // Each row's keys are computed once: a sort compares every row about log2(n) times.
  const keyed = rows.map((row) => ({ row, group: col.within ? col.within(row) : "", value: col.sort(row) }));
  keyed.sort((a, b) => {
    const group = collator.compare(a.group, b.group);
    if (group !== 0) return group;
    const x = a.value;
    const y = b.value;
    if (typeof x === "string" || typeof y === "string") return collator.compare(String(x), String(y)) * dir;
    return (x < y ? -1 : x > y ? 1 : 0) * dir;
  });
  return keyed.map((k) => k.row);
}

/** Rows where every whitespace-separated term appears in some column's text (case-insensitive). */
export function filterRows<T>(rows: readonly T[], columns: readonly Column<T>[], filter: string): T[] {
  const terms = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (terms.length === 0) return [...rows];
  return rows.filter((row) => {
    const text = columns
      .map((c) => (c.text ? c.text(row) : String(c.sort(row))))
      .join(" ")
      .toLowerCase();
    return terms.every((t) => text.includes(t));
  });
}
