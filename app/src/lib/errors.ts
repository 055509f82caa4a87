// Turns wallet, RPC, relayer and contract failures into one sentence a person can act on. Walks
// viem's error chain (BaseError.walk), maps the Ledger's custom errors (by name, with their
// arguments) to sentences, and recognises a user's refusal in the wallet as neutral, not a failure.
import { BaseError, ContractFunctionRevertedError, decodeErrorResult, UserRejectedRequestError } from "viem";
import type { Hex, PublicClient } from "viem";
import { ledgerAbi } from "../contracts/generated";
import { ACTIONS, FLOWS, SIDES } from "../../../scripts/lib/vocabulary.js";

type Args = readonly unknown[];
const n = (v: unknown) => String(v);
const when = (v: unknown) => new Date(Number(v) * 1000).toISOString().replace("T", " ").slice(0, 19) + " UTC";

/** One sentence per Ledger custom error (contracts/interfaces/ILedger.sol). */
export const LEDGER_ERRORS: Record<string, (a: Args) => string> = {
  LedgerMalformedRecord: (a) => `The record is malformed: field ${n(a[0])} is not a valid encoding of its type.`,
  LedgerMalformedValidation: (a) => `The validation is malformed: field ${n(a[0])} is not a valid encoding of its type.`,
  LedgerInvalidFlow: (a) => `Flow code ${n(a[0])} is unknown (expected ${FLOWS.join(", ")}).`,
  LedgerInvalidAction: (a) => `Action code ${n(a[0])} is unknown.`,
  LedgerInvalidSide: (a) => `The action "${ACTIONS[Number(a[0])] ?? n(a[0])}" cannot be on the side "${SIDES[Number(a[1])] ?? n(a[1])}"${/^0x0+$/.test(String(a[2])) ? " without a process" : " of this process"}.`,
  LedgerZeroAgent: () => "The record needs a provider or, for a need, a receiver.",
  LedgerMissingCommons: () => "The record names no commons.",
  LedgerZeroQuantity: () => "The quantity must be greater than zero.",
  LedgerMissingUnit: () => "A quantity needs a unit.",
  LedgerMissingTime: () => "The record has no time.",
  LedgerTimeInFuture: (a) => `The event is dated ${when(a[0])}, after the block time ${when(a[1])}: an event must have happened.`,
  LedgerExpired: (a) => `The signature expired at ${when(a[0])} (block time ${when(a[1])}); sign again.`,
  LedgerDeadlineTooFar: (a) => `The signature's deadline ${when(a[0])} is more than 30 days ahead (latest allowed ${when(a[1])}).`,
  LedgerLinkNotFound: (a) => `Entry ${n(a[0])} does not exist yet (the next id is ${n(a[1])}).`,
  LedgerInvalidNonce: (a) => `The signature's nonce was already used or is out of order (expected ${n(a[2])}); sign again.`,
  LedgerInvalidSignature: (a) => `The signature is not valid for ${n(a[0])}.`,
  LedgerCorrectionNeedsProof: (a) => `A correction of entry ${n(a[0])} must be submitted as a correction.`,
  LedgerNotACorrection: () => "This record corrects nothing.",
  LedgerNotEntryAgent: (a) => `Only ${n(a[1])}, the agent of entry ${n(a[0])}, can correct it.`,
  LedgerAlreadyCorrected: (a) => `Entry ${n(a[0])} was already corrected by entry ${n(a[1])}; correct that one instead.`,
  LedgerBatchLengthMismatch: (a) => `The batch has ${n(a[0])} records and ${n(a[1])} signatures.`,
  LedgerBatchTooLarge: (a) => `The batch has ${n(a[0])} records; at most ${n(a[1])} fit.`,
  LedgerEntryNotFound: (a) => `There is no entry ${n(a[0])}.`,
  LedgerInvalidProof: (a) => `The proof of entry ${n(a[0])} is out of date (a newer entry landed); try again.`,
  LedgerInvalidVerdict: (a) => `Verdict code ${n(a[0])} is unknown.`,
  LedgerInsufficientGas: (a) => `Too little gas was sent to check a contract signature (${n(a[0])} left, ${n(a[1])} needed).`,
  LedgerAlreadyValidated: (a) => `${n(a[1])} has already validated entry ${n(a[0])}.`,
  LedgerSelfValidation: (a) => `${n(a[1])} is the agent of entry ${n(a[0])} and cannot validate it.`,
  LedgerEntryCorrected: (a) => `Entry ${n(a[0])} was corrected by entry ${n(a[1])} and can no longer be validated.`,
  LedgerCommonsExists: () => "This commons is already registered.",
  LedgerCommonsUnknown: (a) => `The commons ${n(a[0])} is not registered.`,
  LedgerNotSteward: (a) => `${n(a[1])} is not a steward of this commons.`,
  LedgerAlreadySteward: (a) => `${n(a[1])} is already a steward of this commons.`,
  LedgerLastSteward: (a) => `${n(a[1])} is the last steward and cannot be removed.`,
  LedgerZeroAddress: () => "An account address is required.",
  LedgerInvalidQuorumRule: () => "A quorum rule needs at least one accept and one dispute.",
  LedgerInvalidName: (a) => `The name is ${n(a[0])} bytes long; 1 to ${n(a[1])} are allowed.`,
  LedgerTallyOverflow: (a) => `Entry ${n(a[0])} has too many validations.`,
};

