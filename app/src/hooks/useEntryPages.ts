// The entries page through the indexer: one page of entries at a time, the newest first, each
// asked for when shown (never the whole ledger). Pages are keyed by the first id they show, so a
// new entry does not move the page being read; "Newest" goes back to the top.
import { useState } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { indexedPage } from "@core/indexer-client.js";
import { useRegisteredCommons } from "./useGovernance";
import { useIndexerFailure } from "./useSource";
import type { Source } from "./useSource";

/** Entries per page: `per` from the page's URL (1 to 500), else 50. */
export function perPage(given: string | null): number {
  const n = Number(given);
  return given !== null && Number.isInteger(n) && n >= 1 && n <= 500 ? n : 50;
}

export function useEntryPages(source: Source, limit: number) {
  const url = source.kind === "indexer" ? source.url : undefined;
  const head = source.kind === "indexer" ? `${source.head.count}|${source.head.head}` : undefined;
  const registered = useRegisteredCommons();
  // The ids the pages before this one started from (for "Newer"), and this page's (undefined: the newest).
  const [stack, setStack] = useState<(bigint | undefined)[]>([]);
  const [from, setFrom] = useState<bigint | undefined>(undefined);
  const q = useQuery({
    // The newest page follows the head; an older page stays as it is.
    queryKey: ["indexer-page", url, from === undefined ? head : String(from), stack.length, limit, String(registered?.size)],
    // The page's position travels with its data, so that the pager never shows one page's number with another's entries.
    queryFn: async () => ({ ...(await indexedPage(url!, { from, limit, order: "desc" }, registered!)), number: stack.length + 1 }),
    enabled: url !== undefined && registered !== undefined,
    placeholderData: keepPreviousData,
    // Validations and answers change states without a new head: asked again every 2 s (one page, whatever the ledger's size).
    refetchInterval: 2_000,
    retry: false,
  });
  const page = q.data;
  useIndexerFailure(url, "a page of entries", q.error);
  return {
    page,
    error: q.error ?? undefined,
    loading: q.isPending && url !== undefined,
    // Not while the previous page stands in for the one asked for: its `next` is the page being loaded,
    // and a second click would ask for that page again under the next page's number.
    older: page?.next === undefined || q.isPlaceholderData ? undefined : () => (setStack((s) => [...s, from]), setFrom(page.next)),
    newer: stack.length === 0 ? undefined : () => (setFrom(stack.at(-1)), setStack((s) => s.slice(0, -1))),
    newest: stack.length === 0 ? undefined : () => (setFrom(undefined), setStack([])),
  };
}
