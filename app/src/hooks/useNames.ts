// Who is who, as every page shows it: each agent's own published name (the Directory's profiles)
// and each commons' name (its registration name, then the names its stewards gave it), read by
// scripts/lib/core/directory.ts as the CLI reads them. Without a Directory on this chain, or while
// it cannot be read, people are shown by short address and nothing else changes.
import { useQuery } from "@tanstack/react-query";
import { NO_NAMES, readDirectoryEvents, namesFrom, registrationNames } from "@core/directory.js";
import type { Names, ProfileEvent, CommonsNameEvent } from "@core/directory.js";
import { providerFor } from "../lib/ledgerReader";
import { useAppConfig } from "./useAppConfig";
import { useGovernanceEvents } from "./useGovernance";

export function useNames(): { names: Names; error?: Error } {
  const { chain } = useAppConfig();
  const governance = useGovernanceEvents();
  const directory = chain.contracts.Directory;
  const q = useQuery({
    queryKey: ["directory-names", chain.id, chain.rpcUrl, directory, chain.fromBlock],
    queryFn: (): Promise<{ profiles: ProfileEvent[]; commonsNames: CommonsNameEvent[] }> =>
      readDirectoryEvents(providerFor(chain.rpcUrl, chain.id), directory!, { fromBlock: chain.fromBlock, maxAttempts: 2 }),
    enabled: directory !== undefined,
    refetchInterval: 5_000,
    retry: false,
  });
  const registered = registrationNames(governance.events);
  if (!q.data && registered.length === 0) return { names: NO_NAMES, error: q.error ?? undefined };
  return { names: namesFrom(q.data?.profiles ?? [], [...registered, ...(q.data?.commonsNames ?? [])]), error: q.error ?? undefined };
}
