// The accounts page's state: grouping, period, unit and the totals and chart data they give.
import { useMemo, useState } from "react";
import { kindOf, totals, unitsByUse } from "@core/views.js";
import type { GroupBy, KindFilter, Period } from "@core/views.js";
import { commonsNames } from "../lib/accounts";
import { toNumber } from "../lib/format";
import { useLedger } from "./useLedger";

export function useAccounts() {
  const ledger = useLedger();
  const [groupBy, setGroupBy] = useState<GroupBy>("contributor");
  const [period, setPeriod] = useState<Period>("month");
  // Contributions by default: the accounts of who gave what; supply-chain flows have their own view.
  const [kind, setKind] = useState<KindFilter>("contribution");
  const [unitChoice, setUnit] = useState<string | undefined>(undefined);
  const units = useMemo(() => unitsByUse(ledger.views, kind), [ledger.views, kind]);
  const unit = unitChoice !== undefined && units.includes(unitChoice) ? unitChoice : units[0];
  const rows = useMemo(() => totals(ledger.views, groupBy, period, kind), [ledger.views, groupBy, period, kind]);
  const names = useMemo(() => commonsNames(ledger.snapshot?.events), [ledger.snapshot]);
  const chart = useMemo(
    () =>
      rows
        .filter((r) => r.unit === unit)
        .sort((a, b) => (groupBy === "period" ? a.group.localeCompare(b.group) : Number(b.claimed - a.claimed)))
        .slice(0, 24)
        .map((r) => ({ group: r.group, claimed: toNumber(r.claimed), accepted: toNumber(r.accepted), disputed: toNumber(r.disputed) })),
    [rows, unit, groupBy],
  );
  const summary = useMemo(() => {
    let contributions = 0,
      flows = 0,
      accepted = 0,
      disputed = 0,
      claimed = 0,
      intents = 0,
      corrected = 0;
    for (const v of ledger.views) {
      if (v.flow !== "event") intents++;
      else if (v.state === "corrected") corrected++;
      else {
        const k = kindOf(v);
        if (k === "contribution") contributions++;
        else flows++;
        // Accepted, claimed and disputed: of the events shown.
        if (kind !== "all" && k !== kind) continue;
        if (v.state === "accepted") accepted++;
        else if (v.state === "disputed") disputed++;
        else claimed++;
      }
    }
    return { entries: ledger.views.length, contributions, flows, accepted, disputed, claimed, intents, corrected };
  }, [ledger.views, kind]);
  return { ledger, groupBy, setGroupBy, period, setPeriod, kind, setKind, unit, units, setUnit, rows, chart, names, summary };
}
