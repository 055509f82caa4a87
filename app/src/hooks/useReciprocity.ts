// The ReciprocityRegistry as the CLI reads it (scripts/lib/reciprocity.ts): its works and records
// from its events, a licensee's status from statusOf, and the plain-words explanation.
import { useQuery } from "@tanstack/react-query";
import { explainStatus, readRegistry, readStatus, registryContract } from "../../../scripts/lib/reciprocity.js";
import type { Explanation, RegistryEvents } from "../../../scripts/lib/reciprocity.js";
import { providerFor } from "../lib/ledgerReader";
import { useAppConfig } from "./useAppConfig";

export function useRegistry() {
  const { chain } = useAppConfig();
  const address = chain.contracts.ReciprocityRegistry;
  const q = useQuery({
    queryKey: ["reciprocity-registry", chain.id, chain.rpcUrl, address, chain.fromBlock],
    queryFn: (): Promise<RegistryEvents> => readRegistry(providerFor(chain.rpcUrl, chain.id), address!, { fromBlock: chain.fromBlock, maxAttempts: 2 }),
    enabled: address !== undefined,
    refetchInterval: 5_000,
    retry: false,
  });
  return { address, registry: q.data, error: q.error ?? undefined, loading: q.isPending && address !== undefined };
}

/** The explained status of `licensee` for `work` (both already validated), as of the latest block. */
export function useReciprocityStatus(address: string | undefined, registry: RegistryEvents | undefined, licensee: string | undefined, work: bigint | undefined) {
  const { chain } = useAppConfig();
  return useQuery({
    queryKey: ["reciprocity-status", chain.id, address, licensee, work?.toString(), registry?.records.length],
    enabled: address !== undefined && registry !== undefined && licensee !== undefined && work !== undefined,
    retry: false,
    queryFn: async (): Promise<Explanation> => {
      const provider = providerFor(chain.rpcUrl, chain.id);
      const contract = registryContract(address!, provider);
      // The obligation is the work family's (as `commons status` reads it).
      const [status, family, block] = await Promise.all([readStatus(contract, licensee!, work!), contract.familyOf(work!), provider.getBlock("latest")]);
      const workInfo = registry!.works.find((w) => w.work === work);
      const obligation = { amount: BigInt(family.obligation.amount), unit: String(family.obligation.unit), period: BigInt(family.obligation.period) };
      return explainStatus({ licensee: licensee!, work: work!, status, records: registry!.records, workInfo, obligation, now: BigInt(block?.timestamp ?? Math.floor(Date.now() / 1000)) });
    },
  });
}
