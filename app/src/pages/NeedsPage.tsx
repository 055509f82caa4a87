// Needs published on the ledger (stigmergy): what is asked for, how far the entries that satisfy
// it have met it, and when it is due, derived by scripts/lib/supply/supply.ts deriveNeeds (as `commons needs`).
import { useState } from "react";
import { deriveNeeds, isOpen } from "@supply/supply.js";
import type { NeedView } from "@supply/supply.js";
import { LedgerStatus } from "../components/LedgerStatus";
import { useChainTime } from "../hooks/useChainTime";
import { useLabels } from "../hooks/useLabels";
import { useLedger } from "../hooks/useLedger";
import { commonsNames } from "../lib/accounts";
import { dateTime, formatQuantity, isZeroHex, shortAddress, shortHex } from "../lib/format";
import { href } from "../lib/router";

const statusOf = (n: NeedView) => (n.open === 0n ? "met" : n.expired ? "expired" : "open");

export default function NeedsPage() {
  const ledger = useLedger();
  const { labels } = useLabels();
  const now = useChainTime();
  const [all, setAll] = useState(false);
  const names = commonsNames(ledger.snapshot?.events);
  const needs = ledger.snapshot && now.data !== undefined ? deriveNeeds(ledger.views, now.data) : [];
  const shown = all ? needs : needs.filter(isOpen);
  return (
    <section>
      <h2>Needs</h2>
      <LedgerStatus ledger={ledger} />
      {now.error && !now.data ? (
        <p className="error" role="alert">
          Could not read the chain's time: {now.error.message.split("\n")[0]}
        </p>
      ) : null}
      {ledger.snapshot && now.data !== undefined ? (
        <>
          <div className="controls">
            <label>
              <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} /> Also needs that are met or past due
            </label>
            <span className="muted">
              {needs.filter(isOpen).length} open of {needs.length} published; chain time {dateTime(now.data)}
            </span>
          </div>
          {shown.length === 0 ? (
            <p className="muted" data-testid="needs-empty">
              {needs.length === 0 ? "No need has been published on this ledger." : "No need is open: every need is met or past due."}
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
                  <th>Due</th>
                  <th>Status</th>
                  <th>Satisfied by</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((n) => {
                  const what = !isZeroHex(n.resourceSpec) ? n.resourceSpec : n.resource;
                  const pct = n.quantity === 0n ? 100 : Number((n.satisfied * 1000n) / n.quantity) / 10;
                  return (
                    <tr key={String(n.id)} data-need={String(n.id)}>
                      <td>
                        <a href={href(`entry/${n.id}`)}>#{String(n.id)}</a>
                      </td>
                      <td>
                        {n.action} {formatQuantity(n.quantity)} {n.unit}
                      </td>
                      <td className={labels.name(what) ? "" : "mono"} title={what}>
                        {isZeroHex(what) ? "anything" : (labels.name(what) ?? shortHex(what))}
                      </td>
                      <td title={n.commons}>{names.get(n.commons.toLowerCase()) ?? shortHex(n.commons)}</td>
                      <td className="mono" title={n.agent}>
                        {shortAddress(n.agent)}
                      </td>
                      <td className="right">
                        {formatQuantity(n.satisfied)} / {formatQuantity(n.quantity)} {n.unit}
                      </td>
                      <td>
                        <progress max={100} value={Math.min(pct, 100)} aria-label={`need ${n.id} progress`} /> {pct.toFixed(1)} %
                      </td>
                      <td>
                        {dateTime(n.due)}
                        {n.expired ? "" : ` (in ${Math.max(0, Math.round(Number(n.due - now.data!) / 86400))} days)`}
                      </td>
                      <td className={statusOf(n) === "open" ? "" : statusOf(n) === "met" ? "ok" : "error"}>{statusOf(n)}</td>
                      <td>
                        {n.satisfiers.length === 0 ? (
                          <span className="muted">nothing yet</span>
                        ) : (
                          n.satisfiers.map((s) => (
                            <div key={String(s.id)}>
                              <a href={href(`entry/${s.id}`)}>#{String(s.id)}</a> {formatQuantity(s.quantity)} {s.unit} ({s.state})
                              {s.counted ? "" : <span className="muted">: not counted, {s.reason}</span>}
                            </div>
                          ))
                        )}
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
