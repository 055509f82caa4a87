// The IncomeDistributor's custom errors (contracts/interfaces/IIncomeDistributor.sol) as sentences,
// with dates and amounts for people. Browser-safe: the app and the CLI share it.
import { formatEther, Interface } from "ethers";
import { DISTRIBUTOR_ABI } from "./distributor-abi.js";

type Args = readonly unknown[];
const n = (v: unknown) => String(v);
const when = (v: unknown) => new Date(Number(v) * 1000).toISOString().replace("T", " ").slice(0, 19) + " UTC";
/** IIncomeDistributor.Status. */
const STATUS = ["none", "published", "cancelled", "rolled over", "stopped by the contributors it names"];

export const DISTRIBUTOR_ERRORS: Record<string, (a: Args) => string> = {
  IncomeDistributorUnknownDistribution: (a) => `There is no distribution ${n(a[0])}.`,
  IncomeDistributorNotActive: (a) => `Distribution ${n(a[0])} is ${STATUS[Number(a[1])] ?? `in state ${n(a[1])}`}: nothing can be claimed from it.`,
  IncomeDistributorNotOpen: (a) => `Claims on distribution ${n(a[0])} open at ${when(a[1])}, after its challenge window.`,
  IncomeDistributorClaimsClosed: (a) => `Claims on distribution ${n(a[0])} closed at ${when(a[1])}.`,
  IncomeDistributorIndexOutOfRange: (a) => `Leaf ${n(a[1])} is beyond distribution ${n(a[0])}'s ${n(a[2])} leaves.`,
  IncomeDistributorAlreadyClaimed: (a) => `This share (leaf ${n(a[1])} of distribution ${n(a[0])}) was already claimed.`,
  IncomeDistributorInvalidProof: (a) => `The proof does not show that ${n(a[2])} is owed ${formatEther(BigInt(a[3] as bigint))} (leaf ${n(a[1])}) in distribution ${n(a[0])}: the shares recomputed here differ from the published ones.`,
  IncomeDistributorNotSteward: (a) => `${n(a[1])} is not a steward of this commons.`,
  IncomeDistributorAlreadyApproved: (a) => `${n(a[1])} already approved this (${n(a[0]).slice(0, 10)}…) in the current steward set; another steward must approve it.`,
  IncomeDistributorAlreadyPublished: (a) => `These exact parameters were already published as distribution ${n(a[1])}.`,
  IncomeDistributorAlreadyObjected: (a) => `Leaf ${n(a[1])} already objected to distribution ${n(a[0])}.`,
  IncomeDistributorInvalidStopRule: (a) => `A stop share of ${Number(a[0]) / 100} % is not possible: it must be 0.01 % to ${Number(a[1]) / 100} %.`,
  IncomeDistributorChallengeWindowOver: (a) => `The challenge window of distribution ${n(a[0])} closed at ${when(a[1])}: it can no longer be cancelled, challenged or objected to.`,
  IncomeDistributorInsufficientUnallocated: (a) => `The commons has only ${formatEther(BigInt(a[2] as bigint))} unallocated in this token; the distribution needs ${formatEther(BigInt(a[3] as bigint))}.`,
  IncomeDistributorInvalidCutoff: (a) => `Cutoff entry ${n(a[0])} does not exist (the ledger has ${n(a[1])} entries).`,
  IncomeDistributorHeadMismatch: (a) => `The ledger head given for entry ${n(a[0])} is not the ledger's: recompute the distribution.`,
  IncomeDistributorOverClaim: (a) => `Paying ${n(a[2])} would take distribution ${n(a[0])} above its total ${n(a[3])} (already claimed ${n(a[1])}): its root is faulty.`,
  IncomeDistributorZeroAddress: () => "An account address is required.",
  IncomeDistributorZeroAmount: () => "The amount must be greater than zero.",
};


const distributorInterface = new Interface(DISTRIBUTOR_ABI);

/** The sentence for an IncomeDistributor revert's data, if it is one of its errors. */
export function explainDistributorRevert(data: string): string | undefined {
  try {
    const e = distributorInterface.parseError(data);
    return e ? DISTRIBUTOR_ERRORS[e.name]?.(e.args) : undefined;
  } catch {
    return undefined;
  }
}
