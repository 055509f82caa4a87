// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity 0.8.30;

import {ILedger} from "../contracts/interfaces/ILedger.sol";
import {LedgerUnitTestBase} from "./utils/LedgerTestBase.sol";

/// @notice Commons and quorum: registerCommons, addSteward, removeSteward, setQuorumRule, and entryState under
/// the rule of the entry's commons and action.
contract LedgerCommonsTest is LedgerUnitTestBase {
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
        return (uint256(keccak256(abi.encode("validator", i))) % (SECP256K1_N - 1)) + 1;
    }

    /// @dev `accepts` accepts then `disputes` disputes of entry `id`, each by a new appointed validator.
    function _voteMany(bytes32 c, uint256 id, uint256 accepts, uint256 disputes) private {
        for (uint256 i = 0; i < accepts; ++i) _voteAs(c, id, i, ILedger.Verdict.Accept);
        for (uint256 i = accepts; i < accepts + disputes; ++i) _voteAs(c, id, i, ILedger.Verdict.Dispute);
    }

    /// @dev Validator number `i`, appointed in commons `c`, gives `verdict` on entry `id`.
    function _voteAs(bytes32 c, uint256 id, uint256 i, ILedger.Verdict verdict) private {
        address validator = vm.addr(_validatorKey(i));
        keyOf[validator] = _validatorKey(i);
        _appoint(c, validator);
        _validate(id, verdict, validator);
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
        ledger.setQuorumRule(c, ILedger.Action.DeliverService, acceptsRequired, disputesToBlock, false);
        ILedger.Record memory r = _next(carol);
        r.commons = c;
        uint256 id = _submit(r);
        _voteMany(c, id, accepts, disputes);
        if (corrected) _correct(id);
        (ILedger.EntryState state, uint16 a, uint16 d, uint64 correctedBy) = ledger.entryState(id);
        assertEq(a, accepts);
        assertEq(d, disputes);
        ILedger.EntryState expected =
            corrected
                ? ILedger.EntryState.Corrected
                : disputes >= disputesToBlock
                    ? ILedger.EntryState.Disputed
                    : accepts >= acceptsRequired
                        ? ILedger.EntryState.Accepted
                        : ILedger.EntryState.Claimed;
        assertEq(uint8(state), uint8(expected));
        assertEq(correctedBy, corrected ? id + 1 : 0);
    }

    function test_entryState_usesRuleOfEntryCommonsAndAction() public {
        bytes32 c = ledger.registerCommons(bytes32("salt"), "Quorum commons");
        ledger.setQuorumRule(c, ILedger.Action.DeliverService, 2, 3, false);
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
        (ILedger.EntryState s1, , , ) = ledger.entryState(strict);
        (ILedger.EntryState s2, , , ) = ledger.entryState(lenient);
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
        (uint256 stewards, , ) = ledger.stewardship(expected);
        assertEq(stewards, 1, "the failed registration changed nothing");
    }

    function testFuzz_registerCommons_revertsLedgerInvalidName(uint16 length) public {
        length = uint16(bound(length, 0, 400));
        string memory name = string(new bytes(length));
        if (length == 0 || length > 200) {
            vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidName.selector, uint256(length), 200));
        }
        ledger.registerCommons(bytes32(uint256(length)), name);
        bytes32 id = keccak256(abi.encode(address(this), bytes32(uint256(length))));
        assertEq(ledger.commonsExists(id), length != 0 && length <= 200, "registered only with a valid name");
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
        (uint256 stewards, , ) = ledger.stewardship(c);
        assertEq(stewards, 1, "failed additions changed nothing");
        assertFalse(ledger.isSteward(c, bob));
        vm.expectEmit(address(ledger));
        emit ILedger.StewardAdded(c, bob, address(this));
        ledger.addSteward(c, bob);
        assertTrue(ledger.isSteward(c, bob));
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerAlreadySteward.selector, c, bob));
        ledger.addSteward(c, bob);
        (stewards, , ) = ledger.stewardship(c);
        assertEq(stewards, 2);
    }

    function test_removeSteward_revertsLedgerStewardsBelowThreshold() public {
        bytes32 c = ledger.registerCommons(bytes32("s"), "Garden");
        ledger.addSteward(c, bob);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerNotSteward.selector, c, carol));
        ledger.removeSteward(c, carol);
        (uint256 stewards, , ) = ledger.stewardship(c);
        assertEq(stewards, 2, "the failed removal changed nothing");
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
        ledger.setQuorumRule(c, ILedger.Action.Work, 1, 1, false); // a removed steward has no power
    }

    function test_setQuorumRule_revertsLedgerInvalidQuorumRule() public {
        bytes32 c = ledger.registerCommons(bytes32("s"), "Garden");
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidQuorumRule.selector, 0, 1));
        ledger.setQuorumRule(c, ILedger.Action.Work, 0, 1, false);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidQuorumRule.selector, 1, 0));
        ledger.setQuorumRule(c, ILedger.Action.Work, 1, 0, false);
        ILedger.QuorumRule memory unchanged = ledger.quorumRule(c, ILedger.Action.Work);
        assertEq(unchanged.acceptsRequired, 1, "still the default rule");
        assertEq(unchanged.disputesToBlock, 1, "still the default rule");
        vm.expectEmit(address(ledger));
        emit ILedger.QuorumRuleSet(c, ILedger.Action.Work, 3, 2, false, address(this));
        ledger.setQuorumRule(c, ILedger.Action.Work, 3, 2, false);
        ILedger.QuorumRule memory q = ledger.quorumRule(c, ILedger.Action.Work);
        assertEq(q.acceptsRequired, 3);
        assertEq(q.disputesToBlock, 2);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerNotSteward.selector, c, bob));
        ledger.setQuorumRule(c, ILedger.Action.Work, 1, 1, false);
        q = ledger.quorumRule(c, ILedger.Action.Work);
        assertEq(q.acceptsRequired, 3, "a stranger changes no rule");
    }
}
