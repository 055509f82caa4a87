// Published distributions of the IncomeDistributor (its events are the read API) with their current
// state, and a contributor's share recomputed in the browser from the chain with
// scripts/lib/distribution/value-equation.ts, as `commons share` does. Each distribution's equation
// is fetched from the URI it published (an IPFS CID, served by the app server at ./ipfs/<cid>, or
// an http(s) URL) and checked against that CID and the published hash before it is applied; one
// that cannot be fetched or does not check is shown with the reason, and not recomputed here.
import { useQuery } from "@tanstack/react-query";
import { usePublicClient } from "wagmi";
import { computeDistribution, deriveEntriesAt, parseValueEquation, proofFor, shareTree } from "@distribution/value-equation.js";
import { checkEquationBytes, equationFetchUrl } from "@distribution/equation-store.js";
import type { DistributionResult, Share } from "@distribution/value-equation.js";
import type { LedgerEvents } from "@core/reader.js";
import type { Published } from "@distribution/distributor.js";
import { incomeDistributorAbi } from "../contracts/generated";
import { useAppConfig } from "./useAppConfig";

/** The equations of the distributions shown, by lower-case hash: fetched from the URI each published and checked, or why not. */
export type KnownEquations = Map<string, { name: string; doc: unknown } | { error: string }>;

/** Where the app fetches an `ipfs://` equation: the app server's content-addressed path (any IPFS gateway serves the same bytes). */
export const IPFS_GATEWAY = "./ipfs/";

/**
 * Fetches the equation a distribution published, from its URI (an IPFS CID through the app
 * server, or an http(s) URL), and checks the bytes against the CID and the published hash.
 */
export async function fetchEquation(
  d: Pick<PublishedDistribution, "equationHash" | "equationURI">,
  fetchImpl: typeof fetch = fetch,
): Promise<{ name: string; doc: unknown } | { error: string }> {
  let url: string | undefined;
  try {
    url = equationFetchUrl(d.equationURI, IPFS_GATEWAY);
  } catch (error) {
    return { error: (error as Error).message };
  }
  if (!url) return { error: `it was published with the URI "${d.equationURI}", which nobody else can fetch` };
  const res = await fetchImpl(url).catch((error: Error) => error);
  if (res instanceof Error) return { error: `fetching ${d.equationURI} failed: ${res.message}` };
  if (!res.ok) {
    const body = (await res.json().catch(() => undefined)) as { error?: string } | undefined;
    return { error: `fetching ${d.equationURI} failed (${res.status}${body?.error ? `: ${body.error}` : ""})` };
  }
  const checked = await checkEquationBytes(new Uint8Array(await res.arrayBuffer()), { equationHash: d.equationHash, uri: d.equationURI });
  return "error" in checked ? checked : { name: d.equationURI, doc: checked.doc };
}

/** The equations of `list`, fetched and checked once each (undefined until all are read). */
export function useEquations(list: readonly PublishedDistribution[] | undefined): KnownEquations | undefined {
  const wanted = [...new Map((list ?? []).map((d) => [d.equationHash, d])).values()];
  return useQuery({
    queryKey: ["value-equations", wanted.map((d) => `${d.equationHash}@${d.equationURI}`).join(",")],
    enabled: list !== undefined,
    staleTime: Infinity,
    retry: false,
    queryFn: async (): Promise<KnownEquations> => new Map(await Promise.all(wanted.map(async (d) => [d.equationHash, await fetchEquation(d)] as const))),
  }).data;
}

/** IIncomeDistributor.Status. */
export const STATUS_NAMES = ["none", "published", "cancelled", "rolled over", "stopped by its contributors"] as const;

/** A DistributionPublished event (the CLI's type; a type-only import, so nothing node-only is bundled) and its current state. */
export interface PublishedDistribution extends Published {
  by: string;
  /** Current state from distribution(id). */
  status: string;
  claimed: bigint;
  /** Leaves claimed so far (Claimed events): index -> account. */
  claims: Map<bigint, { account: string; amount: bigint; tx: string }>;
}

