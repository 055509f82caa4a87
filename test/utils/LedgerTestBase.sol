// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity 0.8.30;

import {Test, Vm} from "forge-std/Test.sol";
import {ILedger} from "../../contracts/interfaces/ILedger.sol";
import {ERC1271WalletMock} from "../../contracts/mocks/ERC1271WalletMock.sol";
import {Deployments, ILedgerWithConstants} from "./Deployments.sol";

/// @dev EIP-712 of the ledger written from the spec, not from the contract: the type strings, the
/// domain, record and validation digests, and 65-byte signatures. Shared by the unit suites (through
/// LedgerTestBase) and the invariant handler.
abstract contract LedgerSigning is Deployments {
    string internal constant RECORD_TYPE =
        "Record(uint8 flow,uint8 action,address provider,address receiver,bytes32 commons,bytes32 resource,bytes32 resourceSpec,bytes32 process,uint8 side,uint128 quantity,bytes8 unit,uint64 time,bytes32 evidence,uint64 corrects,uint64 satisfies,uint256 nonce,uint64 deadline)";
    string internal constant VALIDATION_TYPE =
        "Validation(uint64 entryId,uint8 verdict,address validator,bytes32 evidence,uint256 nonce,uint64 deadline)";
    bytes32 internal constant DOMAIN_TYPEHASH = keccak256(
        "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    );

    /// @dev The record's agent: its provider, or its receiver when it has none.
    function _agentOf(ILedger.Record memory r) internal pure returns (address) {
        return r.provider != address(0) ? r.provider : r.receiver;
    }

    function _domainSeparator(address verifyingContract, uint256 chainId) internal pure returns (bytes32) {
        return
            keccak256(
                abi.encode(DOMAIN_TYPEHASH, keccak256("CommonsLedger"), keccak256("1"), chainId, verifyingContract)
            );
    }

    function _structHash(ILedger.Record memory r) internal pure returns (bytes32) {
        return keccak256(abi.encode(keccak256(bytes(RECORD_TYPE)), r));
    }

    function _digestFor(
        ILedger.Record memory r,
        address verifyingContract,
        uint256 chainId
    ) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked("\x19\x01", _domainSeparator(verifyingContract, chainId), _structHash(r)));
    }

    function _validationDigestFor(
        ILedger.Validation memory v,
        address verifyingContract,
        uint256 chainId
    ) internal pure returns (bytes32) {
        bytes32 structHash = keccak256(abi.encode(keccak256(bytes(VALIDATION_TYPE)), v));
        return keccak256(abi.encodePacked("\x19\x01", _domainSeparator(verifyingContract, chainId), structHash));
    }

    function _sign(uint256 pk, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pk, digest);
        return abi.encodePacked(r, s, v);
    }
}

