// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity 0.8.30;

import {Test, Vm} from "forge-std/Test.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {ILedger} from "../contracts/interfaces/ILedger.sol";
import {ERC1271WalletMock} from "../contracts/mocks/ERC1271WalletMock.sol";
import {Deployments, ILedgerWithConstants} from "./utils/Deployments.sol";
import {LedgerSigning} from "./utils/LedgerTestBase.sol";

/// @dev Ledger.CHECKPOINT_INTERVAL.
uint256 constant INTERVAL = 64;

/// @notice Drives the ledger with valid records, mixed batches, validations, corrections, nonce
/// invalidations, role changes and time jumps, from 3 EOAs and 1 ERC-1271 wallet (plus one extra
/// validator whom no commons appoints). The handler stewards both commons (threshold 1) and changes
/// who may validate what as it goes, so validations land as counted or as endorsements.
/// Ghost state is built from the ledger's events (the read API) and checked by the invariants.
/// Every ledger call's outcome is predicted; a wrong prediction is counted in `mismatches`.
contract LedgerHandler is LedgerSigning, StdUtils {
    bytes32 internal constant RECORD_TYPEHASH = keccak256(bytes(RECORD_TYPE));
    uint256 internal constant VALIDITY = 30 days;
    bytes32 public immutable COMMONS_A;
    bytes32 public immutable COMMONS_B;

    ILedgerWithConstants public immutable ledger;
    ERC1271WalletMock public immutable wallet; // Honest
    ERC1271WalletMock public immutable badWallet; // WrongMagic

    address[] internal agents; // 3 EOAs and the wallet
    address[] internal validators; // the agents, three peers and the extra EOA (last)
    mapping(address account => uint256 pk) internal keyOf;

    // ---------------------------------------------------------------- ghost state (from events)
    ILedger.Record[] internal ghostRecords;
    address[] internal ghostSigners;
    bytes32[] internal ghostHashes;
    bytes24[] internal ghostHeads; // ghostHeads[i]: head after entry i (handler's own running copy)
    mapping(uint256 entryId => uint256 correctionId) public ghostCorrectedBy;
    mapping(uint256 entryId => mapping(address validator => bool)) public ghostValidated;
    /// @dev Validations that counted: by a validator holding the role for the entry's action then.
    mapping(uint256 entryId => mapping(address validator => bool)) public ghostCounted;
    mapping(bytes32 commons => mapping(address validator => uint32 roles)) public ghostRoles;
    mapping(uint256 entryId => uint16) public ghostAccepts;
    mapping(uint256 entryId => uint16) public ghostDisputes;
    uint256[] internal validatedEntries; // entries with at least one validation
    uint256[] internal correctedEntries;

    uint256 public appends; // from return values of record / recordBatch / recordCorrection
    uint256 public recordedEvents;
    uint256 public skippedEvents;
    uint256 public validations; // successful validate calls that counted
    uint256 public endorsements; // successful validate calls by validators without the role
    uint256 public validatedEvents;
    uint256 public endorsedEvents;
    uint256 public correctedEvents;
    uint256 public checkpointEvents;
    /// @dev Entries with a fifth counted validation: their votes moved to their votes slot.
    uint256 public movedEntries;
    uint256 public answers; // successful answers (confirm or refuse) by an entry's counterparty
    uint256 public answeredEvents;
    mapping(uint256 entryId => bool) public ghostAnswered;
    uint256 public mismatches;
    string public lastMismatch;

    // Skips of the last batch, from its events.
    uint256[] internal skipIndex;
    bytes32[] internal skipReasonHash;

    // A recorded record and its signature, to replay.
    ILedger.Record internal replayRecord;
    bytes internal replaySig;
    bool internal haveReplay;

    mapping(string name => uint256) public calls;

    /// @dev First entry id appended by the latest handler call (entries newFrom..count are new).
    uint256 public newFrom = 1;

    constructor(ILedgerWithConstants ledger_, uint256[3] memory pks, uint256 ownerPk, uint256 extraValidatorPk) {
        ledger = ledger_;
        address owner = vm.addr(ownerPk);
        wallet = new ERC1271WalletMock(owner);
        badWallet = new ERC1271WalletMock(owner);
        badWallet.setMode(ERC1271WalletMock.Mode.WrongMagic);
        for (uint256 i = 0; i < 3; ++i) {
            address a = vm.addr(pks[i]);
            keyOf[a] = pks[i];
            agents.push(a);
            validators.push(a);
        }
        agents.push(address(wallet));
        validators.push(address(wallet));
        keyOf[address(wallet)] = ownerPk;
        keyOf[address(badWallet)] = ownerPk;
        // Three peers who validate but never record: with them an entry can have up to six
        // counted validations, so that its votes move from its info (four places) to its votes slot.
        for (uint256 i = 0; i < 3; ++i) {
            uint256 pk = uint256(keccak256(abi.encode("peer", i)));
            keyOf[vm.addr(pk)] = pk;
            validators.push(vm.addr(pk));
        }
        address extra = vm.addr(extraValidatorPk);
        keyOf[extra] = extraValidatorPk;
        validators.push(extra);
        ghostHeads.push(bytes24(0));
        COMMONS_A = ledger_.registerCommons("a", "Commons A");
        COMMONS_B = ledger_.registerCommons("b", "Commons B");
        // A: agents and peers validate everything; B: each only some actions; the extra validator nothing.
        uint32 all = ledger_.ALL_ROLES();
        for (uint256 i = 0; i < validators.length - 1; ++i) {
            _setRolesUnchecked(COMMONS_A, validators[i], all);
            _setRolesUnchecked(COMMONS_B, validators[i], uint32(uint256(keccak256(abi.encode(i)))) & all);
        }
    }

    function _setRolesUnchecked(bytes32 commons, address validator, uint32 roles) internal {
        if (roles == 0) return;
        ledger.setRoles(commons, validator, roles);
        ghostRoles[commons][validator] = roles;
    }

    // ================================================================ actions

    /// @notice One valid record from a fuzzed agent and nonce key.
    function recordOne(uint256 agentSeed, uint256 seed) external {
        ++calls["recordOne"];
        newFrom = ghostSigners.length + 1;
        address agent = agents[agentSeed % agents.length];
        ILedger.Record memory r = _build(agent, uint192(seed % 3), seed, 0, 0);
        bytes memory sig = _signRecord(r);
        vm.recordLogs();
        try ledger.record(r, sig) returns (uint256 id) {
            appends += 1;
            _absorbLogs();
            if (id != ghostSigners.length) _mismatch("record: returned id is not the new entry");
            (replayRecord, replaySig, haveReplay) = (r, sig, true);
        } catch (bytes memory err) {
            _discardLogs();
            _mismatchErr("record: valid record reverted", err);
        }
    }

    struct Pending {
        address agent;
        uint192 key;
        uint256 used;
    }

    /// @notice A batch of 1..16 items, about two thirds valid, the rest replayed, duplicated,
    /// expired, too far, badly signed, corrections, or judged by a wallet that says no.
    function recordBatch(uint256 seed, uint256 n) external {
        ++calls["recordBatch"];
        newFrom = ghostSigners.length + 1;
        n = bound(n, 1, 16);
        ILedger.Record[] memory rs = new ILedger.Record[](n);
        bytes[] memory sigs = new bytes[](n);
        bytes[] memory reasons = new bytes[](n); // predicted skip reason, empty if recorded
        Pending[] memory pending = new Pending[](n);
        uint256 expectedRecorded;
        for (uint256 i = 0; i < n; ++i) {
            uint256 s = uint256(keccak256(abi.encode(seed, i)));
            (rs[i], sigs[i], reasons[i]) = _batchItem(s, i, rs, sigs, reasons, pending);
            if (reasons[i].length == 0) ++expectedRecorded;
        }
        delete skipIndex;
        delete skipReasonHash;
        vm.recordLogs();
        try ledger.recordBatch(rs, sigs) returns (uint256 recorded) {
            appends += recorded;
            _absorbLogs();
            if (recorded != expectedRecorded) _mismatch("recordBatch: recorded count differs from prediction");
            uint256 k;
            for (uint256 i = 0; i < n; ++i) {
                if (reasons[i].length == 0) continue;
                if (k >= skipIndex.length || skipIndex[k] != i || skipReasonHash[k] != keccak256(reasons[i])) {
                    _mismatch("recordBatch: skip reason differs from prediction");
                    break;
                }
                ++k;
            }
            if (skipIndex.length != n - expectedRecorded) _mismatch("recordBatch: unexpected skip count");
        } catch (bytes memory err) {
            _discardLogs();
            _mismatchErr("recordBatch reverted", err);
        }
    }

    function _batchItem(
        uint256 s,
        uint256 i,
        ILedger.Record[] memory rs,
        bytes[] memory sigs,
        bytes[] memory reasons,
        Pending[] memory pending
    ) internal view returns (ILedger.Record memory r, bytes memory sig, bytes memory reason) {
        uint256 kind = s % 12;
        if (kind == 6 && haveReplay) {
            // already recorded
            r = replayRecord;
            sig = replaySig;
            if (r.deadline < block.timestamp) {
                // time moved on: field checks come before the nonce check
                return (r, sig, abi.encodeWithSelector(ILedger.LedgerExpired.selector, r.deadline, block.timestamp));
            }
            address agent = _agentOf(r);
            uint192 key = uint192(r.nonce >> 64);
            uint256 expected = ledger.nonces(agent, key) + _pendingUses(pending, agent, key);
            return (r, sig, abi.encodeWithSelector(ILedger.LedgerInvalidNonce.selector, agent, r.nonce, expected));
        }
        if (kind == 7 && i > 0 && reasons[i - 1].length == 0) {
            // duplicate of the previous (valid) item
            r = rs[i - 1];
            address agent = _agentOf(r);
            return (
                r,
                sigs[i - 1],
                abi.encodeWithSelector(ILedger.LedgerInvalidNonce.selector, agent, r.nonce, r.nonce + 1)
            );
        }
        address a = agents[(s >> 8) % agents.length];
        uint192 k = uint192((s >> 16) % 3);
        r = _build(a, k, s >> 24, 0, _pendingUses(pending, a, k));
        if (kind == 8) {
            r.deadline = uint64(block.timestamp - 1 - ((s >> 32) % 1 days));
            reason = abi.encodeWithSelector(ILedger.LedgerExpired.selector, r.deadline, block.timestamp);
        } else if (kind == 9) {
            r.deadline = uint64(block.timestamp + VALIDITY + 1 + ((s >> 32) % 1 days));
            reason = abi.encodeWithSelector(
                ILedger.LedgerDeadlineTooFar.selector,
                r.deadline,
                block.timestamp + VALIDITY
            );
        } else if (kind == 10) {
            r.corrects = 1;
            if (r.quantity == 0) (r.quantity, r.unit) = (1, "ea");
            reason = abi.encodeWithSelector(ILedger.LedgerCorrectionNeedsProof.selector, uint64(1));
        } else if (kind == 11) {
            if ((s >> 40) % 2 == 0) {
                r = _build(address(badWallet), k, s >> 24, 0, _pendingUses(pending, address(badWallet), k));
                reason = abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, address(badWallet));
            } else {
                // signed by a key that is not the agent's
                sig = _sign((uint256(keccak256(abi.encode(s, "wrong key"))) % 1e70) + 1, _digest(r));
                return (r, sig, abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, _agentOf(r)));
            }
        } else {
            _use(pending, _agentOf(r), k);
        }
        sig = _signRecord(r);
    }

    /// @notice Setup only (not a fuzz target): `n` valid entries, so that every run crosses a checkpoint.
    function seedEntries(uint256 n, uint256 seed) external {
        ILedger.Record[] memory rs = new ILedger.Record[](n);
        bytes[] memory sigs = new bytes[](n);
        Pending[] memory pending = new Pending[](n);
        for (uint256 i = 0; i < n; ++i) {
            uint256 s = uint256(keccak256(abi.encode(seed, i)));
            address a = agents[i % agents.length];
            uint192 k = uint192((s >> 16) % 3);
            rs[i] = _build(a, k, s >> 24, 0, _pendingUses(pending, a, k));
            _use(pending, a, k);
            sigs[i] = _signRecord(rs[i]);
        }
        vm.recordLogs();
        appends += ledger.recordBatch(rs, sigs);
        _absorbLogs();
    }

    /// @notice A peer validation of a fuzzed entry, by a fuzzed validator; outcome predicted exactly.
    function validate(uint256 entrySeed, uint256 validatorSeed, bool dispute) external {
        ++calls["validate"];
        newFrom = ghostSigners.length + 1;
        _validate(entrySeed, validatorSeed, dispute);
    }

    /// @notice Every validator in turn (from a fuzzed one) validates one fuzzed entry, each verdict
    /// fuzzed: an entry gets up to six counted validations at once, so its votes move from its
    /// info (four places) to its votes slot, which random single validations of ~120 entries
    /// would seldom do.
    function validateByAll(uint256 entrySeed, uint256 validatorSeed, uint256 disputes) external {
        ++calls["validateByAll"];
        newFrom = ghostSigners.length + 1;
        for (uint256 k = 0; k < validators.length; ++k) {
            uint256 seed;
            unchecked {
                seed = validatorSeed + k;
            }
            _validate(entrySeed, seed, (disputes >> k) & 1 == 1);
        }
    }

    function _validate(uint256 entrySeed, uint256 validatorSeed, bool dispute) internal {
        uint256 count = ghostSigners.length;
        if (count == 0) return;
        uint256 id = (entrySeed % count) + 1;
        address validator = validators[validatorSeed % validators.length];
        ILedger.Validation memory v = ILedger.Validation({
            entryId: uint64(id),
            verdict: dispute ? ILedger.Verdict.Dispute : ILedger.Verdict.Accept,
            validator: validator,
            evidence: keccak256(abi.encode(entrySeed, validatorSeed)),
            nonce: ledger.nonces(validator, uint192(validatorSeed >> 128) % 3),
            deadline: uint64(block.timestamp + (validatorSeed % (VALIDITY + 1)))
        });
        bytes memory expected;
        if (ghostCorrectedBy[id] != 0) {
            expected = abi.encodeWithSelector(ILedger.LedgerEntryCorrected.selector, id, ghostCorrectedBy[id]);
        } else if (validator == ghostSigners[id - 1]) {
            expected = abi.encodeWithSelector(ILedger.LedgerSelfValidation.selector, id, validator);
        } else if (ghostValidated[id][validator]) {
            expected = abi.encodeWithSelector(ILedger.LedgerAlreadyValidated.selector, id, validator);
        }
        bytes memory sig = _sign(keyOf[validator], _validationDigest(v));
        ILedger.EntryProof memory proof = _proof(id);
        ILedger.Record memory r = ghostRecords[id - 1];
        bool eligible = (ghostRoles[r.commons][validator] >> uint8(r.action)) & 1 == 1;
        uint256 endorsedBefore = endorsedEvents;
        uint256 validatedBefore = validatedEvents;
        vm.recordLogs();
        try ledger.validate(v, sig, proof) {
            _absorbLogs();
            if (expected.length != 0) {
                _mismatch("validate: succeeded where a revert was predicted");
                return;
            }
            ghostValidated[id][validator] = true;
            if (!eligible) {
                // SYB-ELIGIBLE: an opinion without the role is an endorsement and changes no tally.
                ++endorsements;
                if (endorsedEvents != endorsedBefore + 1 || validatedEvents != validatedBefore) {
                    _mismatch("validate: a validator without the role was not kept as an endorsement");
                }
                return;
            }
            if (validatedEvents != validatedBefore + 1 || endorsedEvents != endorsedBefore) {
                _mismatch("validate: an appointed validator's validation did not count");
            }
            ++validations;
            if (ghostAccepts[id] + ghostDisputes[id] == 0) validatedEntries.push(id);
            ghostCounted[id][validator] = true;
            if (dispute) ++ghostDisputes[id];
            else ++ghostAccepts[id];
            if (ghostAccepts[id] + ghostDisputes[id] == 5) ++movedEntries;
        } catch (bytes memory err) {
            _discardLogs();
            if (keccak256(err) != keccak256(expected)) _mismatchErr("validate: unexpected revert", err);
        }
    }

    /// @notice The counterparty's answer (confirm or refuse) to a fuzzed entry, signed by its
    /// counterparty when that holds a key and `signerSeed` is even, else by a fuzzed validator;
    /// outcome predicted exactly: only the counterparty answers, once, and it is no vote.
    function answer(uint256 entrySeed, uint256 signerSeed, bool refuse) external {
        ++calls["answer"];
        newFrom = ghostSigners.length + 1;
        uint256 count = ghostSigners.length;
        if (count == 0) return;
        uint256 id = (entrySeed % count) + 1;
        ILedger.Record memory r = ghostRecords[id - 1];
        address counterparty = r.provider == address(0) || r.receiver == r.provider ? address(0) : r.receiver;
        address signer =
            signerSeed % 2 == 0 && keyOf[counterparty] != 0
                ? counterparty
                : validators[(signerSeed >> 1) % validators.length];
        ILedger.Validation memory v = ILedger.Validation({
            entryId: uint64(id),
            verdict: refuse ? ILedger.Verdict.Refuse : ILedger.Verdict.Confirm,
            validator: signer,
            evidence: keccak256(abi.encode(entrySeed, signerSeed, "answer")),
            nonce: ledger.nonces(signer, 7),
            deadline: uint64(block.timestamp + 1 days)
        });
        bytes memory expected;
        if (ghostCorrectedBy[id] != 0) {
            expected = abi.encodeWithSelector(ILedger.LedgerEntryCorrected.selector, id, ghostCorrectedBy[id]);
        } else if (counterparty == address(0)) {
            expected = abi.encodeWithSelector(ILedger.LedgerNoCounterparty.selector, id);
        } else if (signer != counterparty) {
            expected = abi.encodeWithSelector(ILedger.LedgerNotCounterparty.selector, id, counterparty, signer);
        } else if (ghostAnswered[id]) {
            expected = abi.encodeWithSelector(ILedger.LedgerAlreadyAnswered.selector, id, counterparty);
        }
        (ILedger.EntryState stateBefore, uint16 accepts, uint16 disputes, ) = ledger.entryState(id);
        bytes memory sig = _sign(keyOf[signer], _validationDigest(v));
        vm.recordLogs();
        try ledger.validate(v, sig, _proof(id)) {
            _absorbLogs();
            if (expected.length != 0) {
                _mismatch("answer: succeeded where a revert was predicted");
                return;
            }
            ghostAnswered[id] = true;
            ++answers;
            (ILedger.EntryState state, uint16 a, uint16 d, ) = ledger.entryState(id);
            if (state != stateBefore || a != accepts || d != disputes)
                _mismatch("answer: changed the entry's state or tallies");
        } catch (bytes memory err) {
            _discardLogs();
            if (keccak256(err) != keccak256(expected)) _mismatchErr("answer: unexpected revert", err);
        }
    }

    /// @notice The handler, as the commons' only steward, changes what a fuzzed validator (never the
    /// extra one, the stranger) may validate.
    function setRoles(uint256 validatorSeed, uint32 roles, bool inA) external {
        ++calls["setRoles"];
        newFrom = ghostSigners.length + 1;
        bytes32 commons = inA ? COMMONS_A : COMMONS_B;
        address validator = validators[validatorSeed % (validators.length - 1)];
        roles &= ledger.ALL_ROLES();
        bytes memory expected;
        if (roles == ghostRoles[commons][validator]) {
            expected = abi.encodeWithSelector(ILedger.LedgerRolesUnchanged.selector, commons, validator, roles);
        }
        try ledger.setRoles(commons, validator, roles) {
            if (expected.length != 0) _mismatch("setRoles: succeeded where a revert was predicted");
            ghostRoles[commons][validator] = roles;
            if (ledger.rolesOf(commons, validator) != roles)
                _mismatch("setRoles: roles not in force at once (threshold 1)");
        } catch (bytes memory err) {
            if (keccak256(err) != keccak256(expected)) _mismatchErr("setRoles: unexpected revert", err);
        }
    }

    /// @notice A correction of a fuzzed entry by its agent (sometimes by another agent, sometimes voiding it).
    function correct(uint256 entrySeed, uint256 seed) external {
        ++calls["correct"];
        newFrom = ghostSigners.length + 1;
        uint256 count = ghostSigners.length;
        if (count == 0) return;
        uint256 id = (entrySeed % count) + 1;
        address agent = ghostSigners[id - 1];
        address signer = agent;
        if (seed % 6 == 0) signer = agents[(seed >> 8) % agents.length]; // maybe someone else
        ILedger.Record memory r = _build(signer, uint192((seed >> 16) % 3), seed >> 24, uint64(id), 0);
        bytes memory sig = _signRecord(r);
        bytes memory expected;
        if (signer != agent) {
            expected = abi.encodeWithSelector(ILedger.LedgerNotEntryAgent.selector, id, agent, signer);
        } else if (ghostCorrectedBy[id] != 0) {
            expected = abi.encodeWithSelector(ILedger.LedgerAlreadyCorrected.selector, id, ghostCorrectedBy[id]);
        }
        ILedger.EntryProof memory proof = _proof(id);
        vm.recordLogs();
        try ledger.recordCorrection(r, sig, proof) returns (uint256 newId) {
            appends += 1;
            _absorbLogs();
            if (expected.length != 0) {
                _mismatch("recordCorrection: succeeded where a revert was predicted");
                return;
            }
            if (newId != ghostSigners.length) _mismatch("recordCorrection: returned id is not the new entry");
            ghostCorrectedBy[id] = newId;
            correctedEntries.push(id);
        } catch (bytes memory err) {
            _discardLogs();
            if (keccak256(err) != keccak256(expected)) _mismatchErr("recordCorrection: unexpected revert", err);
        }
    }

    /// @notice An agent burns one of its nonces (outstanding signatures on it die).
    function invalidateNonce(uint256 agentSeed, uint256 key) external {
        ++calls["invalidateNonce"];
        newFrom = ghostSigners.length + 1;
        address agent = agents[agentSeed % agents.length];
        uint192 k = uint192(key % 3);
        uint256 before = ledger.nonces(agent, k);
        vm.prank(agent);
        uint256 used = ledger.invalidateNonce(k);
        if (used != before || ledger.nonces(agent, k) != before + 1) _mismatch("invalidateNonce: nonce not consumed");
    }

    function warp(uint256 dt) external {
        ++calls["warp"];
        newFrom = ghostSigners.length + 1;
        vm.warp(block.timestamp + bound(dt, 1, 3 days));
    }

    // ================================================================ views for the invariants

    function ghostHead() external view returns (bytes24) {
        return ghostHeads[ghostHeads.length - 1];
    }

    /// @dev The ghost head after entry `id` (0: before any entry).
    function ghostHeadAt(uint256 id) external view returns (bytes24) {
        return ghostHeads[id];
    }

    function ghostLink(uint256 id) external view returns (uint64 satisfies, uint64 corrects) {
        return (ghostRecords[id - 1].satisfies, ghostRecords[id - 1].corrects);
    }

    function ghostRecord(uint256 id) external view returns (ILedger.Record memory) {
        return ghostRecords[id - 1];
    }

    function ghostHash(uint256 id) external view returns (bytes32) {
        return ghostHashes[id - 1];
    }

    function ghostCount() external view returns (uint256) {
        return ghostSigners.length;
    }

    function ghostChain() external view returns (address[] memory, bytes32[] memory) {
        return (ghostSigners, ghostHashes);
    }

    function ghostLinks() external view returns (uint64[] memory satisfies, uint64[] memory corrects) {
        uint256 n = ghostRecords.length;
        satisfies = new uint64[](n);
        corrects = new uint64[](n);
        for (uint256 i = 0; i < n; ++i) {
            satisfies[i] = ghostRecords[i].satisfies;
            corrects[i] = ghostRecords[i].corrects;
        }
    }

    function ghostValidatedEntries() external view returns (uint256[] memory) {
        return validatedEntries;
    }

    function ghostCorrectedEntries() external view returns (uint256[] memory) {
        return correctedEntries;
    }

    function validatorList() external view returns (address[] memory) {
        return validators;
    }

    // ================================================================ internals

    function _mismatch(string memory what) internal {
        ++mismatches;
        lastMismatch = what;
    }

    function _mismatchErr(string memory what, bytes memory err) internal {
        ++mismatches;
        lastMismatch = string.concat(what, ": ", vm.toString(err));
    }

    /// @dev vm.getRecordedLogs also returns events emitted inside a call that then reverted (they
    /// never reach the chain), so a reverted call's logs are dropped, not absorbed.
    function _discardLogs() internal {
        vm.getRecordedLogs();
    }

    /// @dev Reads the ledger's events of the last call into the ghost state, checking each one.
    function _absorbLogs() internal {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i = 0; i < logs.length; ++i) {
            Vm.Log memory log = logs[i];
            if (log.emitter != address(ledger)) continue;
            bytes32 t = log.topics[0];
            if (t == ILedger.Recorded.selector) {
                _absorbRecorded(log);
            } else if (t == ILedger.RecordSkipped.selector) {
                ++skippedEvents;
                skipIndex.push(uint256(log.topics[1]));
                skipReasonHash.push(keccak256(abi.decode(log.data, (bytes))));
            } else if (t == ILedger.Validated.selector) {
                ++validatedEvents;
                uint256 id = uint256(log.topics[1]);
                (ILedger.Verdict verdict, , uint16 a, uint16 d) = abi.decode(
                    log.data,
                    (ILedger.Verdict, bytes32, uint16, uint16)
                );
                uint16 ea = ghostAccepts[id] + (verdict == ILedger.Verdict.Accept ? 1 : 0);
                uint16 ed = ghostDisputes[id] + (verdict == ILedger.Verdict.Dispute ? 1 : 0);
                if (a != ea || d != ed) _mismatch("Validated: tallies differ from the ghost");
            } else if (t == ILedger.Endorsed.selector) {
                ++endorsedEvents;
            } else if (t == ILedger.CounterpartyAnswered.selector) {
                ++answeredEvents;
                uint256 id = uint256(log.topics[1]);
                if (ghostAnswered[id]) _mismatch("CounterpartyAnswered: a second answer for one entry");
                if (address(uint160(uint256(log.topics[2]))) != ghostRecords[id - 1].receiver) {
                    _mismatch("CounterpartyAnswered: not the entry's receiver");
                }
            } else if (t == ILedger.Corrected.selector) {
                ++correctedEvents;
                if (uint256(log.topics[2]) != ghostSigners.length) _mismatch("Corrected: not the newest entry");
            } else if (t == ILedger.Checkpointed.selector) {
                ++checkpointEvents;
                uint256 index = uint256(log.topics[1]);
                bytes24 head = abi.decode(log.data, (bytes24));
                if (index * INTERVAL >= ghostHeads.length || ghostHeads[index * INTERVAL] != head) {
                    _mismatch("Checkpointed: head differs from the ghost chain");
                }
            }
        }
    }

    function _absorbRecorded(Vm.Log memory log) internal {
        uint256 id = uint256(log.topics[1]);
        address signer = address(uint160(uint256(log.topics[2])));
        ILedger.Record memory r = abi.decode(log.data, (ILedger.Record));
        // The event data is the record's ABI encoding, hence its EIP-712 encodeData.
        bytes32 h = keccak256(abi.encodePacked(RECORD_TYPEHASH, log.data));
        if (id != ghostSigners.length + 1) _mismatch("Recorded: id is not dense");
        if (signer != _agentOf(r)) _mismatch("Recorded: signer is not the agent");
        if (ledger.hashRecord(r) != h) _mismatch("Recorded: hashRecord differs from the event's encodeData hash");
        ++recordedEvents;
        ghostRecords.push(r);
        ghostSigners.push(signer);
        ghostHashes.push(h);
        ghostHeads.push(bytes24(keccak256(abi.encode(bytes32(ghostHeads[id - 1]), id, signer, h))));
    }

    function _proof(uint256 id) internal view returns (ILedger.EntryProof memory p) {
        uint256 count = ghostSigners.length;
        uint256 end = ((id - 1) / INTERVAL + 1) * INTERVAL;
        if (end > count) end = count;
        uint256 later = end - id;
        p.record = ghostRecords[id - 1];
        p.previousHead = bytes32(ghostHeads[id - 1]);
        p.laterSigners = new address[](later);
        p.laterRecordHashes = new bytes32[](later);
        for (uint256 i = 0; i < later; ++i) {
            p.laterSigners[i] = ghostSigners[id + i];
            p.laterRecordHashes[i] = ghostHashes[id + i];
        }
    }

    function _pendingUses(Pending[] memory pending, address agent, uint192 key) internal pure returns (uint256) {
        for (uint256 i = 0; i < pending.length; ++i) {
            if (pending[i].agent == agent && pending[i].key == key) return pending[i].used;
        }
        return 0;
    }

    function _use(Pending[] memory pending, address agent, uint192 key) internal pure {
        for (uint256 i = 0; i < pending.length; ++i) {
            if (pending[i].agent == agent && pending[i].key == key) {
                ++pending[i].used;
                return;
            }
            if (pending[i].agent == address(0)) {
                (pending[i].agent, pending[i].key, pending[i].used) = (agent, key, 1);
                return;
            }
        }
    }

    function _sides(uint256 action) internal pure returns (bool input, bool output) {
        // ValueFlows: inputs work, cite, use, consume, accept, combine, pickup; outputs produce,
        // modify, separate, dropoff, copy; deliverService either; the rest none.
        if (action <= 3 || action == 9 || action == 11 || action == 13) return (true, false);
        if (action == 4 || action == 10 || action == 12 || action == 14 || action == 18) return (false, true);
        if (action == 8) return (true, true);
        return (false, false);
    }

    /// @dev A valid record by `agent` (a need by its receiver sometimes), nonce `offset` ahead of the current one.
    function _build(
        address agent,
        uint192 key,
        uint256 seed,
        uint64 corrects,
        uint256 offset
    ) internal view returns (ILedger.Record memory r) {
        r.flow = ILedger.Flow(seed % 4);
        uint256 action = (seed >> 8) % 19;
        r.action = ILedger.Action(action);
        (bool input, bool output) = _sides(action);
        if ((seed >> 16) % 2 == 0 && (input || output)) {
            r.process = keccak256(abi.encode(seed, "process"));
            r.side = input && (!output || (seed >> 17) % 2 == 0) ? ILedger.Side.Input : ILedger.Side.Output;
        }
        if (r.flow == ILedger.Flow.Need && (seed >> 24) % 2 == 0) {
            r.receiver = agent;
        } else {
            r.provider = agent;
            // A third of the flows go to a keyed validator, who can then answer as their counterparty.
            r.receiver =
                (seed >> 120) % 3 == 0 ? validators[(seed >> 128) % validators.length] : address(uint160(seed >> 32));
        }
        r.commons = (seed >> 40) % 2 == 0 ? COMMONS_A : COMMONS_B;
        r.resource = keccak256(abi.encode(seed, "resource"));
        r.resourceSpec = bytes32((seed >> 48) % 5);
        r.quantity = corrects != 0 && (seed >> 56) % 4 == 0 ? 0 : uint128(1 + ((seed >> 64) % 1e12));
        r.unit = r.quantity == 0 ? bytes8(0) : bytes8("kg");
        uint256 dt = (seed >> 80) % 365 days;
        r.time = uint64(r.flow == ILedger.Flow.Event ? block.timestamp - dt : block.timestamp + dt);
        r.evidence = keccak256(abi.encode(seed, "evidence"));
        r.corrects = corrects;
        r.satisfies = uint64((seed >> 96) % (ghostSigners.length + 1));
        r.nonce = ledger.nonces(agent, key) + offset;
        r.deadline = uint64(block.timestamp + ((seed >> 112) % (VALIDITY + 1)));
    }

    function _digest(ILedger.Record memory r) internal view returns (bytes32) {
        return _digestFor(r, address(ledger), block.chainid);
    }

    function _validationDigest(ILedger.Validation memory v) internal view returns (bytes32) {
        return _validationDigestFor(v, address(ledger), block.chainid);
    }

    function _signRecord(ILedger.Record memory r) internal view returns (bytes memory) {
        return _sign(keyOf[_agentOf(r)], _digest(r));
    }
}

