// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity 0.8.30;

import {ILedger} from "../contracts/interfaces/ILedger.sol";
import {LedgerUnitTestBase} from "./utils/LedgerTestBase.sol";

/// @notice Ledger.record: happy paths, every field check, and any typed record against the reference model.
contract LedgerRecordTest is LedgerUnitTestBase {
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
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidNonce.selector, agent, last.nonce, last.nonce + 1));
        ledger.record(last, lastSig);
    }

    // ================================================================ record: field checks

    function _rawRecordCall(
        ILedger.Record memory r,
        bytes memory sig,
        uint256[] memory fields,
        uint256[] memory words
    ) internal returns (bool ok, bytes memory ret) {
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
        _assertTipMatchesTracked();
        assertEq(ledger.nonces(carol, 0), 0, "a failed record consumes no nonce");
    }

    function testFuzz_record_revertsLedgerInvalidAction(uint256 action) public {
        action = bound(action, 19, type(uint256).max);
        ILedger.Record memory r = _next(carol);
        (bool ok, bytes memory ret) = _rawRecordCall(r, _signRecord(r), _one(1), _one(action));
        assertFalse(ok);
        assertEq(ret, abi.encodeWithSelector(ILedger.LedgerInvalidAction.selector, action));
        _assertTipMatchesTracked();
        assertEq(ledger.nonces(carol, 0), 0, "a failed record consumes no nonce");
    }

    /// @dev Every (action, side, process) either fits the ValueFlows table and records, or reverts
    /// LedgerInvalidSide with the values.
    function testFuzz_record_revertsLedgerInvalidSideUnlessActionAllowsIt(
        uint8 action,
        uint256 side,
        bool withProcess
    ) public {
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
            _assertTipMatchesTracked();
            assertEq(ledger.nonces(carol, 0), 0, "a failed record consumes no nonce");
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
        _expectRecordRevert(
            r,
            sig,
            abi.encodeWithSelector(ILedger.LedgerInvalidSide.selector, uint256(5), uint256(2), r.process)
        );
    }

    function test_record_revertsLedgerMissingCommons() public {
        ILedger.Record memory r = _next(carol);
        r.commons = bytes32(0);
        bytes memory sig = _signRecord(r);
        _expectRecordRevert(r, sig, abi.encodeWithSelector(ILedger.LedgerMissingCommons.selector));
    }

    function test_record_revertsLedgerZeroQuantity() public {
        ILedger.Record memory r = _next(carol);
        r.quantity = 0;
        bytes memory sig = _signRecord(r);
        _expectRecordRevert(r, sig, abi.encodeWithSelector(ILedger.LedgerZeroQuantity.selector));
    }

    function testFuzz_record_revertsLedgerMissingUnit(uint128 quantity) public {
        quantity = uint128(bound(quantity, 1, type(uint128).max));
        ILedger.Record memory r = _next(carol);
        r.quantity = quantity;
        r.unit = bytes8(0);
        bytes memory sig = _signRecord(r);
        _expectRecordRevert(r, sig, abi.encodeWithSelector(ILedger.LedgerMissingUnit.selector, quantity));
    }

    function test_record_revertsLedgerMissingTime() public {
        ILedger.Record memory r = _next(carol);
        r.time = 0;
        bytes memory sig = _signRecord(r);
        _expectRecordRevert(r, sig, abi.encodeWithSelector(ILedger.LedgerMissingTime.selector));
    }

    /// @dev Only events are bound to the clock (with MAX_CLOCK_SKEW); needs, offers and commitments may be due later.
    function testFuzz_record_revertsLedgerTimeInFutureOnlyForEvents(uint64 time, uint8 flow) public {
        ILedger.Flow f = ILedger.Flow(flow % 4);
        if (time % 2 == 0) time = uint64(block.timestamp + SKEW - 100 + (time % 200)); // around the edge
        vm.assume(time != 0);
        ILedger.Record memory r = _next(carol);
        r.flow = f;
        r.time = time;
        bytes memory sig = _signRecord(r);
        if (f == ILedger.Flow.Event && time > block.timestamp + SKEW) {
            _expectRecordRevert(
                r,
                sig,
                abi.encodeWithSelector(ILedger.LedgerTimeInFuture.selector, time, block.timestamp)
            );
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
        _expectRecordRevert(r, sig, abi.encodeWithSelector(ILedger.LedgerCorrectionNeedsProof.selector, corrects));
    }

    function testFuzz_record_INV_DAG_revertsLedgerLinkNotFoundForForwardLink(uint64 satisfies) public {
        uint256 nextId = _count() + 1;
        satisfies = uint64(bound(satisfies, nextId, type(uint64).max));
        ILedger.Record memory r = _next(carol);
        r.satisfies = satisfies;
        bytes memory sig = _signRecord(r);
        _expectRecordRevert(r, sig, abi.encodeWithSelector(ILedger.LedgerLinkNotFound.selector, satisfies, nextId));
    }

    function test_record_INV_DAG_revertsLedgerLinkNotFoundForSelfLink() public {
        ILedger.Record memory r = _next(carol);
        r.satisfies = uint64(_count() + 1);
        bytes memory sig = _signRecord(r);
        _expectRecordRevert(
            r,
            sig,
            abi.encodeWithSelector(ILedger.LedgerLinkNotFound.selector, r.satisfies, _count() + 1)
        );
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
        else if (agentChoice % 3 == 1)
            (r.provider, r.receiver) = (address(0), agentChoice % 2 == 0 ? carol : r.receiver);
        if (x.time % 3 != 0) r.time = uint64(block.timestamp - 1 days + (x.time % (2 days)));
        if (x.deadline % 3 != 0) r.deadline = uint64(block.timestamp - 1 days + (x.deadline % (VALIDITY + 2 days)));
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
}
