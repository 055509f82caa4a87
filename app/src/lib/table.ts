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

export function sortRows<T>(rows: readonly T[], columns: readonly Column<T>[], sort: SortState | undefined): T[] {
  const col = sort && columns.find((c) => c.key === sort.key);
  if (!col) return [...rows];
  const dir = sort!.desc ? -1 : 1;
  return [...rows].sort((a, b) => {
    const group = col.within ? col.within(a).localeCompare(col.within(b)) : 0;
    if (group !== 0) return group;
    const x = col.sort(a);
    const y = col.sort(b);
    if (typeof x === "string" || typeof y === "string") return String(x).localeCompare(String(y)) * dir;
    return (x < y ? -1 : x > y ? 1 : 0) * dir;
  });
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
