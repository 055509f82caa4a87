// The IncomeDistributor's and the ReciprocityRegistry's custom errors (their interfaces in
// contracts/interfaces/) as sentences, for the claim and declare buttons; anything else goes to
// explainError (wallet refusals, the Ledger, the network).
import { BaseError, ContractFunctionRevertedError, decodeErrorResult } from "viem";
import type { Abi, Hex } from "viem";
import { DISTRIBUTOR_ERRORS } from "../../../scripts/lib/distributor-errors.js";
import { DECLARATION_KINDS } from "../../../scripts/lib/reciprocity.js";
import { incomeDistributorAbi, reciprocityRegistryAbi } from "../contracts/generated";
import { explainError } from "./errors";
import type { Explained } from "./errors";

type Args = readonly unknown[];
const n = (v: unknown) => String(v);
const when = (v: unknown) => new Date(Number(v) * 1000).toISOString().replace("T", " ").slice(0, 19) + " UTC";
const FIELDS = ["kind", "value"];

export const REGISTRY_ERRORS: Record<string, (a: Args) => string> = {
  ReciprocityRegistryUnknownWork: (a) => `There is no work ${n(a[0])}.`,
  ReciprocityRegistryZeroLicensee: () => "The licensee address is required.",
  ReciprocityRegistryInvalidCode: (a) => `The declaration's ${FIELDS[Number(a[0])] ?? `field ${n(a[0])}`} code ${n(a[1])} is unknown (kinds: ${DECLARATION_KINDS.join(", ")}).`,
  ReciprocityRegistryInvertedPeriod: (a) => `The surplus period ends (${when(a[1])}) at or before it starts (${when(a[0])}).`,
  ReciprocityRegistryOverlappingPeriod: (a) => `The surplus period starts ${when(a[0])}, before your last one ends (${when(a[1])}).`,
  ReciprocityRegistryNotContiguous: (a) => `Your current surplus period has not ended: the next one must start exactly at its end, ${when(a[1])} (not ${when(a[0])}).`,
  ReciprocityRegistryPeriodQueued: (a) => `A future surplus period (from ${when(a[1])}) is already declared; declare the next one once it has started.`,
  ReciprocityRegistryInvalidSignature: (a) => `The signature is not valid for ${n(a[0])}.`,
  ReciprocityRegistryExpired: (a) => `The signature expired at ${when(a[0])} (block time ${when(a[1])}); sign again.`,
  ReciprocityRegistryDeadlineTooFar: (a) => `The signature's deadline ${when(a[0])} is too far ahead (latest allowed ${when(a[1])}).`,
  ReciprocityRegistryInvalidNonce: (a) => `The signature's nonce ${n(a[1])} was already used or is out of order (expected ${n(a[2])}); sign again.`,
  ReciprocityRegistrySupersededVersion: (a) => `Work ${n(a[0])} was superseded by work ${n(a[1])}: declare under the current version.`,
};

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
