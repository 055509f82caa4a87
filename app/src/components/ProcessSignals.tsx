// Plan signals summed per process (processSignals in scripts/lib/supply/supply.ts, as `commons
// needs --processes`): planned, committed, done and open output, the earliest due still to meet
// and the worst status; processes behind first and highlighted.
import type { ProcessRow } from "../lib/needs";
import { statusClass } from "../lib/needs";
import { dateTime, formatQuantity } from "../lib/format";
import { href } from "../lib/router";
import { Agent } from "./Agent";

export function ProcessSignals({ processes }: { processes: readonly ProcessRow[] }) {
  const behind = processes.filter((p) => p.status === "behind").length;
  return (
    <>
      <h3>Processes</h3>
      <p className="muted" data-testid="processes-summary">
        {processes.length} process{processes.length === 1 ? "" : "es"} with planned output; {behind} behind.
      </p>
      <table data-testid="processes-table">
        <thead>
          <tr>
            <th>Process</th>
            <th>Output</th>
            <th className="right">Planned</th>
            <th className="right">Committed</th>
            <th className="right">Done</th>
            <th className="right">Open</th>
            <th>Due</th>
            <th>Status</th>
            <th>Intents</th>
            <th>By</th>
          </tr>
        </thead>
        <tbody>
          {processes.map((p) => (
            <tr
              key={`${p.commons}:${p.coordinator}:${p.process}:${p.resourceSpec}:${p.unit}`}
              data-process={p.process}
              data-status={p.status}
              className={p.status === "behind" ? "behind" : ""}
            >
              <td title={p.process}>{p.name}</td>
              <td title={p.resourceSpec}>{p.output}</td>
              <td className="right">
                {formatQuantity(p.planned)} {p.unit}
              </td>
              <td className="right">{formatQuantity(p.committed)}</td>
              <td className="right">{formatQuantity(p.done)}</td>
              <td className="right">{formatQuantity(p.open)}</td>
              <td>{dateTime(p.due)}</td>
              <td className={statusClass(p.status)}>{p.status}</td>
              <td>
                {p.needs.map((id) => (
                  <span key={String(id)}>
                    <a href={href(`entry/${id}`)} className={p.behind.includes(id) ? "error" : ""}>
                      #{String(id)}
                    </a>{" "}
                  </span>
                ))}
              </td>
              <td>
                <Agent address={p.coordinator} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
