// Who counts, read from the chain itself: the Ledger's events about commons, stewards, roles,
// proposals and quorum rules. A page reading the whole ledger takes them from what it read; a page
// reading entries through the indexer reads only these (few, whatever the size of the ledger), so
// that stewardship and names never rest on the indexer's word.
import { useMemo } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { registrationNames } from "@core/directory.js";
import { decodeLedgerLogs, fetchLogs, GOVERNANCE_TOPICS, mergeEvents } from "@core/reader.js";
import type { LedgerEvents } from "@core/reader.js";
import { providerFor } from "../lib/ledgerReader";
import { useAppConfig } from "./useAppConfig";
import { useLedger } from "./useLedger";
import { useSource } from "./useSource";

export function useGovernanceEvents(): { events?: LedgerEvents; error?: Error } {
  const { chain } = useAppConfig();
  const source = useSource();
  const whole = useLedger({ unlessIndexed: true });
  const ledger = chain.contracts.Ledger;
  const queryClient = useQueryClient();
  const queryKey = ["ledger-governance", chain.id, chain.rpcUrl, ledger, chain.fromBlock] as const;
  const q = useQuery({
    queryKey,
    // Each refresh reads only the blocks after the last one read (a chain that went backwards is read again).
    queryFn: async (): Promise<{ events: LedgerEvents; toBlock: number }> => {
      const provider = providerFor(chain.rpcUrl, chain.id);
      const toBlock = await provider.getBlockNumber();
      const before = queryClient.getQueryData<{ events: LedgerEvents; toBlock: number }>(queryKey);
      const base = before && before.toBlock <= toBlock ? before : undefined;
      const fromBlock = base ? base.toBlock + 1 : chain.fromBlock;
      if (base && fromBlock > toBlock) return base;
      const logs = await fetchLogs(provider, ledger!, { fromBlock, toBlock, topic0: GOVERNANCE_TOPICS, initialSpan: 10_000, maxAttempts: 2 });
      const events = decodeLedgerLogs(logs);
      return { events: base ? mergeEvents([base.events, events]) : events, toBlock };
    },
    enabled: ledger !== undefined && source.kind !== "chain",
    refetchInterval: 5_000,
    retry: false,
  });
  if (source.kind === "chain") return { events: whole.snapshot?.events, error: whole.error };
  return { events: q.data?.events, error: q.error ?? undefined };
}

/** The registered commons' ids (lower case), from the chain's own events: an entry of another commons counts nowhere. */
export function useRegisteredCommons(): ReadonlySet<string> | undefined {
  const { events } = useGovernanceEvents();
  return useMemo(() => (events ? new Set(registrationNames(events).map((c) => c.commons.toLowerCase())) : undefined), [events]);
}
