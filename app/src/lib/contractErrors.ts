// The IncomeDistributor's and the ReciprocityRegistry's custom errors (their interfaces in
// contracts/interfaces/) as sentences, for the claim and declare buttons; anything else goes to
// explainError (wallet refusals, the Ledger, the network).
import { BaseError, ContractFunctionRevertedError, decodeErrorResult } from "viem";
import type { Abi, Hex } from "viem";
import { DISTRIBUTOR_ERRORS } from "@core/distributor-errors.js";
import { REGISTRY_ERROR_SENTENCES } from "@reciprocity/reciprocity.js";
import { incomeDistributorAbi, reciprocityRegistryAbi } from "../contracts/generated";
import { explainError } from "./errors";
import type { Explained } from "./errors";

type Args = readonly unknown[];
/** The registry's sentences are the ones the CLI prints (scripts/lib/reciprocity/reciprocity.ts). */
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
