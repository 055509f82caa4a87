// Who counts, read from the chain itself: the Ledger's events about commons, stewards, roles,
// proposals and quorum rules. A page reading the whole ledger takes them from what it read; a page
// reading entries through the indexer reads only these (few, whatever the size of the ledger), so
// that stewardship and names never rest on the indexer's word.
import { useMemo } from "react";
import { useQuery } from "@tanstack/react-query";
import { registrationNames } from "@core/directory.js";
import { decodeLedgerLogs, fetchLogs, GOVERNANCE_TOPICS } from "@core/reader.js";
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
  const q = useQuery({
    queryKey: ["ledger-governance", chain.id, chain.rpcUrl, ledger, chain.fromBlock],
    queryFn: async () =>
      decodeLedgerLogs(
        await fetchLogs(providerFor(chain.rpcUrl, chain.id), ledger!, {
          fromBlock: chain.fromBlock,
          topic0: GOVERNANCE_TOPICS,
          initialSpan: 10_000,
          maxAttempts: 2,
        }),
      ),
    enabled: ledger !== undefined && source.kind !== "chain",
    refetchInterval: 5_000,
    retry: false,
  });
  if (source.kind === "chain") return { events: whole.snapshot?.events, error: whole.error };
  return { events: q.data, error: q.error ?? undefined };
}

/** The registered commons' ids (lower case), from the chain's own events: an entry of another commons counts nowhere. */
export function useRegisteredCommons(): ReadonlySet<string> | undefined {
  const { events } = useGovernanceEvents();
  return useMemo(() => (events ? new Set(registrationNames(events).map((c) => c.commons.toLowerCase())) : undefined), [events]);
}
