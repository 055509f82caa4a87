// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity 0.8.30;

import {Vm} from "forge-std/Test.sol";
import {ILedger} from "../contracts/interfaces/ILedger.sol";
import {LedgerTestBase} from "./utils/LedgerTestBase.sol";

/// @notice Ledger.validateBatch (range proofs shared by the entries of one checkpoint interval,
/// skipped items) and the roster: seated validators' marks in the entry's votes slot, marks of
/// validators without a seat, and an endorsement made before a seat was given.
contract LedgerValidateBatchTest is LedgerTestBase {
    address internal erin;
    uint256 internal constant ERIN_PK = 0xE712;

    function setUp() public {
        _deploy();
        erin = _key(ERIN_PK, "erin"); // never appointed unless a test does it
        // 70 entries: interval 1 (entries 1..64) is closed by a checkpoint, 65..70 are open.
        for (uint256 i = 0; i < 70; ++i) _submit(_next(i % 2 == 0 ? alice : carol));
    }

    // ------------------------------------------------------------ helpers

    /// @dev How many distinct slots `slots` names (a slot written twice is listed twice).
    function _distinct(bytes32[] memory slots) internal pure returns (uint256 n) {
        for (uint256 i = 0; i < slots.length; ++i) {
            bool seen;
            for (uint256 j = 0; j < i; ++j) if (slots[j] == slots[i]) seen = true;
            if (!seen) ++n;
        }
    }

    function _ids(uint256 a, uint256 b) internal pure returns (uint256[] memory ids) {
        ids = new uint256[](b - a + 1);
        for (uint256 i = 0; i < ids.length; ++i) ids[i] = a + i;
    }

    /// @dev Validations of `ids` by `validator` (nonces in sequence on key 0) and their signatures.
    function _signedValidations(
        uint256[] memory ids,
        address validator,
        ILedger.Verdict verdict
    ) internal view returns (ILedger.Validation[] memory vs, bytes[] memory sigs) {
        vs = new ILedger.Validation[](ids.length);
        sigs = new bytes[](ids.length);
        uint256 nonce = ledger.nonces(validator, 0);
        for (uint256 i = 0; i < ids.length; ++i) {
            vs[i] = _validationOf(ids[i], verdict, validator);
            vs[i].nonce = nonce + i;
            sigs[i] = _signValidation(vs[i]);
        }
    }

    function _pair(
        ILedger.Validation memory a,
        ILedger.Validation memory b
    ) internal view returns (ILedger.Validation[] memory vs, bytes[] memory sigs) {
        vs = new ILedger.Validation[](2);
        sigs = new bytes[](2);
        vs[0] = a;
        vs[1] = b;
        sigs[0] = _signValidation(a);
        sigs[1] = _signValidation(b);
    }

    /// @dev A further verdict of `validator` on `entryId` reverts LedgerAlreadyValidated and changes nothing.
    function _expectSecondVerdictRefused(uint256 entryId, ILedger.Verdict verdict, address validator) internal {
        ILedger.Validation memory v = _validationOf(entryId, verdict, validator);
        _expectValidateRevert(
            v,
            _signValidation(v),
            _emptyProof(),
            abi.encodeWithSelector(ILedger.LedgerAlreadyValidated.selector, entryId, validator)
        );
    }

    // ================================================================ validateBatch: lengths

    function test_validateBatch_revertsLedgerBatchLengthMismatch() public {
        (ILedger.Validation[] memory vs, ) = _signedValidations(_ids(1, 2), bob, ILedger.Verdict.Accept);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerBatchLengthMismatch.selector, 2, 1));
        ledger.validateBatch(vs, new bytes[](1), _noProofs());
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerBatchLengthMismatch.selector, 0, 0));
        ledger.validateBatch(new ILedger.Validation[](0), new bytes[](0), _noProofs());
    }

    function test_validateBatch_revertsLedgerBatchTooLarge() public {
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerBatchTooLarge.selector, 151, 150));
        ledger.validateBatch(new ILedger.Validation[](151), new bytes[](151), _noProofs());
    }

    // ================================================================ validateBatch: range proofs

    function test_validateBatch_oneRangeProofAnchorsEveryEntryItGives() public {
        uint256[] memory ids = _ids(10, 40);
        (ILedger.Validation[] memory vs, bytes[] memory sigs) = _signedValidations(ids, dave, ILedger.Verdict.Accept);
        for (uint256 i = 0; i < ids.length; ++i) {
            vm.expectEmit(address(ledger));
            emit ILedger.Validated(ids[i], dave, ILedger.Verdict.Accept, vs[i].evidence, 1, 0);
        }
        assertEq(ledger.validateBatch(vs, sigs, _proofs(_rangeProof(10, ids))), ids.length);
        for (uint256 i = 0; i < ids.length; ++i) {
            (ILedger.EntryState state, uint16 accepts, , ) = ledger.entryState(ids[i]);
            assertEq(uint8(state), uint8(ILedger.EntryState.Accepted));
            assertEq(accepts, 1);
            assertTrue(ledger.hasValidated(ids[i], dave));
        }
        assertEq(ledger.nonces(dave, 0), ids.length, "one nonce per validation");
        // Anchored: a later batch needs no proof.
        (vs, sigs) = _signedValidations(ids, bob, ILedger.Verdict.Dispute);
        assertEq(ledger.validateBatch(vs, sigs, _noProofs()), ids.length);
        (, , uint16 disputes, ) = ledger.entryState(40);
        assertEq(disputes, 1);
    }

    function test_validateBatch_proofOfTheOpenIntervalRunsToTheTip() public {
        uint256[] memory ids = _ids(65, 70);
        (ILedger.Validation[] memory vs, bytes[] memory sigs) = _signedValidations(ids, dave, ILedger.Verdict.Accept);
        assertEq(ledger.validateBatch(vs, sigs, _proofs(_rangeProof(65, ids))), 6);
    }

    function test_validateBatch_proofsOfTwoIntervals() public {
        uint256[] memory ids = new uint256[](2);
        ids[0] = 64;
        ids[1] = 65;
        (ILedger.Validation[] memory vs, bytes[] memory sigs) = _signedValidations(ids, dave, ILedger.Verdict.Accept);
        ILedger.RangeProof[] memory ps = new ILedger.RangeProof[](2);
        ps[0] = _rangeProof(64, _one(64));
        ps[1] = _rangeProof(65, _one(65));
        assertEq(ledger.validateBatch(vs, sigs, ps), 2);
    }

    /// @dev A wrong proof reverts the whole batch and anchors nothing.
    /// forge-config: default.fuzz.runs = 500
    function testFuzz_validateBatch_revertsLedgerInvalidProofForAnyChange(uint8 what, uint256 seed) public {
        uint256[] memory ids = _ids(20, 22);
        (ILedger.Validation[] memory vs, bytes[] memory sigs) = _signedValidations(ids, dave, ILedger.Verdict.Accept);
        ILedger.RangeProof memory p = _rangeProof(20, ids);
        uint256 n = p.signers.length; // 45: entries 20..64
        uint256 expectedLater = 44;
        what = uint8(bound(what, 0, 7));
        if (what == 0) p.previousHead ^= bytes32(uint256(1) << (64 + (seed % 192)));
        else if (what == 1) p.records[seed % 3].quantity ^= uint128(seed | 1);
        else if (what == 2) p.recordHashes[3 + (seed % (n - 3))] ^= bytes32(seed | 1);
        else if (what == 3) p.signers[3 + (seed % (n - 3))] = address(uint160(seed | 1) ^ uint160(alice));
        else if (what == 4) {
            // A record given in full where the proof says signer + hash, so one record too few.
            p.signers[0] = alice;
            p.recordHashes[0] = trackedHashes[19];
        } else if (what == 5) {
            // One position too many (a range past the interval's end).
            address[] memory s = new address[](n + 1);
            for (uint256 i = 0; i < n; ++i) s[i] = p.signers[i];
            p.signers = s;
        } else if (what == 6) {
            // Records out of order.
            (p.records[0], p.records[1]) = (p.records[1], p.records[0]);
        } else {
            // An extra record no position uses.
            ILedger.Record[] memory rs = new ILedger.Record[](4);
            for (uint256 i = 0; i < 3; ++i) rs[i] = p.records[i];
            rs[3] = trackedRecords[0];
            p.records = rs;
        }
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidProof.selector, 20, expectedLater));
        ledger.validateBatch(vs, sigs, _proofs(p));
        assertFalse(ledger.hasValidated(20, dave));
        assertEq(ledger.nonces(dave, 0), 0);
    }

    function test_validateBatch_revertsLedgerEntryNotFoundForARangeBeyondTheTip() public {
        (ILedger.Validation[] memory vs, bytes[] memory sigs) = _signedValidations(
            _one(1),
            dave,
            ILedger.Verdict.Accept
        );
        ILedger.RangeProof memory p = _rangeProof(1, _one(1));
        p.firstId = 71;
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerEntryNotFound.selector, 71));
        ledger.validateBatch(vs, sigs, _proofs(p));
        p.firstId = 0;
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerEntryNotFound.selector, 0));
        ledger.validateBatch(vs, sigs, _proofs(p));
    }

    // ================================================================ validateBatch: skipped items

    function _expectSkip(uint256 index, address validator, bytes memory reason) internal {
        vm.expectEmit(address(ledger));
        emit ILedger.ValidationSkipped(index, validator, reason);
    }

    function test_validateBatch_skipsAnEntryNeitherAnchoredNorProven() public {
        (ILedger.Validation[] memory vs, bytes[] memory sigs) = _signedValidations(
            _ids(5, 6),
            dave,
            ILedger.Verdict.Accept
        );
        _expectSkip(1, dave, abi.encodeWithSelector(ILedger.LedgerEntryNotAnchored.selector, 6));
        assertEq(ledger.validateBatch(vs, sigs, _proofs(_rangeProof(5, _one(5)))), 1);
        assertTrue(ledger.hasValidated(5, dave));
        assertFalse(ledger.hasValidated(6, dave));
        assertEq(ledger.nonces(dave, 0), 1, "the skipped item consumed no nonce");
    }

    function test_validateBatch_skipsEachInvalidItemAndRecordsTheRest() public {
        _validate(1, ILedger.Verdict.Accept, bob); // anchors 1; bob has validated it
        _validate(2, ILedger.Verdict.Accept, bob); // anchors 2
        uint256 n = 8;
        ILedger.Validation[] memory vs = new ILedger.Validation[](n);
        bytes[] memory sigs = new bytes[](n);
        uint256 bobNonce = ledger.nonces(bob, 0);
        // 0: valid (dave on 1)
        vs[0] = _validationOf(1, ILedger.Verdict.Accept, dave);
        // 1: bob again on 1
        vs[1] = _validationOf(1, ILedger.Verdict.Dispute, bob);
        // 2: alice on her own entry 1
        vs[2] = _validationOf(1, ILedger.Verdict.Accept, alice);
        // 3: expired
        vs[3] = _validationOf(2, ILedger.Verdict.Accept, dave);
        vs[3].nonce = 1;
        vs[3].deadline = uint64(block.timestamp - 1);
        // 4: entry beyond the tip
        vs[4] = _validationOf(71, ILedger.Verdict.Accept, dave);
        // 5: a used nonce (dave's 0 is taken by item 0)
        vs[5] = _validationOf(2, ILedger.Verdict.Accept, dave);
        // 6: bad signature (signed by someone else), checked below
        vs[6] = _validationOf(2, ILedger.Verdict.Accept, owner);
        // 7: valid (dave on 2 with his next nonce)
        vs[7] = _validationOf(2, ILedger.Verdict.Dispute, dave);
        vs[7].nonce = 1;
        for (uint256 i = 0; i < n; ++i) sigs[i] = _signValidation(vs[i]);
        sigs[6] = _sign(ALICE_PK, ledger.validationDigest(vs[6]));
        vs[1].nonce = bobNonce;
        sigs[1] = _signValidation(vs[1]);

        vm.expectEmit(address(ledger));
        emit ILedger.Validated(1, dave, ILedger.Verdict.Accept, vs[0].evidence, 2, 0);
        _expectSkip(1, bob, abi.encodeWithSelector(ILedger.LedgerAlreadyValidated.selector, 1, bob));
        _expectSkip(2, alice, abi.encodeWithSelector(ILedger.LedgerSelfValidation.selector, 1, alice));
        _expectSkip(
            3,
            dave,
            abi.encodeWithSelector(ILedger.LedgerExpired.selector, block.timestamp - 1, block.timestamp)
        );
        _expectSkip(4, dave, abi.encodeWithSelector(ILedger.LedgerEntryNotFound.selector, 71));
        _expectSkip(5, dave, abi.encodeWithSelector(ILedger.LedgerInvalidNonce.selector, dave, 0, 1));
        _expectSkip(6, owner, abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, owner));
        vm.expectEmit(address(ledger));
        emit ILedger.Validated(2, dave, ILedger.Verdict.Dispute, vs[7].evidence, 1, 1);
        assertEq(ledger.validateBatch(vs, sigs, _noProofs()), 2);
        assertEq(ledger.nonces(bob, 0), bobNonce, "skipped: no nonce consumed");
        assertEq(ledger.nonces(owner, 0), 0);
    }

    function test_validateBatch_skipsACorrectedEntry() public {
        ILedger.Record memory c = _next(alice);
        c.corrects = 1;
        ledger.recordCorrection(c, _signRecord(c), _proof(1));
        _track(c);
        (ILedger.Validation[] memory vs, bytes[] memory sigs) = _signedValidations(
            _one(1),
            dave,
            ILedger.Verdict.Accept
        );
        _expectSkip(0, dave, abi.encodeWithSelector(ILedger.LedgerEntryCorrected.selector, 1, 71));
        assertEq(ledger.validateBatch(vs, sigs, _noProofs()), 0);
    }

    function test_validateBatch_skipsATallyOverflowWithoutWriting() public {
        // Covered for validate in LedgerValidateTest; here the batch reports it and writes nothing.
        _validate(1, ILedger.Verdict.Accept, bob);
        _validate(1, ILedger.Verdict.Accept, address(wallet));
        _moveVotes(1); // the votes slot holds uint16 tallies
        bytes32 slot = _votesSlot(1, 7);
        vm.store(address(ledger), slot, bytes32(uint256(vm.load(address(ledger), slot)) | (uint256(0xffff) << 224)));
        (ILedger.Validation[] memory vs, bytes[] memory sigs) = _signedValidations(
            _one(1),
            dave,
            ILedger.Verdict.Accept
        );
        _expectSkip(0, dave, abi.encodeWithSelector(ILedger.LedgerTallyOverflow.selector, 1));
        assertEq(ledger.validateBatch(vs, sigs, _noProofs()), 0);
        assertFalse(ledger.hasValidated(1, dave));
        assertEq(ledger.nonces(dave, 0), 0);
    }

    // ================================================================ votes in the entry's info, then in its votes slot

    /// @dev The first four validations that have a seat or count live in the entry's info, whichever
    /// kind (seated endorsement, counted; an unseated endorsement takes a slot of its own and no place).
    function test_validate_keepsTheFirstFourValidationsInTheEntrysInfo() public {
        ledger.setRoles(COMMONS, dave, 0); // dave keeps his seat but no role: his opinions are endorsements
        // Entry 1: an unseated endorsement first (erin), then a seated endorsement (dave), then counted ones.
        ILedger.Validation memory v = _validationOf(1, ILedger.Verdict.Accept, erin);
        ledger.validate(v, _signValidation(v), _proof(1));
        v = _validationOf(1, ILedger.Verdict.Dispute, dave);
        vm.expectEmit(address(ledger));
        emit ILedger.Endorsed(1, dave, ILedger.Verdict.Dispute, v.evidence);
        ledger.validate(v, _signValidation(v), _emptyProof());
        _validate(1, ILedger.Verdict.Dispute, bob);
        v = _validationOf(1, ILedger.Verdict.Accept, address(wallet));
        vm.expectEmit(address(ledger));
        emit ILedger.Validated(1, address(wallet), ILedger.Verdict.Accept, v.evidence, 1, 1);
        ledger.validate(v, _signValidation(v), _emptyProof());
        assertTrue(ledger.hasValidated(1, erin));
        assertTrue(ledger.hasValidated(1, dave));
        assertTrue(ledger.hasValidated(1, bob));
        assertTrue(ledger.hasValidated(1, address(wallet)));
        assertFalse(ledger.hasValidated(1, owner));
        (ILedger.EntryState state, uint16 accepts, uint16 disputes, ) = ledger.entryState(1);
        assertEq(uint8(state), uint8(ILedger.EntryState.Disputed));
        assertEq(accepts, 1);
        assertEq(disputes, 1);
        // Entry 3: four counted validations, all in its info: its votes slot is not written.
        _validate(3, ILedger.Verdict.Accept, bob);
        _validate(3, ILedger.Verdict.Accept, owner);
        _validate(3, ILedger.Verdict.Dispute, carol);
        vm.record();
        _validate(3, ILedger.Verdict.Accept, address(wallet));
        (, bytes32[] memory writes) = vm.accesses(address(ledger));
        // Two slots written: the validator's nonce and the entry's info.
        assertEq(_distinct(writes), 2, "a later validation writes the nonce and the entry's info only");
        (, accepts, disputes, ) = ledger.entryState(3);
        assertEq(accepts, 3);
        assertEq(disputes, 1);
        assertTrue(ledger.hasValidated(3, owner));
        assertTrue(ledger.hasValidated(3, carol));
        _expectSecondVerdictRefused(3, ILedger.Verdict.Dispute, bob);
    }

    /// @dev The fifth validation that has a seat or counts writes the entry's votes slot from the
    /// four in its info, carrying every mark and both tallies; later ones update that slot.
    function test_validate_movesTheVotesToTheirSlotAtTheFifth() public {
        _validate(1, ILedger.Verdict.Accept, bob); // seat 2
        _validate(1, ILedger.Verdict.Dispute, carol); // seat 3
        ILedger.Validation memory v = _validationOf(1, ILedger.Verdict.Accept, erin); // no seat: an endorsement
        ledger.validate(v, _signValidation(v), _emptyProof());
        _validate(1, ILedger.Verdict.Accept, dave); // seat 4
        _validate(1, ILedger.Verdict.Accept, owner); // seat 5: the info's four places are taken
        v = _validationOf(1, ILedger.Verdict.Dispute, address(wallet)); // seat 6
        vm.expectEmit(address(ledger));
        emit ILedger.Validated(1, address(wallet), ILedger.Verdict.Dispute, v.evidence, 3, 2);
        ledger.validate(v, _signValidation(v), _emptyProof());
        bytes32 slot = _votesSlot(1, 3);
        assertEq(uint256(vm.load(address(ledger), slot)), (3 << 224) | (2 << 240) | 0x3e, "marks and tallies");
        (, uint16 accepts, uint16 disputes, ) = ledger.entryState(1);
        assertEq(accepts, 3);
        assertEq(disputes, 2);
        address[5] memory seated = [bob, carol, dave, owner, address(wallet)];
        for (uint256 i = 0; i < seated.length; ++i) {
            assertTrue(ledger.hasValidated(1, seated[i]));
            _expectSecondVerdictRefused(1, ILedger.Verdict.Dispute, seated[i]);
        }
        assertTrue(ledger.hasValidated(1, erin));
        // A sixth (erin, given seat 7 after her endorsement, is refused: her mark is her own slot).
        _appoint(COMMONS, erin);
        _expectSecondVerdictRefused(1, ILedger.Verdict.Accept, erin);
        address frank = _key(0xF4A7C, "frank");
        _appoint(COMMONS, frank); // seat 8
        _validate(1, ILedger.Verdict.Accept, frank);
        assertEq(uint256(vm.load(address(ledger), slot)), (4 << 224) | (2 << 240) | 0xbe, "the slot is updated");
    }

    // ================================================================ unregistered commons

    function test_validate_revertsLedgerCommonsUnknownForAnEntryOfAnUnregisteredCommons() public {
        bytes32 typo = keccak256("not registered");
        ILedger.Record memory r = _next(alice);
        r.commons = typo;
        uint256 id = _submit(r);
        ILedger.Validation memory v = _validationOf(id, ILedger.Verdict.Accept, dave);
        _expectValidateRevert(
            v,
            _signValidation(v),
            _proof(id),
            abi.encodeWithSelector(ILedger.LedgerCommonsUnknown.selector, typo)
        );
        // A range proof does not anchor it either: the batch skips the item.
        (ILedger.Validation[] memory vs, bytes[] memory sigs) = _signedValidations(
            _one(id),
            dave,
            ILedger.Verdict.Accept
        );
        _expectSkip(0, dave, abi.encodeWithSelector(ILedger.LedgerEntryNotAnchored.selector, id));
        assertEq(ledger.validateBatch(vs, sigs, _proofs(_rangeProof(id, _one(id)))), 0);
    }

    // ================================================================ roster

    function test_validate_endorsementBeforeASeatStillCountsAsTheValidatorsOneMark() public {
        ILedger.Validation memory v = _validationOf(1, ILedger.Verdict.Accept, erin);
        vm.expectEmit(address(ledger));
        emit ILedger.Endorsed(1, erin, ILedger.Verdict.Accept, v.evidence);
        ledger.validate(v, _signValidation(v), _proof(1));
        _appoint(COMMONS, erin); // erin now gets a seat
        _expectSecondVerdictRefused(1, ILedger.Verdict.Dispute, erin);
        assertTrue(ledger.hasValidated(1, erin));
        // On another entry her seat's mark is used and her verdict counts.
        v = _validationOf(2, ILedger.Verdict.Accept, erin);
        vm.expectEmit(address(ledger));
        emit ILedger.Validated(2, erin, ILedger.Verdict.Accept, v.evidence, 1, 0);
        ledger.validate(v, _signValidation(v), _proof(2));
        assertTrue(ledger.hasValidated(2, erin));
    }

    function test_validate_seatedValidatorWhoseRoleWasRemovedEndorsesOnceWithItsSeat() public {
        ledger.setRoles(COMMONS, dave, 0);
        ILedger.Validation memory v = _validationOf(1, ILedger.Verdict.Accept, dave);
        vm.expectEmit(address(ledger));
        emit ILedger.Endorsed(1, dave, ILedger.Verdict.Accept, v.evidence);
        ledger.validate(v, _signValidation(v), _proof(1));
        _appoint(COMMONS, dave); // the same seat again
        _expectSecondVerdictRefused(1, ILedger.Verdict.Accept, dave);
    }

    /// @dev Past ROSTER_SEATS appointees, validators have no seat: their marks take a slot of their
    /// own and their verdicts count the same.
    function test_validate_validatorsBeyondTheRosterCountOnce() public {
        uint256 seats = ledger.ROSTER_SEATS();
        for (uint256 i = 0; i < seats - 6; ++i) _appoint(COMMONS, address(uint160(0x10000 + i)));
        _appoint(COMMONS, erin); // seat 225: none
        ILedger.Validation memory v = _validationOf(1, ILedger.Verdict.Accept, erin);
        vm.expectEmit(address(ledger));
        emit ILedger.Validated(1, erin, ILedger.Verdict.Accept, v.evidence, 1, 0);
        ledger.validate(v, _signValidation(v), _proof(1));
        assertTrue(ledger.hasValidated(1, erin));
        _expectSecondVerdictRefused(1, ILedger.Verdict.Dispute, erin);
        // Seated validators' marks are unaffected.
        _validate(1, ILedger.Verdict.Accept, bob);
        (, uint16 accepts, , ) = ledger.entryState(1);
        assertEq(accepts, 2);
        assertFalse(ledger.hasValidated(1, dave));
    }

    /// @dev Seats are per commons: a validator seated in one commons has no mark in another.
    function test_validate_seatsArePerCommons() public {
        bytes32 other = ledger.registerCommons(bytes32("other"), "Other commons");
        _appoint(other, erin); // seat 1 in `other`; bob holds seat 2 in COMMONS
        ILedger.Record memory r = _next(alice);
        r.commons = other;
        uint256 id = _submit(r);
        _validate(id, ILedger.Verdict.Accept, erin);
        assertTrue(ledger.hasValidated(id, erin));
        assertFalse(ledger.hasValidated(id, alice));
        assertFalse(ledger.hasValidated(id, bob));
        // bob holds no role in `other`: his opinion is an endorsement.
        ILedger.Validation memory v = _validationOf(id, ILedger.Verdict.Accept, bob);
        vm.expectEmit(address(ledger));
        emit ILedger.Endorsed(id, bob, ILedger.Verdict.Accept, v.evidence);
        ledger.validate(v, _signValidation(v), _emptyProof());
        (, uint16 accepts, , ) = ledger.entryState(id);
        assertEq(accepts, 1);
    }

    // ================================================================ equivalence

    /// @dev A batch leaves exactly the state the same validations sent one by one leave: the same
    /// events, tallies, states, marks and nonces (the batch is a fast path of `validate`).
    /// forge-config: default.fuzz.runs = 200
    function testFuzz_validateBatch_equalsValidateOneByOne(uint256 seed) public {
        address[5] memory who = [alice, bob, dave, erin, address(wallet)];
        uint256 n = 1 + (seed % 12);
        ILedger.Validation[] memory vs = new ILedger.Validation[](n);
        bytes[] memory sigs = new bytes[](n);
        uint256[5] memory nextNonce;
        for (uint256 i = 0; i < n; ++i) {
            uint256 s = uint256(keccak256(abi.encode(seed, i)));
            uint256 w = s % 5;
            // Entries 60..70 span the closed interval's end and the open one.
            vs[i] = _validationOf(60 + ((s >> 8) % 11), ILedger.Verdict((s >> 16) % 2), who[w]);
            // Mostly fresh nonces, sometimes a repeated one (an invalid item).
            vs[i].nonce = (s >> 24) % 5 == 0 && nextNonce[w] > 0 ? nextNonce[w] - 1 : nextNonce[w]++;
            sigs[i] = _signValidation(vs[i]);
        }
        ILedger.RangeProof[] memory ps = new ILedger.RangeProof[](2);
        ps[0] = _rangeProof(60, _ids(60, 64));
        ps[1] = _rangeProof(65, _ids(65, 70));

        uint256 snapshot = vm.snapshotState();
        vm.recordLogs();
        uint256 recorded = ledger.validateBatch(vs, sigs, ps);
        Vm.Log[] memory batchLogs = vm.getRecordedLogs();
        bytes32[] memory batchState = _stateOf(who);

        vm.revertToState(snapshot);
        vm.recordLogs();
        uint256 sequential = 0;
        for (uint256 i = 0; i < n; ++i) {
            try ledger.validate(vs[i], sigs[i], _proof(vs[i].entryId)) {
                ++sequential;
            } catch {}
        }
        Vm.Log[] memory oneByOne = vm.getRecordedLogs();
        assertEq(recorded, sequential, "same number recorded");
        assertEq(keccak256(abi.encode(_stateOf(who))), keccak256(abi.encode(batchState)), "same state");
        // Same Validated / Endorsed events in the same order (the batch adds ValidationSkipped).
        uint256 j = 0;
        for (uint256 i = 0; i < batchLogs.length; ++i) {
            if (batchLogs[i].topics[0] == ILedger.ValidationSkipped.selector) continue;
            assertEq(batchLogs[i].topics[0], oneByOne[j].topics[0]);
            assertEq(batchLogs[i].topics[1], oneByOne[j].topics[1]);
            assertEq(batchLogs[i].data, oneByOne[j].data);
            ++j;
        }
        assertEq(j, oneByOne.length, "no event missing");
    }

    /// @dev Tallies, states, marks and nonces of entries 60..70 and `who`.
    function _stateOf(address[5] memory who) internal view returns (bytes32[] memory state) {
        state = new bytes32[](11 * 6 + 5);
        uint256 k = 0;
        for (uint256 id = 60; id <= 70; ++id) {
            (ILedger.EntryState s, uint16 a, uint16 d, uint64 c) = ledger.entryState(id);
            state[k++] = keccak256(abi.encode(s, a, d, c));
            for (uint256 w = 0; w < 5; ++w) state[k++] = bytes32(uint256(ledger.hasValidated(id, who[w]) ? 1 : 0));
        }
        for (uint256 w = 0; w < 5; ++w) state[k++] = bytes32(ledger.nonces(who[w], 0));
    }
}
