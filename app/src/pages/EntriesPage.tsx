import { useMemo } from "react";
import { agentLabel } from "@core/directory.js";
import type { Names } from "@core/directory.js";
import { CONSENT_LABELS } from "@core/views.js";
import type { EntryView } from "@core/views.js";
import { DataTable } from "../components/DataTable";
import type { DataColumn } from "../components/DataTable";
import { LedgerStatus } from "../components/LedgerStatus";
import { useLedger } from "../hooks/useLedger";
import { perPage, useEntryPages } from "../hooks/useEntryPages";
import { useSource } from "../hooks/useSource";
import type { Source } from "../hooks/useSource";
import { useNames } from "../hooks/useNames";
import { Agent } from "../components/Agent";
import { dateTime, formatQuantity } from "../lib/format";
import { href } from "../lib/router";
import type { PageProps } from "../lib/router";

/** The columns; the agent column shows, sorts and filters by the agent's published name (and address). */
const columnsFor = (names: Names): DataColumn<EntryView>[] => [
  { key: "id", label: "#", sort: (v) => v.id, render: (v) => <a href={href(`entry/${v.id}`)}>#{String(v.id)}</a>, align: "right" },
  { key: "flow", label: "Flow", sort: (v) => v.flow },
  { key: "action", label: "Action", sort: (v) => v.action },
  {
    key: "agent",
    label: "Agent",
    sort: (v) => names.agent(v.agent)?.name.toLowerCase() ?? v.agent.toLowerCase(),
    text: (v) => `${agentLabel(names, v.agent)} ${v.agent}`,
    render: (v) => <Agent address={v.agent} />,
  },
  {
    key: "quantity",
    label: "Quantity",
    sort: (v) => v.entry.record.quantity,
    text: (v) => `${formatQuantity(v.entry.record.quantity)} ${v.unit}`,
    render: (v) => `${formatQuantity(v.entry.record.quantity)} ${v.unit}`,
    align: "right",
  },
  { key: "time", label: "Time", sort: (v) => v.entry.record.time, text: (v) => dateTime(v.entry.record.time), render: (v) => dateTime(v.entry.record.time) },
  {
    key: "state",
    label: "State",
    sort: (v) => v.state,
    render: (v) => (
      <span className={v.state === "accepted" ? "ok" : v.state === "disputed" ? "error" : undefined}>
        {v.state}
        {v.correctedBy ? ` by #${v.correctedBy}` : ""}
      </span>
    ),
  },
  { key: "validations", label: "Accepts / disputes", sort: (v) => v.accepts - v.disputes, render: (v) => `${v.accepts} / ${v.disputes}`, align: "right" },
  {
    key: "consent",
    label: "Both parties",
    sort: (v) => v.consent,
    text: (v) => (v.consent === "none" ? "" : CONSENT_LABELS[v.consent]),
    render: (v) =>
      v.consent === "none" ? null : (
        <span className={v.consent === "confirmed" ? "ok" : v.consent === "refused" ? "error" : "muted"} title={v.counterparty ?? undefined}>
          {v.consent}
        </span>
      ),
  },
];

export default function EntriesPage({ query }: PageProps) {
  const source = useSource();
  const ledger = useLedger({ unlessIndexed: true });
  const { names } = useNames();
  const columns = useMemo(() => columnsFor(names), [names]);
  return (
    <section>
      <h2>Entries</h2>
      <LedgerStatus ledger={ledger} indexed />
      {source.kind === "indexer" ? (
        <IndexedEntries source={source} columns={columns} filter={query.get("filter") ?? ""} limit={perPage(query.get("per"))} />
      ) : source.kind === "checking" ? null : ledger.snapshot ? (
        <DataTable
          id="entries-table"
          rows={ledger.views}
          columns={columns}
          rowKey={(v) => String(v.id)}
          initialSort={{ key: "id", desc: true }}
          initialFilter={query.get("filter") ?? ""}
          empty="The ledger has no entries yet."
        />
      ) : null}
    </section>
  );
}

/** One page of entries from the indexer, the newest first; sorting and the filter apply to the page shown. */
function IndexedEntries(props: { source: Extract<Source, { kind: "indexer" }>; columns: DataColumn<EntryView>[]; filter: string; limit: number }) {
  const { columns, filter, limit } = props;
  const pages = useEntryPages(props.source, limit);
  const { page } = pages;
  if (pages.error)
    return (
      <p className="error" role="alert">
        The indexer did not answer this page of entries: {pages.error.message}
      </p>
    );
  if (!page) return <p className="muted">Asking the indexer for the newest entries…</p>;
  const [first, last] = [page.views[0]?.id, page.views.at(-1)?.id];
  const pager = (
    <p className="controls" data-testid="entries-pager" data-page={page.number} data-first={String(first ?? "")} data-last={String(last ?? "")}>
      {first !== undefined ? `Entries #${first} to #${last} of ${page.total}, the newest first (page ${page.number}).` : null}{" "}
      <button onClick={pages.newest} disabled={!pages.newest}>
        Newest
      </button>{" "}
      <button onClick={pages.newer} disabled={!pages.newer}>
        ← Newer
      </button>{" "}
      <button onClick={pages.older} disabled={!pages.older}>
        Older →
      </button>
    </p>
  );
  return (
    <>
      {pager}
      <p className="muted">Sorting and the filter apply to the {limit} entries of this page; audit the whole ledger to sort or filter every entry.</p>
      <DataTable
        id="entries-table"
        rows={page.views}
        columns={columns}
        rowKey={(v) => String(v.id)}
        initialSort={{ key: "id", desc: true }}
        initialFilter={filter}
        empty="The ledger has no entries yet."
      />
    </>
  );
}
