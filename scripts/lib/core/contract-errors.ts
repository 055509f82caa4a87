// Every custom error our four contracts can raise (contracts/interfaces/ILedger.sol,
// IIncomeDistributor.sol, IReciprocityRegistry.sol, IDirectory.sol, and the OpenZeppelin errors of the libraries
// they use) as one sentence a person can act on: dates instead of Unix seconds, amounts in ETH or in
// the record's unit, names of states and kinds instead of codes. Browser-safe: the CLI, the app and
// the tests share this one copy; test/custom-errors.test.ts checks every error of the compiled ABIs
// has its sentence.
import { ErrorFragment, formatEther, Transaction } from "ethers";
import { LEDGER_ABI } from "./abi.js";
import { AGENT_KINDS, DIRECTORY_ABI, MAX_NAME_BYTES } from "./directory-abi.js";
import { DISTRIBUTOR_ABI } from "./distributor-abi.js";
import { decodeUnit, formatQuantity } from "./record.js";
import { DECLARATION_KINDS, LICENSE_KINDS, RECIPROCITY_ABI } from "./registry-abi.js";
import { ACTIONS, ENTRY_STATES, FLOWS, SIDES } from "./vocabulary.js";
import { lazyInterface } from "./lazy-interface.js";
import { dateTime } from "./time.js";

type Args = readonly unknown[];
type Sentences = Record<string, (a: Args) => string>;

const n = (v: unknown) => String(v);
const when = (v: unknown) => dateTime(BigInt(v as bigint), { seconds: true });
/** A token amount of 18 decimals (ETH, or a token like EURe). */
const eth = (v: unknown) => formatEther(BigInt(v as bigint));
/** Seconds as days, hours or seconds, whichever is whole. */
const duration = (v: unknown) => {
  const s = Number(v);
  const [unit, size] = s !== 0 && s % 86_400 === 0 ? ["day", 86_400] : s !== 0 && s % 3_600 === 0 ? ["hour", 3_600] : ["second", 1];
  return `${s / size} ${unit}${s / size === 1 ? "" : "s"}`;
};
/** IIncomeDistributor.Status. */
const STATUS = ["none", "published", "cancelled", "rolled over", "stopped by the contributors it names"];

/** The Ledger (contracts/interfaces/ILedger.sol). */
export const LEDGER_ERRORS: Sentences = {
  LedgerMalformedRecord: (a) => `The record is malformed: field ${n(a[0])} is not a valid encoding of its type.`,
  LedgerMalformedValidation: (a) => `The validation is malformed: field ${n(a[0])} is not a valid encoding of its type.`,
  LedgerInvalidFlow: (a) => `Flow code ${n(a[0])} is unknown (expected ${FLOWS.join(", ")}).`,
  LedgerInvalidAction: (a) => `Action code ${n(a[0])} is unknown.`,
  LedgerInvalidSide: (a) =>
    `The action "${ACTIONS[Number(a[0])] ?? n(a[0])}" cannot be on the side "${SIDES[Number(a[1])] ?? n(a[1])}"${/^0x0+$/.test(String(a[2])) ? " without a process" : " of this process"}.`,
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
  LedgerNoCounterparty: (a) => `Entry ${n(a[0])} names no counterparty (a need, or a flow to its own provider): nobody can confirm or refuse it.`,
  LedgerNotCounterparty: (a) =>
    `Entry ${n(a[0])} names ${n(a[1])} as its counterparty, not ${n(a[2])}: only the other agent a record names can confirm or refuse it.`,
  LedgerAlreadyAnswered: (a) => `${n(a[1])} has already answered for entry ${n(a[0])}; an answer is final.`,
  LedgerRecordNotGiven: (a) => `A confirmation or refusal of entry ${n(a[0])} needs the entry's record in its proof.`,
  LedgerCommonsExists: () => "This commons is already registered.",
  LedgerCommonsUnknown: (a) => `The commons ${n(a[0])} is not registered.`,
  LedgerNotSteward: (a) => `${n(a[1])} is not a steward of this commons.`,
  LedgerAlreadySteward: (a) => `${n(a[1])} is already a steward of this commons.`,
  LedgerStewardsBelowThreshold: (a) =>
    `That would leave ${n(a[1])} steward${n(a[1]) === "1" ? "" : "s"}, fewer than the ${n(a[2])} approvals every change needs: lower the threshold first.`,
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
  LedgerEntryNotAnchored: (a) =>
    `Entry ${n(a[0])} has not been proven to the ledger yet (and its commons may not be registered): send its validation with a proof of the entry.`,
};

