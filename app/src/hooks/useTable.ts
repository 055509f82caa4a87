import { useMemo, useState } from "react";
import { filterRows, sortRows } from "../lib/table";
import type { Column, SortState } from "../lib/table";

/** Sort and filter state of a table, and the rows to show (at most `pageSize`, growing on demand). */
export function useTable<T>(rows: readonly T[], columns: readonly Column<T>[], initial?: SortState, pageSize = 50, initialFilter = "") {
  const [sort, setSort] = useState<SortState | undefined>(initial);
  const [filter, setFilter] = useState(initialFilter);
  const [limit, setLimit] = useState(pageSize);
  const filtered = useMemo(() => filterRows(rows, columns, filter), [rows, columns, filter]);
  const sorted = useMemo(() => sortRows(filtered, columns, sort), [filtered, columns, sort]);
  return {
    sort,
    toggleSort: (key: string) => setSort((s) => (s?.key === key ? { key, desc: !s.desc } : { key, desc: false })),
    filter,
    setFilter,
    visible: sorted.slice(0, limit),
    total: sorted.length,
    more: () => setLimit((l) => l + pageSize),
  };
}
