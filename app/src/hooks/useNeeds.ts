// The needs page's state: the needs with their chains (commitments and the events that fulfil
// them) and statuses at the chain's time, the plan signals per process, and the "also met or
// expired" switch. Through the indexer (when its head is the Ledger's tip): only the intents and
// the entries that link to one, all that needs are derived from (as `commons needs --indexer`).
// Otherwise from the whole ledger read from the chain. Either way supply.ts deriveNeeds derives them.
import { useMemo, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { indexedViews } from "@core/indexer-client.js";
import { deriveNeeds } from "@supply/supply.js";
import { commonsNames } from "../lib/accounts";
import { needRows, processRows, stillToDo } from "../lib/needs";
import { useChainTime } from "./useChainTime";
import { useGovernanceEvents } from "./useGovernance";
import { useLabels } from "./useLabels";
import { useLedger } from "./useLedger";
import { useIndexerFailure, useSource } from "./useSource";

/** The intents and the entries linked to them, from the indexer, asked again every 2 s (commitments and events arrive without a new need). */
function useIndexedCoordination(url: string | undefined) {
  const q = useQuery({
    queryKey: ["indexer-coordination", url],
    queryFn: () => indexedViews(url!, { coordination: true }),
    enabled: url !== undefined,
    refetchInterval: 2_000,
    retry: false,
  });
  useIndexerFailure(url, "the needs", q.error);
  return q.data;
}

export function useNeeds() {
  const source = useSource();
  const ledger = useLedger({ unlessIndexed: true });
  const governance = useGovernanceEvents();
  const indexed = useIndexedCoordination(source.kind === "chain" ? undefined : source.url);
  const { labels } = useLabels();
  const now = useChainTime();
  const [all, setAll] = useState(false);
  const names = useMemo(() => commonsNames(governance.events), [governance.events]);
  const views = source.kind === "indexer" ? indexed : ledger.snapshot ? ledger.views : undefined;
  const ready = views !== undefined && now.data !== undefined;
  const needs = useMemo(() => (ready ? deriveNeeds(views!, now.data!) : []), [ready, views, now.data]);
  const rows = useMemo(() => (ready ? needRows(needs, now.data!) : []), [ready, needs, now.data]);
  const processes = useMemo(() => (ready ? processRows(needs, now.data!, labels) : []), [ready, needs, now.data, labels]);
  const toDo = rows.filter((r) => stillToDo(r.status));
  return { ledger, source: source.kind, labels, now, ready, names, all, setAll, rows, shown: all ? rows : toDo, toDo: toDo.length, processes };
}
