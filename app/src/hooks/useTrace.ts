// A trace (back to where a resource came from) or a track (forward to where it went), as
// scripts/lib/supply/supply.ts walks it. Through the indexer when the pages read through it: only
// the entries the walk passes through, loaded as it asks for them (every entry of each resource and
// process it looks up: supply.ts walkReading), whatever the size of the ledger. Otherwise from the
// whole ledger read from the chain. Either way the same SupplyGraph walks them.
import { useMemo } from "react";
import { useQuery } from "@tanstack/react-query";
import { indexedEntriesNaming } from "@core/indexer-client.js";
import type { EntryView } from "@core/views.js";
import { deriveResources, SupplyGraph, walkReading } from "@supply/supply.js";
import type { ResourceView, SupplyTree } from "@supply/supply.js";
import { useRegisteredCommons } from "./useGovernance";
import { useLedger } from "./useLedger";
import type { LedgerData } from "./useLedger";
import { useIndexerFailure, useSource } from "./useSource";

export interface TraceData {
  tree?: SupplyTree;
  /** The resource's holdings now (accounting and on hand), from its own events. */
  resource?: ResourceView;
  /** The walk is read: `tree` undefined then means no standing event names the resource. */
  read: boolean;
  /** An entry the walk went through, by id (for checking its signature). */
  entry(id: bigint): EntryView | undefined;
  /** For the page's status line. */
  ledger: LedgerData;
}

export function useTrace(resource: string | undefined, direction: "trace" | "track"): TraceData {
  const source = useSource();
  const ledger = useLedger({ unlessIndexed: true });
  const registered = useRegisteredCommons();
  const indexer = source.kind === "indexer" ? source : undefined;
  const q = useQuery({
    queryKey: ["indexer-trace", indexer?.url, resource, direction, String(indexer?.head.count), String(registered?.size)],
    queryFn: () => walkReading(direction, resource!, (want) => indexedEntriesNaming(indexer!.url, want, registered!)),
    enabled: indexer !== undefined && registered !== undefined && resource !== undefined,
    // Validations and answers change the hops' states without a new head.
    refetchInterval: 5_000,
    retry: false,
  });
  useIndexerFailure(indexer?.url, "the trace", q.error);
  const graph = useMemo(() => (!indexer && ledger.snapshot ? new SupplyGraph(ledger.views) : undefined), [indexer, ledger.snapshot, ledger.views]);
  return useMemo((): TraceData => {
    if (indexer) {
      const views = q.data?.views ?? [];
      const byId = new Map(views.map((v) => [v.id, v]));
      return {
        tree: q.data?.tree,
        resource: q.data?.tree && resource ? deriveResources(views).get(resource) : undefined,
        read: q.data !== undefined,
        entry: (id) => byId.get(id),
        ledger,
      };
    }
    const tree = resource && graph?.has(resource) ? graph[direction](resource) : undefined;
    return {
      tree,
      resource: tree && resource ? deriveResources(ledger.views).get(resource) : undefined,
      read: ledger.snapshot !== undefined,
      entry: (id) => ledger.byId.get(id),
      ledger,
    };
  }, [indexer, q.data, resource, graph, direction, ledger]);
}
