// The Ledger's custom errors (contracts/interfaces/ILedger.sol) as sentences a person can act on,
// with dates instead of Unix seconds. Browser-safe: the app and the CLI share it.
import { ledgerInterface } from "./reader.js";
import { ACTIONS, FLOWS, SIDES } from "./vocabulary.js";

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
  LedgerStewardsBelowThreshold: (a) => `That would leave ${n(a[1])} steward${n(a[1]) === "1" ? "" : "s"}, fewer than the ${n(a[2])} approvals every change needs: lower the threshold first.`,
  LedgerInvalidThreshold: (a) => `A threshold of ${n(a[1])} is not possible with ${n(a[2])} steward${n(a[2]) === "1" ? "" : "s"}: it must be 1 to ${n(a[2])}.`,
  LedgerInvalidRoles: (a) => `Roles ${n(a[0])} name actions that do not exist (the known actions are ${ACTIONS.join(", ")}).`,
  LedgerRolesUnchanged: (a) => `${n(a[1])} already has exactly these roles.`,
  LedgerProposalNotFound: (a) => `There is no proposal ${n(a[0])}.`,
  LedgerProposalExecuted: (a) => `Proposal ${n(a[0])} already took effect.`,
  LedgerProposalStale: (a) => `Proposal ${n(a[0])} was made before the stewards or their threshold changed: propose it again.`,
  LedgerProposalExpired: (a) => `Proposal ${n(a[0])} expired at ${when(a[1])} without enough approvals: propose it again.`,
  LedgerAlreadyApproved: (a) => `${n(a[1])} already approved proposal ${n(a[0])}.`,
  LedgerZeroAddress: () => "An account address is required.",
  LedgerInvalidQuorumRule: () => "A quorum rule needs at least one accept and one dispute.",
  LedgerInvalidName: (a) => `The name is ${n(a[0])} bytes long; 1 to ${n(a[1])} are allowed.`,
  LedgerTallyOverflow: (a) => `Entry ${n(a[0])} has too many validations.`,
};

/** The sentence for a Ledger revert's data (0x + selector + arguments), if it is one of its errors. */
export function explainLedgerRevert(data: string): string | undefined {
  try {
    const e = ledgerInterface.parseError(data);
    return e ? LEDGER_ERRORS[e.name]?.(e.args) : undefined;
  } catch {
    return undefined;
  }
}
