// The IncomeDistributor's and the ReciprocityRegistry's custom errors (their interfaces in
// contracts/interfaces/) as sentences, for the claim and declare buttons; anything else goes to
// explainError (wallet refusals, the Ledger, the network).
import { BaseError, ContractFunctionRevertedError, decodeErrorResult, formatEther } from "viem";
import type { Abi, Hex } from "viem";
import { REGISTRY_ERROR_SENTENCES } from "../../../scripts/lib/reciprocity.js";
import { incomeDistributorAbi, reciprocityRegistryAbi } from "../contracts/generated";
import { explainError } from "./errors";
import type { Explained } from "./errors";

type Args = readonly unknown[];
const n = (v: unknown) => String(v);
const when = (v: unknown) => new Date(Number(v) * 1000).toISOString().replace("T", " ").slice(0, 19) + " UTC";
/** IIncomeDistributor.Status. */
const STATUS = ["none", "published", "cancelled", "rolled over"];

export const DISTRIBUTOR_ERRORS: Record<string, (a: Args) => string> = {
  IncomeDistributorUnknownDistribution: (a) => `There is no distribution ${n(a[0])}.`,
  IncomeDistributorNotActive: (a) => `Distribution ${n(a[0])} is ${STATUS[Number(a[1])] ?? `in state ${n(a[1])}`}: nothing can be claimed from it.`,
  IncomeDistributorNotOpen: (a) => `Claims on distribution ${n(a[0])} open at ${when(a[1])}, after its challenge window.`,
  IncomeDistributorClaimsClosed: (a) => `Claims on distribution ${n(a[0])} closed at ${when(a[1])}.`,
  IncomeDistributorIndexOutOfRange: (a) => `Leaf ${n(a[1])} is beyond distribution ${n(a[0])}'s ${n(a[2])} leaves.`,
  IncomeDistributorAlreadyClaimed: (a) => `This share (leaf ${n(a[1])} of distribution ${n(a[0])}) was already claimed.`,
  IncomeDistributorInvalidProof: (a) => `The proof does not show that ${n(a[2])} is owed ${formatEther(BigInt(a[3] as bigint))} (leaf ${n(a[1])}) in distribution ${n(a[0])}: the shares recomputed here differ from the published ones.`,
  IncomeDistributorOverClaim: (a) => `Paying ${n(a[2])} would take distribution ${n(a[0])} above its total ${n(a[3])} (already claimed ${n(a[1])}): its root is faulty.`,
  IncomeDistributorZeroAddress: () => "An account address is required.",
  IncomeDistributorZeroAmount: () => "The amount must be greater than zero.",
};

/** The registry's sentences are the ones the CLI prints (scripts/lib/reciprocity.ts). */
export const REGISTRY_ERRORS: Record<string, (a: Args) => string> = REGISTRY_ERROR_SENTENCES;

function decoded(error: unknown, abi: Abi, sentences: Record<string, (a: Args) => string>): string | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const revert = error.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null;
  if (revert?.data?.errorName && sentences[revert.data.errorName]) return sentences[revert.data.errorName](revert.data.args ?? []);
  const raw = (revert?.raw ?? (error.walk((e) => typeof (e as { data?: unknown }).data === "string") as { data?: Hex } | null)?.data) as Hex | undefined;
  if (!raw || raw.length < 10) return undefined;
  try {
    const d = decodeErrorResult({ abi, data: raw });
    return sentences[d.errorName]?.(d.args ?? []);
  } catch {
    return undefined;
  }
}

export function explainDistributorError(error: unknown): Explained {
  const s = decoded(error, incomeDistributorAbi as Abi, DISTRIBUTOR_ERRORS);
  return s ? { rejected: false, message: s } : explainError(error);
}

export function explainRegistryError(error: unknown): Explained {
  const s = decoded(error, reciprocityRegistryAbi as Abi, REGISTRY_ERRORS);
  return s ? { rejected: false, message: s } : explainError(error);
}
