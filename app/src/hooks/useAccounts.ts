// The accounts page's state: grouping, period, unit and the totals, chart and summary they give.
// Through the indexer (when its head is the Ledger's tip): its daily totals and counts, a few
// hundred rows whatever the size of the ledger. Otherwise from the whole ledger read from the
// chain. Either way the same core rules (views.ts) sum them, as the CLI's `commons accounts` does.
import { useMemo, useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { accountsDifferFromChain, MAX_SPOT_CHECK_ENTRIES, randomAgent } from "@core/indexer-spot-check.js";
import type { Source } from "@core/indexer-client.js";
import { dayTotals, deriveEntries, stateCounts, summaryOf, totalsFromDays, unitsByUse } from "@core/views.js";
import type { DayTotals, EntryView, GroupBy, KindFilter, Period } from "@core/views.js";
import { commonsNames } from "../lib/accounts";
import { toNumber } from "../lib/format";
import { providerFor } from "../lib/ledgerReader";
import { useAppConfig } from "./useAppConfig";
import { useGovernanceEvents } from "./useGovernance";
import { useNames } from "./useNames";
import { ledgerQuery, useLedger } from "./useLedger";
import { indexedAccountsQueries } from "./accountsQueries";
import { useIndexerFailure, useSource } from "./useSource";

function useIndexedAccounts(url: string | undefined) {
  const queries = indexedAccountsQueries(url);
  const days = useQuery(queries.days);
  const counts = useQuery(queries.counts);
  const error = days.error ?? counts.error ?? undefined;
  useIndexerFailure(url, "the accounts", error);
  return { days: days.data, counts: counts.data };
}

/** Runs `work` between the performance marks `start` and `end`. */
async function between<T>(start: string, end: string, work: () => Promise<T>): Promise<T> {
  performance.mark(start);
  try {
    return await work();
  } finally {
    performance.mark(end);
  }
}

/** Per indexer, the contributor whose totals it was last found to answer wrongly. */
const suspects = new Map<string, string>();

/**
 * One contributor's totals, recomputed from the chain alone and compared with the indexer's
 * (core/indexer-spot-check.ts), again at every new head: a head that is the tip's vouches for the
 * entries, not for the sums. The contributor is drawn from the chain (the agent of a random entry),
 * so the indexer cannot hide anyone from the draw; up to three draws find one with at most
 * MAX_SPOT_CHECK_ENTRIES entries (by the indexer's count: checking costs a call per entry). A
 * difference is a failed read: the page reads the chain, saying which day differs, and that
 * contributor is checked first next time.
 */
function useSpotCheck(indexer: Extract<Source, { kind: "indexer" }> | undefined, days: readonly DayTotals[] | undefined) {
  const { chain } = useAppConfig();
  // The commons by the names they were registered under, in the sentence a difference gives.
  const governance = useGovernanceEvents();
  const names = useMemo(() => commonsNames(governance.events), [governance.events]);
  // And the contributor by their published name, as the page shows them.
  const { names: people } = useNames();
  const entriesOf = useMemo(() => {
    const entries = new Map<string, number>();
    for (const d of days ?? []) entries.set(d.agent.toLowerCase(), (entries.get(d.agent.toLowerCase()) ?? 0) + d.entries);
    return entries;
  }, [days]);
  const q = useQuery({
    queryKey: ["indexer-spot-check", indexer?.url, String(indexer?.head.count)],
    // Between two marks, for the benchmarks' account of a visit (scripts/bench/scale.ts). Stopped
    // (`signal`) when the page is left before it ends, so the node serves the page shown instead.
    queryFn: ({ signal }) =>
      between("commons:spot-check", "commons:spot-checked", async () => {
        const url = indexer!.url;
        const provider = providerFor(chain.rpcUrl, chain.id);
        const ledger = chain.contracts.Ledger!;
        const at = { fromBlock: chain.fromBlock, count: indexer!.head.count, signal };
        const suspect = suspects.get(url);
        let agent = suspect;
        let large: string | undefined;
        for (let draw = 0; agent === undefined && draw < 3; draw++) {
          const drawn = await randomAgent(provider, ledger, at);
          if (drawn !== undefined && (entriesOf.get(drawn.toLowerCase()) ?? 0) <= MAX_SPOT_CHECK_ENTRIES) agent = drawn;
          else large = drawn;
        }
        if (agent === undefined) return { agent: large, checked: false };
        const found = await accountsDifferFromChain(url, provider, ledger, agent, {
          ...at,
          commonsName: (id) => names.get(id),
          people,
        });
        if (found !== undefined && found !== "unchecked") {
          suspects.set(url, agent);
          throw new Error(found);
        }
        if (suspect === agent) suspects.delete(url);
        return { agent: agent as string | undefined, checked: found === undefined };
      }),
    enabled: indexer !== undefined && days !== undefined && governance.events !== undefined,
    staleTime: Infinity,
    retry: false,
  });
  useIndexerFailure(indexer?.url, "the accounts", q.error);
  return q.data;
}

export function useAccounts() {
  const { chain } = useAppConfig();
  const source = useSource();
  const ledger = useLedger({ unlessIndexed: true });
  const governance = useGovernanceEvents();
  const queryClient = useQueryClient();
  const indexer = source.kind === "indexer" ? source : undefined;
  const indexed = useIndexedAccounts(source.kind === "chain" ? undefined : source.url);
  const [groupBy, setGroupBy] = useState<GroupBy>("contributor");
  const [period, setPeriod] = useState<Period>("month");
  // Contributions by default: the accounts of who gave what; supply-chain flows have their own view.
  const [kind, setKind] = useState<KindFilter>("contribution");
  const [unitChoice, setUnit] = useState<string | undefined>(undefined);
  const fromChain = useMemo(
    () => (ledger.snapshot ? { days: dayTotals(ledger.views), counts: stateCounts(ledger.views) } : undefined),
    [ledger.snapshot, ledger.views],
  );
  const days = indexer ? indexed.days : fromChain?.days;
  const spotCheck = useSpotCheck(indexer, indexed.days);
  const counts = indexer ? indexed.counts : fromChain?.counts;
  const units = useMemo(() => unitsByUse(days ?? [], kind), [days, kind]);
  const unit = unitChoice !== undefined && units.includes(unitChoice) ? unitChoice : units[0];
  const rows = useMemo(() => totalsFromDays(days ?? [], groupBy, period, kind), [days, groupBy, period, kind]);
  const names = useMemo(() => commonsNames(governance.events), [governance.events]);
  const chart = useMemo(
    () =>
      rows
        .filter((r) => r.unit === unit)
        .sort((a, b) => (groupBy === "period" ? a.group.localeCompare(b.group) : Number(b.claimed - a.claimed)))
        .slice(0, 24)
        .map((r) => ({ group: r.group, claimed: toNumber(r.claimed), accepted: toNumber(r.accepted), disputed: toNumber(r.disputed) })),
    [rows, unit, groupBy],
  );
  const summary = useMemo(() => summaryOf(counts ?? [], kind), [counts, kind]);
  /** Every entry, for the downloads: the whole ledger from the chain (with every validation), read now if the page did not. */
  const wholeLedger = async (): Promise<EntryView[]> =>
    ledger.snapshot ? ledger.views : deriveEntries((await queryClient.fetchQuery(ledgerQuery(chain))).events);
  return {
    source,
    ledger,
    ready: days !== undefined && counts !== undefined,
    groupBy,
    setGroupBy,
    period,
    setPeriod,
    kind,
    setKind,
    unit,
    units,
    setUnit,
    rows,
    chart,
    names,
    summary,
    wholeLedger,
    spotCheck: indexer ? spotCheck : undefined,
  };
}
