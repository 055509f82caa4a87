// The ReciprocityRegistry's vocabulary (the codes of IReciprocityRegistry's enums, its limits) and
// its ABI. Browser-safe: core/registry-errors.ts explains its errors from it; the reciprocity
// domain (scripts/lib/reciprocity/) builds, signs and reads records with it.
import { lazyInterface } from "./lazy-interface.js";

// ---------------------------------------------------------------- codes (IReciprocityRegistry enums)

export const LICENSE_KINDS = ["ppl", "copyfair", "other"] as const;
export const ENTITY_FORMS = ["individual", "worker-owned", "wage-labour-business", "other"] as const;
export const USE_KINDS = ["non-commercial", "commercial"] as const;
export const DECLARATION_KINDS = ["entity", "use", "surplus"] as const;
export const GRANT_KINDS = ["reinstatement", "waiver", "separate-license"] as const;
export const SECTIONS = ["4a", "4b", "4c", "4d", "4e", "4g"] as const;
export const STATUSES = [
  "Undeclared",
  "NonCommercialPermitted",
  "CommercialPermitted",
  "CommercialLapsed",
  "Excluded",
  "SeparatelyLicensed",
  "Disputed",
  "Terminated",
  "ReciprocitySettled",
] as const;
export const REASONS = [
  "NothingOnFile",
  "NonCommercialOnly",
  "CommercialUseNotCovered",
  "WorkerOwnedNoSurplus",
  "WorkerOwnedSurplus",
  "IndividualAsWorkerOwned",
  "SurplusExpired",
  "FormChanged",
  "WageLabourBusiness",
  "SeparateLicense",
  "BreachReported",
  "BreachFound",
  "ContributionsCoverPeriod",
  "IndividualNoSurplus",
] as const;

export type LicenseKindName = (typeof LICENSE_KINDS)[number];
export type EntityFormName = (typeof ENTITY_FORMS)[number];
export type UseKindName = (typeof USE_KINDS)[number];
export type DeclarationKindName = (typeof DECLARATION_KINDS)[number];
export type GrantKindName = (typeof GRANT_KINDS)[number];
export type SectionName = (typeof SECTIONS)[number];
export type StatusName = (typeof STATUSES)[number];
export type ReasonName = (typeof REASONS)[number];

/** Mirrors of the contract's constants (checked against the contract by test/ReciprocityRegistry.test.ts). */
export const RECIPROCITY_LIMITS = { maxValiditySeconds: 30 * 24 * 3600, maxUriBytes: 200, maxAttesters: 32 } as const;

// ---------------------------------------------------------------- ABI (checked against the artifact by a test)

const OBLIGATION = "(uint128 amount, bytes8 unit, uint40 period)";
const TERMS = `(uint8 kind, uint256 supersedes, bytes32 termsHash, string termsUri, bool shareAlike, address[] attesters, address arbiter, bytes32 commons, ${OBLIGATION} obligation)`;
const DECLARATION = "(uint8 kind, address licensee, uint256 work, uint8 value, uint64 start, uint64 end, bytes32 evidence, uint64 nonce, uint64 deadline)";
const GRANT = "(uint8 kind, address licensee, uint256 work, uint256 ref, uint64 expiry, bytes32 terms, uint256 nonce, uint64 deadline)";
const RECORD =
  "(uint8 flow, uint8 action, address provider, address receiver, bytes32 commons, bytes32 resource, bytes32 resourceSpec, bytes32 process, uint8 side, uint128 quantity, bytes8 unit, uint64 time, bytes32 evidence, uint64 corrects, uint64 satisfies, uint256 nonce, uint64 deadline)";
const PROOF = `(${RECORD} record, bytes32 previousHead, address[] laterSigners, bytes32[] laterRecordHashes)`;
const STATUS_VIEW = "(uint8 status, uint8 prior, uint8 reason, bool attested, uint64 validUntil, uint256[] records)";
const SETTLEMENT = "(uint256 work, uint256 entryId, uint256 nonce, uint64 deadline)";
const SETTLEMENT_VIEW = "(uint256 id, address licensee, uint256 family, uint64 periodStart, uint128 quantity, bool standing)";