/// @notice Invariants of the append-only ledger (reliability checklist section A).
/// The handler catches and predicts every ledger revert, so it never reverts itself: fail-on-revert
/// turns any handler bug (or unexpected revert outside a try) into a failure.
/// forge-config: default.invariant.runs = 128
/// forge-config: default.invariant.depth = 64
/// forge-config: default.invariant.fail-on-revert = true
contract LedgerInvariantTest is Test, Deployments {
    ILedgerWithConstants internal ledger;
    LedgerHandler internal handler;

    function setUp() public {
        vm.warp(1_750_000_000);
        ledger = _deployLedger();
        handler = new LedgerHandler(ledger, [uint256(0xA11CE), 0xB0B, 0xCA401], 0x0E5E7, 0xDA7E);
        handler.seedEntries(120, 1); // every run starts 8 entries before the first checkpoint
        (uint64 count, ) = ledger.tip();
        assertEq(count, 120);
        bytes4[] memory selectors = new bytes4[](9);
        selectors[0] = LedgerHandler.recordOne.selector;
        selectors[1] = LedgerHandler.recordBatch.selector;
        selectors[2] = LedgerHandler.validate.selector;
        selectors[3] = LedgerHandler.correct.selector;
        selectors[4] = LedgerHandler.invalidateNonce.selector;
        selectors[5] = LedgerHandler.warp.selector;
        selectors[6] = LedgerHandler.setRoles.selector;
        selectors[7] = LedgerHandler.answer.selector;
        selectors[8] = LedgerHandler.validateByAll.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    /// @dev Every call's outcome (success, exact revert, exact skip reasons) matched the prediction.
    function invariant_handlerPredictionsHold() public view {
        assertEq(handler.mismatches(), 0, handler.lastMismatch());
    }

    /// @dev INV-COUNT: the entry count equals the successful appends and the Recorded events seen.
    function invariant_INV_COUNT_tipCountEqualsAppendsAndRecordedEvents() public view {
        (uint64 count, ) = ledger.tip();
        assertEq(count, handler.appends(), "count == successful appends");
        assertEq(count, handler.recordedEvents(), "count == Recorded events");
        assertEq(count, handler.ghostCount(), "count == ghost entries");
    }

    /// @dev INV-IMMUTABLE: tip().head is the head folded from the ghost list of (id, signer,
    /// recordHash) taken from the Recorded events, and every stored checkpoint is the ghost head at
    /// its id, after every call, so no old entry can change. The handler folds incrementally; the
    /// full independent recomputation here runs once per run in afterInvariant (same list, so the
    /// per-call check loses nothing: the ghost list is append-only).
    function invariant_INV_IMMUTABLE_headAndCheckpointsMatchGhostChain() public view {
        (uint64 count, bytes24 head) = ledger.tip();
        assertEq(handler.ghostCount(), count);
        assertEq(head, handler.ghostHead(), "tip().head == head folded from the events");
        for (uint256 k = 1; k * INTERVAL <= count; ++k) {
            assertEq(ledger.checkpoint(k), handler.ghostHeadAt(k * INTERVAL), "checkpoint == ghost head at its id");
        }
        assertEq(ledger.checkpoint(uint256(count) / INTERVAL + 1), bytes24(0), "no checkpoint ahead of the tip");
        // Head recomputable: the newest entries' hashes, recomputed here from their decoded records.
        for (uint256 id = handler.newFrom(); id <= count; ++id) {
            ILedger.Record memory r = handler.ghostRecord(id);
            assertEq(keccak256(abi.encode(ledger.RECORD_TYPEHASH(), r)), handler.ghostHash(id), "record hash");
        }
    }

    /// @dev INV-DAG: every link (satisfies, corrects) in the Recorded events points to a smaller id.
    /// Checked as entries appear (the entries of the last call); all of them again in afterInvariant.
    function invariant_INV_DAG_linksPointBackwards() public view {
        (uint64 count, ) = ledger.tip();
        for (uint256 id = handler.newFrom(); id <= count; ++id) {
            (uint64 satisfies, uint64 corrects) = handler.ghostLink(id);
            assertLt(satisfies, id, "satisfies < id");
            assertLt(corrects, id, "corrects < id");
        }
    }

    /// @dev INV-ENDORSE: the tallies over validated entries sum to the successful validations (and
    /// Validated events) and equal the ghost's; afterInvariant checks every (entry, validator) pair:
    /// at most one validation each, and never-validated entries have zero tallies.
    function invariant_INV_ENDORSE_tallySumEqualsValidations() public view {
        uint256[] memory ids = handler.ghostValidatedEntries();
        uint256 sum;
        for (uint256 i = 0; i < ids.length; ++i) {
            (, uint16 a, uint16 d, ) = ledger.entryState(ids[i]);
            assertEq(a, handler.ghostAccepts(ids[i]), "accepts");
            assertEq(d, handler.ghostDisputes(ids[i]), "disputes");
            assertLe(uint256(a) + d, handler.validatorList().length, "at most one per validator");
            sum += uint256(a) + d;
        }
        assertEq(sum, handler.validations(), "sum of tallies == successful validations");
        assertEq(sum, handler.validatedEvents(), "sum of tallies == Validated events");
    }

    /// @dev SYB-ELIGIBLE: tallies count only validations by validators holding the role for the
    /// entry's action when they validated (the ghost's, from its own role bookkeeping); every other
    /// validation is an Endorsed event and counts nowhere, so an Accepted entry always has
    /// `acceptsRequired` appointed accepts. The extra validator is never appointed: it never counts.
    function invariant_SYB_ELIGIBLE_onlyAppointedValidatorsCount() public view {
        assertEq(handler.endorsements(), handler.endorsedEvents(), "every endorsement is an Endorsed event");
        address extra = handler.validatorList()[handler.validatorList().length - 1];
        uint256[] memory ids = handler.ghostValidatedEntries();
        for (uint256 i = 0; i < ids.length; ++i) {
            assertFalse(handler.ghostCounted(ids[i], extra), "the unappointed validator never counts");
            (ILedger.EntryState state, uint16 a, , ) = ledger.entryState(ids[i]);
            if (state == ILedger.EntryState.Accepted) {
                ILedger.Record memory r = handler.ghostRecord(ids[i]);
                assertGe(
                    a,
                    ledger.quorumRule(r.commons, r.action).acceptsRequired,
                    "accepted => quorum of appointed accepts"
                );
            }
        }
    }

    /// @dev CONSENT-ONCE: answers are taken only from an entry's counterparty (checked per event
    /// against the ghost record), at most one per entry, each one CounterpartyAnswered event.
    function invariant_CONSENT_ONCE_onlyTheCounterpartyAnswersOnce() public view {
        assertEq(handler.answers(), handler.answeredEvents(), "every answer is one CounterpartyAnswered event");
    }

    /// @dev Entry state only moves forward: corrected entries stay Corrected and point to the
    /// correcting (later) entry, one Corrected event each.
    function invariant_INV_MONOTONE_STATUS_correctedEntriesStayCorrected() public view {
        uint256[] memory ids = handler.ghostCorrectedEntries();
        for (uint256 i = 0; i < ids.length; ++i) {
            (ILedger.EntryState state, , , uint64 correctedBy) = ledger.entryState(ids[i]);
            assertEq(uint8(state), uint8(ILedger.EntryState.Corrected));
            assertEq(correctedBy, handler.ghostCorrectedBy(ids[i]));
            assertGt(correctedBy, ids[i]);
        }
        assertEq(ids.length, handler.correctedEvents());
    }

    /// @dev Full sweeps once per run: the chain recomputed here from the ghost list, every link,
    /// and every (entry, validator) pair.
    function afterInvariant() public view {
        _sweepChain();
        _sweepLinks();
        _sweepValidations();
    }

    function _sweepChain() private view {
        (uint64 count, bytes24 head) = ledger.tip();
        (address[] memory signers, bytes32[] memory hashes) = handler.ghostChain();
        assertEq(signers.length, count);
        bytes24 h;
        for (uint256 i = 0; i < signers.length; ++i) {
            uint256 id = i + 1;
            h = bytes24(keccak256(abi.encode(bytes32(h), id, signers[i], hashes[i])));
            if (id % INTERVAL == 0)
                assertEq(ledger.checkpoint(id / INTERVAL), h, "INV-IMMUTABLE: checkpoint == recomputed head");
        }
        assertEq(head, h, "INV-IMMUTABLE: tip().head == head recomputed from the ghost chain");
    }

    function _sweepLinks() private view {
        (uint64[] memory satisfies, uint64[] memory corrects) = handler.ghostLinks();
        for (uint256 i = 0; i < satisfies.length; ++i) {
            assertLt(satisfies[i], i + 1, "INV-DAG: satisfies < id");
            assertLt(corrects[i], i + 1, "INV-DAG: corrects < id");
        }
    }

    function _sweepValidations() private view {
        (uint64 count, ) = ledger.tip();
        address[] memory vs = handler.validatorList();
        uint256 sum;
        for (uint256 id = 1; id <= count; ++id) {
            (, uint16 a, uint16 d, ) = ledger.entryState(id);
            uint256 distinct;
            for (uint256 j = 0; j < vs.length; ++j) {
                bool done = ledger.hasValidated(id, vs[j]);
                assertEq(done, handler.ghostValidated(id, vs[j]), "INV-ENDORSE: hasValidated == ghost");
                if (handler.ghostCounted(id, vs[j])) ++distinct;
            }
            assertEq(
                uint256(a) + d,
                distinct,
                "INV-ENDORSE + SYB-ELIGIBLE: one counted validation per appointed validator and entry"
            );
            sum += uint256(a) + d;
        }
        assertEq(sum, handler.validations(), "INV-ENDORSE: sum over all entries == successful validations");
        assertEq(handler.mismatches(), 0, handler.lastMismatch());
    }
}
