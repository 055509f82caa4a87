// The Directory's vocabulary (IDirectory.AgentKind, its limits) and its ABI. Browser-safe: core/directory.ts
// signs and reads names with it; core/contract-errors.ts explains its errors from it.
import { lazyInterface } from "./lazy-interface.js";

/** IDirectory.AgentKind, by code. */
export const AGENT_KINDS = ["person", "organisation", "project"] as const;
export type AgentKindName = (typeof AGENT_KINDS)[number];
/** Directory.MAX_NAME_BYTES. */
export const MAX_NAME_BYTES = 64;

const PROFILE = "(address agent, uint8 kind, string name, uint256 nonce, uint64 deadline)";
const NAME_PROPOSAL = "(bytes32 commons, address proposer, uint32 epoch, uint16 approvals, uint40 expiresAt, bool executed, string name)";

/** The Directory's ABI (test/directory.test.ts checks it against the compiled artifact). */
export const DIRECTORY_ABI = [
  "event ProfilePublished(address indexed agent, uint8 kind, string name, uint256 nonce)",
  "event CommonsNameProposed(uint256 indexed proposal, bytes32 indexed commons, address indexed proposer, string name, uint32 epoch, uint40 expiresAt)",
  "event CommonsNameApproved(uint256 indexed proposal, address indexed steward, uint16 approvals, uint16 threshold)",
  "event CommonsNamed(bytes32 indexed commons, string name, uint256 indexed proposal)",
  "event EIP712DomainChanged()",
  `function publishProfile(${PROFILE} profile, bytes signature)`,
  "function invalidateNonce() returns (uint256 nonce)",
  "function proposeCommonsName(bytes32 commons, string name) returns (uint256 proposal)",
  "function approveCommonsName(uint256 proposal) returns (bool executed)",
  "function nonces(address agent) view returns (uint256)",
  `function profileDigest(${PROFILE} profile) view returns (bytes32)`,
  `function nameProposalOf(uint256 proposal) view returns (${NAME_PROPOSAL})`,
  "function ledger() view returns (address)",
  "function MAX_NAME_BYTES() view returns (uint256)",
  "function MAX_VALIDITY() view returns (uint256)",
  "function PROPOSAL_TTL() view returns (uint256)",
  "function eip712Domain() view returns (bytes1 fields, string name, string version, uint256 chainId, address verifyingContract, bytes32 salt, uint256[] extensions)",
  "error DirectoryZeroAgent()",
  "error DirectoryInvalidKind(uint256 kind)",
  "error DirectoryInvalidName(uint256 length, uint256 max)",
  "error DirectoryNameControlCharacter(uint256 position, uint8 character)",
  "error DirectoryExpired(uint64 deadline, uint256 blockTime)",
  "error DirectoryDeadlineTooFar(uint64 deadline, uint256 latestAllowed)",
  "error DirectoryInvalidNonce(address agent, uint256 nonce, uint256 expected)",
  "error DirectoryInvalidSignature(address agent)",
  "error DirectoryCommonsUnknown(bytes32 commons)",
  "error DirectoryNotSteward(bytes32 commons, address account)",
  "error DirectoryProposalNotFound(uint256 proposal)",
  "error DirectoryProposalExecuted(uint256 proposal)",
  "error DirectoryProposalExpired(uint256 proposal, uint256 expiredAt)",
  "error DirectoryProposalStale(uint256 proposal, uint32 epoch, uint32 currentEpoch)",
  "error DirectoryAlreadyApproved(uint256 proposal, address steward)",
] as const;

/** The Directory's ABI as an ethers Interface, built on first use. */
export const directoryInterface = lazyInterface(() => DIRECTORY_ABI);
