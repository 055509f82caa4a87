// One need's chain (deriveNeeds in scripts/lib/supply/supply.ts): the commitments that answer it,
// each with its committer, what it promises by when, and the events that fulfil it; then the
// events that name the need itself; each linked to its entry page. Uncounted links say why.
import type { NeedSatisfier, NeedView } from "@supply/supply.js";
import { dateTime, formatQuantity } from "../lib/format";
import { href } from "../lib/router";
import { Agent } from "./Agent";

function Satisfier({ s }: { s: NeedSatisfier }) {
  return (
    <li data-satisfier={String(s.id)}>
      <a href={href(`entry/${s.id}`)}>#{String(s.id)}</a> {s.flow === "event" ? s.action : s.flow} {formatQuantity(s.quantity)} {s.unit} by{" "}
      <Agent address={s.agent} /> ({s.state}){s.counted ? "" : <span className="muted">: not counted, {s.reason}</span>}
    </li>
  );
}

export function NeedChain({ need, now }: { need: NeedView; now: bigint }) {
  const events = need.satisfiers.filter((s) => s.flow !== "commitment");
  if (need.commitments.length === 0 && events.length === 0) return <span className="muted">nothing yet</span>;
  return (
    <ul className="chain">
      {need.commitments.map((c) => {
        const broken = c.counted && c.open > 0n && c.due < now;
        return (
          <li key={String(c.id)} data-commitment={String(c.id)}>
            <a href={href(`entry/${c.id}`)}>#{String(c.id)}</a> commitment {formatQuantity(c.quantity)} {c.unit} by <Agent address={c.agent} /> due{" "}
            {dateTime(c.due)} ({c.state}): {formatQuantity(c.fulfilled)} fulfilled, {formatQuantity(c.open)} open
            {broken ? <span className="error">, past its due</span> : null}
            {c.late ? <span className="warning">, promised after the need's due</span> : null}
            {c.counted ? null : <span className="muted">; not counted, {c.reason}</span>}
            {c.satisfiers.length ? (
              <ul>
                {c.satisfiers.map((s) => (
                  <Satisfier key={String(s.id)} s={s} />
                ))}
              </ul>
            ) : null}
          </li>
        );
      })}
      {events.map((s) => (
        <Satisfier key={String(s.id)} s={s} />
      ))}
    </ul>
  );
}
