// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity 0.8.30;

import {ILedger} from "../contracts/interfaces/ILedger.sol";
import {ERC1271WalletMock} from "../contracts/mocks/ERC1271WalletMock.sol";
import {LedgerUnitTestBase} from "./utils/LedgerTestBase.sol";

/// @notice Ledger.recordBatch: bounds, skipped items (SIG-BATCH), links inside a batch, gas of the largest
/// batch, and the checkpoint stored every CHECKPOINT_INTERVAL entries.
contract LedgerRecordBatchTest is LedgerUnitTestBase {
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
        _assertTipMatchesTracked();
    }

    function test_recordBatch_IN_CONTRACT_revertsLedgerBatchLengthMismatchWhenEmpty() public {
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerBatchLengthMismatch.selector, 0, 0));
        ledger.recordBatch(new ILedger.Record[](0), new bytes[](0));
        _assertTipMatchesTracked();
    }

    function testFuzz_recordBatch_IN_CONTRACT_revertsLedgerBatchTooLarge(uint16 n) public {
        n = uint16(bound(n, 151, 400));
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerBatchTooLarge.selector, uint256(n), 150));
        ledger.recordBatch(new ILedger.Record[](n), new bytes[](n));
        _assertTipMatchesTracked();
    }

    function _signedRun(
        address agent,
        uint192 key,
        uint256 n
    ) internal view returns (ILedger.Record[] memory rs, bytes[] memory sigs) {
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
        (uint256 recorded, ) = _submitBatch(rs, sigs);
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
            7,
            address(badWallet),
            abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, address(badWallet))
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
        _expectSkip(
            k,
            carol,
            abi.encodeWithSelector(ILedger.LedgerInvalidNonce.selector, carol, rs[k].nonce, rs[k].nonce + 1)
        );
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
        (uint256 recorded, ) = _submitBatch(rs, sigs);
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

    function test_record_INV_IMMUTABLE_storesCheckpointEveryIntervalOfEntries() public {
        uint256 n = INTERVAL - _count();
        (ILedger.Record[] memory rs, bytes[] memory sigs) = _signedRun(carol, 0, n);
        bytes24 expectedHead;
        {
            // Entry INTERVAL is the batch's last item: compute its head from the tracked chain plus the items.
            bytes24 h = heads[_count()];
            for (uint256 i = 0; i < n; ++i) {
                h = _chain(h, _count() + 1 + i, carol, _structHash(rs[i]));
            }
            expectedHead = h;
        }
        vm.expectEmit(address(ledger));
        emit ILedger.Checkpointed(1, expectedHead);
        _submitBatch(rs, sigs);
        assertEq(ledger.checkpoint(1), heads[INTERVAL]);
        assertEq(ledger.checkpoint(1), expectedHead);
        assertEq(ledger.checkpoint(0), bytes24(0));
        assertEq(ledger.checkpoint(2), bytes24(0));
        _assertTipMatchesTracked();
    }
}