/** The IncomeDistributor (contracts/interfaces/IIncomeDistributor.sol). */
export const DISTRIBUTOR_ERRORS: Sentences = {
  IncomeDistributorUnknownDistribution: (a) => `There is no distribution ${n(a[0])}.`,
  IncomeDistributorNotActive: (a) => `Distribution ${n(a[0])} is ${STATUS[Number(a[1])] ?? `in state ${n(a[1])}`}: nothing can be claimed from it.`,
  IncomeDistributorNotOpen: (a) => `Claims on distribution ${n(a[0])} open at ${when(a[1])}, after its challenge window.`,
  IncomeDistributorClaimsClosed: (a) => `Claims on distribution ${n(a[0])} closed at ${when(a[1])}.`,
  IncomeDistributorIndexOutOfRange: (a) => `Leaf ${n(a[1])} is beyond distribution ${n(a[0])}'s ${n(a[2])} leaves.`,
  IncomeDistributorAlreadyClaimed: (a) => `This share (leaf ${n(a[1])} of distribution ${n(a[0])}) was already claimed.`,
  IncomeDistributorInvalidProof: (a) =>
    `The proof does not show that ${n(a[2])} is owed ${eth(a[3])} (leaf ${n(a[1])}) in distribution ${n(a[0])}: the shares recomputed here differ from the published ones.`,
  IncomeDistributorNotSteward: (a) => `${n(a[1])} is not a steward of this commons.`,
  IncomeDistributorAlreadyApproved: (a) =>
    `${n(a[1])} already approved this (${n(a[0]).slice(0, 10)}…) in the current steward set; another steward must approve it.`,
  IncomeDistributorAlreadyPublished: (a) => `These exact parameters were already published as distribution ${n(a[1])}.`,
  IncomeDistributorAlreadyObjected: (a) => `Leaf ${n(a[1])} already objected to distribution ${n(a[0])}.`,
  IncomeDistributorInvalidStopRule: (a) => `A stop share of ${Number(a[0]) / 100} % is not possible: it must be 0.01 % to ${Number(a[1]) / 100} %.`,
  IncomeDistributorChallengeWindowOver: (a) =>
    `The challenge window of distribution ${n(a[0])} closed at ${when(a[1])}: it can no longer be cancelled, challenged or objected to.`,
  IncomeDistributorInsufficientUnallocated: (a) => `The commons has only ${eth(a[2])} unallocated in this token; the distribution needs ${eth(a[3])}.`,
  IncomeDistributorInvalidCutoff: (a) => `Cutoff entry ${n(a[0])} does not exist (the ledger has ${n(a[1])} entries).`,
  IncomeDistributorHeadMismatch: (a) => `The ledger head given for entry ${n(a[0])} is not the ledger's: recompute the distribution.`,
  IncomeDistributorOverClaim: (a) =>
    `Paying ${n(a[2])} would take distribution ${n(a[0])} above its total ${n(a[3])} (already claimed ${n(a[1])}): its root is faulty.`,
  IncomeDistributorZeroAddress: () => "An account address is required.",
  IncomeDistributorZeroAmount: () => "The amount must be greater than zero.",
  IncomeDistributorUnknownCommons: (a) => `The commons ${n(a[0])} is not registered on the Ledger.`,
  IncomeDistributorNothingReceived: (a) => `Depositing ${eth(a[1])} of the token ${n(a[0])} raised the distributor's balance by nothing.`,
  IncomeDistributorAmountTooLarge: (a) => `The amount ${eth(a[0])} is larger than a distribution can hold (at most ${eth(a[1])}).`,
  IncomeDistributorTotalAboveIncome: (a) => `The distribution pays out ${eth(a[0])}, more than the income of ${eth(a[1])} its equation was applied to.`,
  IncomeDistributorInvalidLeafCount: (a) => `A distribution names 1 to ${n(a[1])} shares, not ${n(a[0])}.`,
  IncomeDistributorZeroRoot: () => "The distribution has no Merkle root.",
  IncomeDistributorInvalidChallengeWindow: (a) => `A challenge window of ${duration(a[0])} is not possible: it must be ${duration(a[1])} to ${duration(a[2])}.`,
  IncomeDistributorInvalidClaimPeriod: (a) => `A claim period of ${duration(a[0])} is not possible: it must be ${duration(a[1])} to ${duration(a[2])}.`,
  IncomeDistributorNotExpired: (a) => `Distribution ${n(a[0])} can be rolled over only once its claims close, at ${when(a[1])}.`,
};

