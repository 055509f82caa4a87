// The accounts page's reads through the indexer, apart from the page's code: main.tsx asks for them
// while the page's code loads (this module is light: no React, no provider library).
import { queryOptions } from "@tanstack/react-query";
import { indexedAccountDays, indexedStateCounts } from "@core/indexer-client.js";

/**
 * The indexer's daily totals and state counts: asked for while the indexer is checked against the
 * Ledger's tip (main.tsx starts them with the check; they are shown only once it passed), then
 * again every 2 s, since validations and answers move totals without a new head (a few hundred
 * rows, whatever the size of the ledger). Fresh for those 2 s: the page that mounts after main.tsx
 * asked for them does not ask again.
 */
export function indexedAccountsQueries(url: string | undefined) {
  return {
    days: queryOptions({
      queryKey: ["indexer-days", url],
      queryFn: () => indexedAccountDays(url!).finally(() => performance.mark("commons:indexer-days")),
      enabled: url !== undefined,
      refetchInterval: 2_000,
      staleTime: 2_000,
      retry: false,
    }),
    counts: queryOptions({
      queryKey: ["indexer-counts", url],
      queryFn: () => indexedStateCounts(url!).finally(() => performance.mark("commons:indexer-counts")),
      enabled: url !== undefined,
      refetchInterval: 2_000,
      staleTime: 2_000,
      retry: false,
    }),
  };
}
