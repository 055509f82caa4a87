// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity 0.8.30;

import {ILedger} from "../contracts/interfaces/ILedger.sol";
import {LedgerTestBase} from "./utils/LedgerTestBase.sol";

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

    function test_checkpoint_INV_IMMUTABLE_storesHeadAfterEveryIntervalOfEntries() public view {
        assertEq(ledger.checkpoint(0), bytes24(0));
        for (uint256 k = 1; k * INTERVAL <= 300; ++k) {
            assertEq(ledger.checkpoint(k), heads[k * INTERVAL]);
        }
        assertEq(ledger.checkpoint(300 / INTERVAL + 1), bytes24(0));
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
        (ILedger.EntryState state, , , ) = ledger.entryState(entryId);
        assertEq(uint8(state), uint8(dispute ? ILedger.EntryState.Disputed : ILedger.EntryState.Accepted));
    }

    function testFuzz_validate_revertsLedgerInvalidProofForAnyChange(uint256 entryId, uint8 what, uint256 seed) public {
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
        _expectValidateRevert(v, sig, p, abi.encodeWithSelector(ILedger.LedgerInvalidProof.selector, 290, 11));
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