/** ReciprocityRegistryInvalidCode's field, and ReciprocityRegistryEntryMismatch's per field. */
const FIELD_NAMES = ["kind", "", "section", "value"];
const MISMATCH: ((a: Args) => string)[] = [
  (a) =>
    `Ledger entry ${n(a[0])} is not an economic event (it is a ${FLOWS[Number(BigInt(a[2] as string))] ?? "flow of another kind"}): only events settle an obligation.`,
  (a) => `Ledger entry ${n(a[0])} belongs to another commons (${n(a[2])}) than the work (${n(a[3])}).`,
  (a) => `Ledger entry ${n(a[0])} is in ${decodeUnit(String(a[2]))}, but the obligation is in ${decodeUnit(String(a[3]))}.`,
  (a) => `Ledger entry ${n(a[0])} is dated ${when(BigInt(a[2] as string))}, before the obligation started (${when(BigInt(a[3] as string))}).`,
];

/** The ReciprocityRegistry (contracts/interfaces/IReciprocityRegistry.sol). */
export const REGISTRY_ERRORS: Sentences = {
  ReciprocityRegistryUnknownWork: (a) => `There is no work ${n(a[0])}.`,
  ReciprocityRegistryZeroLicensee: () => "The licensee address is required.",
  ReciprocityRegistryInvalidCode: (a) =>
    `The ${FIELD_NAMES[Number(a[0])] || `field ${n(a[0])}`} code ${n(a[1])} is unknown (declaration kinds: ${DECLARATION_KINDS.join(", ")}).`,
  ReciprocityRegistryInvertedPeriod: (a) => `The surplus period ends (${when(a[1])}) at or before it starts (${when(a[0])}).`,
  ReciprocityRegistryOverlappingPeriod: (a) => `The surplus period starts ${when(a[0])}, before your last one ends (${when(a[1])}).`,
  ReciprocityRegistryNotContiguous: (a) =>
    `Your current surplus period has not ended: the next one must start exactly at its end, ${when(a[1])} (not ${when(a[0])}).`,
  ReciprocityRegistryPeriodQueued: (a) => `A future surplus period (from ${when(a[1])}) is already declared; declare the next one once it has started.`,
  ReciprocityRegistryInvalidSignature: (a) => `The signature is not valid for ${n(a[0])}.`,
  ReciprocityRegistryExpired: (a) => `The signature expired at ${when(a[0])} (block time ${when(a[1])}); sign again.`,
  ReciprocityRegistryDeadlineTooFar: (a) => `The signature's deadline ${when(a[0])} is too far ahead (latest allowed ${when(a[1])}).`,
  ReciprocityRegistryInvalidNonce: (a) => `The signature's nonce ${n(a[1])} was already used or is out of order (expected ${n(a[2])}); sign again.`,
  ReciprocityRegistrySupersededVersion: (a) => `Work ${n(a[0])} was superseded by work ${n(a[1])}: use the current version.`,
  ReciprocityRegistryNotLicensorOrArbiter: (a) => `Only the licensor or the arbiter of work ${n(a[0])} may decide breach reports; ${n(a[1])} is neither.`,
  ReciprocityRegistryReportNotOpen: (a) => `Record ${n(a[0])} is not an open breach report (already decided, dismissed with later ones, or not a report).`,
  ReciprocityRegistryNoSettlement: (a) => `Work ${n(a[0])} has no settlement obligation (only a CopyFair work with an amount owed per period has one).`,
  ReciprocityRegistryEntryNotAccepted: (a) =>
    `Ledger entry ${n(a[0])} is ${ENTRY_STATES[Number(a[1])] ?? `in state ${n(a[1])}`}, not accepted by its commons: only accepted entries settle.`,
  ReciprocityRegistryEntryMismatch: (a) => MISMATCH[Number(a[1])]?.(a) ?? `Ledger entry ${n(a[0])} does not fit the obligation (field ${n(a[1])}).`,
  ReciprocityRegistryAlreadySettled: (a) => `Ledger entry ${n(a[0])} already counts toward a settlement (record ${n(a[1])}).`,
  ReciprocityRegistryNotEntrySigner: (a) =>
    `Only the signer of Ledger entry ${n(a[0])} (${n(a[1])}) may settle it, directly or by a signed order; ${n(a[2])} is not that signer.`,
  ReciprocityRegistryMissingAncestorProof: (a) =>
    `Ledger entry ${n(a[0])} corrects a chain of entries: the proof of entry ${n(a[1])}, never settled, is needed too.`,
  ReciprocityRegistryUnusedAncestorProofs: (a) => `Settling Ledger entry ${n(a[0])} needs ${n(a[1])} proofs of earlier entries, not ${n(a[2])}.`,
  ReciprocityRegistryNotSettled: (a) => `Ledger entry ${n(a[0])} has no standing settlement to reverse.`,
  ReciprocityRegistryZeroAttester: (a) => `Attester ${Number(a[0]) + 1} of the terms is the zero address, which cannot attest.`,
  ReciprocityRegistryMissingTermsHash: () => "The terms need the hash of the license text.",
  ReciprocityRegistryInvalidUri: (a) => `The terms URI is ${n(a[0])} bytes long; 1 to ${n(a[1])} are allowed.`,
  ReciprocityRegistryTooManyAttesters: (a) => `The terms name ${n(a[0])} attesters; at most ${n(a[1])} are allowed.`,
  ReciprocityRegistryInvalidObligation: (a) =>
    `A settlement obligation of ${formatQuantity(BigInt(a[1] as bigint))} ${decodeUnit(String(a[2])) || "(no unit)"} per ${duration(a[3])} on a ${LICENSE_KINDS[Number(a[0])] ?? `kind ${n(a[0])}`} work is not possible: only a CopyFair work carries one, and it needs an amount, a unit and a period.`,
  ReciprocityRegistryUnknownCommons: (a) => `The commons ${n(a[0])} is not registered on the Ledger; a settlement obligation needs the work's commons.`,
  ReciprocityRegistryNotLicensor: (a) => `Only the licensor of work ${n(a[0])} may do this; ${n(a[1])} is not.`,
  ReciprocityRegistryUnrecognisedAttester: (a) => `${n(a[1])} is not an attester that the licensor of work ${n(a[0])} recognises.`,
  ReciprocityRegistryNotAttestable: (a) =>
    `Record ${n(a[2])} is not ${n(a[1])}'s current entity or surplus declaration for work ${n(a[0])}: only that one can be attested.`,
  ReciprocityRegistryNotLatestFinding: (a) =>
    `A reinstatement or waiver must name the licensee's latest breach finding (record ${n(a[1])}), not record ${n(a[0])}.`,
  ReciprocityRegistrySettlementStands: (a) => `Ledger entry ${n(a[0])} is still accepted: its settlement (record ${n(a[1])}) stands and cannot be reversed.`,
};

