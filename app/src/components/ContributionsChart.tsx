// Contributions over time (per month) in one unit, for a person or a commons: the accounts' bar
// chart, drawn once its code has loaded, with a unit picker when there is more than one unit
// (hours and euros never share an axis), the most used unit first.
import { lazy, Suspense, useState } from "react";
import type { TotalRow } from "@core/views.js";
import { toNumber } from "../lib/format";

const TotalsChart = lazy(() => import("./TotalsChart"));

export function ContributionsChart({ rows, testId }: { rows: readonly TotalRow[]; testId: string }) {
  // The most used unit first (by counted entries), as the accounts page chooses its chart's unit.
  const entries = new Map<string, number>();
  for (const r of rows) entries.set(r.unit, (entries.get(r.unit) ?? 0) + r.entries);
  const units = [...entries.keys()].sort((a, b) => entries.get(b)! - entries.get(a)! || a.localeCompare(b));
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const unit = chosen !== undefined && units.includes(chosen) ? chosen : units[0];
  if (units.length === 0) return <p className="muted">No counted contributions yet.</p>;
  const data = rows
    .filter((r) => r.unit === unit)
    .map((r) => ({ group: r.group, claimed: toNumber(r.claimed), accepted: toNumber(r.accepted), disputed: toNumber(r.disputed) }));
  return (
    <div>
      {units.length > 1 ? (
        <label>
          Unit{" "}
          <select aria-label="Contributions chart unit" value={unit} onChange={(e) => setChosen(e.target.value)}>
            {units.map((u) => (
              <option key={u}>{u}</option>
            ))}
          </select>
        </label>
      ) : null}
      <div className="card" style={{ height: 260 }} data-testid={testId} data-unit={unit}>
        <Suspense fallback={null}>
          <TotalsChart data={data} unit={unit} />
        </Suspense>
      </div>
    </div>
  );
}
