// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity 0.8.30;

import {ILedger} from "../contracts/interfaces/ILedger.sol";
import {LedgerUnitTestBase} from "./utils/LedgerTestBase.sol";

/// @notice Ledger.recordCorrection: corrections with and without proofs, voiding, and each revert.
contract LedgerRecordCorrectionTest is LedgerUnitTestBase {
    // ================================================================ recordCorrection

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
        (ILedger.EntryState state, , , uint64 correctedBy) = ledger.entryState(1);
        assertEq(uint8(state), uint8(ILedger.EntryState.Corrected));
        assertEq(correctedBy, 4);
        (state, , , ) = ledger.entryState(4);
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
        _expectCorrectionRevert(r, sig, p, abi.encodeWithSelector(ILedger.LedgerNotACorrection.selector));
    }

    function test_recordCorrection_revertsLedgerNotEntryAgent() public {
        ILedger.Record memory r = _next(bob);
        r.corrects = 1; // alice's entry
        bytes memory sig = _signRecord(r);
        ILedger.EntryProof memory p = _proof(1);
        _expectCorrectionRevert(r, sig, p, abi.encodeWithSelector(ILedger.LedgerNotEntryAgent.selector, 1, alice, bob));
        _assertTipMatchesTracked();
        assertEq(ledger.nonces(bob, 0), 1, "nothing consumed");
    }

    function test_recordCorrection_revertsLedgerAlreadyCorrected() public {
        uint256 first = _correct(1);
        ILedger.Record memory r = _correctionOf(1);
        bytes memory sig = _signRecord(r);
        _expectCorrectionRevert(
            r,
            sig,
            _emptyProof(),
            abi.encodeWithSelector(ILedger.LedgerAlreadyCorrected.selector, 1, first)
        );
        // Correcting the correction is the way.
        uint256 second = _correct(first);
        (ILedger.EntryState state, , , uint64 correctedBy) = ledger.entryState(first);
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
        _expectCorrectionRevert(
            r,
            sig,
            p,
            abi.encodeWithSelector(ILedger.LedgerLinkNotFound.selector, corrects, nextId)
        );
    }

    function testFuzz_recordCorrection_revertsLedgerInvalidProof(uint8 what, uint256 seed) public {
        ILedger.Record memory r = _correctionOf(1);
        bytes memory sig = _signRecord(r);
        ILedger.EntryProof memory p = _proof(1);
        _breakProof(p, what, seed);
        _expectCorrectionRevert(r, sig, p, abi.encodeWithSelector(ILedger.LedgerInvalidProof.selector, 1, 2));
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
        _expectCorrectionRevert(r, sig, p, abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, alice));
    }
}