/** The Directory (contracts/interfaces/IDirectory.sol). */
export const DIRECTORY_ERRORS: Sentences = {
  DirectoryZeroAgent: () => "A profile must name its agent (not the zero address).",
  DirectoryInvalidKind: (a) => `Agent kind ${n(a[0])} is unknown (expected ${AGENT_KINDS.map((k, i) => `${i} ${k}`).join(", ")}).`,
  DirectoryInvalidName: (a) =>
    Number(a[0]) === 0 ? "A name cannot be empty." : `The name is ${n(a[0])} bytes long; a name has at most ${n(a[1] ?? MAX_NAME_BYTES)} bytes (UTF-8).`,
  DirectoryNameControlCharacter: (a) => `The name has a control character (byte 0x${Number(a[1]).toString(16).padStart(2, "0")}) at byte ${Number(a[0]) + 1}.`,
  DirectoryExpired: (a) => `The signature expired at ${when(a[0])} (block time ${when(a[1])}); sign again.`,
  DirectoryDeadlineTooFar: (a) => `The signature's deadline ${when(a[0])} is more than 30 days ahead (latest allowed ${when(a[1])}).`,
  DirectoryInvalidNonce: (a) =>
    `The profile is version ${n(a[1])} but ${n(a[0])}'s next version is ${n(a[2])}${BigInt(a[1] as bigint) < BigInt(a[2] as bigint) ? " (a newer profile was published)" : ""}; sign again.`,
  DirectoryInvalidSignature: (a) => `The signature is not valid for ${n(a[0])}: only an agent can publish its own name.`,
  DirectoryCommonsUnknown: (a) => `No commons ${n(a[0])} is registered on the Ledger.`,
  DirectoryNotSteward: (a) => `${n(a[1])} is not a steward of this commons.`,
  DirectoryProposalNotFound: (a) => `There is no name proposal ${n(a[0])}.`,
  DirectoryProposalExecuted: (a) => `Name proposal ${n(a[0])} already took effect.`,
  DirectoryProposalExpired: (a) => `Name proposal ${n(a[0])} expired at ${when(a[1])} without enough approvals: propose it again.`,
  DirectoryProposalStale: (a) => `Name proposal ${n(a[0])} was made before the stewards or their threshold changed: propose it again.`,
  DirectoryAlreadyApproved: (a) => `${n(a[1])} already approved name proposal ${n(a[0])}.`,
};

