// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity 0.8.30;

import {Test, Vm} from "forge-std/Test.sol";
import {Ledger} from "../contracts/Ledger.sol";
import {ILedger} from "../contracts/interfaces/ILedger.sol";
import {ERC1271WalletMock} from "../contracts/mocks/ERC1271WalletMock.sol";

/// @dev Shared fixtures: signers, record builders, EIP-712 hashing written from the spec (not from
/// the contract), a tracked copy of the hash chain for building EntryProofs, and a reference model
/// that predicts the error of any typed record.
abstract contract LedgerTestBase is Test {
    // secp256k1 group order
    uint256 internal constant SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
    string internal constant RECORD_TYPE =
        "Record(uint8 flow,uint8 action,address provider,address receiver,bytes32 commons,bytes32 resource,bytes32 resourceSpec,bytes32 process,uint8 side,uint128 quantity,bytes8 unit,uint64 time,bytes32 evidence,uint64 corrects,uint64 satisfies,uint256 nonce,uint64 deadline)";
    string internal constant VALIDATION_TYPE =
        "Validation(uint64 entryId,uint8 verdict,address validator,bytes32 evidence,uint256 nonce,uint64 deadline)";
    bytes32 internal constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    // Spec constants, written independently of the contract (test_constants_matchSpec pins them).
    uint256 internal constant SKEW = 15 minutes;
    uint256 internal constant VALIDITY = 30 days;
    uint256 internal constant INTERVAL = 128;
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

    Ledger internal ledger;
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
        ledger = new Ledger();
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

    function _agentOf(ILedger.Record memory r) internal pure returns (address) {
        return r.provider != address(0) ? r.provider : r.receiver;
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

    // ------------------------------------------------------------ EIP-712, from the spec

    function _domainSeparator(address verifyingContract, uint256 chainId) internal pure returns (bytes32) {
        return
            keccak256(
                abi.encode(DOMAIN_TYPEHASH, keccak256("CommonsLedger"), keccak256("1"), chainId, verifyingContract)
            );
    }

    function _structHash(ILedger.Record memory r) internal pure returns (bytes32) {
        return keccak256(abi.encode(keccak256(bytes(RECORD_TYPE)), r));
    }

    function _digestFor(ILedger.Record memory r, address verifyingContract, uint256 chainId)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encodePacked("\x19\x01", _domainSeparator(verifyingContract, chainId), _structHash(r)));
    }

    function _digest(ILedger.Record memory r) internal view returns (bytes32) {
        return _digestFor(r, address(ledger), block.chainid);
    }

    function _validationDigest(ILedger.Validation memory v) internal view returns (bytes32) {
        bytes32 structHash = keccak256(abi.encode(keccak256(bytes(VALIDATION_TYPE)), v));
        return keccak256(abi.encodePacked("\x19\x01", _domainSeparator(address(ledger), block.chainid), structHash));
    }

    function _sign(uint256 pk, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pk, digest);
        return abi.encodePacked(r, s, v);
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
    function _submitBatch(ILedger.Record[] memory rs, bytes[] memory sigs)
        internal
        returns (uint256 recorded, uint256 skipped)
    {
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

    // ------------------------------------------------------------ validations

    function _validationOf(uint256 entryId, ILedger.Verdict verdict, address validator)
        internal
        view
        returns (ILedger.Validation memory v)
    {
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
            a == ILedger.Action.Work || a == ILedger.Action.Cite || a == ILedger.Action.Use
                || a == ILedger.Action.Consume || a == ILedger.Action.Accept || a == ILedger.Action.Combine
                || a == ILedger.Action.Pickup
        ) return (true, false);
        if (
            a == ILedger.Action.Produce || a == ILedger.Action.Modify || a == ILedger.Action.Separate
                || a == ILedger.Action.Dropoff || a == ILedger.Action.Copy
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
            return abi.encodeWithSelector(
                ILedger.LedgerInvalidSide.selector, uint256(uint8(r.action)), uint256(uint8(r.side)), r.process
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
            return abi.encodeWithSelector(ILedger.LedgerDeadlineTooFar.selector, r.deadline, block.timestamp + VALIDITY);
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
        if (i == 0) return (old + 1 + seed % 3) % 4; // flow
        if (i == 1) return (old + 1 + seed % 18) % 19; // action
        if (i == 8) return (old + 1 + seed % 2) % 3; // side
        if (i == 2 || i == 3) {
            // provider, receiver: zero, a known signer, or anything
            uint256 m = seed % 4;
            w = m == 0 ? 0 : m == 1 ? uint160(carol) : uint160(seed >> 8);
        } else if (i == 9) {
            w = seed % 4 == 0 ? 0 : uint128(seed >> 2); // quantity
        } else if (i == 10) {
            w = seed % 4 == 0 ? 0 : uint256(bytes32(bytes8(bytes32(seed)))); // unit
        } else if (i == 11) {
            // time: zero, around now, or any uint64
            uint256 m = seed % 4;
            w = m == 0 ? 0 : m == 1 ? uint64(seed >> 2) : block.timestamp - 2 days + (seed >> 2) % (4 days);
        } else if (i == 16) {
            // deadline: around the valid window, or any uint64
            w = seed % 3 == 0 ? uint64(seed >> 2) : block.timestamp - 2 days + (seed >> 2) % (VALIDITY + 4 days);
        } else if (i == 13 || i == 14) {
            // corrects, satisfies: small ids around the tip, or any uint64
            w = seed % 2 == 0 ? uint64(seed >> 1) : (seed >> 1) % (_count() + 3);
        } else if (i == 15) {
            // nonce: anything, a later sequence on the same key, or sequence 0 of another key
            uint256 m = seed % 3;
            w = m == 0 ? seed : m == 1 ? old + 1 + (seed >> 8) % 3 : uint256(uint192(seed >> 8)) << 64;
        } else {
            w = seed; // bytes32 fields
            if (seed % 5 == 0) w = 0;
        }
        if (w == old) w = i == 10 ? w ^ (uint256(1) << 192) : w ^ 1;
    }
}

/// @notice Unit and fuzz tests of Ledger: signatures (SIG-*), fields, batches, proofs, quorum.
contract LedgerTest is LedgerTestBase {
    ERC1271WalletMock internal badWallet; // switchable misbehaviour
    Ledger internal ledgerB; // a second deployment, for SIG-REPLAY
    /// @dev The test chain id, kept in storage: with viaIR the optimizer may re-evaluate a local
    /// `block.chainid` after `vm.chainId` (it assumes the chain id is constant in a transaction).
    uint256 internal chainA;

    function setUp() public {
        _deploy();
        chainA = block.chainid;
        ledgerB = new Ledger();
        badWallet = new ERC1271WalletMock(owner);
        vm.label(address(badWallet), "badWallet");
        keyOf[address(badWallet)] = OWNER_PK;
        // Entries 1..3 by alice, bob and the wallet.
        _submit(_next(alice));
        _submit(_next(bob));
        _submit(_next(address(wallet)));
    }

    // ================================================================ constants and digests

    function test_constants_matchSpec() public view {
        assertEq(ledger.MAX_BATCH(), 150);
        assertEq(ledger.CHECKPOINT_INTERVAL(), INTERVAL);
        assertEq(ledger.MAX_VALIDITY(), VALIDITY);
        assertEq(ledger.MAX_CLOCK_SKEW(), SKEW);
        assertEq(ledger.ERC1271_GAS(), 150_000);
        assertEq(ledger.QUANTITY_DECIMALS(), 6);
        assertEq(ledger.MAX_NAME_BYTES(), 200);
    }

    function test_typehashes_SIG_DIGEST_PARITY_equalCanonicalTypeStrings() public view {
        assertEq(ledger.RECORD_TYPEHASH(), keccak256(bytes(RECORD_TYPE)));
        assertEq(ledger.VALIDATION_TYPEHASH(), keccak256(bytes(VALIDATION_TYPE)));
        // The cheatcode parses and re-canonicalises the type string: it must already be canonical.
        assertEq(ledger.RECORD_TYPEHASH(), vm.eip712HashType(RECORD_TYPE));
        assertEq(ledger.VALIDATION_TYPEHASH(), vm.eip712HashType(VALIDATION_TYPE));
    }

    function test_domainSeparator_SIG_DIGEST_PARITY_bindsNameVersionChainAndContract() public view {
        assertEq(ledger.domainSeparator(), _domainSeparator(address(ledger), block.chainid));
        (, string memory name, string memory version, uint256 chainId, address verifying,,) = ledger.eip712Domain();
        assertEq(name, "CommonsLedger");
        assertEq(version, "1");
        assertEq(chainId, block.chainid);
        assertEq(verifying, address(ledger));
    }

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
        r = abi.decode(abi.encode(x), (ILedger.Record)) ;
    }

    /// @dev Enum fields brought into range so the raw struct decodes as a Record.
    function _clampRaw(RawRecord memory x) internal pure returns (RawRecord memory) {
        x.flow %= 4;
        x.action %= 19;
        x.side %= 3;
        return x;
    }

    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_hashRecord_SIG_DIGEST_PARITY_equalsAbiEncodeStructHash(RawRecord memory x) public view {
        ILedger.Record memory r = _fromRaw(_clampRaw(x));
        bytes32 expected = keccak256(abi.encode(ledger.RECORD_TYPEHASH(), r));
        assertEq(ledger.hashRecord(r), expected, "calldata hash == abi.encode hash");
        assertEq(expected, _structHash(r));
        // Independent EIP-712 encoder (EDR's), from the type string alone.
        assertEq(ledger.hashRecord(r), vm.eip712HashStruct(RECORD_TYPE, abi.encode(r)), "eip712HashStruct");
    }

    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_recordDigest_SIG_DIGEST_PARITY_equalsEip712Digest(RawRecord memory x, uint64 chainId)
        public
    {
        chainId = uint64(bound(chainId, 1, type(uint64).max));
        vm.chainId(chainId);
        ILedger.Record memory r = _fromRaw(_clampRaw(x));
        bytes32 ds = ledger.domainSeparator();
        assertEq(ds, _domainSeparator(address(ledger), chainId), "domain separator follows the chain id");
        assertEq(ledger.recordDigest(r), keccak256(abi.encodePacked("\x19\x01", ds, ledger.hashRecord(r))));
        assertEq(ledger.recordDigest(r), _digestFor(r, address(ledger), chainId));
    }

    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_validationDigest_SIG_DIGEST_PARITY_equalsEip712Digest(
        uint64 entryId,
        bool dispute,
        address validator,
        bytes32 evidence,
        uint256 nonce,
        uint64 deadline
    ) public view {
        ILedger.Validation memory v = ILedger.Validation(
            entryId, dispute ? ILedger.Verdict.Dispute : ILedger.Verdict.Accept, validator, evidence, nonce, deadline
        );
        assertEq(ledger.validationDigest(v), _validationDigest(v));
        bytes32 structHash = vm.eip712HashStruct(VALIDATION_TYPE, abi.encode(v));
        assertEq(
            ledger.validationDigest(v), keccak256(abi.encodePacked("\x19\x01", ledger.domainSeparator(), structHash))
        );
    }

    function _json1(ILedger.Record memory r) internal pure returns (string memory) {
        return string.concat(
            '{"flow":"', vm.toString(uint256(r.flow)),
            '","action":"', vm.toString(uint256(r.action)),
            '","provider":"', vm.toString(r.provider),
            '","receiver":"', vm.toString(r.receiver),
            '","commons":"', vm.toString(r.commons),
            '","resource":"', vm.toString(r.resource),
            '","resourceSpec":"', vm.toString(r.resourceSpec),
            '","process":"', vm.toString(r.process), '",'
        );
    }

    function _json2(ILedger.Record memory r) internal pure returns (string memory) {
        return string.concat(
            '"side":"', vm.toString(uint256(r.side)),
            '","quantity":"', vm.toString(uint256(r.quantity)),
            '","unit":"', vm.toString(abi.encodePacked(r.unit)),
            '","time":"', vm.toString(uint256(r.time)),
            '","evidence":"', vm.toString(r.evidence),
            '","corrects":"', vm.toString(uint256(r.corrects)),
            '","satisfies":"', vm.toString(uint256(r.satisfies)),
            '","nonce":"', vm.toString(r.nonce),
            '","deadline":"', vm.toString(uint256(r.deadline)), '"}'
        );
    }

    function _typesJson() internal pure returns (string memory) {
        return string.concat(
            '{"types":{"EIP712Domain":[{"name":"name","type":"string"},{"name":"version","type":"string"},',
            '{"name":"chainId","type":"uint256"},{"name":"verifyingContract","type":"address"}],"Record":[',
            '{"name":"flow","type":"uint8"},{"name":"action","type":"uint8"},{"name":"provider","type":"address"},',
            '{"name":"receiver","type":"address"},{"name":"commons","type":"bytes32"},{"name":"resource","type":"bytes32"},',
            '{"name":"resourceSpec","type":"bytes32"},{"name":"process","type":"bytes32"},{"name":"side","type":"uint8"},',
            '{"name":"quantity","type":"uint128"},{"name":"unit","type":"bytes8"},{"name":"time","type":"uint64"},',
            '{"name":"evidence","type":"bytes32"},{"name":"corrects","type":"uint64"},{"name":"satisfies","type":"uint64"},',
            '{"name":"nonce","type":"uint256"},{"name":"deadline","type":"uint64"}]},"primaryType":"Record",'
        );
    }

    /// @dev The digest of eth_signTypedData_v4 JSON, as a wallet would see it.
    function testFuzz_recordDigest_SIG_DIGEST_PARITY_equalsEip712HashTypedDataJson(RawRecord memory x) public view {
        ILedger.Record memory r = _fromRaw(_clampRaw(x));
        string memory domain = string.concat(
            '"domain":{"name":"CommonsLedger","version":"1","chainId":', vm.toString(block.chainid),
            ',"verifyingContract":"', vm.toString(address(ledger)), '"},"message":'
        );
        string memory json = string.concat(_typesJson(), domain, _json1(r), _json2(r), "}");
        assertEq(ledger.recordDigest(r), vm.eip712HashTypedData(json));
    }

    // ================================================================ record: happy paths

    function test_record_emitsRecordedAndAdvancesTip() public {
        ILedger.Record memory r = _next(carol);
        bytes memory sig = _signRecord(r);
        vm.expectEmit(address(ledger));
        emit ILedger.Recorded(4, carol, r);
        uint256 id = ledger.record(r, sig);
        _track(r);
        assertEq(id, 4);
        _assertTipMatchesTracked();
        assertEq(ledger.nonces(carol, 0), 1, "nonce consumed");
    }

    function test_record_acceptsNeedSignedByReceiver() public {
        ILedger.Record memory r = _next(carol);
        r.flow = ILedger.Flow.Need;
        r.provider = address(0);
        r.receiver = carol;
        r.time = uint64(block.timestamp + 10 days); // a need may be due in the future
        bytes memory sig = _signRecord(r);
        vm.expectEmit(address(ledger));
        emit ILedger.Recorded(4, carol, r);
        ledger.record(r, sig);
        _track(r);
        _assertTipMatchesTracked();
    }

    function test_record_relayedByAnyone() public {
        ILedger.Record memory r = _next(carol);
        bytes memory sig = _signRecord(r);
        vm.prank(address(0xDEAD));
        ledger.record(r, sig);
        _track(r);
        _assertTipMatchesTracked();
    }

    function test_record_INV_WRITESET_writesOnlyTipAndNonce() public {
        ILedger.Record memory r = _next(carol);
        bytes memory sig = _signRecord(r);
        vm.record();
        ledger.record(r, sig);
        (, bytes32[] memory writes) = vm.accesses(address(ledger));
        assertEq(writes.length, 2, "one write to the tip, one to the nonce");
        assertTrue(writes[0] != writes[1]);
    }

    /// forge-config: default.fuzz.runs = 1000
    function testFuzz_record_INV_UNIQUE_idsAreDense(uint8 n, uint256 seed) public {
        n = uint8(bound(n, 1, 12));
        address[4] memory agents = [alice, bob, carol, address(wallet)];
        ILedger.Record memory last;
        bytes memory lastSig;
        for (uint256 i = 0; i < n; ++i) {
            ILedger.Record memory r = _next(agents[uint256(keccak256(abi.encode(seed, i))) % 4]);
            r.satisfies = uint64(uint256(keccak256(abi.encode(seed, i, "s"))) % (_count() + 1));
            lastSig = _signRecord(r);
            assertEq(ledger.record(r, lastSig), _count() + 1, "ids are 1, 2, 3, ...");
            _track(r);
            last = r;
        }
        _assertTipMatchesTracked();
        // The same signed record cannot get a second id.
        address agent = _agentOf(last);
        vm.expectRevert(
            abi.encodeWithSelector(ILedger.LedgerInvalidNonce.selector, agent, last.nonce, last.nonce + 1)
        );
        ledger.record(last, lastSig);
    }

    // ================================================================ record: field checks

    function _rawRecordCall(ILedger.Record memory r, bytes memory sig, uint256[] memory fields, uint256[] memory words)
        internal
        returns (bool ok, bytes memory ret)
    {
        bytes memory data = abi.encodeCall(ILedger.record, (r, sig));
        for (uint256 k = 0; k < fields.length; ++k) {
            uint256 at = 0x24 + fields[k] * 32;
            uint256 w = words[k];
            assembly ("memory-safe") {
                mstore(add(data, at), w)
            }
        }
        (ok, ret) = address(ledger).call(data);
    }

    function _one(uint256 a) internal pure returns (uint256[] memory x) {
        x = new uint256[](1);
        x[0] = a;
    }

    function _narrowField(uint256 k) internal pure returns (uint256 field, uint256 bits) {
        uint8[8] memory fields = [2, 3, 9, 10, 11, 13, 14, 16];
        uint8[8] memory widths = [160, 160, 128, 0, 64, 64, 64, 64]; // 0: bytes8 (low bits must be clean)
        return (fields[k], widths[k]);
    }

    function _dirty(uint256 clean, uint256 bits, uint256 dirt) internal pure returns (uint256) {
        if (bits == 0) {
            uint256 low = dirt & ((uint256(1) << 192) - 1);
            if (low == 0) low = 1;
            return clean | low;
        }
        uint256 high = dirt << bits;
        if (high == 0) high = uint256(1) << 255;
        return clean | high;
    }

    function testFuzz_record_revertsLedgerMalformedRecordForDirtyBits(uint8 k, uint256 dirt) public {
        (uint256 field, uint256 bits) = _narrowField(k % 8);
        ILedger.Record memory r = _next(carol);
        bytes memory sig = _signRecord(r);
        uint256 word = _dirty(_getField(r, field), bits, dirt);
        (bool ok, bytes memory ret) = _rawRecordCall(r, sig, _one(field), _one(word));
        assertFalse(ok);
        assertEq(ret, abi.encodeWithSelector(ILedger.LedgerMalformedRecord.selector, field, bytes32(word)));
        _assertTipMatchesTracked();
        assertEq(ledger.nonces(carol, 0), 0);
    }

    function test_record_malformedReportsFirstDirtyField() public {
        ILedger.Record memory r = _next(carol);
        bytes memory sig = _signRecord(r);
        uint256[] memory fields = new uint256[](2);
        uint256[] memory words = new uint256[](2);
        fields[0] = 16; // deadline
        words[0] = uint256(r.deadline) | (1 << 100);
        fields[1] = 9; // quantity
        words[1] = uint256(r.quantity) | (1 << 200);
        (bool ok, bytes memory ret) = _rawRecordCall(r, sig, fields, words);
        assertFalse(ok);
        assertEq(ret, abi.encodeWithSelector(ILedger.LedgerMalformedRecord.selector, 9, bytes32(words[1])));
    }

    function testFuzz_record_revertsLedgerInvalidFlow(uint256 flow) public {
        flow = bound(flow, 4, type(uint256).max);
        ILedger.Record memory r = _next(carol);
        (bool ok, bytes memory ret) = _rawRecordCall(r, _signRecord(r), _one(0), _one(flow));
        assertFalse(ok);
        assertEq(ret, abi.encodeWithSelector(ILedger.LedgerInvalidFlow.selector, flow));
    }

    function testFuzz_record_revertsLedgerInvalidAction(uint256 action) public {
        action = bound(action, 19, type(uint256).max);
        ILedger.Record memory r = _next(carol);
        (bool ok, bytes memory ret) = _rawRecordCall(r, _signRecord(r), _one(1), _one(action));
        assertFalse(ok);
        assertEq(ret, abi.encodeWithSelector(ILedger.LedgerInvalidAction.selector, action));
    }

    /// @dev Every (action, side, process) either fits the ValueFlows table and records, or reverts
    /// LedgerInvalidSide with the values.
    function testFuzz_record_revertsLedgerInvalidSideUnlessActionAllowsIt(uint8 action, uint256 side, bool withProcess)
        public
    {
        action = uint8(action % 19);
        if (side % 2 == 0) side = side % 3; // half in range, half anything
        ILedger.Record memory r = _next(carol);
        r.action = ILedger.Action(action);
        r.process = withProcess ? keccak256("some process") : bytes32(0);
        bool fits = _sideFitsModel(action, side, r.process);
        if (side <= 2) r.side = ILedger.Side(side);
        bytes memory sig = _signRecord(r);
        (bool ok, bytes memory ret) = _rawRecordCall(r, sig, _one(8), _one(side));
        if (fits) {
            assertTrue(ok, "allowed side records");
            _track(r);
            _assertTipMatchesTracked();
        } else {
            assertFalse(ok);
            assertEq(ret, abi.encodeWithSelector(ILedger.LedgerInvalidSide.selector, action, side, r.process));
        }
    }

    function test_record_sideRulesFollowValueFlows() public {
        // Spot checks of the table, each direction.
        bytes32 p = keccak256("p");
        assertTrue(_sideFitsModel(uint8(ILedger.Action.Consume), 1, p));
        assertFalse(_sideFitsModel(uint8(ILedger.Action.Consume), 2, p));
        assertTrue(_sideFitsModel(uint8(ILedger.Action.Produce), 2, p));
        assertFalse(_sideFitsModel(uint8(ILedger.Action.Transfer), 1, p));
        ILedger.Record memory r = _next(carol);
        r.action = ILedger.Action.Transfer;
        r.side = ILedger.Side.Output;
        bytes memory sig = _signRecord(r);
        vm.expectRevert(
            abi.encodeWithSelector(ILedger.LedgerInvalidSide.selector, uint256(5), uint256(2), r.process)
        );
        ledger.record(r, sig);
    }

    function test_record_revertsLedgerMissingCommons() public {
        ILedger.Record memory r = _next(carol);
        r.commons = bytes32(0);
        bytes memory sig = _signRecord(r);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerMissingCommons.selector));
        ledger.record(r, sig);
    }

    function test_record_revertsLedgerZeroQuantity() public {
        ILedger.Record memory r = _next(carol);
        r.quantity = 0;
        bytes memory sig = _signRecord(r);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerZeroQuantity.selector));
        ledger.record(r, sig);
    }

    function testFuzz_record_revertsLedgerMissingUnit(uint128 quantity) public {
        quantity = uint128(bound(quantity, 1, type(uint128).max));
        ILedger.Record memory r = _next(carol);
        r.quantity = quantity;
        r.unit = bytes8(0);
        bytes memory sig = _signRecord(r);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerMissingUnit.selector, quantity));
        ledger.record(r, sig);
    }

    function test_record_revertsLedgerMissingTime() public {
        ILedger.Record memory r = _next(carol);
        r.time = 0;
        bytes memory sig = _signRecord(r);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerMissingTime.selector));
        ledger.record(r, sig);
    }

    /// @dev Only events are bound to the clock (with MAX_CLOCK_SKEW); needs, offers and commitments may be due later.
    function testFuzz_record_revertsLedgerTimeInFutureOnlyForEvents(uint64 time, uint8 flow) public {
        ILedger.Flow f = ILedger.Flow(flow % 4);
        if (time % 2 == 0) time = uint64(block.timestamp + SKEW - 100 + time % 200); // around the edge
        vm.assume(time != 0);
        ILedger.Record memory r = _next(carol);
        r.flow = f;
        r.time = time;
        bytes memory sig = _signRecord(r);
        if (f == ILedger.Flow.Event && time > block.timestamp + SKEW) {
            vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerTimeInFuture.selector, time, block.timestamp));
            ledger.record(r, sig);
        } else {
            ledger.record(r, sig);
            _track(r);
            _assertTipMatchesTracked();
        }
    }

    function testFuzz_record_revertsLedgerCorrectionNeedsProof(uint64 corrects) public {
        corrects = uint64(bound(corrects, 1, type(uint64).max));
        ILedger.Record memory r = _next(alice);
        r.corrects = corrects;
        bytes memory sig = _signRecord(r);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerCorrectionNeedsProof.selector, corrects));
        ledger.record(r, sig);
    }

    function testFuzz_record_INV_DAG_revertsLedgerLinkNotFoundForForwardLink(uint64 satisfies) public {
        uint256 nextId = _count() + 1;
        satisfies = uint64(bound(satisfies, nextId, type(uint64).max));
        ILedger.Record memory r = _next(carol);
        r.satisfies = satisfies;
        bytes memory sig = _signRecord(r);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerLinkNotFound.selector, satisfies, nextId));
        ledger.record(r, sig);
    }

    function test_record_INV_DAG_revertsLedgerLinkNotFoundForSelfLink() public {
        ILedger.Record memory r = _next(carol);
        r.satisfies = uint64(_count() + 1);
        bytes memory sig = _signRecord(r);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerLinkNotFound.selector, r.satisfies, _count() + 1));
        ledger.record(r, sig);
    }

    function testFuzz_record_INV_DAG_acceptsBackwardLink(uint64 satisfies) public {
        satisfies = uint64(bound(satisfies, 0, _count()));
        ILedger.Record memory r = _next(carol);
        r.satisfies = satisfies;
        _submit(r);
        _assertTipMatchesTracked();
    }

    /// @dev Any typed record, from any agent: outcome equals the reference model's prediction.
    function testFuzz_record_matchesReferenceModel(RawRecord memory x, uint8 agentChoice, bool signIt) public {
        ILedger.Record memory r = _fromRaw(_clampRaw(x));
        // Shape the wide fields so that each check is reached often.
        if (agentChoice % 3 == 0) r.provider = carol;
        else if (agentChoice % 3 == 1) (r.provider, r.receiver) = (address(0), agentChoice % 2 == 0 ? carol : r.receiver);
        if (x.time % 3 != 0) r.time = uint64(block.timestamp - 1 days + x.time % (2 days));
        if (x.deadline % 3 != 0) r.deadline = uint64(block.timestamp - 1 days + x.deadline % (VALIDITY + 2 days));
        if (x.satisfies % 2 == 0) r.satisfies = uint64(x.satisfies % (_count() + 3));
        if (x.corrects % 4 != 0) r.corrects = 0;
        if (x.nonce % 4 != 0) r.nonce = ledger.nonces(_agentOf(r), uint192(x.nonce >> 64));
        address agent = _agentOf(r);
        bool canSign = keyOf[agent] != 0 && signIt;
        bytes memory sig = canSign ? _signRecord(r) : abi.encodePacked(x.evidence, x.resource, uint8(27));
        bytes memory err = _expectedRecordError(r, canSign);
        if (err.length != 0) {
            vm.expectRevert(err);
            ledger.record(r, sig);
        } else {
            ledger.record(r, sig);
            _track(r);
        }
        _assertTipMatchesTracked();
    }

    // ================================================================ SIG-DEADLINE

    function testFuzz_record_SIG_DEADLINE_acceptsOnlyNowToMaxValidity(uint64 deadline) public {
        if (deadline % 2 == 0) deadline = uint64(block.timestamp - 3 + deadline % 7); // at now
        if (deadline % 3 == 0) deadline = uint64(block.timestamp + VALIDITY - 3 + deadline % 7); // at the far edge
        ILedger.Record memory r = _next(carol);
        r.deadline = deadline;
        bytes memory sig = _signRecord(r);
        if (deadline < block.timestamp) {
            vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerExpired.selector, deadline, block.timestamp));
        } else if (deadline > block.timestamp + VALIDITY) {
            vm.expectRevert(
                abi.encodeWithSelector(ILedger.LedgerDeadlineTooFar.selector, deadline, block.timestamp + VALIDITY)
            );
        }
        ledger.record(r, sig);
    }

    function test_record_SIG_DEADLINE_acceptsDeadlineEqualToNow() public {
        ILedger.Record memory r = _next(carol);
        r.deadline = uint64(block.timestamp);
        _submit(r);
        _assertTipMatchesTracked();
    }

    function test_record_SIG_DEADLINE_revertsLedgerExpiredOneSecondLater() public {
        ILedger.Record memory r = _next(carol);
        r.deadline = uint64(block.timestamp);
        bytes memory sig = _signRecord(r);
        vm.warp(block.timestamp + 1);
        // vm.getBlockTimestamp: with viaIR a `block.timestamp` read after vm.warp may be stale.
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerExpired.selector, r.deadline, vm.getBlockTimestamp()));
        ledger.record(r, sig);
    }

    function test_record_SIG_DEADLINE_zeroIsExpiredNotForever() public {
        ILedger.Record memory r = _next(carol);
        r.deadline = 0;
        bytes memory sig = _signRecord(r);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerExpired.selector, uint64(0), block.timestamp));
        ledger.record(r, sig);
    }

    function test_record_SIG_DEADLINE_revertsLedgerDeadlineTooFar() public {
        ILedger.Record memory r = _next(carol);
        r.deadline = uint64(block.timestamp + VALIDITY + 1);
        bytes memory sig = _signRecord(r);
        vm.expectRevert(
            abi.encodeWithSelector(ILedger.LedgerDeadlineTooFar.selector, r.deadline, block.timestamp + VALIDITY)
        );
        ledger.record(r, sig);
        r.deadline = uint64(block.timestamp + VALIDITY);
        _submit(r);
    }

    // ================================================================ SIG-TAMPER

    /// @dev Sign a valid record (EOA or ERC-1271 agent, provider or receiver side), change one of the
    /// 17 fields: never recorded, and the error is the predicted one.
    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_record_SIG_TAMPER_rejectsAnyChangedField(
        uint256 signerPk,
        uint8 field,
        uint256 seed,
        bool viaWallet,
        bool asNeed
    ) public {
        address agent;
        if (viaWallet) {
            agent = address(wallet);
        } else {
            signerPk = bound(signerPk, 1, SECP256K1_N - 1);
            agent = vm.addr(signerPk);
            vm.assume(agent.code.length == 0);
            keyOf[agent] = signerPk;
        }
        ILedger.Record memory r = _recordOf(agent, ledger.nonces(agent, uint192(seed >> 128)));
        if (asNeed) (r.flow, r.provider, r.receiver) = (ILedger.Flow.Need, address(0), agent);
        assertEq(_expectedRecordError(r, true).length, 0, "base record is valid");
        bytes memory sig = _signRecord(r);

        uint256 i = field % 17;
        ILedger.Record memory t = _copy(r);
        _setField(t, i, _tamperedWord(i, _getField(r, i), uint256(keccak256(abi.encode(seed)))));
        assertTrue(_structHash(t) != _structHash(r), "tampered record differs");
        bytes memory err = _expectedRecordError(t, false);
        assertGt(err.length, 0);

        vm.expectRevert(err);
        ledger.record(t, sig);
        _assertTipMatchesTracked();
        // The untouched record still goes through: the failed attempt consumed nothing.
        ledger.record(r, sig);
    }

    // ================================================================ SIG-REPLAY

    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_record_SIG_REPLAY_resubmissionRevertsForAnyRelayer(uint256 pk, uint192 key, address relayer)
        public
    {
        pk = bound(pk, 1, SECP256K1_N - 1);
        address agent = vm.addr(pk);
        vm.assume(agent.code.length == 0);
        keyOf[agent] = pk;
        ILedger.Record memory r = _recordOf(agent, ledger.nonces(agent, key));
        bytes memory sig = _signRecord(r);
        ledger.record(r, sig);
        _track(r);
        vm.prank(relayer);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidNonce.selector, agent, r.nonce, r.nonce + 1));
        ledger.record(r, sig);
        // Not in a batch either.
        ILedger.Record[] memory rs = new ILedger.Record[](1);
        bytes[] memory sigs = new bytes[](1);
        (rs[0], sigs[0]) = (r, sig);
        vm.expectEmit(address(ledger));
        emit ILedger.RecordSkipped(
            0, agent, abi.encodeWithSelector(ILedger.LedgerInvalidNonce.selector, agent, r.nonce, r.nonce + 1)
        );
        assertEq(ledger.recordBatch(rs, sigs), 0);
        _assertTipMatchesTracked();
    }

    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_record_SIG_REPLAY_otherChainRejected(uint64 chainB, bool viaWallet) public {
        vm.assume(chainB != block.chainid && chainB != 0);
        address agent = viaWallet ? address(wallet) : carol;
        ILedger.Record memory r = _next(agent);
        bytes memory sig = _signRecord(r); // for the current chain
        bytes32 dsA = ledger.domainSeparator();
        vm.chainId(chainB);
        assertTrue(ledger.domainSeparator() != dsA, "domain separator changes with the chain id");
        assertEq(ledger.domainSeparator(), _domainSeparator(address(ledger), chainB));
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, agent));
        ledger.record(r, sig);
        vm.chainId(chainA);
        ledger.record(r, sig);
    }

    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_record_SIG_REPLAY_otherDeploymentRejected(uint256 pk) public {
        pk = bound(pk, 1, SECP256K1_N - 1);
        address agent = vm.addr(pk);
        vm.assume(agent.code.length == 0);
        vm.assume(ledger.nonces(agent, 0) == 0); // not one of the fixture signers
        keyOf[agent] = pk;
        Ledger other = ledgerB;
        ILedger.Record memory r = _recordOf(agent, 0);
        bytes memory sig = _signRecord(r); // for `ledger`
        assertTrue(other.domainSeparator() != ledger.domainSeparator());
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, agent));
        other.record(r, sig);
        (uint64 count,) = other.tip();
        assertEq(count, 0);
        ledger.record(r, sig);
    }

    // ================================================================ SIG-MALLEABLE

    struct Variants {
        bytes sig; // the valid 65-byte signature
        bytes twin; // (r, n - s, v flipped)
        bytes compact; // ERC-2098 (r, vs), 64 bytes
        bytes rawV; // v in {0, 1}
    }

    function _variants(uint256 pk, bytes32 digest) internal pure returns (Variants memory x) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pk, digest);
        x.sig = abi.encodePacked(r, s, v);
        bytes32 sHigh = bytes32(SECP256K1_N - uint256(s));
        uint8 vFlipped = v == 27 ? 28 : 27;
        x.twin = abi.encodePacked(r, sHigh, vFlipped);
        // The twin is a real ECDSA signature of the same digest: the precompile accepts it.
        assertEq(ecrecover(digest, vFlipped, r, sHigh), vm.addr(pk), "the high-s twin recovers the signer");
        (bytes32 cr, bytes32 vs) = vm.signCompact(pk, digest);
        x.compact = abi.encodePacked(cr, vs);
        x.rawV = abi.encodePacked(r, s, v - 27);
    }

    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_record_SIG_MALLEABLE_highSAndCompactFormsRejected(uint256 pk, bytes32 evidence, bool viaWallet)
        public
    {
        address agent;
        if (viaWallet) {
            pk = OWNER_PK;
            agent = address(wallet);
        } else {
            pk = bound(pk, 1, SECP256K1_N - 1);
            agent = vm.addr(pk);
            vm.assume(agent.code.length == 0);
            keyOf[agent] = pk;
        }
        ILedger.Record memory r = _recordOf(agent, ledger.nonces(agent, 0));
        r.evidence = evidence;
        Variants memory x = _variants(pk, _digest(r));

        // The ledger rejects the high-s twin, the 64-byte form and v in {0, 1}...
        bytes memory invalid = abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, agent);
        vm.expectRevert(invalid);
        ledger.record(r, x.twin);
        vm.expectRevert(invalid);
        ledger.record(r, x.compact);
        vm.expectRevert(invalid);
        ledger.record(r, x.rawV);

        ledger.record(r, x.sig);
        _track(r);
        // ...and after the entry no other encoding gets a second one: replay protection is the nonce.
        bytes memory used = abi.encodeWithSelector(ILedger.LedgerInvalidNonce.selector, agent, r.nonce, r.nonce + 1);
        vm.expectRevert(used);
        ledger.record(r, x.twin);
        vm.expectRevert(used);
        ledger.record(r, x.compact);
        _assertTipMatchesTracked();
    }

    // ================================================================ SIG-NONCE

    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_record_SIG_NONCE_succeedsIffNonceIsCurrent(uint192 key, uint8 used, uint256 nonce, uint8 mode)
        public
    {
        used = uint8(bound(used, 0, 3));
        for (uint256 i = 0; i < used; ++i) {
            vm.prank(carol);
            ledger.invalidateNonce(key);
        }
        uint256 current = ledger.nonces(carol, key);
        assertEq(current, (uint256(key) << 64) | used, "key in the high 192 bits, sequence in the low 64");
        if (mode % 4 == 0) nonce = current;
        else if (mode % 4 == 1) nonce = (uint256(key) << 64) | uint64(nonce); // same key, any sequence
        ILedger.Record memory r = _recordOf(carol, nonce);
        bytes memory sig = _signRecord(r);
        uint256 expected = ledger.nonces(carol, uint192(nonce >> 64));
        uint256 bobBefore = ledger.nonces(bob, key);
        if (nonce != expected) {
            vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidNonce.selector, carol, nonce, expected));
            ledger.record(r, sig);
            assertEq(ledger.nonces(carol, uint192(nonce >> 64)), expected, "a failed call consumes nothing");
        } else {
            ledger.record(r, sig);
            assertEq(ledger.nonces(carol, uint192(nonce >> 64)), expected + 1, "consumed");
        }
        assertEq(ledger.nonces(bob, key), bobBefore, "other signers' nonces unchanged");
    }

    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_record_SIG_NONCE_keysAreIndependent(uint192 k1, uint192 k2, bool reverse) public {
        vm.assume(k1 != k2);
        ILedger.Record memory a = _recordOf(carol, ledger.nonces(carol, k1));
        ILedger.Record memory b = _recordOf(carol, ledger.nonces(carol, k2));
        b.evidence = keccak256("b");
        if (reverse) (a, b) = (b, a);
        bytes memory sigA = _signRecord(a);
        bytes memory sigB = _signRecord(b);
        ledger.record(a, sigA);
        assertEq(ledger.nonces(carol, uint192(b.nonce >> 64)), b.nonce, "the other key is untouched");
        ledger.record(b, sigB);
        assertEq(ledger.nonces(carol, k1), ((uint256(k1) << 64) | 1));
        assertEq(ledger.nonces(carol, k2), ((uint256(k2) << 64) | 1));
    }

    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_record_SIG_NONCE_failedCallConsumesNothing(uint8 failure, uint192 key) public {
        ILedger.Record memory r = _recordOf(carol, ledger.nonces(carol, key));
        bytes memory sig = _signRecord(r);
        bytes memory err;
        uint256 f = failure % 4;
        if (f == 0) {
            sig = _sign(BOB_PK, _digest(r));
            err = abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, carol);
        } else if (f == 1) {
            vm.warp(r.deadline + 1);
            err = abi.encodeWithSelector(ILedger.LedgerExpired.selector, r.deadline, vm.getBlockTimestamp());
        } else if (f == 2) {
            sig = new bytes(0);
            err = abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, carol);
        } else {
            r.quantity = 0;
            sig = _signRecord(r);
            err = abi.encodeWithSelector(ILedger.LedgerZeroQuantity.selector);
        }
        vm.record();
        vm.expectRevert(err);
        ledger.record(r, sig);
        (, bytes32[] memory writes) = vm.accesses(address(ledger));
        assertEq(writes.length, 0, "nothing written");
        assertEq(ledger.nonces(carol, key), r.nonce);
        _assertTipMatchesTracked();
    }

    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_invalidateNonce_SIG_NONCE_cancelsOutstandingSignature(uint192 key, bool viaWallet) public {
        address agent = viaWallet ? address(wallet) : carol;
        ILedger.Record memory r = _recordOf(agent, ledger.nonces(agent, key));
        bytes memory sig = _signRecord(r);
        vm.expectEmit(address(ledger));
        emit ILedger.NonceInvalidated(agent, r.nonce);
        vm.prank(agent);
        assertEq(ledger.invalidateNonce(key), r.nonce, "returns the consumed nonce");
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidNonce.selector, agent, r.nonce, r.nonce + 1));
        ledger.record(r, sig);
        _assertTipMatchesTracked();
    }

    function test_invalidateNonce_onlyConsumesCallersNonce() public {
        ILedger.Record memory r = _recordOf(carol, ledger.nonces(carol, 0));
        bytes memory sig = _signRecord(r);
        vm.prank(bob);
        ledger.invalidateNonce(0);
        ledger.record(r, sig); // carol's signature unaffected
    }

    // ================================================================ SIG-1271

    function test_record_SIG_1271_honestWalletAccepted() public {
        ILedger.Record memory r = _next(address(wallet));
        bytes memory sig = _signRecord(r); // by the owner
        vm.expectEmit(address(ledger));
        emit ILedger.Recorded(4, address(wallet), r);
        ledger.record(r, sig);
        _track(r);
        _assertTipMatchesTracked();
    }

    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_record_SIG_1271_honestWalletJudgesOwnerSignature(uint256 pk) public {
        pk = bound(pk, 1, SECP256K1_N - 1);
        ILedger.Record memory r = _next(address(wallet));
        bytes memory sig = _sign(pk, _digest(r));
        if (vm.addr(pk) != owner) {
            vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, address(wallet)));
        }
        ledger.record(r, sig);
    }

    function _badModeRecord(uint256 mode) internal returns (ILedger.Record memory r, bytes memory sig) {
        badWallet.setMode(ERC1271WalletMock.Mode(mode));
        r = _next(address(badWallet));
        sig = _signRecord(r); // a valid owner signature: only the wallet's answer is wrong
    }

    /// @dev WrongMagic, Reverts, ShortReturn, ReturnBomb, GasHog: all just "invalid", with bounded gas.
    function test_record_SIG_1271_misbehavingWalletsRejected() public {
        for (uint256 mode = 1; mode <= 5; ++mode) {
            (ILedger.Record memory r, bytes memory sig) = _badModeRecord(mode);
            uint256 gasBefore = gasleft();
            vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, address(badWallet)));
            ledger.record{gas: 1_000_000}(r, sig);
            assertLt(gasBefore - gasleft(), 250_000, "the wallet gets at most ERC1271_GAS");
        }
        _assertTipMatchesTracked();
    }

    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_record_SIG_1271_misbehavingWalletRejected(uint8 mode, bytes32 evidence) public {
        mode = uint8(bound(mode, 1, 5));
        badWallet.setMode(ERC1271WalletMock.Mode(mode));
        ILedger.Record memory r = _next(address(badWallet));
        r.evidence = evidence;
        bytes memory sig = _signRecord(r);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, address(badWallet)));
        ledger.record(r, sig);
    }

    /// @dev Policy: a wallet that accepts anything is trusted (ERC-1271 delegates the judgement).
    function test_record_SIG_1271_permissiveWalletAccepted() public {
        badWallet.setMode(ERC1271WalletMock.Mode.AlwaysValid);
        ILedger.Record memory r = _next(address(badWallet));
        ledger.record(r, hex"00");
        _track(r);
        _assertTipMatchesTracked();
    }

    /// @dev Policy for EIP-7702 accounts (code at an EOA): the key's own signature is checked first;
    /// anything else goes to the account's isValidSignature.
    function test_record_SIG_1271_accountWithCodeAcceptsKeyAndCodeSignatures() public {
        vm.etch(carol, address(wallet).code); // Honest wallet code whose immutable owner is `owner`
        ILedger.Record memory r = _next(carol);
        ledger.record(r, _sign(CAROL_PK, _digest(r)));
        r = _next(carol);
        ledger.record(r, _sign(OWNER_PK, _digest(r)));
        r = _next(carol);
        bytes memory sig = _sign(BOB_PK, _digest(r));
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, carol));
        ledger.record(r, sig);
    }

    function test_record_SIG_1271_revertsLedgerInsufficientGasBeforeJudgingAWallet() public {
        (ILedger.Record memory r, bytes memory sig) = _badModeRecord(uint256(ERC1271WalletMock.Mode.GasHog));
        vm.expectPartialRevert(ILedger.LedgerInsufficientGas.selector);
        ledger.record{gas: 120_000}(r, sig);
        // With enough gas the verdict is simply "invalid".
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, address(badWallet)));
        ledger.record{gas: 400_000}(r, sig);
    }

    function test_recordBatch_SIG_1271_misbehavingWalletsSkippedWithBoundedGas() public {
        ERC1271WalletMock[5] memory bad;
        ILedger.Record[] memory rs = new ILedger.Record[](7);
        bytes[] memory sigs = new bytes[](7);
        for (uint256 m = 1; m <= 5; ++m) {
            bad[m - 1] = new ERC1271WalletMock(owner);
            bad[m - 1].setMode(ERC1271WalletMock.Mode(m));
            keyOf[address(bad[m - 1])] = OWNER_PK;
            rs[m] = _next(address(bad[m - 1]));
            sigs[m] = _signRecord(rs[m]);
        }
        rs[0] = _next(alice);
        sigs[0] = _signRecord(rs[0]);
        rs[6] = _next(address(wallet));
        sigs[6] = _signRecord(rs[6]);

        vm.expectEmit(address(ledger));
        emit ILedger.Recorded(4, alice, rs[0]);
        for (uint256 m = 1; m <= 5; ++m) {
            vm.expectEmit(address(ledger));
            emit ILedger.RecordSkipped(
                m,
                address(bad[m - 1]),
                abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, address(bad[m - 1]))
            );
        }
        vm.expectEmit(address(ledger));
        emit ILedger.Recorded(5, address(wallet), rs[6]);
        (uint256 recorded,) = _submitBatch(rs, sigs);
        assertEq(recorded, 2);
        emit log_named_uint("recordBatch gas, 5 misbehaving wallets + 2 valid", lastBatchGas);
        assertLt(lastBatchGas, 5 * 200_000 + 2 * 100_000, "bounded: at most ERC1271_GAS per bad wallet");
        _assertTipMatchesTracked();
    }

    // ================================================================ SIG-ZERO

    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_record_SIG_ZERO_garbageNeverRecordsForZeroAgent(bytes memory sig, bytes32 seed) public {
        ILedger.Record memory r = _next(carol);
        (r.provider, r.receiver) = (address(0), address(0));
        r.evidence = seed;
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerZeroAgent.selector));
        ledger.record(r, sig);
        // A 65-byte signature that ecrecover maps to address(0) (r = 0) changes nothing either.
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerZeroAgent.selector));
        ledger.record(r, abi.encodePacked(bytes32(0), seed, uint8(27)));
        _assertTipMatchesTracked();
    }

    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_record_SIG_ZERO_garbageSignatureRejected(bytes memory sig, bool viaWallet) public {
        address agent = viaWallet ? address(wallet) : carol;
        ILedger.Record memory r = _next(agent);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, agent));
        ledger.record(r, sig);
    }

    function test_record_SIG_ZERO_revertsLedgerZeroAgent() public {
        ILedger.Record memory r = _next(carol);
        (r.provider, r.receiver) = (address(0), address(0));
        bytes memory sig = _sign(CAROL_PK, _digest(r));
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerZeroAgent.selector));
        ledger.record(r, sig);
    }

    function test_validate_SIG_ZERO_revertsLedgerZeroAddress() public {
        ILedger.Validation memory v = _validationOf(1, ILedger.Verdict.Accept, address(0));
        ILedger.EntryProof memory p = _proof(1);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerZeroAddress.selector));
        ledger.validate(v, abi.encodePacked(bytes32(0), bytes32(0), uint8(27)), p);
    }

    // ================================================================ recordBatch

    function testFuzz_recordBatch_IN_CONTRACT_revertsLedgerBatchLengthMismatch(uint8 nRecords, uint8 nSigs) public {
        nRecords = uint8(bound(nRecords, 0, 160));
        nSigs = uint8(bound(nSigs, 0, 160));
        vm.assume(nRecords != nSigs || nRecords == 0);
        ILedger.Record[] memory rs = new ILedger.Record[](nRecords);
        bytes[] memory sigs = new bytes[](nSigs);
        vm.expectRevert(
            abi.encodeWithSelector(ILedger.LedgerBatchLengthMismatch.selector, uint256(nRecords), uint256(nSigs))
        );
        ledger.recordBatch(rs, sigs);
    }

    function test_recordBatch_IN_CONTRACT_revertsLedgerBatchLengthMismatchWhenEmpty() public {
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerBatchLengthMismatch.selector, 0, 0));
        ledger.recordBatch(new ILedger.Record[](0), new bytes[](0));
    }

    function testFuzz_recordBatch_IN_CONTRACT_revertsLedgerBatchTooLarge(uint16 n) public {
        n = uint16(bound(n, 151, 400));
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerBatchTooLarge.selector, uint256(n), 150));
        ledger.recordBatch(new ILedger.Record[](n), new bytes[](n));
    }

    function _signedRun(address agent, uint192 key, uint256 n)
        internal
        view
        returns (ILedger.Record[] memory rs, bytes[] memory sigs)
    {
        rs = new ILedger.Record[](n);
        sigs = new bytes[](n);
        uint256 nonce = ledger.nonces(agent, key);
        for (uint256 i = 0; i < n; ++i) {
            rs[i] = _recordOf(agent, nonce + i);
            rs[i].evidence = bytes32(i);
            sigs[i] = _signRecord(rs[i]);
        }
    }

    /// @dev IN-GAS: the largest batch, worst case (150 distinct signers, so 150 cold nonce slots).
    function test_recordBatch_IN_GAS_O1_maxBatchUnderAThirdOfA30MBlock() public {
        ILedger.Record[] memory rs = new ILedger.Record[](150);
        bytes[] memory sigs = new bytes[](150);
        for (uint256 i = 0; i < 150; ++i) {
            uint256 pk = uint256(keccak256(abi.encode("batch signer", i)));
            keyOf[vm.addr(pk)] = pk;
            rs[i] = _recordOf(vm.addr(pk), 0);
            sigs[i] = _signRecord(rs[i]);
        }
        (uint256 recorded,) = _submitBatch(rs, sigs);
        assertEq(recorded, 150);
        emit log_named_uint("recordBatch gas for 150 records", lastBatchGas);
        assertLt(lastBatchGas, 10_000_000);
        _assertTipMatchesTracked();
    }

    /// @dev SIG-BATCH: valid, already-recorded, duplicate-in-batch, expired, bad signature, correction,
    /// wallet saying no, valid: the valid ones are recorded, each other item gets its RecordSkipped.
    function test_recordBatch_SIG_BATCH_recordsValidItemsAndSkipsTheRest() public {
        ILedger.Record memory done = _next(carol);
        bytes memory doneSig = _signRecord(done);
        ledger.record(done, doneSig);
        _track(done);
        badWallet.setMode(ERC1271WalletMock.Mode.WrongMagic);

        ILedger.Record[] memory rs = new ILedger.Record[](9);
        bytes[] memory sigs = new bytes[](9);
        rs[0] = _next(alice); // valid, alice key 0 nonce 1
        rs[1] = done; // already recorded
        rs[2] = rs[0]; // duplicate of item 0
        rs[3] = _next(bob);
        rs[3].deadline = uint64(block.timestamp - 1); // expired
        rs[4] = _next(dave); // signed by the wrong key
        rs[5] = _recordOf(bob, ledger.nonces(bob, 7)); // valid, keyed nonce
        rs[6] = _next(alice);
        rs[6].corrects = 1; // corrections need recordCorrection
        rs[7] = _next(address(badWallet)); // wallet says no
        rs[8] = _next(address(wallet)); // valid
        for (uint256 i = 0; i < 9; ++i) {
            sigs[i] = _signRecord(rs[i]);
        }
        sigs[1] = doneSig;
        sigs[4] = _sign(BOB_PK, _digest(rs[4]));

        vm.expectEmit(address(ledger));
        emit ILedger.Recorded(5, alice, rs[0]);
        _expectSkip(1, carol, abi.encodeWithSelector(ILedger.LedgerInvalidNonce.selector, carol, 0, 1));
        _expectSkip(2, alice, abi.encodeWithSelector(ILedger.LedgerInvalidNonce.selector, alice, 1, 2));
        _expectSkip(3, bob, abi.encodeWithSelector(ILedger.LedgerExpired.selector, rs[3].deadline, block.timestamp));
        _expectSkip(4, dave, abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, dave));
        vm.expectEmit(address(ledger));
        emit ILedger.Recorded(6, bob, rs[5]);
        _expectSkip(6, alice, abi.encodeWithSelector(ILedger.LedgerCorrectionNeedsProof.selector, 1));
        _expectSkip(
            7, address(badWallet), abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, address(badWallet))
        );
        vm.expectEmit(address(ledger));
        emit ILedger.Recorded(7, address(wallet), rs[8]);
        (uint256 recorded, uint256 skipped) = _submitBatch(rs, sigs);
        assertEq(recorded, 3);
        assertEq(skipped, 6);
        _assertTipMatchesTracked();
        assertEq(ledger.nonces(bob, 0), 1, "the expired item consumed nothing");
    }

    function _expectSkip(uint256 index, address agent, bytes memory reason) internal {
        vm.expectEmit(address(ledger));
        emit ILedger.RecordSkipped(index, agent, reason);
    }

    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_recordBatch_SIG_BATCH_frontRunItemCannotRevertBatch(uint8 k, uint8 n) public {
        n = uint8(bound(n, 1, 8));
        k = uint8(k % n);
        ILedger.Record[] memory rs = new ILedger.Record[](n);
        bytes[] memory sigs = new bytes[](n);
        for (uint256 i = 0; i < n; ++i) {
            rs[i] = _recordOf(carol, ledger.nonces(carol, uint192(i + 1)));
            sigs[i] = _signRecord(rs[i]);
        }
        vm.prank(address(0xF00D)); // the front-runner submits item k alone
        ledger.record(rs[k], sigs[k]);
        _track(rs[k]);
        _expectSkip(k, carol, abi.encodeWithSelector(ILedger.LedgerInvalidNonce.selector, carol, rs[k].nonce, rs[k].nonce + 1));
        (uint256 recorded, uint256 skipped) = _submitBatch(rs, sigs);
        assertEq(recorded, n - 1);
        assertEq(skipped, 1);
        _assertTipMatchesTracked();
    }

    function test_recordBatch_allSkippedLeavesTipUnchanged() public {
        ILedger.Record[] memory rs = new ILedger.Record[](2);
        bytes[] memory sigs = new bytes[](2);
        rs[0] = _next(carol);
        rs[1] = _next(dave);
        vm.record();
        assertEq(ledger.recordBatch(rs, sigs), 0);
        (, bytes32[] memory writes) = vm.accesses(address(ledger));
        assertEq(writes.length, 0);
        _assertTipMatchesTracked();
    }

    function test_recordBatch_INV_DAG_linksToEarlierItemOfSameBatch() public {
        (ILedger.Record[] memory rs, bytes[] memory sigs) = _signedRun(carol, 0, 3);
        rs[1].satisfies = 4; // item 0 becomes entry 4
        rs[2].satisfies = 6; // itself: not found
        sigs[1] = _signRecord(rs[1]);
        sigs[2] = _signRecord(rs[2]);
        _expectSkip(2, carol, abi.encodeWithSelector(ILedger.LedgerLinkNotFound.selector, 6, 6));
        (uint256 recorded,) = _submitBatch(rs, sigs);
        assertEq(recorded, 2);
        _assertTipMatchesTracked();
    }

    function test_recordBatch_skipsMalformedItem() public {
        (ILedger.Record[] memory rs, bytes[] memory sigs) = _signedRun(carol, 0, 2);
        bytes memory data = abi.encodeCall(ILedger.recordBatch, (rs, sigs));
        // records: [offset, offset][length][item 0: 17 words][item 1 ...]; dirty item 1's time.
        uint256 at = 0x20 + 4 + 0x60 + 17 * 32 + 11 * 32;
        uint256 word = uint256(rs[1].time) | (uint256(1) << 64);
        assembly ("memory-safe") {
            mstore(add(data, at), word)
        }
        vm.expectEmit(address(ledger));
        emit ILedger.Recorded(4, carol, rs[0]);
        _expectSkip(1, carol, abi.encodeWithSelector(ILedger.LedgerMalformedRecord.selector, 11, bytes32(word)));
        (bool ok, bytes memory ret) = address(ledger).call(data);
        assertTrue(ok);
        assertEq(abi.decode(ret, (uint256)), 1);
        _track(rs[0]);
        _assertTipMatchesTracked();
    }

    // ================================================================ checkpoints

    function test_record_INV_IMMUTABLE_storesCheckpointEvery128Entries() public {
        (ILedger.Record[] memory rs, bytes[] memory sigs) = _signedRun(carol, 0, 125);
        bytes24 expectedHead;
        {
            // Entry 128 is item 124: compute its head from the tracked chain plus the items.
            bytes24 h = heads[_count()];
            for (uint256 i = 0; i < 125; ++i) {
                h = _chain(h, _count() + 1 + i, carol, _structHash(rs[i]));
            }
            expectedHead = h;
        }
        vm.expectEmit(address(ledger));
        emit ILedger.Checkpointed(1, expectedHead);
        _submitBatch(rs, sigs);
        assertEq(ledger.checkpoint(1), heads[128]);
        assertEq(ledger.checkpoint(1), expectedHead);
        assertEq(ledger.checkpoint(0), bytes24(0));
        assertEq(ledger.checkpoint(2), bytes24(0));
        _assertTipMatchesTracked();
    }

    // ================================================================ validate

    function test_validate_acceptEmitsValidatedAndAnchors() public {
        ILedger.Validation memory v = _validationOf(1, ILedger.Verdict.Accept, bob);
        bytes memory sig = _signValidation(v);
        ILedger.EntryProof memory p = _proof(1);
        vm.expectEmit(address(ledger));
        emit ILedger.Validated(1, bob, ILedger.Verdict.Accept, v.evidence, 1, 0);
        ledger.validate(v, sig, p);
        assertTrue(ledger.hasValidated(1, bob));
        (ILedger.EntryState state, uint16 accepts, uint16 disputes, uint64 correctedBy) = ledger.entryState(1);
        assertEq(uint8(state), uint8(ILedger.EntryState.Accepted));
        assertEq(accepts, 1);
        assertEq(disputes, 0);
        assertEq(correctedBy, 0);
        // Anchored: later validations need no proof.
        v = _validationOf(1, ILedger.Verdict.Dispute, carol);
        sig = _signValidation(v);
        vm.expectEmit(address(ledger));
        emit ILedger.Validated(1, carol, ILedger.Verdict.Dispute, v.evidence, 1, 1);
        ledger.validate(v, sig, _emptyProof());
        (state,,,) = ledger.entryState(1);
        assertEq(uint8(state), uint8(ILedger.EntryState.Disputed), "disputes win over accepts");
    }

    function test_validate_erc1271ValidatorAccepted() public {
        ILedger.Validation memory v = _validationOf(1, ILedger.Verdict.Accept, address(wallet));
        bytes memory sig = _signValidation(v);
        ledger.validate(v, sig, _proof(1));
        assertTrue(ledger.hasValidated(1, address(wallet)));
    }

    function test_validate_revertsLedgerSelfValidation() public {
        ILedger.Validation memory v = _validationOf(2, ILedger.Verdict.Accept, bob);
        bytes memory sig = _signValidation(v);
        ILedger.EntryProof memory p = _proof(2);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerSelfValidation.selector, 2, bob));
        ledger.validate(v, sig, p);
    }

    function test_validate_revertsLedgerAlreadyValidated() public {
        _validate(1, ILedger.Verdict.Accept, bob);
        ILedger.Validation memory v = _validationOf(1, ILedger.Verdict.Dispute, bob); // fresh nonce, other verdict
        bytes memory sig = _signValidation(v);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerAlreadyValidated.selector, 1, bob));
        ledger.validate(v, sig, _emptyProof());
    }

    function test_validate_revertsLedgerEntryNotFound() public {
        for (uint256 id = 0; id <= 4; id += 4) {
            ILedger.Validation memory v = _validationOf(id, ILedger.Verdict.Accept, carol);
            bytes memory sig = _signValidation(v);
            vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerEntryNotFound.selector, id));
            ledger.validate(v, sig, _emptyProof());
        }
    }

    function test_validate_revertsLedgerEntryCorrected() public {
        uint256 correctionId = _correct(1);
        ILedger.Validation memory v = _validationOf(1, ILedger.Verdict.Accept, carol);
        bytes memory sig = _signValidation(v);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerEntryCorrected.selector, 1, correctionId));
        ledger.validate(v, sig, _emptyProof());
    }

    function test_validate_revertsLedgerExpiredAndLedgerDeadlineTooFar() public {
        ILedger.Validation memory v = _validationOf(1, ILedger.Verdict.Accept, carol);
        v.deadline = uint64(block.timestamp - 1);
        bytes memory sig = _signValidation(v);
        ILedger.EntryProof memory p = _proof(1);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerExpired.selector, v.deadline, block.timestamp));
        ledger.validate(v, sig, p);
        v.deadline = uint64(block.timestamp + VALIDITY + 1);
        sig = _signValidation(v);
        vm.expectRevert(
            abi.encodeWithSelector(ILedger.LedgerDeadlineTooFar.selector, v.deadline, block.timestamp + VALIDITY)
        );
        ledger.validate(v, sig, p);
        v.deadline = uint64(block.timestamp); // == now is accepted
        sig = _signValidation(v);
        ledger.validate(v, sig, p);
    }

    function test_validate_revertsLedgerInvalidNonceForUsedNonce() public {
        ILedger.Validation memory v = _validationOf(1, ILedger.Verdict.Accept, carol);
        bytes memory sig = _signValidation(v);
        ILedger.EntryProof memory p = _proof(1);
        ledger.validate(v, sig, p);
        assertEq(ledger.nonces(carol, 0), 1, "validations share the keyed nonces");
        ILedger.Validation memory w = _validationOf(2, ILedger.Verdict.Accept, carol);
        w.nonce = 0; // reused
        sig = _signValidation(w);
        p = _proof(2);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidNonce.selector, carol, 0, 1));
        ledger.validate(w, sig, p);
    }

    function test_validate_revertsLedgerInvalidVerdictAndLedgerMalformedValidation() public {
        ILedger.Validation memory v = _validationOf(1, ILedger.Verdict.Accept, carol);
        bytes memory sig = _signValidation(v);
        ILedger.EntryProof memory p = _proof(1);
        uint256[4] memory fields = [uint256(1), 0, 2, 5];
        uint256[4] memory words = [uint256(2), (1 << 64) | 1, uint256(uint160(carol)) | (1 << 160), (uint256(1) << 200) | v.deadline];
        for (uint256 k = 0; k < 4; ++k) {
            bytes memory data = abi.encodeCall(ILedger.validate, (v, sig, p));
            uint256 at = 0x24 + fields[k] * 32;
            uint256 w = words[k];
            assembly ("memory-safe") {
                mstore(add(data, at), w)
            }
            (bool ok, bytes memory ret) = address(ledger).call(data);
            assertFalse(ok);
            if (k == 0) assertEq(ret, abi.encodeWithSelector(ILedger.LedgerInvalidVerdict.selector, w));
            else assertEq(ret, abi.encodeWithSelector(ILedger.LedgerMalformedValidation.selector, fields[k], bytes32(w)));
        }
    }

    function test_validate_revertsLedgerTallyOverflow() public {
        _validate(1, ILedger.Verdict.Accept, bob);
        // Find the entry's info slot (agent in the low 160 bits) and set accepts to the maximum.
        vm.record();
        ledger.entryState(1);
        (bytes32[] memory reads,) = vm.accesses(address(ledger));
        bytes32 slot;
        for (uint256 i = 0; i < reads.length; ++i) {
            uint256 w = uint256(vm.load(address(ledger), reads[i]));
            if (address(uint160(w)) == alice && (w >> 168) & 0xffff == 1) slot = reads[i];
        }
        assertTrue(slot != bytes32(0), "entry info slot found");
        uint256 info = uint256(vm.load(address(ledger), slot));
        info |= uint256(0xffff) << 168;
        vm.store(address(ledger), slot, bytes32(info));
        ILedger.Validation memory v = _validationOf(1, ILedger.Verdict.Accept, carol);
        bytes memory sig = _signValidation(v);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerTallyOverflow.selector, 1));
        ledger.validate(v, sig, _emptyProof());
    }

    /// @dev A wrong proof for an unanchored entry never anchors it.
    /// forge-config: default.fuzz.runs = 1000
    function testFuzz_validate_revertsLedgerInvalidProof(uint8 what, uint256 seed, uint8 entry) public {
        uint256 id = bound(entry, 1, 3);
        ILedger.Validation memory v = _validationOf(id, ILedger.Verdict.Accept, dave);
        bytes memory sig = _signValidation(v);
        ILedger.EntryProof memory p = _proof(id);
        _breakProof(p, what, seed);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidProof.selector, id, _later(id)));
        ledger.validate(v, sig, p);
    }

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

    /// @dev Validation tamper: sign a validation, change one of its 6 fields; rejected with the predicted error.
    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_validate_SIG_TAMPER_rejectsAnyChangedField(uint8 field, uint256 seed, bool viaWallet) public {
        _validate(2, ILedger.Verdict.Accept, alice); // entry 2 (bob's) is anchored and validated by alice
        address validator = viaWallet ? address(wallet) : carol;
        ILedger.Validation memory v = _validationOf(2, ILedger.Verdict.Accept, validator);
        bytes memory sig = _signValidation(v);
        ILedger.EntryProof memory p = _proof(2);

        ILedger.Validation memory t = abi.decode(abi.encode(v), (ILedger.Validation));
        uint256 f = field % 6;
        uint256 s = uint256(keccak256(abi.encode(seed)));
        if (f == 0) {
            t.entryId = s % 2 == 0 ? uint64(s >> 1) : uint64((s >> 1) % 6);
            if (t.entryId == 2) t.entryId = 3;
        } else if (f == 1) {
            t.verdict = ILedger.Verdict.Dispute;
        } else if (f == 2) {
            address[4] memory who = [alice, bob, address(uint160(s >> 8)), address(0)];
            t.validator = who[s % 4];
            if (t.validator == validator) t.validator = address(uint160(validator) ^ 1);
        } else if (f == 3) {
            t.evidence = bytes32(s);
        } else if (f == 4) {
            t.nonce = s % 2 == 0 ? s : uint256(uint192(s >> 8)) << 64;
            if (t.nonce == v.nonce) t.nonce ^= 1;
        } else {
            t.deadline = s % 2 == 0 ? uint64(s >> 1) : uint64(block.timestamp - 2 days + (s >> 1) % (VALIDITY + 4 days));
            if (t.deadline == v.deadline) t.deadline ^= 1;
        }
        vm.expectRevert(_expectedValidationError(t, 2));
        ledger.validate(t, sig, p);
        ledger.validate(v, sig, p); // the untouched validation still works
    }

    /// @dev Reference model of validate's checks for a typed validation whose proof is for `proofEntry`.
    function _expectedValidationError(ILedger.Validation memory t, uint256 proofEntry)
        internal
        view
        returns (bytes memory)
    {
        if (t.validator == address(0)) return abi.encodeWithSelector(ILedger.LedgerZeroAddress.selector);
        if (t.deadline < block.timestamp) {
            return abi.encodeWithSelector(ILedger.LedgerExpired.selector, t.deadline, block.timestamp);
        }
        if (t.deadline > block.timestamp + VALIDITY) {
            return abi.encodeWithSelector(ILedger.LedgerDeadlineTooFar.selector, t.deadline, block.timestamp + VALIDITY);
        }
        uint256 id = t.entryId;
        if (id == 0 || id > _count()) return abi.encodeWithSelector(ILedger.LedgerEntryNotFound.selector, id);
        (, uint16 accepts, uint16 disputes,) = ledger.entryState(id);
        bool anchored = accepts + disputes > 0;
        if (!anchored && id != proofEntry) {
            return abi.encodeWithSelector(ILedger.LedgerInvalidProof.selector, id, _later(id));
        }
        if (t.validator == trackedSigners[id - 1]) {
            return abi.encodeWithSelector(ILedger.LedgerSelfValidation.selector, id, t.validator);
        }
        if (ledger.hasValidated(id, t.validator)) {
            return abi.encodeWithSelector(ILedger.LedgerAlreadyValidated.selector, id, t.validator);
        }
        uint256 expected = ledger.nonces(t.validator, uint192(t.nonce >> 64));
        if (t.nonce != expected) {
            return abi.encodeWithSelector(ILedger.LedgerInvalidNonce.selector, t.validator, t.nonce, expected);
        }
        return abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, t.validator);
    }

    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_validate_SIG_REPLAY_otherChainRejected(uint64 chainB) public {
        vm.assume(chainB != block.chainid && chainB != 0);
        ILedger.Validation memory v = _validationOf(1, ILedger.Verdict.Accept, carol);
        bytes memory sig = _signValidation(v);
        ILedger.EntryProof memory p = _proof(1);
        vm.chainId(chainB);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, carol));
        ledger.validate(v, sig, p);
        vm.chainId(chainA);
        ledger.validate(v, sig, p);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerAlreadyValidated.selector, 1, carol));
        ledger.validate(v, sig, p);
    }

    // ================================================================ recordCorrection

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

    function test_recordCorrection_correctsEntryAndEmitsCorrected() public {
        ILedger.Record memory r = _correctionOf(1);
        bytes memory sig = _signRecord(r);
        ILedger.EntryProof memory p = _proof(1);
        vm.expectEmit(address(ledger));
        emit ILedger.Recorded(4, alice, r);
        vm.expectEmit(address(ledger));
        emit ILedger.Corrected(1, 4);
        assertEq(ledger.recordCorrection(r, sig, p), 4);
        _track(r);
        _assertTipMatchesTracked();
        (ILedger.EntryState state,,, uint64 correctedBy) = ledger.entryState(1);
        assertEq(uint8(state), uint8(ILedger.EntryState.Corrected));
        assertEq(correctedBy, 4);
        (state,,,) = ledger.entryState(4);
        assertEq(uint8(state), uint8(ILedger.EntryState.Claimed));
    }

    function test_recordCorrection_zeroQuantityVoidsEntry() public {
        ILedger.Record memory r = _correctionOf(3); // the wallet's entry
        (r.quantity, r.unit) = (0, bytes8(0));
        bytes memory sig = _signRecord(r);
        ILedger.EntryProof memory p = _proof(3);
        ledger.recordCorrection(r, sig, p);
        _track(r);
        _assertTipMatchesTracked();
    }

    function test_recordCorrection_revertsLedgerNotACorrection() public {
        ILedger.Record memory r = _next(alice);
        bytes memory sig = _signRecord(r);
        ILedger.EntryProof memory p = _proof(1);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerNotACorrection.selector));
        ledger.recordCorrection(r, sig, p);
    }

    function test_recordCorrection_revertsLedgerNotEntryAgent() public {
        ILedger.Record memory r = _next(bob);
        r.corrects = 1; // alice's entry
        bytes memory sig = _signRecord(r);
        ILedger.EntryProof memory p = _proof(1);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerNotEntryAgent.selector, 1, alice, bob));
        ledger.recordCorrection(r, sig, p);
        _assertTipMatchesTracked();
        assertEq(ledger.nonces(bob, 0), 1, "nothing consumed");
    }

    function test_recordCorrection_revertsLedgerAlreadyCorrected() public {
        uint256 first = _correct(1);
        ILedger.Record memory r = _correctionOf(1);
        bytes memory sig = _signRecord(r);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerAlreadyCorrected.selector, 1, first));
        ledger.recordCorrection(r, sig, _emptyProof());
        // Correcting the correction is the way.
        uint256 second = _correct(first);
        (ILedger.EntryState state,,, uint64 correctedBy) = ledger.entryState(first);
        assertEq(uint8(state), uint8(ILedger.EntryState.Corrected));
        assertEq(correctedBy, second);
        _assertTipMatchesTracked();
    }

    function testFuzz_recordCorrection_INV_DAG_revertsLedgerLinkNotFound(uint64 corrects) public {
        uint256 nextId = _count() + 1;
        corrects = uint64(bound(corrects, nextId, type(uint64).max));
        ILedger.Record memory r = _next(alice);
        r.corrects = corrects;
        bytes memory sig = _signRecord(r);
        ILedger.EntryProof memory p = _proof(1);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerLinkNotFound.selector, corrects, nextId));
        ledger.recordCorrection(r, sig, p);
    }

    function testFuzz_recordCorrection_revertsLedgerInvalidProof(uint8 what, uint256 seed) public {
        ILedger.Record memory r = _correctionOf(1);
        bytes memory sig = _signRecord(r);
        ILedger.EntryProof memory p = _proof(1);
        _breakProof(p, what, seed);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidProof.selector, 1, 2));
        ledger.recordCorrection(r, sig, p);
    }

    function test_recordCorrection_anchoredEntryNeedsNoProof() public {
        _validate(1, ILedger.Verdict.Accept, bob);
        ILedger.Record memory r = _correctionOf(1);
        bytes memory sig = _signRecord(r);
        ledger.recordCorrection(r, sig, _emptyProof());
        _track(r);
        _assertTipMatchesTracked();
    }

    function test_recordCorrection_revertsLedgerInvalidSignature() public {
        ILedger.Record memory r = _correctionOf(1);
        bytes memory sig = _sign(BOB_PK, _digest(r));
        ILedger.EntryProof memory p = _proof(1);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, alice));
        ledger.recordCorrection(r, sig, p);
    }

    // ================================================================ entryState and quorum

    function test_entryState_revertsLedgerEntryNotFound() public {
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerEntryNotFound.selector, 0));
        ledger.entryState(0);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerEntryNotFound.selector, 4));
        ledger.entryState(4);
    }

    function test_entryState_unvalidatedIsClaimed() public view {
        (ILedger.EntryState state, uint16 a, uint16 d, uint64 c) = ledger.entryState(3);
        assertEq(uint8(state), uint8(ILedger.EntryState.Claimed));
        assertEq(a + d + c, 0);
    }

    function _validatorKey(uint256 i) internal pure returns (uint256) {
        return uint256(keccak256(abi.encode("validator", i))) % (SECP256K1_N - 1) + 1;
    }

    /// @dev State after a accepts and d disputes under rule (r, b): Corrected > Disputed > Accepted > Claimed.
    function testFuzz_entryState_followsQuorumRule(
        uint16 acceptsRequired,
        uint16 disputesToBlock,
        uint8 accepts,
        uint8 disputes,
        bool corrected
    ) public {
        acceptsRequired = uint16(bound(acceptsRequired, 1, 4));
        disputesToBlock = uint16(bound(disputesToBlock, 1, 4));
        accepts = uint8(bound(accepts, 0, 5));
        disputes = uint8(bound(disputes, 0, 5));
        bytes32 c = ledger.registerCommons(bytes32("salt"), "Quorum commons");
        ledger.setQuorumRule(c, ILedger.Action.DeliverService, acceptsRequired, disputesToBlock);
        ILedger.Record memory r = _next(carol);
        r.commons = c;
        uint256 id = _submit(r);
        for (uint256 i = 0; i < uint256(accepts) + disputes; ++i) {
            address validator = vm.addr(_validatorKey(i));
            keyOf[validator] = _validatorKey(i);
            _appoint(c, validator);
            _validate(id, i < accepts ? ILedger.Verdict.Accept : ILedger.Verdict.Dispute, validator);
        }
        if (corrected) _correct(id);
        (ILedger.EntryState state, uint16 a, uint16 d, uint64 correctedBy) = ledger.entryState(id);
        assertEq(a, accepts);
        assertEq(d, disputes);
        ILedger.EntryState expected = corrected
            ? ILedger.EntryState.Corrected
            : disputes >= disputesToBlock
                ? ILedger.EntryState.Disputed
                : accepts >= acceptsRequired ? ILedger.EntryState.Accepted : ILedger.EntryState.Claimed;
        assertEq(uint8(state), uint8(expected));
        assertEq(correctedBy, corrected ? id + 1 : 0);
    }

    function test_entryState_usesRuleOfEntryCommonsAndAction() public {
        bytes32 c = ledger.registerCommons(bytes32("salt"), "Quorum commons");
        ledger.setQuorumRule(c, ILedger.Action.DeliverService, 2, 3);
        ILedger.Record memory r = _next(carol);
        r.commons = c;
        uint256 strict = _submit(r);
        r = _next(carol);
        r.commons = c;
        r.action = ILedger.Action.Work; // no rule set: default (1, 1)
        uint256 lenient = _submit(r);
        _appoint(c, alice);
        _validate(strict, ILedger.Verdict.Accept, alice);
        _validate(lenient, ILedger.Verdict.Accept, alice);
        (ILedger.EntryState s1,,,) = ledger.entryState(strict);
        (ILedger.EntryState s2,,,) = ledger.entryState(lenient);
        assertEq(uint8(s1), uint8(ILedger.EntryState.Claimed));
        assertEq(uint8(s2), uint8(ILedger.EntryState.Accepted));
        ILedger.QuorumRule memory q = ledger.quorumRule(c, ILedger.Action.Work);
        assertEq(q.acceptsRequired, 1);
        assertEq(q.disputesToBlock, 1);
    }

    // ================================================================ commons

    function test_registerCommons_registersCallerAsFirstSteward() public {
        bytes32 expected = keccak256(abi.encode(address(this), bytes32("s")));
        vm.expectEmit(address(ledger));
        emit ILedger.CommonsRegistered(expected, address(this), bytes32("s"), "Garden");
        vm.expectEmit(address(ledger));
        emit ILedger.StewardAdded(expected, address(this), address(this));
        assertEq(ledger.registerCommons(bytes32("s"), "Garden"), expected);
        assertTrue(ledger.commonsExists(expected));
        assertTrue(ledger.isSteward(expected, address(this)));
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerCommonsExists.selector, expected));
        ledger.registerCommons(bytes32("s"), "Garden again");
    }

    function testFuzz_registerCommons_revertsLedgerInvalidName(uint16 length) public {
        length = uint16(bound(length, 0, 400));
        string memory name = string(new bytes(length));
        if (length == 0 || length > 200) {
            vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidName.selector, uint256(length), 200));
        }
        ledger.registerCommons(bytes32(uint256(length)), name);
    }

    function test_addSteward_onlyStewardAddsNewNonZeroSteward() public {
        bytes32 c = ledger.registerCommons(bytes32("s"), "Garden");
        bytes32 unknown = keccak256("unknown");
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerCommonsUnknown.selector, unknown));
        ledger.addSteward(unknown, bob);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerNotSteward.selector, c, bob));
        ledger.addSteward(c, bob);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerZeroAddress.selector));
        ledger.addSteward(c, address(0));
        vm.expectEmit(address(ledger));
        emit ILedger.StewardAdded(c, bob, address(this));
        ledger.addSteward(c, bob);
        assertTrue(ledger.isSteward(c, bob));
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerAlreadySteward.selector, c, bob));
        ledger.addSteward(c, bob);
    }

    function test_removeSteward_revertsLedgerStewardsBelowThreshold() public {
        bytes32 c = ledger.registerCommons(bytes32("s"), "Garden");
        ledger.addSteward(c, bob);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerNotSteward.selector, c, carol));
        ledger.removeSteward(c, carol);
        vm.expectEmit(address(ledger));
        emit ILedger.StewardRemoved(c, address(this), bob);
        vm.prank(bob);
        ledger.removeSteward(c, address(this));
        assertFalse(ledger.isSteward(c, address(this)));
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerStewardsBelowThreshold.selector, c, 0, 1));
        ledger.removeSteward(c, bob);
        assertTrue(ledger.isSteward(c, bob));
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerNotSteward.selector, c, address(this)));
        ledger.setQuorumRule(c, ILedger.Action.Work, 1, 1); // a removed steward has no power
    }

    function test_setQuorumRule_revertsLedgerInvalidQuorumRule() public {
        bytes32 c = ledger.registerCommons(bytes32("s"), "Garden");
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidQuorumRule.selector, 0, 1));
        ledger.setQuorumRule(c, ILedger.Action.Work, 0, 1);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidQuorumRule.selector, 1, 0));
        ledger.setQuorumRule(c, ILedger.Action.Work, 1, 0);
        vm.expectEmit(address(ledger));
        emit ILedger.QuorumRuleSet(c, ILedger.Action.Work, 3, 2, address(this));
        ledger.setQuorumRule(c, ILedger.Action.Work, 3, 2);
        ILedger.QuorumRule memory q = ledger.quorumRule(c, ILedger.Action.Work);
        assertEq(q.acceptsRequired, 3);
        assertEq(q.disputesToBlock, 2);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerNotSteward.selector, c, bob));
        ledger.setQuorumRule(c, ILedger.Action.Work, 1, 1);
    }
}

