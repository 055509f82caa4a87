// The needs page's state: the needs with their chains (commitments and the events that fulfil
// them) and statuses at the chain's time, the plan signals per process, and the "also met or
// expired" switch.
import { useMemo, useState } from "react";
import { deriveNeeds } from "@supply/supply.js";
import { commonsNames } from "../lib/accounts";
import { needRows, processRows, stillToDo } from "../lib/needs";
import { useChainTime } from "./useChainTime";
import { useLabels } from "./useLabels";
import { useLedger } from "./useLedger";

export function useNeeds() {
  const ledger = useLedger();
  const { labels } = useLabels();
  const now = useChainTime();
  const [all, setAll] = useState(false);
  const names = useMemo(() => commonsNames(ledger.snapshot?.events), [ledger.snapshot]);
  const ready = ledger.snapshot !== undefined && now.data !== undefined;
  const needs = useMemo(() => (ready ? deriveNeeds(ledger.views, now.data!) : []), [ready, ledger.views, now.data]);
  const rows = useMemo(() => (ready ? needRows(needs, now.data!) : []), [ready, needs, now.data]);
  const processes = useMemo(() => (ready ? processRows(needs, now.data!, labels) : []), [ready, needs, now.data, labels]);
  const toDo = rows.filter((r) => stillToDo(r.status));
  return { ledger, labels, now, ready, names, all, setAll, rows, shown: all ? rows : toDo, toDo: toDo.length, processes };
}