/** OpenZeppelin's errors that the contracts' libraries raise (EIP712, Nonces, SafeCast, SafeERC20, Address, ReentrancyGuard). */
const LIBRARY_ERROR_FRAGMENTS = [
  "error InvalidShortString()",
  "error StringTooLong(string str)",
  "error InvalidAccountNonce(address account, uint256 currentNonce)",
  "error SafeCastOverflowedUintDowncast(uint8 bits, uint256 value)",
  "error SafeERC20FailedOperation(address token)",
  "error FailedCall()",
  "error InsufficientBalance(uint256 balance, uint256 needed)",
  "error ReentrancyGuardReentrantCall()",
];

export const LIBRARY_ERRORS: Sentences = {
  InvalidShortString: () => "A name or version is too long for the contract's signing domain.",
  StringTooLong: (a) => `The text "${n(a[0])}" is too long for the contract's signing domain.`,
  InvalidAccountNonce: (a) => `The signature's nonce is not ${n(a[0])}'s current one (${n(a[1])}); sign again.`,
  SafeCastOverflowedUintDowncast: (a) => `The value ${n(a[1])} does not fit in ${n(a[0])} bits.`,
  SafeERC20FailedOperation: (a) => `The token ${n(a[0])} refused the transfer.`,
  FailedCall: () => "A payment or call made by the contract failed.",
  InsufficientBalance: (a) => `The contract holds ${eth(a[0])} but needs ${eth(a[1])} for this payment.`,
  ReentrancyGuardReentrantCall: () => "The contract was called again before its current call ended (reentrancy), and refused.",
};

