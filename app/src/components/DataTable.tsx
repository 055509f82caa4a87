import type { ReactNode } from "react";
import { useTable } from "../hooks/useTable";
import type { Column, SortState } from "../lib/table";

export interface DataColumn<T> extends Column<T> {
  render?: (row: T) => ReactNode;
}

export function DataTable<T>(props: {
  id: string;
  rows: readonly T[];
  columns: readonly DataColumn<T>[];
  rowKey: (row: T) => string;
  initialSort?: SortState;
  /** The filter's text at first (e.g. from the page's URL). */
  initialFilter?: string;
  empty: string;
}) {
  const t = useTable(props.rows, props.columns, props.initialSort, 50, props.initialFilter);
  return (
    <div className="table" data-testid={props.id}>
      <input className="filter" placeholder="Filter…" aria-label="Filter rows" value={t.filter} onChange={(e) => t.setFilter(e.target.value)} />
      <span className="muted"> {t.total} rows</span>
      <table>
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th
                key={c.key}
                className={c.align}
                onClick={() => t.toggleSort(c.key)}
                aria-sort={t.sort?.key === c.key ? (t.sort.desc ? "descending" : "ascending") : "none"}
              >
                {c.label} {t.sort?.key === c.key ? (t.sort.desc ? "▼" : "▲") : ""}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {t.visible.length === 0 ? (
            <tr>
              <td colSpan={props.columns.length} className="muted">
                {props.empty}
              </td>
            </tr>
          ) : (
            t.visible.map((row) => (
              <tr key={props.rowKey(row)}>
                {props.columns.map((c) => (
                  <td key={c.key} className={c.align}>
                    {c.render ? c.render(row) : String(c.sort(row))}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
      {t.visible.length < t.total ? <button onClick={t.more}>Show more ({t.total - t.visible.length} left)</button> : null}
    </div>
  );
}
