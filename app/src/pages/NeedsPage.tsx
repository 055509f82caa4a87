// Needs published on the ledger (stigmergy): what is asked for, who committed to it and what
// fulfilled it (the chain intent -> commitments -> events), what is still open, when it is due and
// how it stands; at the top, the plan signals per process, those behind first. Derived by
// scripts/lib/supply/supply.ts deriveNeeds, needStatus and processSignals (as `commons needs`),
// through the indexer when it holds the Ledger's entries (hooks/useNeeds.ts).
import { LedgerStatus } from "../components/LedgerStatus";
import { NeedChain } from "../components/NeedChain";
import { ProcessSignals } from "../components/ProcessSignals";
import { useNeeds } from "../hooks/useNeeds";
import { statusClass } from "../lib/needs";
import { dateTime, formatQuantity, isZeroHex, shortHex } from "../lib/format";
import { href } from "../lib/router";
import { Agent } from "../components/Agent";

export default function NeedsPage() {
  const { ledger, source, labels, now, ready, names, all, setAll, rows, shown, toDo, processes } = useNeeds();
  return (
    <section>
      <h2>Needs</h2>
      <LedgerStatus ledger={ledger} indexed />
      {now.error && !now.data ? (
        <p className="error" role="alert">
          Could not read the chain's time: {now.error.message.split("\n")[0]}
        </p>
      ) : null}
      {ready ? (
        <>
          {processes.length ? <ProcessSignals processes={processes} /> : null}
          {processes.length ? <h3>Needs</h3> : null}
          <div className="controls">
            <label>
              <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} /> Also needs that are met or expired
            </label>
            <span className="muted" data-testid="needs-count" data-source={source}>
              {toDo} to do of {rows.length} published; chain time {dateTime(now.data!)}
            </span>
          </div>
          {shown.length === 0 ? (
            <p className="muted" data-testid="needs-empty">
              {rows.length === 0 ? "No need has been published on this ledger." : "Nothing to do: every need is met or expired."}
            </p>
          ) : (
            <table data-testid="needs-table">
              <thead>
                <tr>
                  <th>Need</th>
                  <th>Asked</th>
                  <th>What</th>
                  <th>Commons</th>
                  <th>By</th>
                  <th className="right">Met</th>
                  <th>Progress</th>
                  <th>Open</th>
                  <th>Due</th>
                  <th>Status</th>
                  <th>Commitments and events</th>
                </tr>
              </thead>
              <tbody>
                {shown.map(({ need: n, status, pct, uncommitted }) => {
                  const what = !isZeroHex(n.resourceSpec) ? n.resourceSpec : n.resource;
                  return (
                    <tr key={String(n.id)} data-need={String(n.id)} data-status={status} className={status === "behind" ? "behind" : ""}>
                      <td>
                        <a href={href(`entry/${n.id}`)}>#{String(n.id)}</a>
                      </td>
                      <td>
                        {n.action} {formatQuantity(n.quantity)} {n.unit}
                        {n.signal ? <div className="muted">in {labels.name(n.signal.process) ?? shortHex(n.signal.process)}</div> : null}
                      </td>
                      <td className={labels.name(what) ? "" : "mono"} title={what}>
                        {isZeroHex(what) ? "anything" : (labels.name(what) ?? shortHex(what))}
                      </td>
                      <td title={n.commons}>{names.get(n.commons.toLowerCase()) ?? shortHex(n.commons)}</td>
                      <td>
                        <Agent address={n.agent} />
                      </td>
                      <td className="right">
                        {formatQuantity(n.satisfied)} / {formatQuantity(n.quantity)} {n.unit}
                      </td>
                      <td>
                        <progress max={100} value={Math.min(pct, 100)} aria-label={`need ${n.id} progress`} /> {pct.toFixed(1)} %
                      </td>
                      <td data-testid={`need-open-${n.id}`}>
                        {formatQuantity(n.open)} {n.unit} open
                        {n.open > 0n ? (
                          <div className={uncommitted > 0n ? "warning" : "muted"}>
                            {formatQuantity(n.committed)} committed, {formatQuantity(uncommitted)} {n.unit} uncommitted
                          </div>
                        ) : null}
                      </td>
                      <td>
                        {dateTime(n.due)}
                        {n.due < now.data! ? "" : ` (in ${Math.max(0, Math.round(Number(n.due - now.data!) / 86400))} days)`}
                      </td>
                      <td className={statusClass(status)}>{status}</td>
                      <td data-testid={`need-chain-${n.id}`}>
                        <NeedChain need={n} now={now.data!} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </>
      ) : null}
    </section>
  );
}
