// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity 0.8.30;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ILedger} from "./interfaces/ILedger.sol";

/// @title Ledger
/// @notice The signed, append-only ledger of a commons' economic flows. See {ILedger}.
/// @dev No owner, no upgrade path, no function that touches an existing entry's record.
contract Ledger is ILedger, EIP712 {
    /// @notice EIP-712 type of a record. Enums are encoded as uint8.
    bytes32 public constant RECORD_TYPEHASH = keccak256(
        "Record(uint8 flow,uint8 action,address provider,address receiver,bytes32 commons,bytes32 resource,bytes32 resourceSpec,bytes32 process,uint8 side,uint128 quantity,bytes8 unit,uint64 time,bytes32 evidence,uint64 corrects,uint64 satisfies,uint256 nonce,uint64 deadline)"
    );

    /// @notice EIP-712 type of a validation.
    bytes32 public constant VALIDATION_TYPEHASH = keccak256(
        "Validation(uint64 entryId,uint8 verdict,address validator,bytes32 evidence,uint256 nonce,uint64 deadline)"
    );

    /// @notice Fixed-point decimals of `Record.quantity`.
    uint8 public constant QUANTITY_DECIMALS = 6;

    /// @notice Most records in one batch: 150 records of 704 calldata bytes each keep a batch
    /// under the usual 128 KiB transaction-pool limit and well under a third of a 30M block.
    uint256 public constant MAX_BATCH = 150;

    /// @notice The head is stored as a checkpoint after every this many entries.
    /// @dev 64, not 128: a proof carries one signer and one record hash per later entry of the
    /// interval, and under EIP-7623's calldata floor (40 gas per non-zero byte) the 127 later
    /// entries of a 128-entry interval cost 279,000 gas of calldata alone, above the 200,000 gas a
    /// first validation may cost. With 64 the longest proof (63 entries) stays under it; records pay
    /// one more checkpoint per 128 entries (about 185 gas per record on average, under 1.1 %).
    uint256 public constant CHECKPOINT_INTERVAL = 64;

    /// @notice Appointed validators of a commons who get a seat in its roster (in order of first
    /// appointment; a seat is never reused). A seated validator's mark on an entry is one bit of a
    /// slot it shares with the entry's tallies; anyone else's mark takes a slot of its own.
    uint256 public constant ROSTER_SEATS = 224;

    /// @notice How far in the future a signature deadline may lie.
    uint256 public constant MAX_VALIDITY = 30 days;

    /// @notice How far after the block time an event's `time` may lie (clock skew).
    uint256 public constant MAX_CLOCK_SKEW = 15 minutes;

    /// @notice Gas given to an ERC-1271 wallet's `isValidSignature`; a wallet that needs more is invalid.
    uint256 public constant ERC1271_GAS = 150_000;

    /// @notice Longest commons name, in bytes.
    uint256 public constant MAX_NAME_BYTES = 200;

    /// @notice How long a proposal may collect approvals.
    uint256 public constant PROPOSAL_TTL = 30 days;

    /// @notice Every role: one bit per action code (`Action` 0 .. 18).
    uint32 public constant ALL_ROLES = uint32((1 << (uint256(type(Action).max) + 1)) - 1);

    uint256 private constant _RECORD_BYTES = 17 * 32;

    // Field positions in Record (word index in its ABI encoding).
    uint256 private constant _F_FLOW = 0;
    uint256 private constant _F_ACTION = 1;
    uint256 private constant _F_PROVIDER = 2;
    uint256 private constant _F_RECEIVER = 3;
    uint256 private constant _F_COMMONS = 4;
    uint256 private constant _F_PROCESS = 7;
    uint256 private constant _F_SIDE = 8;
    uint256 private constant _F_QUANTITY = 9;
    uint256 private constant _F_UNIT = 10;
    uint256 private constant _F_TIME = 11;
    uint256 private constant _F_CORRECTS = 13;
    uint256 private constant _F_SATISFIES = 14;
    uint256 private constant _F_NONCE = 15;
    uint256 private constant _F_DEADLINE = 16;

    /// @dev Sides each action allows when it has a process, two bits per action code
    /// (bit 0: Input, bit 1: Output), from the ValueFlows action definitions:
    /// work, cite, use, consume, accept, combine, pickup are inputs; produce, modify, separate,
    /// dropoff, copy are outputs; deliverService is either; transfers, move, raise, lower have none.
    uint256 private constant _SIDE_RULES =
        (1 << (0 * 2)) | // Work
            (1 << (1 * 2)) | // Cite
            (1 << (2 * 2)) | // Use
            (1 << (3 * 2)) | // Consume
            (2 << (4 * 2)) | // Produce
            (3 << (8 * 2)) | // DeliverService
            (1 << (9 * 2)) | // Accept
            (2 << (10 * 2)) | // Modify
            (1 << (11 * 2)) | // Combine
            (2 << (12 * 2)) | // Separate
            (1 << (13 * 2)) | // Pickup
            (2 << (14 * 2)) | // Dropoff
            (2 << (18 * 2)); // Copy

    /// @dev What on-chain logic needs to know about an entry after its first validation or
    /// correction (written once from a proof). One slot. `commonsIndex` is the entry's commons'
    /// registration number (0: not registered when anchored); `corrected` says `_correctedBy`
    /// holds the correcting entry (a correction is rare, so its id takes a slot of its own).
    /// `answer` is the counterparty's answer: 0 none yet, 1 confirmed, 2 refused.
    /// `pairs` holds the entry's first four validations that have a seat or count, 10 bits each
    /// from the low bits up: the validator's seat (0 if none) times 4 plus its vote (1 a counted
    /// accept, 2 a counted dispute, 0 neither); 0 is a free place. So the first four write no slot
    /// besides this one; the fifth writes the entry's votes slot, starting from them, and later
    /// ones update it (see `_votesOf`).
    struct EntryInfo {
        address agent;
        Action action;
        uint32 commonsIndex;
        bool corrected;
        uint8 answer;
        uint40 pairs;
    }

    /// @dev How many validations an entry's info holds (`EntryInfo.pairs`), and each one's width.
    uint256 private constant _PAIRS = 4;
    uint256 private constant _PAIR_BITS = 10;

    /// @dev An entry's validations: one bit per roster seat (bit `seat - 1`: that seat's holder has
    /// validated it) and the tallies, updated by every validation that counts or that a seated
    /// validator makes. It is the seated validator's once-per-entry mark. Kept in the entry's info
    /// while it fits there, else in a slot of its own (`_votes`).
    struct Votes {
        uint224 seats;
        uint16 accepts;
        uint16 disputes;
    }

    /// @dev An account in a commons: its roles (a bit per action), its roster seat (0: none) and
    /// whether it has ever left a mark in `_validated` for an entry of the commons (then a seated
    /// account's mark is looked up there too). One slot.
    struct Member {
        uint32 roles;
        uint8 seat;
        bool marked;
    }

    /// @dev Entry count (low 64 bits) and 192-bit chain head (high bits), one slot: every append
    /// writes both, so sharing the slot saves a storage write (~5,000 gas) per transaction.
    uint256 private _tip;
    /// @dev Keyed nonces as in ERC-4337 / OpenZeppelin NoncesKeyed (key: high 192 bits, sequence:
    /// low 64), kept here rather than inherited because a batch must check a nonce without
    /// consuming it (to skip an invalid item) and then consume it with one warm write.
    mapping(address owner => mapping(uint192 key => uint256 sequence)) private _nonceSequences;
    mapping(uint256 index => bytes24 head) private _checkpoints;
    mapping(uint256 entryId => EntryInfo) private _entries;
    mapping(uint256 entryId => Votes) private _votes;
    mapping(uint256 entryId => uint256 correctionId) private _correctedBy;
    /// @dev Marks of validators without a seat in the entry's commons' roster.
    mapping(uint256 entryId => mapping(address validator => bool)) private _validated;
    /// @dev A commons' steward count (0: not registered), threshold, epoch, registration number
    /// (1, 2, ...) and seats given, one slot.
    struct Stewardship {
        uint64 stewards;
        uint16 threshold;
        uint32 epoch;
        uint32 index;
        uint8 seats;
    }

    uint32 private _commonsCount;
    mapping(bytes32 commons => mapping(address account => bool)) private _stewards;
    mapping(bytes32 commons => Stewardship) private _stewardships;
    mapping(uint32 commonsIndex => mapping(address account => Member)) private _members;
    mapping(uint32 commonsIndex => mapping(Action action => QuorumRule)) private _quorumRules;
    uint256 private _proposalCount;
    mapping(uint256 proposal => Proposal) private _proposals;
    mapping(uint256 proposal => mapping(address steward => bool)) private _approved;

    constructor() EIP712("CommonsLedger", "1") {}

    // ------------------------------------------------------------------ records

    /// @inheritdoc ILedger
    function record(Record calldata record_, bytes calldata signature) external returns (uint256 id) {
        return _recordOne(record_, signature, false, signature[0:0]);
    }

    /// @inheritdoc ILedger
    function recordBatch(Record[] calldata records, bytes[] calldata signatures) external returns (uint256 recorded) {
        uint256 n = records.length;
        if (n == 0 || n != signatures.length) revert LedgerBatchLengthMismatch(n, signatures.length);
        if (n > MAX_BATCH) revert LedgerBatchTooLarge(n, MAX_BATCH);
        (uint64 count, bytes24 head) = _unpackTip();
        uint256 id = count;
        for (uint256 i = 0; i < n; ++i) {
            uint256 freeMemory = _freeMemoryPointer();
            (bytes memory err, bytes24 newHead) = _append(records[i], signatures[i], id + 1, head, false);
            if (err.length == 0) {
                ++id;
                head = newHead;
            } else {
                emit RecordSkipped(i, _agentOf(records[i]), err);
            }
            // Each item's scratch memory (record copy, error) is dead after its iteration; reusing
            // it keeps memory expansion flat across the batch.
            _setFreeMemoryPointer(freeMemory);
        }
        recorded = id - count;
        if (recorded != 0) _tip = _packTip(id, head);
    }

    /// @inheritdoc ILedger
    function recordCorrection(
        Record calldata record_,
        bytes calldata signature,
        EntryProof calldata proof
    ) external returns (uint256 id) {
        uint256 corrects = _word(record_, _F_CORRECTS);
        if (corrects == 0) revert LedgerNotACorrection();
        (uint64 count, bytes24 head) = _unpackTip();
        id = uint256(count) + 1;
        // Field and signature checks first, so a malformed record reports its own problem.
        (bytes memory err, bytes24 newHead) = _append(record_, signature, id, head, true);
        _revertIf(err);
        EntryInfo memory info = _anchor(corrects, proof, count, head, false, false);
        address agent = _agentOf(record_);
        if (info.agent != agent) revert LedgerNotEntryAgent(corrects, info.agent, agent);
        if (info.corrected) revert LedgerAlreadyCorrected(corrects, _correctedBy[corrects]);
        _entries[corrects].corrected = true;
        _correctedBy[corrects] = id;
        _tip = _packTip(id, newHead);
        emit Corrected(corrects, id);
    }

    /// @inheritdoc ILedger
    function recordConfirmed(
        Record calldata record_,
        bytes calldata signature,
        bytes calldata counterpartySignature
    ) external returns (uint256 id) {
        return _recordOne(record_, signature, true, counterpartySignature);
    }

    // ------------------------------------------------------------------ validations

    /// @inheritdoc ILedger
    function validate(Validation calldata validation, bytes calldata signature, EntryProof calldata proof) external {
        _revertIf(_checkValidation(validation));
        (uint64 count, bytes24 head) = _unpackTip();
        bool answer = validation.verdict >= Verdict.Confirm;
        EntryInfo memory info = _anchor(validation.entryId, proof, count, head, true, answer);
        _revertIf(_recordValidation(validation, signature, info));
    }

    /// @inheritdoc ILedger
    function validateBatch(
        Validation[] calldata validations,
        bytes[] calldata signatures,
        RangeProof[] calldata proofs
    ) external returns (uint256 validated) {
        uint256 n = validations.length;
        if (n == 0 || n != signatures.length) revert LedgerBatchLengthMismatch(n, signatures.length);
        if (n > MAX_BATCH) revert LedgerBatchTooLarge(n, MAX_BATCH);
        (uint64 count, bytes24 head) = _unpackTip();
        for (uint256 j = 0; j < proofs.length; ++j) {
            _anchorRange(proofs[j], count, head);
        }
        for (uint256 i = 0; i < n; ++i) {
            uint256 freeMemory = _freeMemoryPointer();
            Validation calldata v = validations[i];
            bytes memory err = _checkValidation(v);
            if (err.length == 0) {
                uint256 entryId = v.entryId;
                EntryInfo memory info = _entries[entryId];
                if (entryId == 0 || entryId > count) {
                    err = abi.encodeWithSelector(LedgerEntryNotFound.selector, entryId);
                } else if (info.agent == address(0)) {
                    err = abi.encodeWithSelector(LedgerEntryNotAnchored.selector, entryId);
                } else {
                    err = _recordValidation(v, signatures[i], info);
                }
            }
            if (err.length == 0) ++validated;
            else emit ValidationSkipped(i, address(uint160(_validationWord(v, 2))), err);
            _setFreeMemoryPointer(freeMemory);
        }
    }

    // ------------------------------------------------------------------ commons

    /// @inheritdoc ILedger
    function registerCommons(bytes32 salt, string calldata name) external returns (bytes32 commons) {
        if (bytes(name).length == 0 || bytes(name).length > MAX_NAME_BYTES) {
            revert LedgerInvalidName(bytes(name).length, MAX_NAME_BYTES);
        }
        commons = keccak256(abi.encode(msg.sender, salt));
        if (_stewardships[commons].stewards != 0) revert LedgerCommonsExists(commons);
        _stewards[commons][msg.sender] = true;
        uint32 index = ++_commonsCount;
        _stewardships[commons] = Stewardship({stewards: 1, threshold: 1, epoch: 0, index: index, seats: 0});
        emit CommonsRegistered(commons, msg.sender, salt, name);
        emit StewardAdded(commons, msg.sender, msg.sender);
        emit StewardThresholdSet(commons, 1, msg.sender);
    }

    /// @inheritdoc ILedger
    function addSteward(bytes32 commons, address steward) external returns (uint256 proposal) {
        Change memory c;
        c.kind = ChangeKind.AddSteward;
        c.account = steward;
        return _propose(commons, c);
    }

    /// @inheritdoc ILedger
    function removeSteward(bytes32 commons, address steward) external returns (uint256 proposal) {
        Change memory c;
        c.kind = ChangeKind.RemoveSteward;
        c.account = steward;
        return _propose(commons, c);
    }

    /// @inheritdoc ILedger
    function setStewardThreshold(bytes32 commons, uint16 threshold) external returns (uint256 proposal) {
        Change memory c;
        c.kind = ChangeKind.SetThreshold;
        c.threshold = threshold;
        return _propose(commons, c);
    }

    /// @inheritdoc ILedger
    function setRoles(bytes32 commons, address account, uint32 roles) external returns (uint256 proposal) {
        Change memory c;
        c.kind = ChangeKind.SetRoles;
        c.account = account;
        c.roles = roles;
        return _propose(commons, c);
    }

    /// @inheritdoc ILedger
    function setQuorumRule(
        bytes32 commons,
        Action action,
        uint16 acceptsRequired,
        uint16 disputesToBlock,
        bool counterpartyConfirms
    ) external returns (uint256 proposal) {
        Change memory c;
        c.kind = ChangeKind.SetQuorumRule;
        c.action = action;
        c.acceptsRequired = acceptsRequired;
        c.disputesToBlock = disputesToBlock;
        c.counterpartyConfirms = counterpartyConfirms;
        return _propose(commons, c);
    }

    /// @inheritdoc ILedger
    function approveChange(uint256 proposal) external returns (bool executed) {
        Proposal storage p = _proposals[proposal];
        if (p.proposer == address(0)) revert LedgerProposalNotFound(proposal);
        Stewardship memory s = _onlySteward(p.commons);
        if (p.executed) revert LedgerProposalExecuted(proposal);
        if (p.epoch != s.epoch) revert LedgerProposalStale(proposal, p.epoch, s.epoch);
        if (block.timestamp >= p.expiresAt) revert LedgerProposalExpired(proposal, p.expiresAt);
        if (_approved[proposal][msg.sender]) revert LedgerAlreadyApproved(proposal, msg.sender);
        return _approve(proposal, p, s);
    }

    // ------------------------------------------------------------------ nonces

    /// @inheritdoc ILedger
    function invalidateNonce(uint192 key) external returns (uint256 nonce) {
        nonce = _packNonce(key, _nonceSequences[msg.sender][key]);
        _useNonce(msg.sender, nonce);
        emit NonceInvalidated(msg.sender, nonce);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc ILedger
    function tip() external view returns (uint64 count, bytes24 head) {
        return _unpackTip();
    }

    /// @inheritdoc ILedger
    function checkpoint(uint256 index) external view returns (bytes24 head) {
        return _checkpoints[index];
    }

    /// @inheritdoc ILedger
    function entryState(
        uint256 entryId
    ) external view returns (EntryState state, uint16 accepts, uint16 disputes, uint64 correctedBy) {
        (uint64 count, ) = _unpackTip();
        if (entryId == 0 || entryId > count) revert LedgerEntryNotFound(entryId);
        EntryInfo memory info = _entries[entryId];
        if (info.agent == address(0)) return (EntryState.Claimed, 0, 0, 0);
        Votes memory votes = _votesOf(entryId, info);
        accepts = votes.accepts;
        disputes = votes.disputes;
        if (info.corrected) correctedBy = uint64(_correctedBy[entryId]);
        QuorumRule memory rule = _ruleOf(info.commonsIndex, info.action);
        // With `counterpartyConfirms`, the counterparty's refusal disputes the entry and only its
        // confirmation (answer 1) lets it be accepted.
        if (correctedBy != 0) state = EntryState.Corrected;
        else if (disputes >= rule.disputesToBlock || (rule.counterpartyConfirms && info.answer == 2)) {
            state = EntryState.Disputed;
        } else if (accepts >= rule.acceptsRequired && (!rule.counterpartyConfirms || info.answer == 1)) {
            state = EntryState.Accepted;
        } else state = EntryState.Claimed;
    }

    /// @inheritdoc ILedger
    function entryIncluded(uint256 entryId, EntryProof calldata proof) external view returns (address signer) {
        (uint64 count, bytes24 head) = _unpackTip();
        if (entryId == 0 || entryId > count) revert LedgerEntryNotFound(entryId);
        return _proveEntry(entryId, proof, count, head);
    }

    /// @inheritdoc ILedger
    function hasValidated(uint256 entryId, address validator) external view returns (bool) {
        EntryInfo memory info = _entries[entryId];
        if (info.agent == address(0)) return false;
        Member memory m = _members[info.commonsIndex][validator];
        return _hasMarked(entryId, validator, m, _votesOf(entryId, info).seats);
    }

    /// @inheritdoc ILedger
    function quorumRule(bytes32 commons, Action action) external view returns (QuorumRule memory) {
        return _ruleOf(_stewardships[commons].index, action);
    }

    /// @inheritdoc ILedger
    function isSteward(bytes32 commons, address account) external view returns (bool) {
        return _stewards[commons][account];
    }

    /// @inheritdoc ILedger
    function stewardship(bytes32 commons) external view returns (uint256 stewards, uint256 threshold, uint256 epoch) {
        Stewardship memory s = _stewardships[commons];
        return (s.stewards, s.threshold, s.epoch);
    }

    /// @inheritdoc ILedger
    function rolesOf(bytes32 commons, address account) external view returns (uint32) {
        return _members[_stewardships[commons].index][account].roles;
    }

    /// @inheritdoc ILedger
    function proposalOf(uint256 proposal) external view returns (Proposal memory) {
        Proposal memory p = _proposals[proposal];
        if (p.proposer == address(0)) revert LedgerProposalNotFound(proposal);
        return p;
    }

    /// @inheritdoc ILedger
    function commonsExists(bytes32 commons) external view returns (bool) {
        return _stewardships[commons].stewards != 0;
    }

    /// @inheritdoc ILedger
    function nonces(address owner, uint192 key) external view returns (uint256) {
        return _packNonce(key, _nonceSequences[owner][key]);
    }

    /// @inheritdoc ILedger
    function hashRecord(Record calldata record_) external pure returns (bytes32 structHash) {
        (structHash, ) = _hashRecord(record_);
    }

    /// @inheritdoc ILedger
    function recordDigest(Record calldata record_) external view returns (bytes32) {
        (bytes32 structHash, ) = _hashRecord(record_);
        return _hashTypedDataV4(structHash);
    }

    /// @inheritdoc ILedger
    function validationDigest(Validation calldata validation) external view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(VALIDATION_TYPEHASH, validation)));
    }

    /// @inheritdoc ILedger
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ------------------------------------------------------------------ internal: append

    /// @dev `record`, and with `confirmed` `recordConfirmed`: appends one record or reverts.
    function _recordOne(
        Record calldata r,
        bytes calldata signature,
        bool confirmed,
        bytes calldata counterpartySignature
    ) private returns (uint256 id) {
        (uint64 count, bytes24 head) = _unpackTip();
        id = uint256(count) + 1;
        (bytes memory err, bytes24 newHead) = _append(r, signature, id, head, false);
        _revertIf(err);
        if (confirmed) {
            address counterparty = _counterpartyOf(r);
            if (counterparty == address(0)) revert LedgerNoCounterparty(id);
            (bytes32 structHash, ) = _hashRecord(r);
            if (!_isValidSignature(counterparty, _hashTypedDataV4(structHash), counterpartySignature)) {
                revert LedgerInvalidSignature(counterparty);
            }
            bytes32 commons = bytes32(_word(r, _F_COMMONS));
            uint32 commonsIndex = _stewardships[commons].index;
            if (commonsIndex == 0) revert LedgerCommonsUnknown(commons);
            _anchorRecord(id, r, commonsIndex, 1);
            emit CounterpartyAnswered(id, counterparty, Verdict.Confirm, bytes32(0));
        }
        _tip = _packTip(id, newHead);
    }

    /// @dev Checks one record and, if it is valid, consumes its nonce, emits `Recorded` and returns
    /// the new head. On failure returns the ABI-encoded custom error and changes nothing (the
    /// nonce is consumed only after every check has passed). The caller writes the tip.
    function _append(
        Record calldata r,
        bytes calldata signature,
        uint256 id,
        bytes24 head,
        bool allowCorrection
    ) private returns (bytes memory err, bytes24 newHead) {
        if (!_isPlainValidRecord(r, id)) {
            err = _checkFields(r, id, allowCorrection);
            if (err.length != 0) return (err, head);
        }
        address agent = _agentOf(r);
        uint256 nonce = _word(r, _F_NONCE);
        (uint256 nonceSlot, uint256 expected) = _currentNonce(agent, nonce);
        if (nonce != expected) {
            return (abi.encodeWithSelector(LedgerInvalidNonce.selector, agent, nonce, expected), head);
        }

        (bytes32 structHash, uint256 recordCopy) = _hashRecord(r);
        // _hashTypedDataV4 and the signature check use scratch memory at the free memory pointer,
        // so the record copy is protected by moving the pointer past it.
        _setFreeMemoryPointer(recordCopy + _RECORD_BYTES);
        if (!_isValidSignature(agent, _hashTypedDataV4(structHash), signature)) {
            return (abi.encodeWithSelector(LedgerInvalidSignature.selector, agent), head);
        }

        // The nonce was checked current: its slot was computed once, for the check.
        _useCheckedNonce(nonceSlot, nonce);
        newHead = _chain(head, id, agent, structHash);
        _emitRecorded(recordCopy, id, agent);
        if (id % CHECKPOINT_INTERVAL == 0) {
            _checkpoints[id / CHECKPOINT_INTERVAL] = newHead;
            emit Checkpointed(id / CHECKPOINT_INTERVAL, newHead);
        }
    }

    /// @dev Emits `Recorded`. The event's data is the record's ABI encoding, which is exactly the
    /// calldata copy made for hashing: logging it from there avoids decoding and re-encoding 17
    /// fields (~3,000 gas).
    function _emitRecorded(uint256 recordCopy, uint256 id, address agent) private {
        bytes32 topic0 = Recorded.selector;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            log3(recordCopy, _RECORD_BYTES, topic0, id, and(agent, 0xffffffffffffffffffffffffffffffffffffffff))
        }
    }

    /// @dev Every check on a record that needs no signature, in a fixed order. Fields are read as
    /// raw words so that a malformed encoding gets a named error instead of a bare revert.
    function _checkFields(Record calldata r, uint256 id, bool allowCorrection) internal view returns (bytes memory) {
        // Well-formed encoding: narrow types must have clean high bits, bytes8 clean low bits.
        // (flow, action and side are range-checked below.)
        uint256 dirty =
            (_word(r, _F_PROVIDER) >> 160) |
                (_word(r, _F_RECEIVER) >> 160) |
                (_word(r, _F_QUANTITY) >> 128) |
                (_word(r, _F_UNIT) << 64) |
                (_word(r, _F_TIME) >> 64) |
                (_word(r, _F_CORRECTS) >> 64) |
                (_word(r, _F_SATISFIES) >> 64) |
                (_word(r, _F_DEADLINE) >> 64);
        if (dirty != 0) return _malformed(r);
        uint256 flow = _word(r, _F_FLOW);
        if (flow > uint256(type(Flow).max)) return abi.encodeWithSelector(LedgerInvalidFlow.selector, flow);
        uint256 action = _word(r, _F_ACTION);
        if (action > uint256(type(Action).max)) return abi.encodeWithSelector(LedgerInvalidAction.selector, action);
        uint256 side = _word(r, _F_SIDE);
        bytes32 process = bytes32(_word(r, _F_PROCESS));
        if (!_sideFits(action, side, process)) {
            return abi.encodeWithSelector(LedgerInvalidSide.selector, action, side, process);
        }
        if (_agentOf(r) == address(0)) return abi.encodeWithSelector(LedgerZeroAgent.selector);
        if (_word(r, _F_COMMONS) == 0) return abi.encodeWithSelector(LedgerMissingCommons.selector);
        uint256 corrects = _word(r, _F_CORRECTS);
        uint256 quantity = _word(r, _F_QUANTITY);
        if (quantity == 0 && corrects == 0) return abi.encodeWithSelector(LedgerZeroQuantity.selector);
        if (quantity != 0 && _word(r, _F_UNIT) == 0) {
            return abi.encodeWithSelector(LedgerMissingUnit.selector, quantity);
        }
        uint256 time = _word(r, _F_TIME);
        if (time == 0) return abi.encodeWithSelector(LedgerMissingTime.selector);
        if (flow == uint256(Flow.Event) && time > block.timestamp + MAX_CLOCK_SKEW) {
            return abi.encodeWithSelector(LedgerTimeInFuture.selector, time, block.timestamp);
        }
        if (corrects != 0 && !allowCorrection) {
            return abi.encodeWithSelector(LedgerCorrectionNeedsProof.selector, corrects);
        }
        if (corrects >= id) return abi.encodeWithSelector(LedgerLinkNotFound.selector, corrects, id);
        uint256 satisfies = _word(r, _F_SATISFIES);
        if (satisfies >= id) return abi.encodeWithSelector(LedgerLinkNotFound.selector, satisfies, id);
        uint256 deadline = _word(r, _F_DEADLINE);
        if (deadline < block.timestamp) {
            return abi.encodeWithSelector(LedgerExpired.selector, deadline, block.timestamp);
        }
        if (deadline > block.timestamp + MAX_VALIDITY) {
            return abi.encodeWithSelector(LedgerDeadlineTooFar.selector, deadline, block.timestamp + MAX_VALIDITY);
        }
        return "";
    }

    /// @dev A fast, sufficient condition for `_checkFields` to pass: the common record (no
    /// correction, a quantity, a clean encoding) checked in one pass over the words. Anything it
    /// does not accept goes through the detailed checks, which alone decide and name the error;
    /// fuzz tests hold that whatever this accepts, the detailed checks accept too. Saves ~1,000
    /// gas per record.
    function _isPlainValidRecord(Record calldata r, uint256 id) internal view returns (bool ok) {
        uint256 sideRules = _SIDE_RULES;
        uint256 latestTime;
        uint256 latestDeadline;
        unchecked {
            latestTime = block.timestamp + MAX_CLOCK_SKEW;
            latestDeadline = block.timestamp + MAX_VALIDITY;
        }
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            // `bad` collects every failed condition; any non-zero bit means "not plain valid".
            let flow := calldataload(r)
            let action := calldataload(add(r, 0x20))
            let agents := or(calldataload(add(r, 0x40)), calldataload(add(r, 0x60)))
            let bad := or(or(gt(flow, 3), gt(action, 18)), or(shr(160, agents), iszero(agents)))
            bad := or(bad, iszero(calldataload(add(r, 0x80)))) // commons
            let side := calldataload(add(r, 0x100))
            switch calldataload(add(r, 0xe0)) // process
            case 0 {
                bad := or(bad, side) // no process: side None
            }
            default {
                // Input (1) or Output (2), as the action allows.
                bad := or(bad, or(gt(side, 2), iszero(and(and(shr(shl(1, action), sideRules), 3), side))))
            }
            let quantity := calldataload(add(r, 0x120))
            bad := or(bad, or(iszero(quantity), shr(128, quantity)))
            let unit := calldataload(add(r, 0x140))
            bad := or(bad, or(iszero(unit), shl(64, unit)))
            // Time: set, 64-bit, and for events (flow 0) not in the future beyond the skew.
            let time := calldataload(add(r, 0x160))
            bad := or(bad, or(or(iszero(time), shr(64, time)), and(iszero(flow), gt(time, latestTime))))
            // Links: no correction; `satisfies` earlier than this entry (so also 64-bit).
            bad := or(bad, or(calldataload(add(r, 0x1a0)), iszero(lt(calldataload(add(r, 0x1c0)), id))))
            // Deadline: now <= deadline <= now + MAX_VALIDITY (which also keeps it 64-bit).
            let deadline := calldataload(add(r, 0x200))
            bad := or(bad, or(lt(deadline, timestamp()), gt(deadline, latestDeadline)))
            ok := iszero(bad)
        }
    }

    /// @dev The error for the first field whose word is not a clean encoding of its type.
    function _malformed(Record calldata r) private pure returns (bytes memory) {
        uint8[8] memory fields = [
            uint8(_F_PROVIDER),
            uint8(_F_RECEIVER),
            uint8(_F_QUANTITY),
            uint8(_F_UNIT),
            uint8(_F_TIME),
            uint8(_F_CORRECTS),
            uint8(_F_SATISFIES),
            uint8(_F_DEADLINE)
        ];
        uint8[8] memory bits = [160, 160, 128, 0, 64, 64, 64, 64];
        for (uint256 i = 0; i < 8; ++i) {
            uint256 w = _word(r, fields[i]);
            bool dirty = bits[i] == 0 ? (w << 64) != 0 : (w >> bits[i]) != 0;
            if (dirty) return abi.encodeWithSelector(LedgerMalformedRecord.selector, fields[i], bytes32(w));
        }
        return "";
    }

    /// @dev With no process the side must be None; with a process it must be a side the action allows.
    function _sideFits(uint256 action, uint256 side, bytes32 process) private pure returns (bool) {
        if (side > uint256(type(Side).max)) return false;
        if (process == bytes32(0)) return side == uint256(Side.None);
        if (side == uint256(Side.None)) return false;
        uint256 allowed = (_SIDE_RULES >> (action * 2)) & 3;
        return allowed & (side == uint256(Side.Input) ? 1 : 2) != 0;
    }

    // ------------------------------------------------------------------ internal: proofs

    /// @dev Returns what is known of an entry, proving and storing it on first use. For a
    /// validation (`needsCommons`) an entry whose commons is not registered is refused, so that no
    /// entry is anchored for validation without its commons' number. With `needsRecord` (a
    /// counterparty's answer) the proof is checked even for an anchored entry, and the record's
    /// counterparty noted for this transaction.
    function _anchor(
        uint256 entryId,
        EntryProof calldata proof,
        uint64 count,
        bytes24 head,
        bool needsCommons,
        bool needsRecord
    ) private returns (EntryInfo memory info) {
        if (entryId == 0 || entryId > count) revert LedgerEntryNotFound(entryId);
        info = _entries[entryId];
        if (info.agent != address(0) && !needsRecord) return info;

        address agent = _proveEntry(entryId, proof, count, head);
        _noteCounterparty(entryId, proof.record);
        if (info.agent != address(0)) return info;
        info.agent = agent;
        info.action = Action(_word(proof.record, _F_ACTION));
        bytes32 commons = bytes32(_word(proof.record, _F_COMMONS));
        info.commonsIndex = _stewardships[commons].index;
        if (needsCommons && info.commonsIndex == 0) revert LedgerCommonsUnknown(commons);
        _entries[entryId] = info;
    }

    /// @dev Checks a range proof (see RangeProof) against the stored checkpoint or tip and anchors
    /// every record it gives in full whose entry is not anchored yet and whose commons is
    /// registered. Reverts LedgerEntryNotFound or LedgerInvalidProof(firstId, later entries).
    function _anchorRange(RangeProof calldata p, uint64 count, bytes24 head) private {
        uint256 firstId = p.firstId;
        if (firstId == 0 || firstId > count) revert LedgerEntryNotFound(firstId);
        uint256 endId = ((firstId - 1) / CHECKPOINT_INTERVAL + 1) * CHECKPOINT_INTERVAL;
        bytes24 target = head;
        if (endId <= count) target = _checkpoints[endId / CHECKPOINT_INTERVAL];
        else endId = count;
        uint256 n = endId - firstId + 1;
        if (p.signers.length != n || p.recordHashes.length != n) revert LedgerInvalidProof(firstId, n - 1);
        uint256 given = p.records.length;
        bytes24 h = bytes24(p.previousHead);
        uint256 k = 0;
        for (uint256 i = 0; i < n; ++i) {
            address signer = p.signers[i];
            bytes32 recordHash;
            if (signer == address(0)) {
                if (k == given) revert LedgerInvalidProof(firstId, n - 1);
                Record calldata r = p.records[k++];
                signer = _agentOf(r);
                (recordHash, ) = _hashRecord(r);
            } else {
                recordHash = p.recordHashes[i];
            }
            h = _chain(h, firstId + i, signer, recordHash);
        }
        if (k != given || h != target) revert LedgerInvalidProof(firstId, n - 1);
        k = 0;
        for (uint256 i = 0; i < n; ++i) {
            if (p.signers[i] != address(0)) continue;
            Record calldata r = p.records[k++];
            uint256 entryId = firstId + i;
            _noteCounterparty(entryId, r);
            if (_entries[entryId].agent != address(0)) continue;
            uint32 commonsIndex = _stewardships[bytes32(_word(r, _F_COMMONS))].index;
            if (commonsIndex == 0) continue;
            _anchorRecord(entryId, r, commonsIndex, 0);
        }
    }

    /// @dev Stores the anchor of entry `entryId`, whose record `r` was proven or just appended.
    function _anchorRecord(uint256 entryId, Record calldata r, uint32 commonsIndex, uint8 answer) private {
        EntryInfo memory info;
        info.agent = _agentOf(r);
        info.action = Action(_word(r, _F_ACTION));
        info.commonsIndex = commonsIndex;
        info.answer = answer;
        _entries[entryId] = info;
    }

    /// @dev Checks that `proof.record` is entry `entryId` by chaining it and the later entries to
    /// the stored checkpoint or tip; returns the entry's agent. Reverts LedgerInvalidProof.
    function _proveEntry(
        uint256 entryId,
        EntryProof calldata proof,
        uint64 count,
        bytes24 head
    ) private view returns (address agent) {
        uint256 interval = (entryId - 1) / CHECKPOINT_INTERVAL + 1;
        uint256 endId = interval * CHECKPOINT_INTERVAL;
        bytes24 target = head;
        if (endId <= count) target = _checkpoints[interval];
        else endId = count;
        uint256 later = endId - entryId;
        if (proof.laterSigners.length != later || proof.laterRecordHashes.length != later) {
            revert LedgerInvalidProof(entryId, later);
        }
        agent = _agentOf(proof.record);
        (bytes32 structHash, ) = _hashRecord(proof.record);
        bytes24 h = _chain(bytes24(proof.previousHead), entryId, agent, structHash);
        if (_foldLater(h, entryId, proof.laterSigners, proof.laterRecordHashes) != target) {
            revert LedgerInvalidProof(entryId, later);
        }
    }

    /// @dev `_chain` folded over the later entries `entryId + 1 ...` of a proof, from head `h`.
    /// Equal to the loop `h = _chain(h, entryId + 1 + i, signers[i], hashes[i])` (the proof fuzz
    /// tests hold any change to the inputs fails), written in assembly: the Solidity loop costs
    /// ~900 gas a step (calldata array access and bounds checks through the nested struct), this
    /// one ~110, which keeps the longest proof (63 later entries) under 200,000 gas.
    /// The caller checked both arrays have the same length. Signers are masked to 160 bits.
    function _foldLater(
        bytes24 h,
        uint256 entryId,
        address[] calldata signers,
        bytes32[] calldata hashes
    ) private pure returns (bytes24 head) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            let mask := not(0xffffffffffffffff)
            head := and(h, mask)
            let n := signers.length
            for {
                let i := 0
            } lt(i, n) {
                i := add(i, 1)
            } {
                mstore(ptr, head)
                mstore(add(ptr, 0x20), add(add(entryId, 1), i))
                mstore(
                    add(ptr, 0x40),
                    and(calldataload(add(signers.offset, shl(5, i))), 0xffffffffffffffffffffffffffffffffffffffff)
                )
                mstore(add(ptr, 0x60), calldataload(add(hashes.offset, shl(5, i))))
                head := and(keccak256(ptr, 0x80), mask)
            }
        }
    }

    // ------------------------------------------------------------------ internal: helpers

    /// @dev One step of the hash chain.
    /// Equal to `bytes24(keccak256(abi.encode(bytes32(head), id, signer, recordHash)))`, hashed in
    /// scratch memory past the free memory pointer (no allocation inside batch loops).
    function _chain(bytes24 head, uint256 id, address signer, bytes32 recordHash) private pure returns (bytes24 next) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            // Solidity leaves narrowing conversions uncleaned on the stack: mask explicitly.
            mstore(ptr, and(head, not(0xffffffffffffffff)))
            mstore(add(ptr, 0x20), id)
            mstore(add(ptr, 0x40), and(signer, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(add(ptr, 0x60), recordHash)
            next := and(keccak256(ptr, 0x80), not(0xffffffffffffffff))
        }
    }

    /// @dev EIP-712 struct hash of a record, hashed straight from calldata: the ABI encoding of a
    /// static struct is its EIP-712 encodeData, so `keccak256(TYPEHASH ‖ calldata words)` equals
    /// `keccak256(abi.encode(RECORD_TYPEHASH, r))` (fuzz-tested) without decoding 17 fields.
    /// Returns the hash and the memory address of the record copy (just after the typehash).
    function _hashRecord(Record calldata r) private pure returns (bytes32 structHash, uint256 recordCopy) {
        bytes32 typehash = RECORD_TYPEHASH;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, typehash)
            calldatacopy(add(ptr, 0x20), r, _RECORD_BYTES)
            structHash := keccak256(ptr, add(_RECORD_BYTES, 0x20))
            recordCopy := add(ptr, 0x20)
        }
    }

    /// @dev The raw word of field `f` of a calldata record.
    function _word(Record calldata r, uint256 f) private pure returns (uint256 w) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            w := calldataload(add(r, shl(5, f)))
        }
    }

    /// @dev The record's agent: its provider, or its receiver when the provider is zero (a need).
    function _agentOf(Record calldata r) private pure returns (address) {
        uint256 provider = _word(r, _F_PROVIDER);
        return address(uint160(provider != 0 ? provider : _word(r, _F_RECEIVER)));
    }

    /// @dev EOA first (ecrecover, low-s only, as OpenZeppelin's ECDSA), then ERC-1271 if the
    /// signer has code. The ERC-1271 call gets at most ERC1271_GAS and copies at most 32 bytes of
    /// return data, so a gas-hogging or return-bombing wallet is simply invalid and cannot drain
    /// a relayer's batch. (OpenZeppelin's SignatureChecker forwards all gas, hence this variant.)
    function _isValidSignature(address signer, bytes32 digest, bytes calldata signature) private view returns (bool) {
        if (_recoversTo(signer, digest, signature)) return true;
        if (signer.code.length == 0) return false;
        // EIP-150 forwards at most 63/64 of what is left; make sure the wallet really gets ERC1271_GAS.
        uint256 needed = ERC1271_GAS + ERC1271_GAS / 63 + 5_000;
        if (gasleft() < needed) revert LedgerInsufficientGas(gasleft(), needed);
        bytes memory callData = abi.encodeCall(IERC1271.isValidSignature, (digest, signature));
        bytes4 magic = IERC1271.isValidSignature.selector;
        bool valid;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let ok := staticcall(ERC1271_GAS, signer, add(callData, 0x20), mload(callData), 0x00, 0x20)
            valid := and(ok, and(gt(returndatasize(), 0x1f), eq(mload(0x00), magic)))
        }
        return valid;
    }

    /// @dev ecrecover with OpenZeppelin ECDSA's rules (65 bytes, v in {27, 28}, low s; the zero
    /// address never matches because `signer` is never zero here), called on scratch memory.
    /// Equivalent to `ECDSA.tryRecoverCalldata(digest, signature) == (signer, NoError)`, which a
    /// fuzz test checks; it saves ~600 gas per record over the library call.
    function _recoversTo(address signer, bytes32 digest, bytes calldata signature) internal view returns (bool ok) {
        if (signature.length != 65) return false;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let s := calldataload(add(signature.offset, 0x20))
            let v := byte(0, calldataload(add(signature.offset, 0x40)))
            if iszero(gt(s, 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0)) {
                let ptr := mload(0x40)
                mstore(ptr, digest)
                mstore(add(ptr, 0x20), v)
                mstore(add(ptr, 0x40), calldataload(signature.offset))
                mstore(add(ptr, 0x60), s)
                mstore(0x00, 0)
                if staticcall(gas(), 0x01, ptr, 0x80, 0x00, 0x20) {
                    let expected := and(signer, 0xffffffffffffffffffffffffffffffffffffffff)
                    ok := and(eq(mload(0x00), expected), iszero(iszero(expected)))
                }
            }
        }
    }

    function _consumeNonce(address owner, uint256 nonce) private {
        uint256 expected = _nonceOf(owner, nonce);
        if (nonce != expected) revert LedgerInvalidNonce(owner, nonce, expected);
        _useNonce(owner, nonce);
    }

    /// @dev The owner's current nonce for the key of `nonce`.
    function _nonceOf(address owner, uint256 nonce) private view returns (uint256) {
        uint192 key = uint192(nonce >> 64);
        return _packNonce(key, _nonceSequences[owner][key]);
    }

    /// @dev Consumes `nonce` (which the caller checked is current): its sequence + 1 is stored.
    /// The sequence is a full word so the write needs no read-modify-write of a packed slot;
    /// it cannot reach 2^64 (one signature per nonce).
    function _useNonce(address owner, uint256 nonce) private {
        _nonceSequences[owner][uint192(nonce >> 64)] = uint64(nonce) + 1;
    }

    /// @dev Storage slot of `_nonceSequences[owner][key of nonce]`, computed once per record so that
    /// the check and the consumption share it.
    function _nonceSlot(address owner, uint256 nonce) private pure returns (uint256 slot) {
        uint256 key = nonce >> 64;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            mstore(0x00, and(owner, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(0x20, _nonceSequences.slot)
            mstore(0x20, keccak256(0x00, 0x40))
            mstore(0x00, key)
            slot := keccak256(0x00, 0x40)
        }
    }

    /// @dev The slot of the owner's sequence for the key of `nonce`, and the owner's current nonce
    /// for that key (key and sequence packed).
    function _currentNonce(address owner, uint256 nonce) private view returns (uint256 slot, uint256 current) {
        slot = _nonceSlot(owner, nonce);
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            current := or(shl(64, shr(64, nonce)), sload(slot))
        }
    }

    function _packNonce(uint192 key, uint256 sequence) private pure returns (uint256) {
        return (uint256(key) << 64) | sequence;
    }

    /// @dev The checks of a validation that need no storage, in `validate`'s order: well-formed
    /// words, a validator, a deadline in range. Returns the encoded error, or nothing.
    function _checkValidation(Validation calldata v) private view returns (bytes memory) {
        uint256 verdict = _validationWord(v, 1);
        if (verdict > uint256(type(Verdict).max)) return abi.encodeWithSelector(LedgerInvalidVerdict.selector, verdict);
        uint256 entryId = _validationWord(v, 0);
        if (entryId >> 64 != 0) return abi.encodeWithSelector(LedgerMalformedValidation.selector, 0, bytes32(entryId));
        uint256 validator = _validationWord(v, 2);
        if (validator >> 160 != 0) {
            return abi.encodeWithSelector(LedgerMalformedValidation.selector, 2, bytes32(validator));
        }
        uint256 deadline = _validationWord(v, 5);
        if (deadline >> 64 != 0)
            return abi.encodeWithSelector(LedgerMalformedValidation.selector, 5, bytes32(deadline));
        if (validator == 0) return abi.encodeWithSelector(LedgerZeroAddress.selector);
        if (deadline < block.timestamp) {
            return abi.encodeWithSelector(LedgerExpired.selector, deadline, block.timestamp);
        }
        if (deadline > block.timestamp + MAX_VALIDITY) {
            return abi.encodeWithSelector(LedgerDeadlineTooFar.selector, deadline, block.timestamp + MAX_VALIDITY);
        }
        return "";
    }

    /// @dev EIP-712 struct hash of a validation, hashed straight from calldata as `_hashRecord`
    /// does: once `_checkValidation` passed, every word is the clean encoding of its field, so
    /// `keccak256(TYPEHASH ‖ calldata words)` equals `keccak256(abi.encode(VALIDATION_TYPEHASH, v))`.
    function _hashValidation(Validation calldata v) private pure returns (bytes32 structHash) {
        bytes32 typehash = VALIDATION_TYPEHASH;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, typehash)
            calldatacopy(add(ptr, 0x20), v, 0xc0)
            structHash := keccak256(ptr, 0xe0)
        }
    }

    /// @dev The raw word of field `f` of a calldata validation.
    function _validationWord(Validation calldata v, uint256 f) private pure returns (uint256 w) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            w := calldataload(add(v, shl(5, f)))
        }
    }

    /// @dev Checks a validation of an anchored entry against storage and its signature and, if
    /// all pass, records it: consumes the nonce, leaves the validator's mark (its seat's bit, or a
    /// slot of its own), updates the tallies if it counts, and emits `Validated` or `Endorsed`.
    /// On failure returns the encoded error and changes nothing.
    function _recordValidation(
        Validation calldata v,
        bytes calldata signature,
        EntryInfo memory info
    ) private returns (bytes memory) {
        uint256 entryId = v.entryId;
        address validator = v.validator;
        if (info.corrected) {
            return abi.encodeWithSelector(LedgerEntryCorrected.selector, entryId, _correctedBy[entryId]);
        }
        if (v.verdict >= Verdict.Confirm) return _recordAnswer(v, signature, info);
        if (validator == info.agent) return abi.encodeWithSelector(LedgerSelfValidation.selector, entryId, validator);
        Member memory m = _members[info.commonsIndex][validator];
        Votes memory votes = _votesOf(entryId, info);
        if (_hasMarked(entryId, validator, m, votes.seats)) {
            return abi.encodeWithSelector(LedgerAlreadyValidated.selector, entryId, validator);
        }
        uint256 nonceSlot;
        {
            bytes memory err;
            (err, nonceSlot) = _checkSigned(v, signature);
            if (err.length != 0) return err;
        }
        // Only an appointed validator's verdict counts; anyone else's stays on record as an endorsement.
        bool counts = _holdsRole(m.roles, info.action);
        if (counts) {
            if (v.verdict == Verdict.Accept) {
                if (votes.accepts == type(uint16).max)
                    return abi.encodeWithSelector(LedgerTallyOverflow.selector, entryId);
                ++votes.accepts;
            } else {
                if (votes.disputes == type(uint16).max) {
                    return abi.encodeWithSelector(LedgerTallyOverflow.selector, entryId);
                }
                ++votes.disputes;
            }
        }

        _useCheckedNonce(nonceSlot, v.nonce);
        if (m.seat != 0) {
            votes.seats |= uint224(1 << (m.seat - 1));
        } else {
            _validated[entryId][validator] = true;
            if (!m.marked) _members[info.commonsIndex][validator].marked = true;
        }
        if (m.seat != 0 || counts) {
            uint256 vote =
                !counts
                    ? 0
                    : v.verdict == Verdict.Accept
                        ? 1
                        : 2;
            _storeVotes(entryId, info, votes, (uint256(m.seat) << 2) | vote);
        }
        if (counts) emit Validated(entryId, validator, v.verdict, v.evidence, votes.accepts, votes.disputes);
        else emit Endorsed(entryId, validator, v.verdict, v.evidence);
        return "";
    }

    /// @dev The counterparty's answer (Confirm or Refuse) to an anchored entry whose record this
    /// transaction's proof gave (`_noteCounterparty`): once per entry, by the counterparty only.
    /// Records it in the entry's info and emits `CounterpartyAnswered`, or returns the encoded error.
    function _recordAnswer(
        Validation calldata v,
        bytes calldata signature,
        EntryInfo memory info
    ) private returns (bytes memory) {
        uint256 entryId = v.entryId;
        uint256 noted;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            noted := tload(entryId)
        }
        if (noted == 0) return abi.encodeWithSelector(LedgerRecordNotGiven.selector, entryId);
        address counterparty = address(uint160(noted));
        if (counterparty == address(0)) return abi.encodeWithSelector(LedgerNoCounterparty.selector, entryId);
        if (v.validator != counterparty) {
            return abi.encodeWithSelector(LedgerNotCounterparty.selector, entryId, counterparty, v.validator);
        }
        if (info.answer != 0) return abi.encodeWithSelector(LedgerAlreadyAnswered.selector, entryId, counterparty);
        (bytes memory err, uint256 nonceSlot) = _checkSigned(v, signature);
        if (err.length != 0) return err;
        _useCheckedNonce(nonceSlot, v.nonce);
        info.answer = v.verdict == Verdict.Confirm ? 1 : 2;
        _entries[entryId] = info;
        emit CounterpartyAnswered(entryId, counterparty, v.verdict, v.evidence);
        return "";
    }

    /// @dev Checks a validation's nonce is its signer's current one and its signature; returns the
    /// encoded error, or nothing and the nonce's slot (for `_useCheckedNonce`).
    function _checkSigned(
        Validation calldata v,
        bytes calldata signature
    ) private view returns (bytes memory err, uint256 nonceSlot) {
        address validator = v.validator;
        uint256 nonce = v.nonce;
        uint256 expected;
        (nonceSlot, expected) = _currentNonce(validator, nonce);
        if (nonce != expected) {
            return (abi.encodeWithSelector(LedgerInvalidNonce.selector, validator, nonce, expected), 0);
        }
        if (!_isValidSignature(validator, _hashTypedDataV4(_hashValidation(v)), signature)) {
            return (abi.encodeWithSelector(LedgerInvalidSignature.selector, validator), 0);
        }
    }

    /// @dev Consumes a nonce `_currentNonce` found current: stores its sequence (< 2^64 - 1 in
    /// practice) + 1 in its slot.
    function _useCheckedNonce(uint256 nonceSlot, uint256 nonce) private {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            sstore(nonceSlot, add(and(nonce, 0xffffffffffffffff), 1))
        }
    }

    /// @dev Notes, in transient storage under the entry id (the only transient slots this contract
    /// uses), the counterparty of a record a proof gave in full, with bit 160 set to mean "known"
    /// (a record with no counterparty is noted as zero plus that bit). A proven record never
    /// changes, so the note stays true for the whole transaction.
    function _noteCounterparty(uint256 entryId, Record calldata r) private {
        uint256 noted = uint256(uint160(_counterpartyOf(r))) | (1 << 160);
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            tstore(entryId, noted)
        }
    }

    /// @dev The other agent a record names: its receiver when the provider signed, none (zero) for
    /// a need (no provider), a flow with no receiver (zero is returned as it is), or when the
    /// provider is also the receiver.
    function _counterpartyOf(Record calldata r) private pure returns (address) {
        uint256 provider = _word(r, _F_PROVIDER);
        uint256 receiver = _word(r, _F_RECEIVER);
        return provider == 0 || receiver == provider ? address(0) : address(uint160(receiver));
    }

    /// @dev An entry's votes: its votes slot once written (its info's four places are then all
    /// taken), else what its info's pairs hold. Every write of the votes slot starts from this,
    /// so the slot, once written, holds every seat mark and both tallies.
    function _votesOf(uint256 entryId, EntryInfo memory info) private view returns (Votes memory votes) {
        if (info.pairs >> (_PAIR_BITS * (_PAIRS - 1)) != 0) {
            votes = _votes[entryId];
            if (votes.seats != 0 || votes.accepts != 0 || votes.disputes != 0) return votes;
        }
        uint256 pairs = info.pairs;
        for (; pairs != 0; pairs >>= _PAIR_BITS) {
            uint256 seat = (pairs & 0x3ff) >> 2;
            uint256 vote = pairs & 3;
            if (seat != 0) votes.seats |= uint224(1 << (seat - 1));
            if (vote == 1) ++votes.accepts;
            else if (vote == 2) ++votes.disputes;
        }
    }

    /// @dev Stores a validation (`pair`: seat times 4 plus vote) that `votes` already counts: in
    /// the first free place of the entry's info, or, all four taken, `votes` in its votes slot.
    function _storeVotes(uint256 entryId, EntryInfo memory info, Votes memory votes, uint256 pair) private {
        for (uint256 i = 0; i < _PAIRS; ++i) {
            if ((info.pairs >> (_PAIR_BITS * i)) & 0x3ff == 0) {
                info.pairs |= uint40(pair << (_PAIR_BITS * i));
                _entries[entryId] = info;
                return;
            }
        }
        _votes[entryId] = votes;
    }

    /// @dev Whether `validator` (member record `m` in the entry's commons) has left its mark on
    /// the entry: its seat's bit, or (without a seat, or marked before it got one) its own slot.
    function _hasMarked(
        uint256 entryId,
        address validator,
        Member memory m,
        uint224 seats
    ) private view returns (bool) {
        if (m.seat != 0 && (seats >> (m.seat - 1)) & 1 == 1) return true;
        return (m.seat == 0 || m.marked) && _validated[entryId][validator];
    }

    function _ruleOf(uint32 commonsIndex, Action action) private view returns (QuorumRule memory rule) {
        rule = _quorumRules[commonsIndex][action];
        if (rule.acceptsRequired == 0) rule = QuorumRule(1, 1, false);
    }

    /// @dev Whether `roles` holds the role for `action`.
    function _holdsRole(uint32 roles, Action action) private pure returns (bool) {
        return (roles >> uint8(action)) & 1 == 1;
    }

    // ------------------------------------------------------------------ internal: governance

    /// @dev The commons' stewardship; reverts unless the commons exists and the caller stewards it.
    function _onlySteward(bytes32 commons) private view returns (Stewardship memory s) {
        s = _stewardships[commons];
        if (s.stewards == 0) revert LedgerCommonsUnknown(commons);
        if (!_stewards[commons][msg.sender]) revert LedgerNotSteward(commons, msg.sender);
    }

    /// @dev Stores a proposal by the caller (a steward), approves it in the caller's name and
    /// executes it if that reaches the threshold.
    function _propose(bytes32 commons, Change memory change) private returns (uint256 id) {
        Stewardship memory s = _onlySteward(commons);
        _checkChange(commons, change, s);
        id = ++_proposalCount;
        uint40 expiresAt = uint40(block.timestamp + PROPOSAL_TTL);
        Proposal storage p = _proposals[id];
        p.commons = commons;
        p.change = change;
        p.proposer = msg.sender;
        p.epoch = s.epoch;
        p.expiresAt = expiresAt;
        emit ChangeProposed(id, commons, msg.sender, change, s.epoch, expiresAt);
        _approve(id, p, s);
    }

    /// @dev Counts the caller's approval; at the threshold, checks the change against the commons
    /// as it is now and applies it.
    function _approve(uint256 id, Proposal storage p, Stewardship memory s) private returns (bool executed) {
        _approved[id][msg.sender] = true;
        uint16 approvals = p.approvals + 1;
        p.approvals = approvals;
        emit ChangeApproved(id, msg.sender, approvals, s.threshold);
        if (approvals < s.threshold) return false;
        p.executed = true;
        bytes32 commons = p.commons;
        Change memory c = p.change;
        _checkChange(commons, c, s);
        _execute(commons, c, s);
        emit ChangeExecuted(id, commons);
        return true;
    }

    /// @dev Reverts with the specific error if `c` cannot be applied to the commons as it is.
    function _checkChange(bytes32 commons, Change memory c, Stewardship memory s) private view {
        if (c.kind == ChangeKind.AddSteward) {
            if (c.account == address(0)) revert LedgerZeroAddress();
            if (_stewards[commons][c.account]) revert LedgerAlreadySteward(commons, c.account);
        } else if (c.kind == ChangeKind.RemoveSteward) {
            if (!_stewards[commons][c.account]) revert LedgerNotSteward(commons, c.account);
            if (s.stewards - 1 < s.threshold) revert LedgerStewardsBelowThreshold(commons, s.stewards - 1, s.threshold);
        } else if (c.kind == ChangeKind.SetThreshold) {
            if (c.threshold == 0 || c.threshold > s.stewards)
                revert LedgerInvalidThreshold(commons, c.threshold, s.stewards);
        } else if (c.kind == ChangeKind.SetRoles) {
            if (c.account == address(0)) revert LedgerZeroAddress();
            if (c.roles & ~ALL_ROLES != 0) revert LedgerInvalidRoles(c.roles, ALL_ROLES);
            if (_members[s.index][c.account].roles == c.roles) revert LedgerRolesUnchanged(commons, c.account, c.roles);
        } else if (c.acceptsRequired == 0 || c.disputesToBlock == 0) {
            revert LedgerInvalidQuorumRule(c.acceptsRequired, c.disputesToBlock);
        }
    }

    /// @dev Applies a checked change and emits its event. A change of the steward set or threshold
    /// starts a new epoch, which voids the approvals of every pending proposal.
    function _execute(bytes32 commons, Change memory c, Stewardship memory s) private {
        if (c.kind == ChangeKind.AddSteward) {
            _stewards[commons][c.account] = true;
            _stewardships[commons] = Stewardship(s.stewards + 1, s.threshold, s.epoch + 1, s.index, s.seats);
            emit StewardAdded(commons, c.account, msg.sender);
        } else if (c.kind == ChangeKind.RemoveSteward) {
            _stewards[commons][c.account] = false;
            _stewardships[commons] = Stewardship(s.stewards - 1, s.threshold, s.epoch + 1, s.index, s.seats);
            emit StewardRemoved(commons, c.account, msg.sender);
        } else if (c.kind == ChangeKind.SetThreshold) {
            _stewardships[commons] = Stewardship(s.stewards, c.threshold, s.epoch + 1, s.index, s.seats);
            emit StewardThresholdSet(commons, c.threshold, msg.sender);
        } else if (c.kind == ChangeKind.SetRoles) {
            Member memory m = _members[s.index][c.account];
            m.roles = c.roles;
            // A first appointment takes the next roster seat while there is one.
            if (m.seat == 0 && c.roles != 0 && s.seats < ROSTER_SEATS) {
                m.seat = ++s.seats;
                _stewardships[commons].seats = s.seats;
            }
            _members[s.index][c.account] = m;
            emit RolesSet(commons, c.account, c.roles, msg.sender);
        } else {
            _quorumRules[s.index][c.action] = QuorumRule(c.acceptsRequired, c.disputesToBlock, c.counterpartyConfirms);
            emit QuorumRuleSet(
                commons,
                c.action,
                c.acceptsRequired,
                c.disputesToBlock,
                c.counterpartyConfirms,
                msg.sender
            );
        }
    }

    function _unpackTip() private view returns (uint64 count, bytes24 head) {
        uint256 t = _tip;
        return (uint64(t), bytes24(bytes32(t)));
    }

    function _packTip(uint256 count, bytes24 head) private pure returns (uint256) {
        return uint256(bytes32(head)) | count;
    }

    /// @dev Reverts with `err`, an already-encoded custom error (Solidity cannot revert with raw bytes).
    function _revertIf(bytes memory err) private pure {
        if (err.length != 0) {
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                revert(add(err, 0x20), mload(err))
            }
        }
    }

    /// @dev Solidity can neither read nor move the free memory pointer (see `_append`).
    function _freeMemoryPointer() private pure returns (uint256 p) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            p := mload(0x40)
        }
    }

    function _setFreeMemoryPointer(uint256 p) private pure {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            mstore(0x40, p)
        }
    }
}
