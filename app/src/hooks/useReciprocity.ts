// The ReciprocityRegistry as the CLI reads it (scripts/lib/reciprocity/reciprocity.ts): its works and records
// (through the indexer when it holds the registry's counts, else from its events), a licensee's status from statusOf, and the plain-words explanation (with the
// settlements that still count though their Ledger entries no longer stand).
import { useQuery } from "@tanstack/react-query";
import { Contract } from "ethers";
import { LEDGER_ABI } from "@core/abi.js";
import { explainStatus, findStaleSettlements, readRegistry, readStatus, recordsOf, registryContract, standingSettlements } from "@reciprocity/reciprocity.js";
import type { Explanation, RegistryEvents, Status } from "@reciprocity/reciprocity.js";
import { recordsDifferFromChain, registryThrough } from "@reciprocity/indexed.js";
import { providerFor } from "../lib/ledgerReader";
import { useAppConfig } from "./useAppConfig";
import { useAuditing } from "./useSource";

/** Where the registry's works and records were read: through the indexer (checked against counts()), or the chain and why. */
export type RegistrySource = { kind: "indexer"; url: string; works: bigint; records: bigint } | { kind: "chain"; reason?: string };

/**
 * Every work and record of the registry: through the chain's indexer when it reads this registry and
 * holds what its counts() say (numbered from 1, without gaps), otherwise (or while the visitor
 * audits the whole ledger) from the registry's events on the chain, with the reason.
 */
export function useRegistry() {
  const { chain } = useAppConfig();
  const auditing = useAuditing();
  const address = chain.contracts.ReciprocityRegistry;
  const url = auditing ? undefined : chain.indexerUrl;
  const q = useQuery({
    queryKey: ["reciprocity-registry", chain.id, chain.rpcUrl, address, chain.fromBlock, url],
    queryFn: async (): Promise<{ events: RegistryEvents; source: RegistrySource }> => {
      const provider = providerFor(chain.rpcUrl, chain.id);
      let reason: string | undefined;
      if (url) {
        const contract = registryContract(address!, provider);
        const readCounts = async () => {
          const [works, records] = (await contract.counts()) as [bigint, bigint];
          return { works, records };
        };
        const through = await registryThrough(url, address!, readCounts);
        if ("events" in through) return { events: through.events, source: { kind: "indexer", url, ...through.counts } };
        reason = through.reason;
      }
      return { events: await readRegistry(provider, address!, { fromBlock: chain.fromBlock, maxAttempts: 2 }), source: { kind: "chain", reason } };
    },
    enabled: address !== undefined,
    refetchInterval: 5_000,
    retry: false,
  });
  return { address, registry: q.data?.events, source: q.data?.source, error: q.error ?? undefined, loading: q.isPending && address !== undefined };
}

/** The explained status of `licensee` for `work` (both already validated), as of the latest block. */
export function useReciprocityStatus(
  address: string | undefined,
  registry: RegistryEvents | undefined,
  licensee: string | undefined,
  work: bigint | undefined,
  source?: RegistrySource,
) {
  const { chain } = useAppConfig();
  return useQuery({
    queryKey: ["reciprocity-status", chain.id, address, licensee, work?.toString(), registry?.records.length, source?.kind],
    enabled: address !== undefined && registry !== undefined && licensee !== undefined && work !== undefined,
    retry: false,
    // The Ledger can change what stands (a dispute) without a registry record: read again now and then.
    refetchInterval: 15_000,
    queryFn: async (): Promise<Explanation> => {
      const provider = providerFor(chain.rpcUrl, chain.id);
      const contract = registryContract(address!, provider);
      // The obligation is the work family's (as `commons status` reads it).
      const [status, family, block] = await Promise.all([readStatus(contract, licensee!, work!), contract.familyOf(work!), provider.getBlock("latest")]);
      const obligation = { amount: BigInt(family.obligation.amount), unit: String(family.obligation.unit), period: BigInt(family.obligation.period) };
      // Only this licensee's records on this work family count (a declaration for another work does not).
      const mine = recordsOf(registry!.records, registry!.works, licensee!, work!);
      // Records an indexer answered are checked against the transactions that recorded them before they are explained.
      if (source?.kind === "indexer") {
        const differs = await recordsDifferFromChain(provider, address!, mine);
        if (differs) throw new Error(`the indexer at ${source.url} answered a record the chain does not hold: ${differs}`);
      }
      const standing = standingSettlements(mine);
      const ledger = chain.contracts.Ledger ? new Contract(chain.contracts.Ledger, LEDGER_ABI, provider) : undefined;
      const stale =
        ledger && standing.length > 0
          ? await findStaleSettlements(standing, async (id) => {
              const [state, , , correctedBy] = await ledger.entryState(id);
              return { state, correctedBy };
            })
          : [];
      return explainStatus({
        licensee: licensee!,
        work: work!,
        status,
        records: registry!.records,
        works: registry!.works,
        obligation,
        stale,
        now: BigInt(block?.timestamp ?? Math.floor(Date.now() / 1000)),
      });
    },
  });
}

/** The status now of each (licensee, work) pair on file: one statusOf call each, read again with the records. */
export function useStatuses(address: string | undefined, registry: RegistryEvents | undefined, pairs: readonly { licensee: string; work: bigint }[]) {
  const { chain } = useAppConfig();
  return useQuery({
    queryKey: ["reciprocity-statuses", chain.id, address, registry?.records.length, pairs.map((p) => `${p.licensee}:${p.work}`).join(",")],
    enabled: address !== undefined && registry !== undefined && pairs.length > 0,
    retry: false,
    refetchInterval: 15_000,
    queryFn: async (): Promise<Map<string, Status>> => {
      const contract = registryContract(address!, providerFor(chain.rpcUrl, chain.id));
      const statuses = await Promise.all(pairs.map((p) => readStatus(contract, p.licensee, p.work)));
      return new Map(pairs.map((p, k) => [`${p.licensee}:${p.work}`, statuses[k]]));
    },
  });
}