export interface Explained {
  /** The user declined in the wallet: not a failure. */
  rejected: boolean;
  message: string;
}

/** A sentence for a custom error given by name and arguments, or by its text "LedgerX(a, b)". */
export function explainLedgerError(name: string, args: Args): string | undefined {
  return LEDGER_ERRORS[name]?.(args);
}

const TEXT_FORM = /(Ledger[A-Za-z]+)\(([^)]*)\)/;

export function explainError(error: unknown): Explained {
  if (error instanceof BaseError) {
    if (error.walk((e) => e instanceof UserRejectedRequestError)) return { rejected: true, message: "You declined in the wallet; nothing was signed or sent." };
    const revert = error.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null;
    if (revert?.data?.errorName) {
      const s = explainLedgerError(revert.data.errorName, revert.data.args ?? []);
      if (s) return { rejected: false, message: s };
    }
    const raw = (revert?.raw ?? (error.walk((e) => typeof (e as { data?: unknown }).data === "string") as { data?: Hex } | null)?.data) as Hex | undefined;
    if (raw && raw.length >= 10) {
      try {
        const d = decodeErrorResult({ abi: ledgerAbi, data: raw });
        const s = explainLedgerError(d.errorName, d.args ?? []);
        if (s) return { rejected: false, message: s };
      } catch {
        /* not one of ours */
      }
    }
  }
  const e = error as { code?: unknown; message?: unknown; shortMessage?: unknown };
  if (e && (e.code === 4001 || e.code === "ACTION_REJECTED")) return { rejected: true, message: "You declined in the wallet; nothing was signed or sent." };
  const text = String(e?.shortMessage ?? e?.message ?? error);
  const m = TEXT_FORM.exec(text);
  if (m) {
    const args = m[2].split(",").map((s) => s.trim()).filter((s) => s !== "");
    const s = explainLedgerError(m[1], args);
    if (s) return { rejected: false, message: s };
  }
  if (/failed to fetch|fetch failed|networkerror|load failed/i.test(text)) return { rejected: false, message: "The network request failed: the node or the relayer is not reachable." };
  return { rejected: false, message: text.split("\n")[0] };
}

/**
 * Throws the reason a mined transaction reverted: replays it as a call on the state before its
 * block (the call's error carries the revert data, which explainError decodes).
 */
export async function explainReverted(client: Pick<PublicClient, "getTransaction" | "call">, hash: Hex): Promise<never> {
  const tx = await client.getTransaction({ hash });
  await client.call({ account: tx.from, to: tx.to ?? undefined, data: tx.input, value: tx.value, gas: tx.gas, blockNumber: tx.blockNumber! - 1n });
  throw new Error("the transaction reverted (replaying it did not reproduce the reason)");
}
