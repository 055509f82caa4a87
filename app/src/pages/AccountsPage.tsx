import { lazy, Suspense, useDeferredValue } from "react";
import { toCsv } from "@core/export.js";
import { toJsonLd } from "@core/valueflows-jsonld.js";
import { acceptedShare, GROUPS, KIND_FILTERS } from "@core/views.js";
import type { GroupBy, KindFilter, Period, TotalRow } from "@core/views.js";
import { CommonsRules } from "../components/CommonsRules";
import { DataTable } from "../components/DataTable";
import type { DataColumn } from "../components/DataTable";
import { LedgerStatus } from "../components/LedgerStatus";
import { Agent } from "../components/Agent";
import { MAX_SPOT_CHECK_ENTRIES } from "@core/indexer-spot-check.js";
import { useAccounts } from "../hooks/useAccounts";
import { useAppConfig } from "../hooks/useAppConfig";
import { useCommons } from "../hooks/useCommons";
import { download } from "../lib/download";
import { formatQuantity, shortHex } from "../lib/format";
import { useNames } from "../hooks/useNames";
import { useLabels } from "../hooks/useLabels";
import { agentLabel } from "@core/directory.js";

const PERIODS: Period[] = ["day", "week", "month", "year"];
const KIND_LABELS: Record<KindFilter, string> = {
  contribution: "contributions (work, use, citations, services, money)",
  flow: "supply-chain flows (goods produced, consumed, moved, handed over)",
  all: "everything",
};
const TotalsChart = lazy(() => import("../components/TotalsChart"));

