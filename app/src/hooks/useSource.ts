// Where the accounts and entries pages read from: the chain's Ponder indexer (scripts/indexer/) when
// one is configured and its hash-chain head is the Ledger's tip() (checked again every few seconds),
// otherwise the chain itself, as every other page does. "Audit the whole ledger" reads and checks
// everything from the chain whatever the indexer says, until the visitor goes back to the indexer.
import { useEffect, useSyncExternalStore } from "react";
import { queryOptions, useQuery } from "@tanstack/react-query";
import { checkIndexer, ledgerTip, sourceOf } from "@core/indexer-client.js";
import type { IndexerHead, Source } from "@core/indexer-client.js";
import { rpcRetry } from "@core/rpc-errors.js";
import type { ChainConfig } from "../config";
import { createSignal } from "../lib/signal";
import { useAppConfig } from "./useAppConfig";

export type { Source };

// The audit choice, per tab (kept across reloads of the page, not across visits).
const AUDIT_KEY = "commons:audit-whole-ledger";
const readAudit = () => {
  try {
    return sessionStorage.getItem(AUDIT_KEY) === "yes";
  } catch {
    return false;
  }
};
const audit = createSignal(typeof sessionStorage === "undefined" ? false : readAudit());

/** Read the whole ledger from the chain (and check it) instead of through the indexer, or go back. */
export function setAuditWholeLedger(value: boolean): void {
  try {
    if (value) sessionStorage.setItem(AUDIT_KEY, "yes");
    else sessionStorage.removeItem(AUDIT_KEY);
  } catch {
    /* storage refused: the choice holds for this page only */
  }
  audit.set(value);
}

/** Whether this tab reads everything from the chain (the visitor chose to audit the whole ledger). */
export function useAuditing(): boolean {
  return useSyncExternalStore(audit.subscribe, audit.get);
}

/** The check of the chain's indexer against the Ledger's tip (main.tsx starts it before the first page renders). */
export function sourceQuery(chain: ChainConfig) {
  const ledger = chain.contracts.Ledger;
  return queryOptions({
    queryKey: ["indexer-check", chain.id, chain.rpcUrl, ledger, chain.indexerUrl] as const,
    queryFn: async () => {
      const readTip = () => rpcRetry("the Ledger's tip()", () => ledgerTip(chain.rpcUrl, ledger!), { maxAttempts: 2 });
      // A failure is an answer too (kept as data): a query that errors shows as pending again on every
      // refetch until it once succeeds, which would make the pages flicker between "checking" and the chain.
      performance.mark("commons:indexer-check");
      return checkIndexer(chain.indexerUrl!, readTip, 1_500)
        .finally(() => performance.mark("commons:indexer-checked"))
        .catch((error: unknown) => ({
          ok: false as const,
          reason: (error instanceof Error ? error.message : String(error)).split("\n")[0],
        }));
    },
    enabled: ledger !== undefined && chain.indexerUrl !== undefined,
    refetchInterval: 2_000,
    // Fresh until the next check: the pages that mount after main.tsx started it do not ask again.
    staleTime: 2_000,
    retry: false,
  });
}

// The last head each indexer was found at the Ledger's tip, and when.
const lastChecked = new Map<string, { head: IndexerHead; at: number }>();

/** How long pages read the chain after the indexer answered its head but failed a read, before trying it again. */
export const FAILED_READ_MS = 30_000;

// The last read each indexer failed (its head answered, its entries or totals did not), and when.
const failedRead = createSignal<ReadonlyMap<string, { reason: string; at: number }>>(new Map());

/** The failed reads already counted (a query keeps its last error until it succeeds). */
const counted = new WeakSet<Error>();

/**
 * When a page's read through the indexer at `url` fails (`what`: "the accounts", "a page of
 * entries", ...), pages read the chain for FAILED_READ_MS, saying why, then try the indexer again.
 * Every new failure starts the FAILED_READ_MS again, the same reason too: an indexer that fails the
 * same read (or the same spot check) when tried again is left for another FAILED_READ_MS. A failure
 * counts once: the error a query still holds from before (when the page tries the indexer again) is
 * not a new one.
 */
export function useIndexerFailure(url: string | undefined, what: string, error: Error | null | undefined): void {
  useEffect(() => {
    if (!url || !error || counted.has(error)) return;
    counted.add(error);
    const reason = `the indexer answered its head but not ${what} (${error.message.split("\n")[0]})`;
    failedRead.set(new Map(failedRead.get()).set(url, { reason, at: Date.now() }));
  }, [url, what, error]);
}

export function useSource(): Source {
  const { chain } = useAppConfig();
  const auditing = useAuditing();
  const failures = useSyncExternalStore(failedRead.subscribe, failedRead.get);
  const q = useQuery({ ...sourceQuery(chain), enabled: !auditing && sourceQuery(chain).enabled });
  const url = chain.indexerUrl;
  if (!url || !chain.contracts.Ledger) return { kind: "chain", audit: false };
  if (auditing) return { kind: "chain", audit: true };
  const failed = failures.get(url);
  if (failed && q.dataUpdatedAt - failed.at < FAILED_READ_MS) return { kind: "chain", audit: false, reason: failed.reason };
  // Every re-check decides afresh: an indexer that diverges, stops answering or stays behind is left for the chain.
  return sourceOf(url, q.data, q.dataUpdatedAt, lastChecked);
}
