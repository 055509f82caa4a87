// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

/// @title Commons Directory: who is who, by their own word and their stewards'
/// @notice People read names, not addresses. Two kinds of name are on record here:
/// - An agent's own display name and kind (person, organisation, project), signed by the agent
///   itself with EIP-712 (an EOA or an ERC-1271 wallet) and relayed by anyone. Each version carries
///   the agent's next nonce, so a later signed version replaces the shown one and an old signature
///   cannot be replayed over a newer name.
/// - A commons' name, set by its stewards as the Ledger counts them: a steward proposes a name and
///   it takes effect once the commons' threshold of stewards (`ILedger.stewardship`) approved it.
///   A change of the steward set or threshold (the Ledger's steward epoch) voids pending proposals.
///   The name given at `ILedger.registerCommons` stands until the stewards name the commons here.
///
/// Who counts. A name is a claim by its agent, not an identity: anyone may call itself "alice",
/// and the directory does not arbitrate. Readers show the name beside the short address and mark
/// a name that several agents use; an agent's entries, validations and shares stay tied to its
/// address. Names are limited to MAX_NAME_BYTES bytes with no control characters (bytes below 0x20
/// and 0x7F), so that no name can break a table or a terminal line; readers refuse further
/// look-alike tricks (bidirectional overrides, a name that reads as an address) when they show it.
///
/// Names live in the events (`ProfilePublished`, `CommonsNamed`), the read API; storage keeps only
/// what the rules read: nonces and pending commons-name proposals.
interface IDirectory {
    // ------------------------------------------------------------------ types

    /// @notice What kind of agent a profile describes. Codes are stable; append only.
    enum AgentKind {
        Person, // 0
        Organisation, // 1
        Project // 2
    }

    /// @notice An agent's signed profile.
    /// @dev `kind` is a uint8 rather than the enum so that an out-of-range code gets a named error.
    struct Profile {
        address agent; // who the profile names, and who signs it
        uint8 kind; // an AgentKind code
        string name; // the display name, 1..MAX_NAME_BYTES bytes of UTF-8 without control bytes
        uint256 nonce; // the agent's current nonce (`nonces(agent)`): version 0, 1, 2, ...
        uint64 deadline; // last second at which the signature may be published
    }

    /// @notice A proposed commons name as stored.
    struct NameProposal {
        bytes32 commons;
        address proposer;
        uint32 epoch; // the commons' steward epoch when proposed; approvals count only in it
        uint16 approvals;
        uint40 expiresAt; // approvals are refused from this time on
        bool executed;
        string name;
    }

    // ------------------------------------------------------------------ events

    /// @notice `agent` published version `nonce` of its profile: it calls itself `name`, a `kind`.
    /// The latest version (highest nonce) is the one shown.
    event ProfilePublished(address indexed agent, AgentKind kind, string name, uint256 nonce);

    /// @notice Steward `proposer` proposed `name` for `commons` as proposal `proposal`.
    event CommonsNameProposed(
        uint256 indexed proposal,
        bytes32 indexed commons,
        address indexed proposer,
        string name,
        uint32 epoch,
        uint40 expiresAt
    );

    /// @notice `steward` approved proposal `proposal`; `approvals` of `threshold` needed so far.
    event CommonsNameApproved(uint256 indexed proposal, address indexed steward, uint16 approvals, uint16 threshold);

    /// @notice The stewards of `commons` named it `name` (proposal `proposal` reached their threshold).
    /// The latest such event is the commons' name; before any, its registration name stands.
    event CommonsNamed(bytes32 indexed commons, string name, uint256 indexed proposal);

    // ------------------------------------------------------------------ errors

    /// @notice A profile names the zero address as its agent.
    error DirectoryZeroAgent();
    /// @notice The kind code is not an AgentKind.
    error DirectoryInvalidKind(uint256 kind);
    /// @notice The name is empty or longer than MAX_NAME_BYTES bytes.
    error DirectoryInvalidName(uint256 length, uint256 max);
    /// @notice The name has a control byte (below 0x20, or 0x7F) at byte `position`.
    error DirectoryNameControlCharacter(uint256 position, uint8 character);
    /// @notice The signature is past its deadline.
    error DirectoryExpired(uint64 deadline, uint256 blockTime);
    /// @notice The deadline is further in the future than MAX_VALIDITY allows.
    error DirectoryDeadlineTooFar(uint64 deadline, uint256 latestAllowed);
    /// @notice The nonce is not the agent's current nonce (a newer profile was published, or this one skips ahead).
    error DirectoryInvalidNonce(address agent, uint256 nonce, uint256 expected);
    /// @notice The signature is not valid for `agent` (EOA or ERC-1271).
    error DirectoryInvalidSignature(address agent);
    /// @notice The commons is not registered on the Ledger.
    error DirectoryCommonsUnknown(bytes32 commons);
    /// @notice The caller is not a steward of the commons (as the Ledger counts them now).
    error DirectoryNotSteward(bytes32 commons, address account);
    /// @notice No proposal has this id.
    error DirectoryProposalNotFound(uint256 proposal);
    /// @notice The proposal already took effect.
    error DirectoryProposalExecuted(uint256 proposal);
    /// @notice The proposal expired at `expiredAt` without enough approvals.
    error DirectoryProposalExpired(uint256 proposal, uint256 expiredAt);
    /// @notice The steward set or threshold changed since the proposal was made: propose it again.
    error DirectoryProposalStale(uint256 proposal, uint32 epoch, uint32 currentEpoch);
    /// @notice The steward already approved this proposal.
    error DirectoryAlreadyApproved(uint256 proposal, address steward);

    // ------------------------------------------------------------------ profiles

    /// @notice Publishes an agent's signed profile (anyone relays it): checks the agent, kind,
    /// name, deadline, nonce and signature, in that order, and emits `ProfilePublished`.
    /// @param profile The profile; `profile.nonce` must be `nonces(profile.agent)`.
    /// @param signature The agent's EIP-712 signature (65 bytes for an EOA; anything an ERC-1271
    /// wallet accepts).
    function publishProfile(Profile calldata profile, bytes calldata signature) external;

    /// @notice Consumes the caller's current nonce, cancelling a profile it signed but did not publish.
    /// @return nonce The nonce consumed.
    function invalidateNonce() external returns (uint256 nonce);

    // ------------------------------------------------------------------ commons names

    /// @notice Proposes `name` for `commons`; the caller (a steward) approves it. Takes effect once
    /// the commons' threshold of stewards approved (at once when it is 1), emitting `CommonsNamed`.
    /// @return proposal The proposal id.
    function proposeCommonsName(bytes32 commons, string calldata name) external returns (uint256 proposal);

    /// @notice Approves a pending commons-name proposal; names the commons when the approvals reach
    /// the commons' threshold.
    /// @return executed Whether this approval made the name take effect.
    function approveCommonsName(uint256 proposal) external returns (bool executed);

    // ------------------------------------------------------------------ views

    /// @notice The current nonce of `agent`: the version its next profile carries.
    function nonces(address agent) external view returns (uint256);

    /// @notice The EIP-712 digest an agent signs for `profile`.
    function profileDigest(Profile calldata profile) external view returns (bytes32);

    /// @notice Commons-name proposal `proposal` (reverts DirectoryProposalNotFound if there is none).
    function nameProposalOf(uint256 proposal) external view returns (NameProposal memory);

    /// @notice The Ledger whose commons and stewards this directory reads.
    function ledger() external view returns (address);
}
