// One need for its Entry page: its progress, commitments and the events that fulfil them. Through
// the indexer (only what answers that need, /needs/<id>, as `commons needs <id> --indexer`) when the
// pages read through it, else from the whole ledger read from the chain. Either way supply.ts
// needOf derives it (or says why there is none: withdrawn, corrected into another flow).
import { useMemo } from "react";
import { useQuery } from "@tanstack/react-query";
import { indexedNeed } from "@core/indexer-client.js";
import { needOf } from "@supply/supply.js";
import type { EntryView } from "@core/views.js";
import { useChainTime } from "./useChainTime";
import { useRegisteredCommons } from "./useGovernance";
import { useLedger } from "./useLedger";
import { useIndexerFailure, useSource } from "./useSource";

/** The indexer has no such entry: nothing to derive a need from. */
const NONE: readonly EntryView[] = [];

export function useNeed(id: bigint | undefined) {
  const source = useSource();
  const ledger = useLedger({ unlessIndexed: true });
  const registered = useRegisteredCommons();
  const now = useChainTime();
  const indexer = source.kind === "indexer" ? source : undefined;
  const q = useQuery({
    queryKey: ["indexer-need", indexer?.url, String(id), String(registered?.size)],
    queryFn: async () => (await indexedNeed(indexer!.url, id!, registered!)) ?? null,
    enabled: indexer !== undefined && registered !== undefined && id !== undefined,
    // Commitments and events arrive, and validations change what counts, without a new need.
    refetchInterval: 2_000,
    retry: false,
  });
  useIndexerFailure(indexer?.url, `need ${id}`, q.error);
  const views = indexer ? (q.data === null ? NONE : q.data?.views) : ledger.snapshot ? ledger.views : undefined;
  const found = useMemo(
    () => (views === undefined || now.data === undefined || id === undefined ? undefined : needOf(views, id, now.data)),
    [views, now.data, id],
  );
  return { found, now: now.data, source: source.kind };
}