/** The registry's records, as events: its read API (the indexer subscribes to exactly these). */
export const RECIPROCITY_EVENTS = [
  `event WorkRegistered(uint256 indexed work, address indexed licensor, uint256 indexed family, uint8 kind, uint256 supersedes, bytes32 termsHash, string termsUri, bool shareAlike, address arbiter, bytes32 commons, ${OBLIGATION} obligation, address[] attesters)`,
  "event Declared(uint256 indexed id, address indexed licensee, uint256 indexed work, uint8 kind, uint8 value, uint64 start, uint64 end, bytes32 evidence)",
  "event Attested(uint256 indexed id, address indexed licensee, uint256 indexed work, uint256 declaration, address attester, bytes32 evidence)",
  "event BreachReported(uint256 indexed id, address indexed licensee, uint256 indexed work, uint8 section, address reporter, bytes32 evidence)",
  "event BreachDecided(uint256 indexed id, address indexed licensee, uint256 indexed work, uint256 report, bool found, address by, bytes32 evidence)",
  "event Granted(uint256 indexed id, address indexed licensee, uint256 indexed work, uint8 kind, uint256 ref, uint64 expiry, bytes32 terms, address licensor)",
  "event Settled(uint256 indexed id, address indexed licensee, uint256 indexed work, uint256 entryId, uint64 periodStart, uint128 quantity, uint128 tally)",
  "event SettlementReversed(uint256 indexed id, address indexed licensee, uint256 indexed work, uint256 entryId, uint256 settlement, uint64 periodStart, uint128 quantity, uint128 tally, uint8 entryState)",
  "event BreachesDismissed(uint256 indexed id, address indexed licensee, uint256 indexed work, uint256 report, address by, bytes32 evidence)",
] as const;