export function useDistributions() {
  const { chain } = useAppConfig();
  const client = usePublicClient({ chainId: chain.id });
  const address = chain.contracts.IncomeDistributor;
  const q = useQuery({
    queryKey: ["distributions", chain.id, chain.rpcUrl, address, chain.fromBlock],
    enabled: address !== undefined && client !== undefined,
    refetchInterval: 4_000,
    retry: false,
    queryFn: async (): Promise<PublishedDistribution[]> => {
      const fromBlock = BigInt(chain.fromBlock);
      const [published, claimed] = await Promise.all([
        client!.getContractEvents({ address: address!, abi: incomeDistributorAbi, eventName: "DistributionPublished", fromBlock }),
        client!.getContractEvents({ address: address!, abi: incomeDistributorAbi, eventName: "Claimed", fromBlock }),
      ]);
      return Promise.all(
        published.map(async (log) => {
          const a = log.args as Record<string, unknown>;
          const id = a.id as bigint;
          const state = (await client!.readContract({ address: address!, abi: incomeDistributorAbi, functionName: "distribution", args: [id] })) as {
            status: number;
            claimed: bigint;
          };
          const claims = new Map<bigint, { account: string; amount: bigint; tx: string }>();
          for (const c of claimed) {
            const ca = c.args as Record<string, unknown>;
            if (ca.id === id) claims.set(ca.index as bigint, { account: String(ca.account), amount: ca.amount as bigint, tx: c.transactionHash });
          }
          return {
            id,
            commons: String(a.commons).toLowerCase(),
            token: String(a.token),
            by: String(a.by),
            root: String(a.root),
            total: a.total as bigint,
            income: a.income as bigint,
            leafCount: a.leafCount as bigint,
            equationHash: String(a.equationHash).toLowerCase(),
            ledgerHead: String(a.ledgerHead),
            cutoff: BigInt(a.cutoff as bigint),
            claimsOpenAt: BigInt(a.claimsOpenAt as number),
            expiresAt: BigInt(a.expiresAt as number),
            equationURI: String(a.equationURI),
            blockNumber: Number(log.blockNumber),
            status: STATUS_NAMES[Number(state.status)] ?? `state ${state.status}`,
            claimed: state.claimed,
            claims,
          };
        }),
      );
    },
  });
  return { address, list: q.data, error: q.error ?? undefined, loading: q.isPending && address !== undefined, refetch: () => void q.refetch() };
}

export interface Recomputed {
  result: DistributionResult;
  root: string;
  matches: boolean;
  tree?: ReturnType<typeof shareTree>;
  equationName: string;
}

/**
 * Applies the distribution's equation to the ledger's events as they stood at its cutoff, or says
 * why it cannot. Entries after the cutoff and validations after the cutoff entry's block do not count.
 */
export function recompute(d: PublishedDistribution, events: LedgerEvents, equations: KnownEquations): Recomputed | { error: string } {
  const known = equations.get(d.equationHash) ?? { error: "it was not fetched" };
  if ("error" in known)
    return {
      error: `This distribution's equation (hash ${d.equationHash}) could not be checked here: ${known.error}; recompute it with \`npx commons share ${d.id} --equation FILE\`.`,
    };
  if (BigInt(events.entries.length) < d.cutoff)
    return { error: `The ledger read so far has ${events.entries.length} entries, fewer than the cutoff ${d.cutoff}.` };
  try {
    const result = computeDistribution(parseValueEquation(known.doc), deriveEntriesAt(events, d.cutoff), {
      income: d.income,
      cutoff: d.cutoff,
      commons: d.commons,
    });
    const tree = result.shares.length ? shareTree(result.shares) : undefined;
    const root = tree ? tree.root : "0x" + "00".repeat(32);
    return { result, root, matches: root.toLowerCase() === d.root.toLowerCase(), tree, equationName: known.name };
  } catch (error) {
    return { error: `Could not apply the equation: ${(error as Error).message}` };
  }
}

export function shareOf(r: Recomputed, account: string): { share?: Share; leaf?: ReturnType<typeof proofFor> } {
  const share = r.result.shares.find((s) => s.account.toLowerCase() === account.toLowerCase());
  return { share, leaf: r.tree ? proofFor(r.tree, account) : undefined };
}