/// @notice Proofs across checkpoint intervals: 300 entries (two closed intervals and an open one).
contract LedgerProofTest is LedgerTestBase {
    uint256 internal constant ENTRIES = 300;

    function setUp() public {
        _deploy();
        address[4] memory agents = [alice, bob, carol, address(wallet)];
        for (uint256 b = 0; b < 2; ++b) {
            ILedger.Record[] memory rs = new ILedger.Record[](150);
            bytes[] memory sigs = new bytes[](150);
            for (uint256 i = 0; i < 150; ++i) {
                uint256 n = b * 150 + i;
                address agent = agents[n % 4];
                rs[i] = _recordOf(agent, n / 4);
                rs[i].evidence = bytes32(n);
                rs[i].satisfies = uint64(n / 2);
                sigs[i] = _signRecord(rs[i]);
            }
            assertEq(ledger.recordBatch(rs, sigs), 150);
            for (uint256 i = 0; i < 150; ++i) {
                _track(rs[i]);
            }
        }
        _assertTipMatchesTracked();
    }

    function test_checkpoint_INV_IMMUTABLE_storesHeadAfterEvery128thEntry() public view {
        assertEq(ledger.checkpoint(0), bytes24(0));
        assertEq(ledger.checkpoint(1), heads[128]);
        assertEq(ledger.checkpoint(2), heads[256]);
        assertEq(ledger.checkpoint(3), bytes24(0));
    }

    function testFuzz_validate_acceptsValidProofForAnyEntry(uint256 entryId, bool dispute) public {
        entryId = bound(entryId, 1, ENTRIES);
        ILedger.Verdict verdict = dispute ? ILedger.Verdict.Dispute : ILedger.Verdict.Accept;
        ILedger.Validation memory v = _validationOf(entryId, verdict, dave);
        bytes memory sig = _signValidation(v);
        ILedger.EntryProof memory p = _proof(entryId);
        assertEq(p.laterSigners.length, _later(entryId));
        vm.expectEmit(address(ledger));
        emit ILedger.Validated(entryId, dave, verdict, v.evidence, dispute ? 0 : 1, dispute ? 1 : 0);
        ledger.validate(v, sig, p);
        (ILedger.EntryState state,,,) = ledger.entryState(entryId);
        assertEq(uint8(state), uint8(dispute ? ILedger.EntryState.Disputed : ILedger.EntryState.Accepted));
    }

    function testFuzz_validate_revertsLedgerInvalidProofForAnyChange(uint256 entryId, uint8 what, uint256 seed)
        public
    {
        entryId = bound(entryId, 1, ENTRIES);
        ILedger.Validation memory v = _validationOf(entryId, ILedger.Verdict.Accept, dave);
        bytes memory sig = _signValidation(v);
        ILedger.EntryProof memory p = _proof(entryId);
        uint256 later = p.laterSigners.length;
        _breakProofHere(p, what, seed);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidProof.selector, entryId, later));
        ledger.validate(v, sig, p);
    }

    function _breakProofHere(ILedger.EntryProof memory p, uint8 what, uint256 seed) internal pure {
        uint256 later = p.laterSigners.length;
        uint256 m = what % 4;
        if (later == 0 && m >= 2) m = m - 2;
        if (m == 0) {
            p.previousHead = bytes32(uint256(p.previousHead) ^ ((seed | 1) << 64));
        } else if (m == 1) {
            p.record.quantity ^= uint128(seed | 1);
        } else if (m == 2) {
            uint256 j = seed % later;
            p.laterSigners[j] = address(uint160(p.laterSigners[j]) ^ uint160(seed | 1));
        } else {
            uint256 j = seed % later;
            p.laterRecordHashes[j] ^= bytes32(seed | 1);
        }
    }

    function testFuzz_recordCorrection_acceptsValidProofForAnyEntry(uint256 entryId) public {
        entryId = bound(entryId, 1, ENTRIES);
        ILedger.Record memory r = _next(trackedSigners[entryId - 1]);
        r.corrects = uint64(entryId);
        bytes memory sig = _signRecord(r);
        ILedger.EntryProof memory p = _proof(entryId);
        vm.expectEmit(address(ledger));
        emit ILedger.Corrected(entryId, ENTRIES + 1);
        ledger.recordCorrection(r, sig, p);
        _track(r);
        _assertTipMatchesTracked();
    }

    /// @dev The open interval's proof runs to the tip, so an append between building and sending a
    /// proof invalidates it (documented: "up to the last entry if that interval is still open").
    function test_validate_revertsLedgerInvalidProofWhenTipMovedPastProof() public {
        ILedger.Validation memory v = _validationOf(290, ILedger.Verdict.Accept, dave);
        bytes memory sig = _signValidation(v);
        ILedger.EntryProof memory p = _proof(290);
        _submit(_next(bob));
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidProof.selector, 290, 11));
        ledger.validate(v, sig, p);
        // Entries of closed intervals are not affected.
        v = _validationOf(100, ILedger.Verdict.Accept, dave);
        sig = _signValidation(v);
        p = _proof(100);
        _submit(_next(bob));
        ledger.validate(v, sig, p);
    }

    /// @dev The low 64 bits of previousHead are not part of the 192-bit head and are ignored.
    function test_validate_ignoresLowBitsOfPreviousHead() public {
        ILedger.Validation memory v = _validationOf(5, ILedger.Verdict.Accept, dave);
        bytes memory sig = _signValidation(v);
        ILedger.EntryProof memory p = _proof(5);
        p.previousHead = bytes32(uint256(p.previousHead) | 0xdead);
        ledger.validate(v, sig, p);
    }
}