/** Every sentence by error name (the names are unique across the contracts: each has its prefix). */
export const CONTRACT_ERRORS: Sentences = { ...LIBRARY_ERRORS, ...LEDGER_ERRORS, ...DISTRIBUTOR_ERRORS, ...REGISTRY_ERRORS, ...DIRECTORY_ERRORS };

/** One interface with every error of the three ABIs and the libraries, each selector once (built on first use). */
const errorsInterface = lazyInterface(() => {
  const bySelector = new Map<string, ErrorFragment>();
  for (const text of [...LEDGER_ABI, ...DISTRIBUTOR_ABI, ...RECIPROCITY_ABI, ...DIRECTORY_ABI, ...LIBRARY_ERROR_FRAGMENTS]) {
    if (!text.startsWith("error ")) continue;
    const f = ErrorFragment.from(text);
    if (!bySelector.has(f.selector)) bySelector.set(f.selector, f);
  }
  return [...bySelector.values()];
});

/** The sentence for an error given by name and arguments, if it is one of ours. */
export function explainContractError(name: string, args: Args): string | undefined {
  return Object.hasOwn(CONTRACT_ERRORS, name) ? CONTRACT_ERRORS[name](args) : undefined;
}

/** The sentence for revert data (0x + selector + arguments) of any of our contracts, if it is one of their errors. */
export function explainRevertData(data: string): string | undefined {
  try {
    const e = errorsInterface().parseError(data);
    return e ? explainContractError(e.name, e.args) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The sentence for one of our contracts' reverts inside an error thrown by ethers (estimateGas,
 * call or send: `data`, `info.error.data`, `error.data`) or viem (`raw`, or `data` decoded to
 * `{ errorName, args }`), following `cause` and `error` a few levels down.
 */
export function revertSentence(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === "object" && depth < 10; depth++) {
    const o = e as { data?: unknown; raw?: unknown; info?: { error?: { data?: unknown } }; error?: { data?: unknown }; cause?: unknown };
    const decoded = o.data as { errorName?: unknown; args?: Args } | undefined;
    if (decoded && typeof decoded === "object" && typeof decoded.errorName === "string") {
      const s = explainContractError(decoded.errorName, decoded.args ?? []);
      if (s) return s;
    }
    for (const data of [o.raw, o.data, o.info?.error?.data, o.error?.data]) {
      if (typeof data === "string" && data.length >= 10) {
        const s = explainRevertData(data);
        if (s) return s;
      }
    }
    e = o.cause ?? o.error;
  }
  return undefined;
}

/**
 * Whether an error (ethers, viem, or a node's plain message) says the sending account cannot pay
 * the transaction's gas; `account` is the sender when the error names it.
 */
export function lacksGas(error: unknown): { account?: string } | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === "object" && depth < 10; depth++) {
    const o = e as {
      code?: unknown;
      name?: unknown;
      message?: unknown;
      transaction?: unknown;
      account?: { address?: unknown };
      cause?: unknown;
      error?: unknown;
    };
    const said =
      o.code === "INSUFFICIENT_FUNDS" || o.name === "InsufficientFundsError" || (typeof o.message === "string" && /insufficient funds/i.test(o.message));
    if (said) {
      // ethers gives the transaction as an object, or as the signed raw bytes when sending them failed.
      let from: unknown = o.account?.address;
      if (typeof o.transaction === "string") {
        try {
          from = Transaction.from(o.transaction).from;
        } catch {
          /* not a signed transaction */
        }
      } else from ??= (o.transaction as { from?: unknown } | undefined)?.from;
      return typeof from === "string" ? { account: from } : {};
    }
    e = o.cause ?? o.error;
  }
  return undefined;
}

/** The sentence for a write its sender cannot pay for; `extra` says how else to go on. */
export function noGasSentence(account: string | undefined, extra = ""): string {
  return `${account ?? "The sending account"} holds too little ETH to pay this transaction's gas; nothing was sent. Send it through a relayer, which pays the gas${extra}.`;
}