/// @dev Shared fixtures of the Ledger suites (and of Governance and ReciprocityRegistrySettlement):
/// signers, record builders, a tracked copy of the hash chain for building EntryProofs, a reference
/// model that predicts the error of any typed record, and revert assertions that check nothing changed.
abstract contract LedgerTestBase is Test, LedgerSigning {
    // secp256k1 group order
    uint256 internal constant SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
    // Spec constants, written independently of the contract (test_constants_matchSpec pins them).
    uint256 internal constant SKEW = 15 minutes;
    uint256 internal constant VALIDITY = 30 days;
    uint256 internal constant INTERVAL = 64;
    uint256 internal constant T0 = 1_750_000_000;

    uint256 internal constant ALICE_PK = 0xA11CE;
    uint256 internal constant BOB_PK = 0xB0B;
    uint256 internal constant CAROL_PK = 0xCA401;
    uint256 internal constant DAVE_PK = 0xDA7E;
    uint256 internal constant OWNER_PK = 0x0E5E7;

    /// @dev The commons the records go to: registered by this test contract (its only steward,
    /// threshold 1), with alice, bob, carol, dave, owner and the wallet appointed to validate every
    /// action.
    bytes32 internal COMMONS;

    ILedgerWithConstants internal ledger;
    ERC1271WalletMock internal wallet; // Honest, owned by `owner`
    address internal alice;
    address internal bob;
    address internal carol;
    address internal dave;
    address internal owner;

    mapping(address agent => uint256 pk) internal keyOf;

    // Tracked chain: entry i (1-based) is at index i - 1; heads[i] is the head after entry i.
    ILedger.Record[] internal trackedRecords;
    address[] internal trackedSigners;
    bytes32[] internal trackedHashes;
    bytes24[] internal heads;
    uint256 internal lastBatchGas; // gas of the last recordBatch call made by _submitBatch

    function _deploy() internal {
        vm.warp(T0);
        ledger = _deployLedger();
        alice = _key(ALICE_PK, "alice");
        bob = _key(BOB_PK, "bob");
        carol = _key(CAROL_PK, "carol");
        dave = _key(DAVE_PK, "dave");
        owner = _key(OWNER_PK, "owner");
        wallet = new ERC1271WalletMock(owner);
        vm.label(address(wallet), "wallet");
        keyOf[address(wallet)] = OWNER_PK;
        heads.push(bytes24(0));
        COMMONS = ledger.registerCommons(bytes32("test"), "Test commons");
        address[6] memory validators = [alice, bob, carol, dave, owner, address(wallet)];
        for (uint256 i = 0; i < validators.length; ++i) _appoint(COMMONS, validators[i]);
    }

    /// @dev Appoints `validator` to validate every action in `commons` (stewarded by this contract).
    function _appoint(bytes32 commons, address validator) internal {
        ledger.setRoles(commons, validator, ledger.ALL_ROLES());
    }

    function _key(uint256 pk, string memory label) internal returns (address a) {
        a = vm.addr(pk);
        keyOf[a] = pk;
        vm.label(a, label);
    }

    // ------------------------------------------------------------ records

    /// @dev A valid record by `agent` (provider), nonce `nonce`.
    function _recordOf(address agent, uint256 nonce) internal view returns (ILedger.Record memory r) {
        r.flow = ILedger.Flow.Event;
        r.action = ILedger.Action.DeliverService;
        r.provider = agent;
        r.receiver = address(0xBEEF);
        r.commons = COMMONS;
        r.resource = keccak256("resource");
        r.resourceSpec = keccak256("resourceSpec");
        r.process = keccak256("process");
        r.side = ILedger.Side.Input;
        r.quantity = 1_500_000;
        r.unit = "h";
        r.time = uint64(block.timestamp - 1 hours);
        r.evidence = keccak256("evidence");
        r.nonce = nonce;
        r.deadline = uint64(block.timestamp + 1 days);
    }

    /// @dev A valid record by `agent` with its current key-0 nonce.
    function _next(address agent) internal view returns (ILedger.Record memory) {
        return _recordOf(agent, ledger.nonces(agent, 0));
    }

    function _copy(ILedger.Record memory r) internal pure returns (ILedger.Record memory) {
        return abi.decode(abi.encode(r), (ILedger.Record));
    }

    /// @dev Raw word `i` of a memory record (memory structs keep one word per field).
    function _getField(ILedger.Record memory r, uint256 i) internal pure returns (uint256 w) {
        assembly ("memory-safe") {
            w := mload(add(r, shl(5, i)))
        }
    }

    function _setField(ILedger.Record memory r, uint256 i, uint256 w) internal pure {
        assembly ("memory-safe") {
            mstore(add(r, shl(5, i)), w)
        }
    }

    // ------------------------------------------------------------ EIP-712 for this ledger

    function _digest(ILedger.Record memory r) internal view returns (bytes32) {
        return _digestFor(r, address(ledger), block.chainid);
    }

    function _validationDigest(ILedger.Validation memory v) internal view returns (bytes32) {
        return _validationDigestFor(v, address(ledger), block.chainid);
    }

    /// @dev Signature by the key that controls the record's agent (the owner for the wallet).
    function _signRecord(ILedger.Record memory r) internal view returns (bytes memory) {
        uint256 pk = keyOf[_agentOf(r)];
        require(pk != 0, "no key for agent");
        return _sign(pk, _digest(r));
    }

    function _signValidation(ILedger.Validation memory v) internal view returns (bytes memory) {
        uint256 pk = keyOf[v.validator];
        require(pk != 0, "no key for validator");
        return _sign(pk, _validationDigest(v));
    }

    // ------------------------------------------------------------ tracked chain

    function _count() internal view returns (uint256) {
        return trackedSigners.length;
    }

    function _chain(bytes24 head, uint256 id, address signer, bytes32 recordHash) internal pure returns (bytes24) {
        return bytes24(keccak256(abi.encode(bytes32(head), id, signer, recordHash)));
    }

    function _track(ILedger.Record memory r) internal {
        address signer = _agentOf(r);
        bytes32 h = _structHash(r);
        uint256 id = trackedSigners.length + 1;
        trackedRecords.push(r);
        trackedSigners.push(signer);
        trackedHashes.push(h);
        heads.push(_chain(heads[id - 1], id, signer, h));
    }

    /// @dev Records `r` with its agent's signature and tracks it.
    function _submit(ILedger.Record memory r) internal returns (uint256 id) {
        id = ledger.record(r, _signRecord(r));
        _track(r);
        assertEq(id, _count(), "dense id");
    }

    /// @dev Sends a batch and tracks what the Recorded events say was appended (the event is the
    /// read API). Returns the Recorded and RecordSkipped counts.
    function _submitBatch(
        ILedger.Record[] memory rs,
        bytes[] memory sigs
    ) internal returns (uint256 recorded, uint256 skipped) {
        vm.recordLogs();
        uint256 gasBefore = gasleft();
        uint256 returned = ledger.recordBatch(rs, sigs);
        lastBatchGas = gasBefore - gasleft();
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter != address(ledger)) continue;
            if (logs[i].topics[0] == ILedger.Recorded.selector) {
                ILedger.Record memory r = abi.decode(logs[i].data, (ILedger.Record));
                assertEq(uint256(logs[i].topics[1]), _count() + 1, "Recorded id is the next id");
                assertEq(address(uint160(uint256(logs[i].topics[2]))), _agentOf(r), "Recorded signer is the agent");
                _track(r);
                ++recorded;
            } else if (logs[i].topics[0] == ILedger.RecordSkipped.selector) {
                ++skipped;
            }
        }
        assertEq(returned, recorded, "recordBatch returns the number of Recorded events");
        assertEq(recorded + skipped, rs.length, "every item is recorded or skipped");
    }

    function _assertTipMatchesTracked() internal view {
        (uint64 count, bytes24 head) = ledger.tip();
        assertEq(uint256(count), _count(), "tip count");
        assertEq(head, heads[_count()], "tip head");
    }

    // ------------------------------------------------------------ reverts that change nothing

    /// @dev `record(r, sig)` reverts with exactly `err` and changes nothing: the tip and the
    /// agent's nonce stay.
    function _expectRecordRevert(ILedger.Record memory r, bytes memory sig, bytes memory err) internal {
        address agent = _agentOf(r);
        uint192 key = uint192(r.nonce >> 64);
        uint256 nonce = ledger.nonces(agent, key);
        vm.expectRevert(err);
        ledger.record(r, sig);
        _assertTipMatchesTracked();
        assertEq(ledger.nonces(agent, key), nonce, "a failed record consumes no nonce");
    }

    /// @dev `recordCorrection(r, sig, p)` reverts with exactly `err` and changes nothing: the tip,
    /// the agent's nonce and the corrected entry's state stay.
    function _expectCorrectionRevert(
        ILedger.Record memory r,
        bytes memory sig,
        ILedger.EntryProof memory p,
        bytes memory err
    ) internal {
        address agent = _agentOf(r);
        uint192 key = uint192(r.nonce >> 64);
        uint256 nonce = ledger.nonces(agent, key);
        bool exists = r.corrects != 0 && r.corrects <= _count();
        uint64 correctedBy;
        if (exists) (, , , correctedBy) = ledger.entryState(r.corrects);
        vm.expectRevert(err);
        ledger.recordCorrection(r, sig, p);
        _assertTipMatchesTracked();
        assertEq(ledger.nonces(agent, key), nonce, "a failed correction consumes no nonce");
        if (exists) {
            (, , , uint64 correctedAfter) = ledger.entryState(r.corrects);
            assertEq(correctedAfter, correctedBy, "the entry's correction is unchanged");
        }
    }

    /// @dev `validate(v, sig, p)` reverts with exactly `err` and changes nothing: the validator's
    /// nonce, and the entry's tallies and the validator's mark when the entry exists.
    function _expectValidateRevert(
        ILedger.Validation memory v,
        bytes memory sig,
        ILedger.EntryProof memory p,
        bytes memory err
    ) internal {
        uint192 key = uint192(v.nonce >> 64);
        uint256 nonce = ledger.nonces(v.validator, key);
        bool exists = v.entryId != 0 && v.entryId <= _count();
        uint16 accepts;
        uint16 disputes;
        bool marked;
        if (exists) {
            (, accepts, disputes, ) = ledger.entryState(v.entryId);
            marked = ledger.hasValidated(v.entryId, v.validator);
        }
        vm.expectRevert(err);
        ledger.validate(v, sig, p);
        assertEq(ledger.nonces(v.validator, key), nonce, "a failed validation consumes no nonce");
        if (exists) {
            (, uint16 a, uint16 d, ) = ledger.entryState(v.entryId);
            assertEq(a, accepts, "accepts unchanged");
            assertEq(d, disputes, "disputes unchanged");
            assertEq(ledger.hasValidated(v.entryId, v.validator), marked, "validator mark unchanged");
        }
    }

    /// @dev The storage slot of entry `entryId`'s votes (seat bits low, accepts at bit 224), found
    /// among the slots `entryState` reads as the one whose accepts equal `accepts` (it must be
    /// written: the entry has had five validations that have a seat or count, see `_moveVotes`).
    function _votesSlot(uint256 entryId, uint256 accepts) internal returns (bytes32 slot) {
        vm.record();
        ledger.entryState(entryId);
        (bytes32[] memory reads, ) = vm.accesses(address(ledger));
        for (uint256 i = 0; i < reads.length; ++i) {
            uint256 w = uint256(vm.load(address(ledger), reads[i]));
            if (uint16(w >> 224) == accepts && uint224(w) != 0) slot = reads[i];
        }
        assertTrue(slot != bytes32(0), "entry votes slot found");
    }

    /// @dev Moves entry `entryId`'s votes from its info (four places) to its votes slot: five
    /// fresh appointees (the next seats of COMMONS) accept it.
    function _moveVotes(uint256 entryId) internal {
        for (uint256 i = 0; i < 5; ++i) {
            address v = _key(uint256(keccak256(abi.encode("mover", i))), "mover");
            _appoint(COMMONS, v);
            _validate(entryId, ILedger.Verdict.Accept, v);
        }
    }

    // ------------------------------------------------------------ proofs

    /// @dev How many later entries a proof of `entryId` must carry right now.
    function _later(uint256 entryId) internal view returns (uint256) {
        uint256 end = ((entryId - 1) / INTERVAL + 1) * INTERVAL;
        if (end > _count()) end = _count();
        return end - entryId;
    }

    function _proof(uint256 entryId) internal view returns (ILedger.EntryProof memory p) {
        p.record = trackedRecords[entryId - 1];
        p.previousHead = bytes32(heads[entryId - 1]);
        uint256 later = _later(entryId);
        p.laterSigners = new address[](later);
        p.laterRecordHashes = new bytes32[](later);
        for (uint256 i = 0; i < later; ++i) {
            p.laterSigners[i] = trackedSigners[entryId + i];
            p.laterRecordHashes[i] = trackedHashes[entryId + i];
        }
    }

    function _emptyProof() internal pure returns (ILedger.EntryProof memory p) {
        p.laterSigners = new address[](0);
        p.laterRecordHashes = new bytes32[](0);
    }

    /// @dev A range proof from `firstId` to its interval's end (or the tip), giving in full the
    /// records of `fullIds` (ascending, inside the range) and signer + hash for every other entry.
    function _rangeProof(
        uint256 firstId,
        uint256[] memory fullIds
    ) internal view returns (ILedger.RangeProof memory p) {
        uint256 n = _later(firstId) + 1;
        p.previousHead = bytes32(heads[firstId - 1]);
        p.firstId = uint64(firstId);
        p.records = new ILedger.Record[](fullIds.length);
        p.signers = new address[](n);
        p.recordHashes = new bytes32[](n);
        uint256 k = 0;
        for (uint256 i = 0; i < n; ++i) {
            uint256 id = firstId + i;
            if (k < fullIds.length && fullIds[k] == id) {
                p.records[k++] = trackedRecords[id - 1];
            } else {
                p.signers[i] = trackedSigners[id - 1];
                p.recordHashes[i] = trackedHashes[id - 1];
            }
        }
    }

    function _one(uint256 id) internal pure returns (uint256[] memory ids) {
        ids = new uint256[](1);
        ids[0] = id;
    }

    function _proofs(ILedger.RangeProof memory p) internal pure returns (ILedger.RangeProof[] memory ps) {
        ps = new ILedger.RangeProof[](1);
        ps[0] = p;
    }

    function _noProofs() internal pure returns (ILedger.RangeProof[] memory) {
        return new ILedger.RangeProof[](0);
    }

    // ------------------------------------------------------------ validations

    function _validationOf(
        uint256 entryId,
        ILedger.Verdict verdict,
        address validator
    ) internal view returns (ILedger.Validation memory v) {
        v.entryId = uint64(entryId);
        v.verdict = verdict;
        v.validator = validator;
        v.evidence = keccak256(abi.encode("notes", entryId, validator));
        v.nonce = ledger.nonces(validator, 0);
        v.deadline = uint64(block.timestamp + 1 days);
    }

    function _validate(uint256 entryId, ILedger.Verdict verdict, address validator) internal {
        ILedger.Validation memory v = _validationOf(entryId, verdict, validator);
        bytes memory sig = _signValidation(v);
        ILedger.EntryProof memory p = _proof(entryId);
        ledger.validate(v, sig, p);
    }

    // ------------------------------------------------------------ reference model

    /// @dev ValueFlows sides per action when a process is set: (input allowed, output allowed).
    function _sidesOf(uint256 action) internal pure returns (bool input, bool output) {
        ILedger.Action a = ILedger.Action(action);
        if (
            a == ILedger.Action.Work ||
            a == ILedger.Action.Cite ||
            a == ILedger.Action.Use ||
            a == ILedger.Action.Consume ||
            a == ILedger.Action.Accept ||
            a == ILedger.Action.Combine ||
            a == ILedger.Action.Pickup
        ) return (true, false);
        if (
            a == ILedger.Action.Produce ||
            a == ILedger.Action.Modify ||
            a == ILedger.Action.Separate ||
            a == ILedger.Action.Dropoff ||
            a == ILedger.Action.Copy
        ) return (false, true);
        if (a == ILedger.Action.DeliverService) return (true, true);
        return (false, false); // transfers, move, raise, lower
    }

    function _sideFitsModel(uint256 action, uint256 side, bytes32 process) internal pure returns (bool) {
        if (side > 2) return false;
        if (process == bytes32(0)) return side == 0;
        if (side == 0) return false;
        (bool input, bool output) = _sidesOf(action);
        return side == 1 ? input : output;
    }

    /// @dev The error `record` must give for a typed record (empty: recorded).
    function _expectedRecordError(ILedger.Record memory r, bool signatureValid) internal view returns (bytes memory) {
        uint256 nextId = _count() + 1;
        if (!_sideFitsModel(uint8(r.action), uint8(r.side), r.process)) {
            return
                abi.encodeWithSelector(
                    ILedger.LedgerInvalidSide.selector,
                    uint256(uint8(r.action)),
                    uint256(uint8(r.side)),
                    r.process
                );
        }
        address agent = _agentOf(r);
        if (agent == address(0)) return abi.encodeWithSelector(ILedger.LedgerZeroAgent.selector);
        if (r.commons == bytes32(0)) return abi.encodeWithSelector(ILedger.LedgerMissingCommons.selector);
        if (r.quantity == 0 && r.corrects == 0) return abi.encodeWithSelector(ILedger.LedgerZeroQuantity.selector);
        if (r.quantity != 0 && r.unit == bytes8(0)) {
            return abi.encodeWithSelector(ILedger.LedgerMissingUnit.selector, r.quantity);
        }
        if (r.time == 0) return abi.encodeWithSelector(ILedger.LedgerMissingTime.selector);
        if (r.flow == ILedger.Flow.Event && r.time > block.timestamp + SKEW) {
            return abi.encodeWithSelector(ILedger.LedgerTimeInFuture.selector, r.time, block.timestamp);
        }
        if (r.corrects != 0) return abi.encodeWithSelector(ILedger.LedgerCorrectionNeedsProof.selector, r.corrects);
        if (r.satisfies >= nextId) {
            return abi.encodeWithSelector(ILedger.LedgerLinkNotFound.selector, r.satisfies, nextId);
        }
        if (r.deadline < block.timestamp) {
            return abi.encodeWithSelector(ILedger.LedgerExpired.selector, r.deadline, block.timestamp);
        }
        if (r.deadline > block.timestamp + VALIDITY) {
            return
                abi.encodeWithSelector(ILedger.LedgerDeadlineTooFar.selector, r.deadline, block.timestamp + VALIDITY);
        }
        uint256 expected = ledger.nonces(agent, uint192(r.nonce >> 64));
        if (r.nonce != expected) {
            return abi.encodeWithSelector(ILedger.LedgerInvalidNonce.selector, agent, r.nonce, expected);
        }
        if (!signatureValid) return abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, agent);
        return "";
    }

    /// @dev A different, well-typed value for field `i` of a record, shaped so that every check can fire.
    function _tamperedWord(uint256 i, uint256 old, uint256 seed) internal view returns (uint256 w) {
        if (i == 0) return (old + 1 + (seed % 3)) % 4; // flow
        if (i == 1) return (old + 1 + (seed % 18)) % 19; // action
        if (i == 8) return (old + 1 + (seed % 2)) % 3; // side
        if (i == 2 || i == 3) {
            // provider, receiver: zero, a known signer, or anything
            uint256 m = seed % 4;
            w =
                m == 0
                    ? 0
                    : m == 1
                        ? uint160(carol)
                        : uint160(seed >> 8);
        } else if (i == 9) {
            w = seed % 4 == 0 ? 0 : uint128(seed >> 2); // quantity
        } else if (i == 10) {
            w = seed % 4 == 0 ? 0 : uint256(bytes32(bytes8(bytes32(seed)))); // unit
        } else if (i == 11) {
            // time: zero, around now, or any uint64
            uint256 m = seed % 4;
            w =
                m == 0
                    ? 0
                    : m == 1
                        ? uint64(seed >> 2)
                        : block.timestamp - 2 days + ((seed >> 2) % (4 days));
        } else if (i == 16) {
            // deadline: around the valid window, or any uint64
            w = seed % 3 == 0 ? uint64(seed >> 2) : block.timestamp - 2 days + ((seed >> 2) % (VALIDITY + 4 days));
        } else if (i == 13 || i == 14) {
            // corrects, satisfies: small ids around the tip, or any uint64
            w = seed % 2 == 0 ? uint64(seed >> 1) : (seed >> 1) % (_count() + 3);
        } else if (i == 15) {
            // nonce: anything, a later sequence on the same key, or sequence 0 of another key
            uint256 m = seed % 3;
            w =
                m == 0
                    ? seed
                    : m == 1
                        ? old + 1 + ((seed >> 8) % 3)
                        : uint256(uint192(seed >> 8)) << 64;
        } else {
            w = seed; // bytes32 fields
            if (seed % 5 == 0) w = 0;
        }
        if (w == old) w = i == 10 ? w ^ (uint256(1) << 192) : w ^ 1;
    }

    // ------------------------------------------------------------ fuzz inputs

    struct RawRecord {
        uint8 flow;
        uint8 action;
        address provider;
        address receiver;
        bytes32 commons;
        bytes32 resource;
        bytes32 resourceSpec;
        bytes32 process;
        uint8 side;
        uint128 quantity;
        bytes8 unit;
        uint64 time;
        bytes32 evidence;
        uint64 corrects;
        uint64 satisfies;
        uint256 nonce;
        uint64 deadline;
    }

    function _fromRaw(RawRecord memory x) internal pure returns (ILedger.Record memory r) {
        r = abi.decode(abi.encode(x), (ILedger.Record));
    }

    /// @dev Enum fields brought into range so the raw struct decodes as a Record.
    function _clampRaw(RawRecord memory x) internal pure returns (RawRecord memory) {
        x.flow %= 4;
        x.action %= 19;
        x.side %= 3;
        return x;
    }

    // ------------------------------------------------------------ proofs that fail

    /// @dev Changes a valid proof so that it no longer chains to the stored head.
    function _breakProof(ILedger.EntryProof memory p, uint8 what, uint256 seed) internal view {
        uint256 later = p.laterSigners.length;
        uint256 m = what % 7;
        if (later == 0 && m >= 2 && m <= 4) m = 0;
        if (later < 2 && m == 6) m = 1;
        if (m == 0) {
            // previousHead: any change in its 192 significant bits
            uint256 flip = (seed | 1) << 64;
            p.previousHead = bytes32(uint256(p.previousHead) ^ flip);
        } else if (m == 1) {
            uint256 i = seed % 17;
            ILedger.Record memory t = _copy(p.record);
            _setField(t, i, _tamperedWord(i, _getField(t, i), seed >> 8));
            p.record = t;
        } else if (m == 2) {
            uint256 j = seed % later;
            address s = address(uint160(seed >> 8));
            if (s == p.laterSigners[j]) s = address(uint160(s) ^ 1);
            p.laterSigners[j] = s;
        } else if (m == 3) {
            uint256 j = seed % later;
            p.laterRecordHashes[j] = bytes32(uint256(p.laterRecordHashes[j]) ^ (seed | 1));
        } else if (m == 4) {
            // one later entry too few
            address[] memory s = new address[](later - 1);
            bytes32[] memory h = new bytes32[](later - 1);
            for (uint256 j = 0; j + 1 < later; ++j) (s[j], h[j]) = (p.laterSigners[j], p.laterRecordHashes[j]);
            (p.laterSigners, p.laterRecordHashes) = (s, h);
        } else if (m == 5) {
            // one later entry too many, or arrays of different lengths
            address[] memory s = new address[](later + 1);
            bytes32[] memory h = new bytes32[](later + (seed % 2));
            for (uint256 j = 0; j < later; ++j) (s[j], h[j]) = (p.laterSigners[j], p.laterRecordHashes[j]);
            (p.laterSigners, p.laterRecordHashes) = (s, h);
        } else {
            // two later entries swapped
            uint256 j = seed % (later - 1);
            (p.laterSigners[j], p.laterSigners[j + 1]) = (p.laterSigners[j + 1], p.laterSigners[j]);
            (p.laterRecordHashes[j], p.laterRecordHashes[j + 1]) = (p.laterRecordHashes[j + 1], p.laterRecordHashes[j]);
            if (p.laterSigners[j] == p.laterSigners[j + 1] && p.laterRecordHashes[j] == p.laterRecordHashes[j + 1]) {
                p.previousHead = bytes32(uint256(p.previousHead) ^ (uint256(1) << 255));
            }
        }
    }

    // ------------------------------------------------------------ corrections

    /// @dev A valid correction of `entryId` by its agent (quantity 2).
    function _correctionOf(uint256 entryId) internal view returns (ILedger.Record memory r) {
        r = _next(trackedSigners[entryId - 1]);
        r.corrects = uint64(entryId);
        r.quantity = 2_000_000;
    }

    function _correct(uint256 entryId) internal returns (uint256 id) {
        ILedger.Record memory r = _correctionOf(entryId);
        bytes memory sig = _signRecord(r);
        ILedger.EntryProof memory p = _proof(entryId);
        id = ledger.recordCorrection(r, sig, p);
        _track(r);
    }
}

/// @dev The fixture of the Ledger unit suites (LedgerDigest, LedgerRecord, LedgerSignature,
/// LedgerRecordBatch, LedgerValidate, LedgerRecordCorrection, LedgerCommons): entries 1..3 by
/// alice, bob and the wallet, a wallet whose misbehaviour is switchable and a second deployment.
abstract contract LedgerUnitTestBase is LedgerTestBase {
    ERC1271WalletMock internal badWallet; // switchable misbehaviour
    ILedgerWithConstants internal ledgerB; // a second deployment, for SIG-REPLAY
    /// @dev The test chain id, kept in storage: with viaIR the optimizer may re-evaluate a local
    /// `block.chainid` after `vm.chainId` (it assumes the chain id is constant in a transaction).
    uint256 internal chainA;

    function setUp() public {
        _deploy();
        chainA = block.chainid;
        ledgerB = _deployLedger();
        badWallet = new ERC1271WalletMock(owner);
        vm.label(address(badWallet), "badWallet");
        keyOf[address(badWallet)] = OWNER_PK;
        // Entries 1..3 by alice, bob and the wallet.
        _submit(_next(alice));
        _submit(_next(bob));
        _submit(_next(address(wallet)));
    }
}
