// The overviews of one commons and of one person (core/overview.ts). Through the indexer when the
// pages read through it: the commons' or the agent's entry tallies and day totals, and the agent's
// validations given and received (a few rows, whatever the size of the ledger). Otherwise from the
// whole ledger read from the chain. Who decides in each commons comes from the chain's own events
// either way (useCommons), so stewardship and roles never rest on the indexer's word.
import { useMemo } from "react";
import { useQuery } from "@tanstack/react-query";
import { indexedAccountDays, indexedActivity, indexedCommons, indexedTallies } from "@core/indexer-client.js";
import { commonsMemberDiffersFromChain, personDiffersFromChain } from "@core/indexer-spot-check.js";
import { activityOf, commonsOverviewOf, entryTallies, personOverviewOf } from "@core/overview.js";
import type { CommonsOverview, PersonOverview } from "@core/overview.js";
import { dayTotals } from "@core/views.js";
import { providerFor } from "../lib/ledgerReader";
import { useAppConfig } from "./useAppConfig";
import { useCommons } from "./useCommons";
import { useLedger } from "./useLedger";
import { useNames } from "./useNames";
import type { LedgerData } from "./useLedger";
import { useIndexerFailure, useSource } from "./useSource";
import type { Source } from "./useSource";

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** How often an overview asks the indexer again: validations and answers move its figures without a new head. */
const REFRESH_MS = 2_000;

interface Read<T> {
  /** Undefined while it is read (or when there is nothing to read). */
  overview?: T;
  /** The whole ledger, when the page reads the chain (its status line says how far the read has come). */
  ledger: LedgerData;
  source: Source;
}

/** A read through the indexer, asked again every REFRESH_MS. */
function useIndexerRead<T>(queryKey: readonly unknown[], read: () => Promise<T>, enabled: boolean) {
  return useQuery({ queryKey, queryFn: read, enabled, refetchInterval: REFRESH_MS, retry: false });
}

/** The indexer the pages read through, if they do. */
function indexerOf(source: Source) {
  return source.kind === "indexer" ? source : undefined;
}

/**
 * Commons `id`'s overview; `registered` false once who decides is read and no such commons is
 * registered. Through the indexer, one member's figures in it are spot-checked against the chain at
 * each new head (a member drawn from the chain: core/indexer-spot-check.ts
 * `commonsMemberDiffersFromChain`); a difference is a failed read, and the page reads the chain.
 */
export function useCommonsOverview(id: string | undefined): Read<CommonsOverview> & { registered?: boolean; checked?: { agent?: string; checked: boolean } } {
  const { chain } = useAppConfig();
  const source = useSource();
  const ledger = useLedger({ unlessIndexed: true });
  const governance = useCommons();
  // People by their published names in the sentence a difference gives.
  const { names: people } = useNames();
  const indexer = indexerOf(source);
  const commons = id === undefined ? undefined : governance.byId.get(id.toLowerCase());
  const wanted = indexer !== undefined && commons !== undefined;
  const tallies = useIndexerRead(["indexer-tallies", indexer?.url, "commons", id], () => indexedTallies(indexer!.url, { commons: id! }), wanted);
  const days = useIndexerRead(["indexer-days", indexer?.url, "commons", id], () => indexedAccountDays(indexer!.url, { commons: id! }), wanted);
  const check = useQuery({
    queryKey: ["indexer-commons-check", indexer?.url, id, String(indexer?.head.count)],
    // Stopped (`signal`) when the page is left before it ends.
    queryFn: async ({ signal }) => {
      const found = await commonsMemberDiffersFromChain(indexer!.url, providerFor(chain.rpcUrl, chain.id), chain.contracts.Ledger!, id!, {
        fromBlock: chain.fromBlock,
        count: indexer!.head.count,
        signal,
        commonsName: () => commons!.name,
        people,
      });
      if (found.difference) throw new Error(found.difference);
      return { agent: found.agent, checked: found.checked };
    },
    enabled: wanted,
    staleTime: Infinity,
    retry: false,
  });
  useIndexerFailure(indexer?.url, "the commons' figures", tallies.error ?? days.error ?? check.error);
  const overview = useMemo(() => {
    if (!commons) return undefined;
    if (indexer) return tallies.data && days.data ? commonsOverviewOf(commons, tallies.data, days.data) : undefined;
    if (!ledger.snapshot) return undefined;
    const own = ledger.views.filter((v) => same(v.entry.record.commons, commons.id));
    return commonsOverviewOf(commons, entryTallies(own), dayTotals(own));
  }, [commons, indexer, tallies.data, days.data, ledger.snapshot, ledger.views]);
  return { overview, ledger, source, registered: governance.loaded ? commons !== undefined : undefined, checked: indexer ? check.data : undefined };
}

