// One entry for the Entry page: through the indexer (only that entry, with its validations,
// endorsements and the counterparty's answer) when the pages read through it, else from the whole
// ledger read from the chain. Its signature is checked in the browser either way (useEntrySignature).
import { useQuery } from "@tanstack/react-query";
import { indexedEntry } from "@core/indexer-client.js";
import type { EntryView } from "@core/views.js";
import { useRegisteredCommons } from "./useGovernance";
import { useLedger } from "./useLedger";
import type { LedgerData } from "./useLedger";
import { useIndexerFailure, useSource } from "./useSource";

export interface EntryData {
  view?: EntryView;
  /** For the page's status line (loading, errors, where the events came from). */
  ledger: LedgerData;
  /** The ledger was read and has no such entry: how many it has. */
  missing?: { entries: number };
  error?: Error;
}

export function useEntry(id: bigint | undefined): EntryData {
  const source = useSource();
  const ledger = useLedger({ unlessIndexed: true });
  const registered = useRegisteredCommons();
  const indexer = source.kind === "indexer" ? source : undefined;
  const q = useQuery({
    queryKey: ["indexer-entry", indexer?.url, String(id), indexer ? String(indexer.head.count) : "", String(registered?.size)],
    queryFn: async () => (await indexedEntry(indexer!.url, id!, registered!)) ?? null,
    enabled: indexer !== undefined && registered !== undefined && id !== undefined,
    // Validations and answers change the entry without a new head.
    refetchInterval: 2_000,
    retry: false,
  });
  useIndexerFailure(indexer?.url, `entry ${id}`, q.error);
  if (indexer) {
    const view = q.data ?? undefined;
    return { view, ledger, error: q.error ?? undefined, missing: q.data === null ? { entries: Number(indexer.head.count) } : undefined };
  }
  const view = id === undefined ? undefined : ledger.byId.get(id);
  return { view, ledger, missing: ledger.snapshot && !view ? { entries: ledger.views.length } : undefined };
}
