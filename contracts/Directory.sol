// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity 0.8.30;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {ILedger} from "./interfaces/ILedger.sol";
import {IDirectory} from "./interfaces/IDirectory.sol";

/// @title Commons Directory (see IDirectory)
/// @notice Agents' signed display names and commons names set by their stewards' threshold.
contract Directory is IDirectory, EIP712, Nonces {
    /// @notice The longest name in bytes (a name is shown in table cells and terminal lines).
    uint256 public constant MAX_NAME_BYTES = 64;
    /// @notice How far ahead a profile signature's deadline may lie.
    uint256 public constant MAX_VALIDITY = 30 days;
    /// @notice How long a commons-name proposal can gather approvals (as the Ledger's proposals).
    uint256 public constant PROPOSAL_TTL = 30 days;

    bytes32 private constant _PROFILE_TYPEHASH = keccak256(
        "Profile(address agent,uint8 kind,string name,uint256 nonce,uint64 deadline)"
    );

    ILedger private immutable _ledger;
    uint256 private _proposalCount;
    mapping(uint256 proposal => NameProposal) private _proposals;
    mapping(uint256 proposal => mapping(address steward => bool)) private _approved;

    constructor(ILedger ledger_) EIP712("CommonsDirectory", "1") {
        _ledger = ledger_;
    }

    // ------------------------------------------------------------------ profiles

    /// @inheritdoc IDirectory
    function publishProfile(Profile calldata profile, bytes calldata signature) external {
        address agent = profile.agent;
        if (agent == address(0)) revert DirectoryZeroAgent();
        if (profile.kind > uint8(type(AgentKind).max)) revert DirectoryInvalidKind(profile.kind);
        _checkName(profile.name);
        if (profile.deadline < block.timestamp) revert DirectoryExpired(profile.deadline, block.timestamp);
        if (profile.deadline > block.timestamp + MAX_VALIDITY) {
            revert DirectoryDeadlineTooFar(profile.deadline, block.timestamp + MAX_VALIDITY);
        }
        uint256 expected = _useNonce(agent);
        if (profile.nonce != expected) revert DirectoryInvalidNonce(agent, profile.nonce, expected);
        if (!SignatureChecker.isValidSignatureNowCalldata(agent, _profileDigest(profile), signature)) {
            revert DirectoryInvalidSignature(agent);
        }
        emit ProfilePublished(agent, AgentKind(profile.kind), profile.name, expected);
    }

    /// @inheritdoc IDirectory
    function invalidateNonce() external returns (uint256 nonce) {
        nonce = _useNonce(msg.sender);
    }

    // ------------------------------------------------------------------ commons names

    /// @inheritdoc IDirectory
    function proposeCommonsName(bytes32 commons, string calldata name) external returns (uint256 proposal) {
        _checkName(name);
        (, uint256 threshold, uint256 epoch) = _ledger.stewardship(commons);
        if (threshold == 0) revert DirectoryCommonsUnknown(commons);
        if (!_ledger.isSteward(commons, msg.sender)) revert DirectoryNotSteward(commons, msg.sender);
        proposal = ++_proposalCount;
        uint40 expiresAt = uint40(block.timestamp + PROPOSAL_TTL);
        NameProposal storage p = _proposals[proposal];
        p.commons = commons;
        p.proposer = msg.sender;
        p.epoch = uint32(epoch);
        p.expiresAt = expiresAt;
        p.name = name;
        emit CommonsNameProposed(proposal, commons, msg.sender, name, uint32(epoch), expiresAt);
        _approve(proposal, p, threshold);
    }

    /// @inheritdoc IDirectory
    function approveCommonsName(uint256 proposal) external returns (bool executed) {
        NameProposal storage p = _proposals[proposal];
        if (p.commons == bytes32(0)) revert DirectoryProposalNotFound(proposal);
        if (p.executed) revert DirectoryProposalExecuted(proposal);
        if (block.timestamp >= p.expiresAt) revert DirectoryProposalExpired(proposal, p.expiresAt);
        (, uint256 threshold, uint256 epoch) = _ledger.stewardship(p.commons);
        if (uint32(epoch) != p.epoch) revert DirectoryProposalStale(proposal, p.epoch, uint32(epoch));
        if (!_ledger.isSteward(p.commons, msg.sender)) revert DirectoryNotSteward(p.commons, msg.sender);
        if (_approved[proposal][msg.sender]) revert DirectoryAlreadyApproved(proposal, msg.sender);
        executed = _approve(proposal, p, threshold);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IDirectory
    function nonces(address agent) public view override(IDirectory, Nonces) returns (uint256) {
        return super.nonces(agent);
    }

    /// @inheritdoc IDirectory
    function profileDigest(Profile calldata profile) external view returns (bytes32) {
        return _profileDigest(profile);
    }

    /// @inheritdoc IDirectory
    function nameProposalOf(uint256 proposal) external view returns (NameProposal memory) {
        NameProposal storage p = _proposals[proposal];
        if (p.commons == bytes32(0)) revert DirectoryProposalNotFound(proposal);
        return p;
    }

    /// @inheritdoc IDirectory
    function ledger() external view returns (address) {
        return address(_ledger);
    }

    // ------------------------------------------------------------------ private

    /// @dev Counts the caller's approval; names the commons once the approvals reach `threshold`.
    function _approve(uint256 proposal, NameProposal storage p, uint256 threshold) private returns (bool executed) {
        _approved[proposal][msg.sender] = true;
        uint16 approvals = p.approvals + 1;
        p.approvals = approvals;
        emit CommonsNameApproved(proposal, msg.sender, approvals, uint16(threshold));
        if (approvals >= threshold) {
            p.executed = true;
            emit CommonsNamed(p.commons, p.name, proposal);
            executed = true;
        }
    }

    function _profileDigest(Profile calldata profile) private view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(
                        _PROFILE_TYPEHASH,
                        profile.agent,
                        profile.kind,
                        keccak256(bytes(profile.name)),
                        profile.nonce,
                        profile.deadline
                    )
                )
            );
    }

    /// @dev 1..MAX_NAME_BYTES bytes, none a control byte (below 0x20, or 0x7F).
    function _checkName(string calldata name) private pure {
        bytes calldata b = bytes(name);
        if (b.length == 0 || b.length > MAX_NAME_BYTES) revert DirectoryInvalidName(b.length, MAX_NAME_BYTES);
        for (uint256 i; i < b.length; ++i) {
            uint8 c = uint8(b[i]);
            if (c < 0x20 || c == 0x7F) revert DirectoryNameControlCharacter(i, c);
        }
    }
}