/** How many entries name each registered commons (lower-case id). */
export function useCommonsEntries(): ReadonlyMap<string, number> | undefined {
  const source = useSource();
  const ledger = useLedger({ unlessIndexed: true });
  const indexer = indexerOf(source);
  const q = useIndexerRead(["indexer-commons", indexer?.url], () => indexedCommons(indexer!.url), indexer !== undefined);
  useIndexerFailure(indexer?.url, "the commons", q.error);
  return useMemo(() => {
    if (indexer) return q.data ? new Map(q.data.map((c) => [c.id.toLowerCase(), c.entries])) : undefined;
    if (!ledger.snapshot) return undefined;
    const n = new Map<string, number>();
    for (const v of ledger.views) n.set(v.entry.record.commons.toLowerCase(), (n.get(v.entry.record.commons.toLowerCase()) ?? 0) + 1);
    return n;
  }, [indexer, q.data, ledger.snapshot, ledger.views]);
}

/**
 * The overview of the agent at `address`. Through the indexer, every figure of it is spot-checked
 * against the chain at each new head (core/indexer-spot-check.ts `personDiffersFromChain`: their
 * own entries and states, and the validations they gave and received, read from the chain); a
 * difference is a failed read, and the page reads the chain, saying which figure differs.
 */
export function usePersonOverview(address: string | undefined): Read<PersonOverview> & { checked?: "same" | "unchecked" } {
  const { chain } = useAppConfig();
  const source = useSource();
  const ledger = useLedger({ unlessIndexed: true });
  const governance = useCommons();
  const { names: people } = useNames();
  const indexer = indexerOf(source);
  const wanted = indexer !== undefined && address !== undefined;
  const key = [indexer?.url, "agent", address?.toLowerCase()];
  const tallies = useIndexerRead(["indexer-tallies", ...key], () => indexedTallies(indexer!.url, { agent: address! }), wanted);
  const days = useIndexerRead(["indexer-days", ...key], () => indexedAccountDays(indexer!.url, { agent: address! }), wanted);
  const activity = useIndexerRead(["indexer-activity", ...key], () => indexedActivity(indexer!.url, address!), wanted);
  const check = useQuery({
    queryKey: ["indexer-person-check", ...key, String(indexer?.head.count)],
    // Stopped (`signal`) when the page is left before it ends.
    queryFn: async ({ signal }) => {
      const names = new Map(governance.commons.map((c) => [c.id, c.name]));
      const found = await personDiffersFromChain(indexer!.url, providerFor(chain.rpcUrl, chain.id), chain.contracts.Ledger!, address!, {
        fromBlock: chain.fromBlock,
        count: indexer!.head.count,
        signal,
        commonsName: (id) => names.get(id),
        people,
      });
      if (found !== undefined && found !== "unchecked") throw new Error(found);
      return found ?? ("same" as const);
    },
    enabled: wanted && governance.loaded,
    staleTime: Infinity,
    retry: false,
  });
  useIndexerFailure(indexer?.url, "the person's figures", tallies.error ?? days.error ?? activity.error ?? check.error);
  const overview = useMemo(() => {
    if (!address || !governance.loaded) return undefined;
    if (indexer)
      return tallies.data && days.data && activity.data ? personOverviewOf(address, governance.commons, tallies.data, days.data, activity.data) : undefined;
    if (!ledger.snapshot) return undefined;
    const own = ledger.views.filter((v) => same(v.agent, address));
    return personOverviewOf(address, governance.commons, entryTallies(own), dayTotals(own), activityOf(ledger.views, address));
  }, [address, governance.loaded, governance.commons, indexer, tallies.data, days.data, activity.data, ledger.snapshot, ledger.views]);
  return { overview, ledger, source, checked: indexer ? check.data : undefined };
}