export const RECIPROCITY_ABI = [
  ...RECIPROCITY_EVENTS,
  "event EIP712DomainChanged()",
  `function registerWork(${TERMS} terms) returns (uint256 work)`,
  `function declare(${DECLARATION} declaration, bytes signature) returns (uint256 id)`,
  "function attest(address licensee, uint256 work, uint256 record, bytes32 evidence) returns (uint256 id)",
  "function reportBreach(address licensee, uint256 work, uint8 section, bytes32 evidence) returns (uint256 id)",
  "function findBreach(uint256 report, bytes32 evidence) returns (uint256 id)",
  "function dismissBreach(uint256 report, bytes32 evidence) returns (uint256 id)",
  "function dismissBreachesUpTo(uint256 report, bytes32 evidence) returns (uint256 id)",
  `function grant(${GRANT} grant, bytes signature) returns (uint256 id)`,
  `function settle(uint256 work, uint256 entryId, ${PROOF} proof, ${PROOF}[] ancestors) returns (uint256 id)`,
  `function settleBySignature(${SETTLEMENT} settlement, bytes signature, ${PROOF} proof, ${PROOF}[] ancestors) returns (uint256 id)`,
  "function reverseSettlement(uint256 entryId) returns (uint256 id)",
  `function statusOf(address licensee, uint256 work) view returns (${STATUS_VIEW})`,
  "function declarationNonce(address licensee, uint256 work) view returns (uint64)",
  "function nonces(address owner) view returns (uint256)",
  "function workOf(uint256 work) view returns (address licensor, uint8 kind, uint256 family, uint256 supersededBy, address arbiter, bytes32 commons, bytes32 termsHash, bool shareAlike)",
  `function familyOf(uint256 work) view returns (uint256 family, uint256 current, ${OBLIGATION} obligation, uint64 obligationStart)`,
  "function isAttester(uint256 work, address attester) view returns (bool)",
  "function settledIn(address licensee, uint256 work, uint64 time) view returns (uint128 tally, uint64 periodStart)",
  `function settlementOf(uint256 entryId) view returns (${SETTLEMENT_VIEW})`,
  "function counts() view returns (uint256 works, uint256 records)",
  "function ledger() view returns (address)",
  `function declarationDigest(${DECLARATION} declaration) view returns (bytes32)`,
  `function grantDigest(${GRANT} grant) view returns (bytes32)`,
  `function settlementDigest(${SETTLEMENT} settlement) view returns (bytes32)`,
  "function eip712Domain() view returns (bytes1 fields, string name, string version, uint256 chainId, address verifyingContract, bytes32 salt, uint256[] extensions)",
  "function DECLARATION_TYPEHASH() view returns (bytes32)",
  "function GRANT_TYPEHASH() view returns (bytes32)",
  "function SETTLEMENT_TYPEHASH() view returns (bytes32)",
  "function MAX_VALIDITY() view returns (uint256)",
  "function MAX_URI_BYTES() view returns (uint256)",
  "function MAX_ATTESTERS() view returns (uint256)",
  "error InvalidShortString()",
  "error StringTooLong(string str)",
  "error InvalidAccountNonce(address account, uint256 currentNonce)",
  "error ReciprocityRegistryUnknownWork(uint256 work)",
  "error ReciprocityRegistryZeroLicensee(uint256 work)",
  "error ReciprocityRegistryZeroAttester(uint256 index)",
  "error ReciprocityRegistryMissingTermsHash()",
  "error ReciprocityRegistryInvalidUri(uint256 length, uint256 max)",
  "error ReciprocityRegistryTooManyAttesters(uint256 count, uint256 max)",
  "error ReciprocityRegistryInvalidObligation(uint8 kind, uint128 amount, bytes8 unit, uint40 period)",
  "error ReciprocityRegistryUnknownCommons(bytes32 commons)",
  "error ReciprocityRegistrySupersededVersion(uint256 work, uint256 supersededBy)",
  "error ReciprocityRegistryNotLicensor(uint256 work, address account)",
  "error ReciprocityRegistryNotLicensorOrArbiter(uint256 work, address account)",
  "error ReciprocityRegistryUnrecognisedAttester(uint256 work, address attester)",
  "error ReciprocityRegistryInvalidCode(uint256 field, uint256 value)",
  "error ReciprocityRegistryInvertedPeriod(uint64 start, uint64 end)",
  "error ReciprocityRegistryOverlappingPeriod(uint64 start, uint64 previousEnd)",
  "error ReciprocityRegistryNotContiguous(uint64 start, uint64 expectedStart)",
  "error ReciprocityRegistryPeriodQueued(uint64 start, uint64 queuedStart)",
  "error ReciprocityRegistryInvalidSignature(address signer)",
  "error SafeCastOverflowedUintDowncast(uint8 bits, uint256 value)",
  "error ReciprocityRegistryExpired(uint64 deadline, uint256 blockTime)",
  "error ReciprocityRegistryDeadlineTooFar(uint64 deadline, uint256 latestAllowed)",
  "error ReciprocityRegistryInvalidNonce(address signer, uint256 nonce, uint256 expected)",
  "error ReciprocityRegistryNotAttestable(uint256 work, address licensee, uint256 record)",
  "error ReciprocityRegistryReportNotOpen(uint256 report)",
  "error ReciprocityRegistryNotLatestFinding(uint256 ref, uint256 latestFinding)",
  "error ReciprocityRegistryNoSettlement(uint256 work)",
  "error ReciprocityRegistryEntryNotAccepted(uint256 entryId, uint8 state)",
  "error ReciprocityRegistryEntryMismatch(uint256 entryId, uint256 field, bytes32 value, bytes32 expected)",
  "error ReciprocityRegistryAlreadySettled(uint256 entryId, uint256 settlement)",
  "error ReciprocityRegistryNotEntrySigner(uint256 entryId, address signer, address caller)",
  "error ReciprocityRegistryMissingAncestorProof(uint256 entryId, uint256 ancestor)",
  "error ReciprocityRegistryUnusedAncestorProofs(uint256 entryId, uint256 used, uint256 given)",
  "error ReciprocityRegistryNotSettled(uint256 entryId)",
  "error ReciprocityRegistrySettlementStands(uint256 entryId, uint256 settlement)",
  // The Ledger's errors surface through settle (entryIncluded, entryState).
  "error LedgerEntryNotFound(uint256 entryId)",
  "error LedgerInvalidProof(uint256 entryId, uint256 expectedLaterEntries)",
] as const;

/** The ReciprocityRegistry's ABI as an ethers Interface, built on first use. */
export const reciprocityInterface = lazyInterface(() => RECIPROCITY_ABI);