export default function AccountsPage() {
  const { chain } = useAppConfig();
  const a = useAccounts();
  const { commons } = useCommons();
  // The chart is drawn after the totals and the table: once there is data, in a second,
  // interruptible render (its code is loaded then too).
  const drawChart = useDeferredValue(a.ready, false);
  const { names } = useNames();
  const { labels } = useLabels();
  const label = (g: string) =>
    a.groupBy === "contributor" ? agentLabel(names, g) : a.groupBy === "commons" ? (names.commons(g) ?? a.names.get(g) ?? shortHex(g)) : g;
  const columns: DataColumn<TotalRow>[] = [
    {
      key: "group",
      label: a.groupBy[0].toUpperCase() + a.groupBy.slice(1),
      sort: (r) => r.group,
      text: (r) => `${r.group} ${label(r.group)}`,
      render: (r) => <span title={r.group}>{label(r.group)}</span>,
    },
    { key: "unit", label: "Unit", sort: (r) => r.unit },
    { key: "entries", label: "Entries", sort: (r) => r.entries, align: "right" },
    // Quantities sort within their unit: hours against hours, euros against euros.
    { key: "claimed", label: "Claimed", sort: (r) => r.claimed, within: (r) => r.unit, render: (r) => formatQuantity(r.claimed), align: "right" },
    { key: "accepted", label: "Accepted", sort: (r) => r.accepted, within: (r) => r.unit, render: (r) => formatQuantity(r.accepted), align: "right" },
    { key: "disputed", label: "Disputed", sort: (r) => r.disputed, within: (r) => r.unit, render: (r) => formatQuantity(r.disputed), align: "right" },
    { key: "share", label: "Accepted %", sort: (r) => acceptedShare(r), render: (r) => `${acceptedShare(r).toFixed(1)} %`, align: "right" },
  ];
  const s = a.summary;
  const snapshot = a.source.kind === "indexer" ? undefined : a.ledger.snapshot;
  const ledgerAddress = chain.contracts.Ledger ?? "";
  return (
    <section>
      <h2>Accounts</h2>
      <LedgerStatus ledger={a.ledger} indexed />
      {a.source.kind === "indexer" ? (
        <p className="muted" data-testid="spot-check" data-agent={a.spotCheck?.agent}>
          {a.spotCheck === undefined ? (
            "Spot-checking one contributor's totals against the chain…"
          ) : a.spotCheck.checked && a.spotCheck.agent ? (
            <span className="ok">
              ✓ Spot-checked against the chain: <Agent address={a.spotCheck.agent} />
              ’s totals, recomputed from their own entries and each entry's state as the Ledger gives it, are the indexer’s.
            </span>
          ) : a.spotCheck.agent ? (
            <>
              The contributors drawn at random, the last <Agent address={a.spotCheck.agent} />, have more than {MAX_SPOT_CHECK_ENTRIES.toLocaleString("en-US")}{" "}
              entries each: too many to spot-check here; “Audit the whole ledger” checks every total.
            </>
          ) : (
            "No entry to spot-check yet."
          )}
        </p>
      ) : null}
      {a.ready ? (
        <>
          <div
            className="cards"
            data-testid="accounts-summary"
            data-entries={s.entries}
            data-source={a.source.kind}
            data-fetch-ms={snapshot ? snapshot.fetchMs.toFixed(0) : -1}
            data-decode-ms={snapshot ? snapshot.decodeMs.toFixed(0) : -1}
            data-store-ms={snapshot ? snapshot.storeMs.toFixed(0) : -1}
            data-stored-to-block={snapshot ? snapshot.storedToBlock : -1}
            data-index-ms={snapshot?.index ? snapshot.index.ms.toFixed(0) : -1}
          >
            <div className="card">
              <strong>{s.entries}</strong> entries
            </div>
            <div className="card" data-testid="accounts-contributions">
              <strong>{s.contributions}</strong> contributions counted
            </div>
            <div className="card muted" data-testid="accounts-flows">
              <strong>{s.flows}</strong> supply-chain flows
            </div>
            <div className="card ok">
              <strong>{s.accepted}</strong> accepted
            </div>
            <div className="card">
              <strong>{s.claimed}</strong> claimed, not yet accepted
            </div>
            <div className="card error">
              <strong>{s.disputed}</strong> disputed
            </div>
            <div className="card muted">
              <strong>{s.corrected}</strong> corrected, <strong>{s.intents}</strong> needs/offers/commitments
            </div>
          </div>
          <CommonsRules commons={commons} />
          <div className="controls">
            <label>
              Show{" "}
              <select aria-label="Show" value={a.kind} onChange={(e) => a.setKind(e.target.value as KindFilter)}>
                {KIND_FILTERS.map((k) => (
                  <option key={k} value={k}>
                    {KIND_LABELS[k]}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Group by{" "}
              <select aria-label="Group by" value={a.groupBy} onChange={(e) => a.setGroupBy(e.target.value as GroupBy)}>
                {GROUPS.map((g) => (
                  <option key={g}>{g}</option>
                ))}
              </select>
            </label>
            {a.groupBy === "period" ? (
              <label>
                Period{" "}
                <select aria-label="Period" value={a.period} onChange={(e) => a.setPeriod(e.target.value as Period)}>
                  {PERIODS.map((p) => (
                    <option key={p}>{p}</option>
                  ))}
                </select>
              </label>
            ) : null}
            <label>
              Chart unit{" "}
              <select aria-label="Chart unit" value={a.unit ?? ""} onChange={(e) => a.setUnit(e.target.value)}>
                {a.units.map((u) => (
                  <option key={u}>{u}</option>
                ))}
              </select>
            </label>
            <button onClick={() => void a.wholeLedger().then((views) => download("ledger.csv", toCsv(views, { names, label: labels.name }), "text/csv"))}>
              Download CSV
            </button>
            <button
              onClick={() =>
                void a
                  .wholeLedger()
                  .then((views) =>
                    download(
                      "ledger.jsonld",
                      JSON.stringify(toJsonLd(views, { chainId: BigInt(chain.id), ledger: ledgerAddress, names, label: labels.name }), null, 2),
                      "application/ld+json",
                    ),
                  )
              }
            >
              Download JSON-LD
            </button>
          </div>
          <div className="card" style={{ height: 300 }} data-testid="accounts-chart">
            {drawChart ? (
              <Suspense fallback={null}>
                <TotalsChart data={a.chart.map((c) => ({ ...c, group: label(c.group) }))} unit={a.unit} />
              </Suspense>
            ) : null}
          </div>
          <DataTable
            id="accounts-table"
            rows={a.rows}
            columns={columns}
            rowKey={(r) => `${r.group}|${r.unit}`}
            initialSort={{ key: "claimed", desc: true }}
            empty="No contributions recorded yet."
          />
          <p className="muted">
            {snapshot
              ? `Read ${snapshot.events.entries.length} entries up to block ${snapshot.toBlock}.`
              : a.source.kind === "indexer"
                ? `Totals of the ${s.entries} entries the indexer holds, kept per day as events arrive; its head is the Ledger's at block ${a.source.head.blockNumber}.`
                : null}{" "}
            Contributions are work, use of equipment, citations, services and money given (a transfer counted in a currency such as EUR); goods produced,
            consumed, moved or handed over are supply-chain flows. Claimed counts every event shown that was not corrected (a correction replaces its entry);
            accepted and disputed follow each commons' quorum rule over the validations of its appointed validators, exactly as the contract's{" "}
            <code>entryState</code>.
          </p>
        </>
      ) : null}
    </section>
  );
}
