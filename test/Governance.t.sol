// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity 0.8.30;

import {Vm} from "forge-std/Test.sol";
import {CommonBase} from "forge-std/Base.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {Test} from "forge-std/Test.sol";
import {ILedger} from "../contracts/interfaces/ILedger.sol";
import {IIncomeDistributor} from "../contracts/interfaces/IIncomeDistributor.sol";
import {Deployments, ILedgerWithConstants} from "./utils/Deployments.sol";
import {LedgerTestBase} from "./utils/LedgerTestBase.sol";
import {Tree4} from "./IncomeDistributor.t.sol";

/// @notice Who counts: stewardship by threshold, appointed validators, and the distributor's
/// threshold and objections (issue "Who counts", review findings F-1, F-1b, F-2; checklist
/// GOV-THRESHOLD, GOV-NO-CAPTURE, SYB-ELIGIBLE).
contract GovernanceTest is LedgerTestBase {
    uint256 internal constant ANN_PK = 0xA77;
    uint256 internal constant BEN_PK = 0xBE7;
    uint256 internal constant CAT_PK = 0xCA7;
    uint256 internal constant ROGUE_PK = 0xBAD;
    /// @dev A commons without a stop rule of its own: half of the published amount objected stops it.
    uint16 internal constant DEFAULT_STOP_SHARE_BPS = 5_000;

    IIncomeDistributor internal dist;
    address internal ann;
    address internal ben;
    address internal cat;
    address internal rogue;

    function setUp() public {
        _deploy();
        ann = _key(ANN_PK, "ann");
        ben = _key(BEN_PK, "ben");
        cat = _key(CAT_PK, "cat");
        rogue = _key(ROGUE_PK, "rogue");
        dist = _deployDistributor(address(ledger), 3 days);
    }

    // ------------------------------------------------------------------ helpers

    /// @dev A commons founded by ann with ben and `third` as stewards and a threshold of `threshold`.
    function _commons(address third, uint16 threshold) internal returns (bytes32 c) {
        vm.startPrank(ann);
        c = ledger.registerCommons(bytes32("three"), "Three stewards");
        ledger.addSteward(c, ben);
        ledger.addSteward(c, third);
        ledger.setStewardThreshold(c, threshold);
        vm.stopPrank();
    }

    function _roles(ILedger.Action a) internal pure returns (uint32) {
        return uint32(1) << uint8(a);
    }

    function _entryIn(
        bytes32 c,
        address agent,
        ILedger.Action action,
        uint128 qty,
        bytes8 unit
    ) internal returns (uint256) {
        ILedger.Record memory r = _next(agent);
        r.commons = c;
        r.action = action;
        r.quantity = qty;
        r.unit = unit;
        r.process = bytes32(0);
        r.side = ILedger.Side.None;
        return _submit(r);
    }

    function _state(uint256 id) internal view returns (ILedger.EntryState s, uint16 a, uint16 d) {
        (s, a, d, ) = ledger.entryState(id);
    }

    function _params(
        bytes32 c,
        bytes32 root,
        uint256 total,
        uint256 leaves
    ) internal view returns (IIncomeDistributor.PublishParams memory p) {
        (uint64 count, bytes24 head) = ledger.tip();
        p = IIncomeDistributor.PublishParams({
            commons: c,
            token: address(0),
            root: root,
            total: total,
            income: total,
            leafCount: leaves,
            equationHash: keccak256("equation"),
            ledgerHead: head,
            cutoff: count,
            challengeWindow: 3 days,
            claimPeriod: 1 days,
            equationURI: ""
        });
    }

    function _fund(bytes32 c, uint256 amount) internal {
        vm.deal(address(this), amount);
        dist.depositETH{value: amount}(c);
    }

    // ================================================================ registerCommons

    function test_registerCommons_startsWithTheFounderAloneAndThresholdOne() public {
        bytes32 expected = keccak256(abi.encode(ann, bytes32("g")));
        vm.expectEmit(address(ledger));
        emit ILedger.StewardThresholdSet(expected, 1, ann);
        vm.prank(ann);
        ledger.registerCommons(bytes32("g"), "Garden");
        (uint256 stewards, uint256 threshold, uint256 epoch) = ledger.stewardship(expected);
        assertEq(stewards, 1);
        assertEq(threshold, 1);
        assertEq(epoch, 0);
        assertEq(ledger.rolesOf(expected, ann), 0, "the founder holds no validator role");
        (stewards, threshold, epoch) = ledger.stewardship(keccak256("unknown"));
        assertEq(stewards + threshold + epoch, 0);
    }

    // ================================================================ proposals

    /// @dev The id the next proposal gets: proposals are numbered 1, 2, ... (read from proposalOf).
    function _nextProposal() internal view returns (uint256 id) {
        for (id = 1; ; ++id) {
            try ledger.proposalOf(id) returns (ILedger.Proposal memory) {} catch {
                return id;
            }
        }
    }

    /// @dev Whether `account` holds the role for `action` in `commons` (bit `action` of rolesOf).
    function _canValidate(bytes32 commons, address account, ILedger.Action action) internal view returns (bool) {
        return (ledger.rolesOf(commons, account) >> uint8(action)) & 1 == 1;
    }

    function test_addSteward_takesEffectAtOnceWithThresholdOne() public {
        vm.prank(ann);
        bytes32 c = ledger.registerCommons(bytes32("g"), "Garden");
        uint256 next = _nextProposal();
        ILedger.Change memory change;
        change.kind = ILedger.ChangeKind.AddSteward;
        change.account = ben;
        vm.expectEmit(address(ledger));
        emit ILedger.ChangeProposed(next, c, ann, change, 0, uint40(block.timestamp + 30 days));
        vm.expectEmit(address(ledger));
        emit ILedger.ChangeApproved(next, ann, 1, 1);
        vm.expectEmit(address(ledger));
        emit ILedger.StewardAdded(c, ben, ann);
        vm.expectEmit(address(ledger));
        emit ILedger.ChangeExecuted(next, c);
        vm.prank(ann);
        assertEq(ledger.addSteward(c, ben), next);
        assertTrue(ledger.isSteward(c, ben));
        ILedger.Proposal memory p = ledger.proposalOf(next);
        assertTrue(p.executed);
        assertEq(p.approvals, 1);
        assertEq(p.proposer, ann);
        (uint256 stewards, , uint256 epoch) = ledger.stewardship(c);
        assertEq(stewards, 2);
        assertEq(epoch, 1, "a change of the steward set starts a new epoch");
    }

    function test_changes_needTheThresholdOfApprovals() public {
        bytes32 c = _commons(cat, 2);
        vm.prank(ann);
        uint256 id = ledger.addSteward(c, dave);
        assertFalse(ledger.isSteward(c, dave), "one approval of two changes nothing");
        assertFalse(ledger.proposalOf(id).executed);
        vm.expectEmit(address(ledger));
        emit ILedger.ChangeApproved(id, ben, 2, 2);
        vm.expectEmit(address(ledger));
        emit ILedger.StewardAdded(c, dave, ben);
        vm.prank(ben);
        assertTrue(ledger.approveChange(id));
        assertTrue(ledger.isSteward(c, dave));
    }

    function test_setStewardThreshold_revertsLedgerInvalidThreshold() public {
        bytes32 c = _commons(cat, 2);
        vm.startPrank(ann);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidThreshold.selector, c, 0, 3));
        ledger.setStewardThreshold(c, 0);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidThreshold.selector, c, 4, 3));
        ledger.setStewardThreshold(c, 4);
        vm.stopPrank();
    }

    function test_removeSteward_neverLeavesFewerStewardsThanTheThreshold() public {
        bytes32 c = _commons(cat, 3);
        vm.prank(ann);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerStewardsBelowThreshold.selector, c, 2, 3));
        ledger.removeSteward(c, cat);
        assertTrue(ledger.isSteward(c, cat), "the refused removal changed nothing");
        // Lower the threshold first (all three approve), then two of three remove cat.
        vm.prank(ann);
        uint256 lower = ledger.setStewardThreshold(c, 2);
        vm.prank(ben);
        ledger.approveChange(lower);
        vm.prank(cat);
        ledger.approveChange(lower);
        vm.prank(ann);
        uint256 remove = ledger.removeSteward(c, cat);
        vm.prank(ben);
        ledger.approveChange(remove);
        assertFalse(ledger.isSteward(c, cat));
        (uint256 stewards, uint256 threshold, ) = ledger.stewardship(c);
        assertEq(stewards, 2);
        assertEq(threshold, 2);
    }

    function test_approveChange_reverts() public {
        bytes32 c = _commons(cat, 2);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerProposalNotFound.selector, 999));
        ledger.approveChange(999);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerProposalNotFound.selector, 999));
        ledger.proposalOf(999);

        vm.prank(ann);
        uint256 id = ledger.setQuorumRule(c, ILedger.Action.Work, 2, 1, false);
        vm.prank(rogue);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerNotSteward.selector, c, rogue));
        ledger.approveChange(id);
        vm.prank(ann);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerAlreadyApproved.selector, id, ann));
        ledger.approveChange(id);
        vm.prank(ben);
        ledger.approveChange(id);
        vm.prank(cat);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerProposalExecuted.selector, id));
        ledger.approveChange(id);

        // Expired: approvals are refused from expiresAt on.
        vm.prank(ann);
        uint256 late = ledger.setQuorumRule(c, ILedger.Action.Use, 2, 1, false);
        uint256 expiresAt = block.timestamp + ledger.PROPOSAL_TTL();
        vm.warp(expiresAt);
        vm.prank(ben);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerProposalExpired.selector, late, expiresAt));
        ledger.approveChange(late);
    }

    function test_approveChange_revertsLedgerProposalStaleAfterTheStewardsChanged() public {
        bytes32 c = _commons(cat, 2);
        vm.prank(ann);
        uint256 pending = ledger.setQuorumRule(c, ILedger.Action.Work, 3, 1, false);
        vm.prank(ann);
        uint256 add = ledger.addSteward(c, dave);
        vm.prank(cat);
        ledger.approveChange(add); // epoch 4 -> 5
        (, , uint256 epoch) = ledger.stewardship(c);
        vm.prank(ben);
        vm.expectRevert(
            abi.encodeWithSelector(ILedger.LedgerProposalStale.selector, pending, uint32(epoch - 1), uint32(epoch))
        );
        ledger.approveChange(pending);
    }

    function test_approveChange_checksTheChangeAgainTheCommonsAsItIsNow() public {
        bytes32 c = _commons(cat, 2);
        uint32 all = ALL();
        vm.prank(ann);
        uint256 first = ledger.setRoles(c, dave, all);
        vm.prank(ben);
        uint256 second = ledger.setRoles(c, dave, all);
        vm.prank(cat);
        ledger.approveChange(first);
        vm.prank(cat);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerRolesUnchanged.selector, c, dave, all));
        ledger.approveChange(second);
        assertEq(ledger.proposalOf(second).approvals, 1, "a refused approval is not recorded");
    }

    function ALL() internal view returns (uint32) {
        return ledger.ALL_ROLES();
    }

    // ================================================================ roles

    function test_setRoles_emitsRolesSetAndGivesExactlyThoseActions() public {
        vm.prank(ann);
        bytes32 c = ledger.registerCommons(bytes32("g"), "Garden");
        uint32 roles = _roles(ILedger.Action.Work) | _roles(ILedger.Action.Use);
        vm.expectEmit(address(ledger));
        emit ILedger.RolesSet(c, ben, roles, ann);
        vm.prank(ann);
        ledger.setRoles(c, ben, roles);
        assertEq(ledger.rolesOf(c, ben), roles);
        assertTrue(_canValidate(c, ben, ILedger.Action.Work));
        assertTrue(_canValidate(c, ben, ILedger.Action.Use));
        assertFalse(_canValidate(c, ben, ILedger.Action.Transfer));
        assertFalse(_canValidate(COMMONS, ben, ILedger.Action.Work), "roles are per commons");
    }

    function test_setRoles_reverts() public {
        vm.prank(ann);
        bytes32 c = ledger.registerCommons(bytes32("g"), "Garden");
        uint32 all = ALL();
        vm.startPrank(ann);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidRoles.selector, all + 1, all));
        ledger.setRoles(c, ben, all + 1);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerZeroAddress.selector));
        ledger.setRoles(c, address(0), all);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerRolesUnchanged.selector, c, ben, 0));
        ledger.setRoles(c, ben, 0);
        vm.stopPrank();
        vm.prank(ben);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerNotSteward.selector, c, ben));
        ledger.setRoles(c, ben, all);
    }

    // ================================================================ validate: who counts

    function test_validate_keepsAValidationWithoutTheRoleAsAnEndorsement() public {
        uint256 e = _entryIn(COMMONS, alice, ILedger.Action.Work, 3_000_000, "h");
        ILedger.Validation memory v = _validationOf(e, ILedger.Verdict.Accept, rogue);
        bytes memory sig = _signValidation(v);
        vm.expectEmit(address(ledger));
        emit ILedger.Endorsed(e, rogue, ILedger.Verdict.Accept, v.evidence);
        vm.recordLogs();
        ledger.validate(v, sig, _proof(e));
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i = 0; i < logs.length; ++i)
            assertTrue(logs[i].topics[0] != ILedger.Validated.selector, "no Validated");
        (ILedger.EntryState s, uint16 a, uint16 d) = _state(e);
        assertEq(uint8(s), uint8(ILedger.EntryState.Claimed));
        assertEq(a + d, 0);
        assertTrue(ledger.hasValidated(e, rogue), "once per validator, endorsement or not");
        assertEq(ledger.nonces(rogue, 0), 1, "the endorser's nonce is consumed");
    }

    function test_validate_countsARoleOnlyForItsAction() public {
        ILedger.Record memory r = _next(alice);
        r.action = ILedger.Action.Work;
        uint256 work = _submit(r);
        r = _next(alice); // DeliverService
        uint256 service = _submit(r);
        ledger.setRoles(COMMONS, rogue, _roles(ILedger.Action.Work));
        _validate(work, ILedger.Verdict.Accept, rogue);
        _validate(service, ILedger.Verdict.Accept, rogue);
        (ILedger.EntryState s1, , ) = _state(work);
        (ILedger.EntryState s2, uint16 a2, ) = _state(service);
        assertEq(uint8(s1), uint8(ILedger.EntryState.Accepted));
        assertEq(uint8(s2), uint8(ILedger.EntryState.Claimed));
        assertEq(a2, 0);
    }

    function test_validate_pastValidationsKeepCountingAfterTheRoleIsRevoked() public {
        uint256 e = _entryIn(COMMONS, alice, ILedger.Action.Work, 1_000_000, "h");
        _validate(e, ILedger.Verdict.Accept, bob);
        ledger.setRoles(COMMONS, bob, 0);
        (ILedger.EntryState s, uint16 a, ) = _state(e);
        assertEq(uint8(s), uint8(ILedger.EntryState.Accepted));
        assertEq(a, 1);
        uint256 e2 = _entryIn(COMMONS, alice, ILedger.Action.Work, 1_000_000, "h");
        _validate(e2, ILedger.Verdict.Accept, bob);
        (s, , ) = _state(e2);
        assertEq(uint8(s), uint8(ILedger.EntryState.Claimed), "after the revocation bob only endorses");
    }

    /// @dev SYB-ELIGIBLE: any number of fresh keys, accepting or disputing, changes no state.
    /// forge-config: default.fuzz.runs = 1000
    function testFuzz_validate_SYB_ELIGIBLE_strangersNeverChangeAState(
        uint8 n,
        uint256 seed,
        bool appointedAccept
    ) public {
        n = uint8(bound(n, 1, 12));
        uint256 e = _entryIn(COMMONS, alice, ILedger.Action.Work, 1_000_000, "h");
        if (appointedAccept) _validate(e, ILedger.Verdict.Accept, bob);
        (ILedger.EntryState before, uint16 a0, uint16 d0) = _state(e);
        for (uint256 i = 0; i < n; ++i) {
            uint256 pk = (uint256(keccak256(abi.encode(seed, i))) % (SECP256K1_N - 1)) + 1;
            address sybil = vm.addr(pk);
            if (ledger.rolesOf(COMMONS, sybil) != 0 || sybil == alice) continue;
            keyOf[sybil] = pk;
            _validate(e, (seed >> i) & 1 == 0 ? ILedger.Verdict.Accept : ILedger.Verdict.Dispute, sybil);
        }
        (ILedger.EntryState afterwards, uint16 a1, uint16 d1) = _state(e);
        assertEq(uint8(afterwards), uint8(before));
        assertEq(a1, a0);
        assertEq(d1, d0);
    }

    // ================================================================ F-2: sock puppets

    /// Review F-2: a CopyFair licensee accepts its own 1,000 EUR claim with three keys of its own
    /// (quorum 3). Refused: none of the keys is appointed, so the entry stays Claimed (and the
    /// registry's settle, which requires Accepted, refuses it: see the registry's F-2 test).
    function test_F2_sockPuppetsCannotAcceptAClaim() public {
        ledger.setQuorumRule(COMMONS, ILedger.Action.Transfer, 3, 1, false);
        uint256 e = _entryIn(COMMONS, rogue, ILedger.Action.Transfer, 1_000_000_000, "EUR");
        for (uint256 i = 1; i <= 3; ++i) {
            address puppet = vm.addr(ROGUE_PK + i);
            keyOf[puppet] = ROGUE_PK + i;
            _validate(e, ILedger.Verdict.Accept, puppet);
        }
        (ILedger.EntryState s, uint16 a, ) = _state(e);
        assertEq(uint8(s), uint8(ILedger.EntryState.Claimed));
        assertEq(a, 0);
        // Three appointed validators do accept it: the rule is the commons', not the keys'.
        _validate(e, ILedger.Verdict.Accept, bob);
        _validate(e, ILedger.Verdict.Accept, carol);
        _validate(e, ILedger.Verdict.Accept, dave);
        (s, a, ) = _state(e);
        assertEq(uint8(s), uint8(ILedger.EntryState.Accepted));
        assertEq(a, 3);
    }

    // ================================================================ F-1: one steward takes the income

    /// Review F-1: a steward removes the others, publishes a distribution paying only itself and
    /// claims it. In a commons of three stewards with threshold 2 every step only records the
    /// rogue's approval: no steward is removed, nothing is published, nothing can be claimed.
    function test_F1_oneStewardCannotRemoveTheOthersPayItselfAndClaim() public {
        bytes32 c = _commons(rogue, 2);
        _entryIn(c, alice, ILedger.Action.Work, 10_000_000, "h");
        _fund(c, 100 ether);

        vm.startPrank(rogue);
        ledger.removeSteward(c, ann);
        ledger.removeSteward(c, ben);
        vm.stopPrank();
        assertTrue(ledger.isSteward(c, ann) && ledger.isSteward(c, ben), "no steward removed");

        bytes32 leaf = Tree4.leaf(0, rogue, 100 ether);
        IIncomeDistributor.PublishParams memory p = _params(c, leaf, 100 ether, 1);
        vm.prank(rogue);
        assertEq(dist.publish(p), 0, "one approval of two publishes nothing");
        (uint256 approvals, uint256 threshold) = dist.approvalsOf(c, dist.publicationDigest(p));
        assertEq(approvals, 1);
        assertEq(threshold, 2);
        assertEq(dist.distributionCount(), 0);
        assertEq(dist.unallocated(c, address(0)), 100 ether, "the income stays unallocated");

        vm.warp(block.timestamp + 3 days);
        vm.expectRevert(abi.encodeWithSelector(IIncomeDistributor.IncomeDistributorUnknownDistribution.selector, 1));
        dist.claim(1, 0, rogue, 100 ether, new bytes32[](0));
    }

    /// Review F-1b: while honest stewards remain, one rogue steward cancels every honest
    /// distribution. With threshold 2 its cancel is one approval of two: the distribution stands
    /// and pays after the window.
    function test_F1b_oneStewardCannotCancelHonestDistributions() public {
        bytes32 c = _commons(rogue, 2);
        _entryIn(c, alice, ILedger.Action.Work, 10_000_000, "h");
        _fund(c, 1 ether);
        bytes32 leaf = Tree4.leaf(0, alice, 1 ether);
        IIncomeDistributor.PublishParams memory p = _params(c, leaf, 1 ether, 1);
        vm.prank(ann);
        dist.publish(p);
        vm.prank(ben);
        uint256 id = dist.publish(p);
        assertEq(id, 1);
        vm.prank(rogue);
        assertFalse(dist.cancel(id));
        assertEq(uint8(dist.distribution(id).status), uint8(IIncomeDistributor.Status.Published));
        vm.warp(block.timestamp + 3 days);
        dist.claim(id, 0, alice, 1 ether, new bytes32[](0));
        assertEq(alice.balance, 1 ether);
    }

    // ================================================================ distributor: threshold

    function test_publish_needsTheThresholdOfApprovalsOfTheSameParameters() public {
        bytes32 c = _commons(cat, 2);
        _entryIn(c, alice, ILedger.Action.Work, 1_000_000, "h");
        _fund(c, 10 ether);
        IIncomeDistributor.PublishParams memory p = _params(c, Tree4.leaf(0, alice, 10 ether), 10 ether, 1);
        IIncomeDistributor.PublishParams memory other = _params(c, Tree4.leaf(0, ben, 10 ether), 10 ether, 1);
        bytes32 digest = dist.publicationDigest(p);
        vm.expectEmit(address(dist));
        emit IIncomeDistributor.StewardsApproved(c, digest, ann, 1, 2);
        vm.expectEmit(address(dist));
        emit IIncomeDistributor.PublicationProposed(digest, c, ann, p);
        vm.prank(ann);
        assertEq(dist.publish(p), 0);
        vm.prank(ben);
        assertEq(dist.publish(other), 0, "other parameters are another publication");
        vm.prank(ann);
        vm.expectRevert(
            abi.encodeWithSelector(IIncomeDistributor.IncomeDistributorAlreadyApproved.selector, digest, ann)
        );
        dist.publish(p);
        vm.prank(ben);
        assertEq(dist.publish(p), 1);
        assertEq(dist.unallocated(c, address(0)), 0);
        vm.prank(cat);
        vm.expectRevert(
            abi.encodeWithSelector(IIncomeDistributor.IncomeDistributorAlreadyPublished.selector, digest, 1)
        );
        dist.publish(p);
    }

    function test_publish_approvalsOfAnEarlierStewardSetDoNotCount() public {
        bytes32 c = _commons(cat, 2);
        _entryIn(c, alice, ILedger.Action.Work, 1_000_000, "h");
        _fund(c, 1 ether);
        IIncomeDistributor.PublishParams memory p = _params(c, Tree4.leaf(0, alice, 1 ether), 1 ether, 1);
        vm.prank(ann);
        dist.publish(p);
        vm.prank(ann);
        uint256 add = ledger.addSteward(c, dave);
        vm.prank(cat);
        ledger.approveChange(add);
        (uint256 approvals, ) = dist.approvalsOf(c, dist.publicationDigest(p));
        assertEq(approvals, 0, "a new steward epoch starts with no approvals");
        vm.prank(ben);
        assertEq(dist.publish(p), 0);
    }

    function test_cancel_needsTheThresholdAndReleasesTheTotal() public {
        bytes32 c = _commons(cat, 2);
        _entryIn(c, alice, ILedger.Action.Work, 1_000_000, "h");
        _fund(c, 1 ether);
        IIncomeDistributor.PublishParams memory p = _params(c, Tree4.leaf(0, alice, 1 ether), 1 ether, 1);
        vm.prank(ann);
        dist.publish(p);
        vm.prank(ben);
        uint256 id = dist.publish(p);
        vm.prank(ann);
        assertFalse(dist.cancel(id));
        bytes32 cancellation = dist.cancellationDigest(id);
        vm.prank(ann);
        vm.expectRevert(
            abi.encodeWithSelector(IIncomeDistributor.IncomeDistributorAlreadyApproved.selector, cancellation, ann)
        );
        dist.cancel(id);
        vm.expectEmit(address(dist));
        emit IIncomeDistributor.DistributionCancelled(id, cat, 1 ether);
        vm.prank(cat);
        assertTrue(dist.cancel(id));
        assertEq(dist.unallocated(c, address(0)), 1 ether);
    }

    // ================================================================ distributor: objections

    function _fourLeaves(bytes32 c) internal returns (uint256 id, bytes32[4] memory leaves) {
        _entryIn(c, alice, ILedger.Action.Work, 1_000_000, "h");
        _fund(c, 100);
        leaves = [Tree4.leaf(0, alice, 40), Tree4.leaf(1, bob, 30), Tree4.leaf(2, carol, 20), Tree4.leaf(3, dave, 10)];
        IIncomeDistributor.PublishParams memory p = _params(c, Tree4.root(leaves), 100, 4);
        vm.prank(ann);
        id = dist.publish(p);
    }

    function test_object_namedContributorsHoldingTheStopShareStopIt() public {
        vm.prank(ann);
        bytes32 c = ledger.registerCommons(bytes32("g"), "Garden");
        (uint256 id, bytes32[4] memory leaves) = _fourLeaves(c);
        vm.expectEmit(address(dist));
        emit IIncomeDistributor.Objected(id, 1, bob, 30, 30, keccak256("I worked 10 h, not 3"));
        vm.prank(bob);
        assertFalse(dist.object(id, 1, 30, Tree4.proof(leaves, 1), keccak256("I worked 10 h, not 3")));
        assertEq(dist.objectedOf(id), 30);
        vm.expectEmit(address(dist));
        emit IIncomeDistributor.DistributionStopped(id, 50, 100);
        vm.prank(carol);
        assertTrue(dist.object(id, 2, 20, Tree4.proof(leaves, 2), bytes32(0)));
        assertEq(uint8(dist.distribution(id).status), uint8(IIncomeDistributor.Status.Stopped));
        assertEq(dist.unallocated(c, address(0)), 100);
        vm.warp(block.timestamp + 3 days);
        vm.expectRevert(
            abi.encodeWithSelector(
                IIncomeDistributor.IncomeDistributorNotActive.selector,
                id,
                IIncomeDistributor.Status.Stopped
            )
        );
        dist.claim(id, 0, alice, 40, Tree4.proof(leaves, 0));
    }

    function test_object_reverts() public {
        vm.prank(ann);
        bytes32 c = ledger.registerCommons(bytes32("g"), "Garden");
        (uint256 id, bytes32[4] memory leaves) = _fourLeaves(c);
        bytes32[] memory proof = Tree4.proof(leaves, 1);
        vm.prank(rogue);
        vm.expectRevert(
            abi.encodeWithSelector(IIncomeDistributor.IncomeDistributorInvalidProof.selector, id, 1, rogue, 30)
        );
        dist.object(id, 1, 30, proof, bytes32(0));
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IIncomeDistributor.IncomeDistributorIndexOutOfRange.selector, id, 4, 4));
        dist.object(id, 4, 30, proof, bytes32(0));
        vm.prank(bob);
        dist.object(id, 1, 30, proof, bytes32(0));
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IIncomeDistributor.IncomeDistributorAlreadyObjected.selector, id, 1));
        dist.object(id, 1, 30, proof, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IIncomeDistributor.IncomeDistributorUnknownDistribution.selector, 7));
        dist.object(7, 1, 30, proof, bytes32(0));
        vm.warp(block.timestamp + 3 days);
        uint256 claimsOpenAt = dist.distribution(id).claimsOpenAt;
        vm.prank(carol);
        vm.expectRevert(
            abi.encodeWithSelector(IIncomeDistributor.IncomeDistributorChallengeWindowOver.selector, id, claimsOpenAt)
        );
        dist.object(id, 2, 20, Tree4.proof(leaves, 2), bytes32(0));
    }

    function test_object_revertsIncomeDistributorZeroAmountForAZeroLeaf() public {
        vm.prank(ann);
        bytes32 c = ledger.registerCommons(bytes32("g"), "Garden");
        _entryIn(c, alice, ILedger.Action.Work, 1_000_000, "h");
        _fund(c, 10);
        bytes32[4] memory leaves = [
            Tree4.leaf(0, alice, 10),
            Tree4.leaf(1, bob, 0),
            Tree4.leaf(2, carol, 0),
            Tree4.leaf(3, dave, 0)
        ];
        IIncomeDistributor.PublishParams memory p = _params(c, Tree4.root(leaves), 10, 4);
        vm.prank(ann);
        uint256 id = dist.publish(p);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IIncomeDistributor.IncomeDistributorZeroAmount.selector));
        dist.object(id, 1, 0, Tree4.proof(leaves, 1), bytes32(0));
    }

    function test_setStopRule_needsTheThresholdAndAppliesToObjections() public {
        bytes32 c = _commons(cat, 2);
        assertEq(dist.stopRule(c), DEFAULT_STOP_SHARE_BPS);
        vm.prank(ann);
        vm.expectRevert(
            abi.encodeWithSelector(IIncomeDistributor.IncomeDistributorInvalidStopRule.selector, 0, 10_000)
        );
        dist.setStopRule(c, 0);
        vm.prank(ann);
        vm.expectRevert(
            abi.encodeWithSelector(IIncomeDistributor.IncomeDistributorInvalidStopRule.selector, 10_001, 10_000)
        );
        dist.setStopRule(c, 10_001);
        vm.prank(ann);
        assertFalse(dist.setStopRule(c, 2_000));
        assertEq(dist.stopRule(c), 5_000, "one approval of two changes nothing");
        vm.expectEmit(address(dist));
        emit IIncomeDistributor.StopRuleSet(c, 2_000, ben);
        vm.prank(ben);
        assertTrue(dist.setStopRule(c, 2_000));
        assertEq(dist.stopRule(c), 2_000);
        vm.prank(rogue);
        vm.expectRevert(abi.encodeWithSelector(IIncomeDistributor.IncomeDistributorNotSteward.selector, c, rogue));
        dist.setStopRule(c, 1);

        // A fifth of the total now stops a distribution: carol's 20 of 100.
        _entryIn(c, alice, ILedger.Action.Work, 1_000_000, "h");
        _fund(c, 100);
        bytes32[4] memory leaves = [
            Tree4.leaf(0, alice, 40),
            Tree4.leaf(1, bob, 30),
            Tree4.leaf(2, carol, 20),
            Tree4.leaf(3, dave, 10)
        ];
        IIncomeDistributor.PublishParams memory p = _params(c, Tree4.root(leaves), 100, 4);
        vm.prank(ann);
        dist.publish(p);
        vm.prank(cat);
        uint256 id = dist.publish(p);
        vm.prank(carol);
        assertTrue(dist.object(id, 2, 20, Tree4.proof(leaves, 2), bytes32(0)));
    }
}

/// @notice GOV-THRESHOLD: four stewards and strangers propose and approve random changes (and
/// distributor publications and cancellations); the handler keeps, from the events, who approved
/// what and the steward set and threshold in force, and checks that every change that took effect
/// had the threshold of distinct stewards of its epoch behind it.
contract GovernanceHandler is CommonBase, StdUtils {
    ILedgerWithConstants public immutable ledger;
    IIncomeDistributor public immutable dist;
    bytes32 public immutable commons;
    address[] internal people; // 4 founding stewards, 2 strangers, 1 more

    // ghost of the steward set, from the events
    mapping(address => bool) public ghostSteward;
    uint256 public ghostStewards;
    uint256 public ghostThreshold;
    mapping(uint256 proposalAndEpoch => address[]) internal approvers;
    uint256 public executedChanges;
    uint256 public proposals; // the largest proposal id seen in ChangeProposed: proposals are 1 .. proposals
    uint256 public violations;
    string public lastViolation;
    mapping(bytes32 key => address[]) internal actionApprovers; // distributor: (action, epoch)
    uint256 public published;
    uint256 public moneyMoves;

    constructor(ILedgerWithConstants ledger_, IIncomeDistributor dist_) {
        ledger = ledger_;
        dist = dist_;
        for (uint256 i = 0; i < 7; ++i) people.push(vm.addr(0x5000 + i));
        vm.prank(people[0]);
        commons = ledger_.registerCommons("gov", "Governed commons");
        ghostSteward[people[0]] = true;
        ghostStewards = 1;
        ghostThreshold = 1;
        for (uint256 i = 1; i < 4; ++i) {
            vm.prank(people[0]);
            ledger_.addSteward(commons, people[i]);
            ghostSteward[people[i]] = true;
            ++ghostStewards;
        }
        vm.prank(people[0]);
        ledger_.setStewardThreshold(commons, 3);
        ghostThreshold = 3;
        vm.deal(address(this), 1_000 ether);
        dist_.depositETH{value: 1_000 ether}(commons);
    }

    function _who(uint256 seed) internal view returns (address) {
        return people[seed % people.length];
    }

    function propose(uint256 whoSeed, uint8 kind, uint256 targetSeed, uint16 value) external {
        address who = _who(whoSeed);
        address target = _who(targetSeed);
        uint256 epoch = _epoch();
        vm.recordLogs();
        vm.prank(who);
        if (kind % 4 == 0) {
            try ledger.addSteward(commons, target) {} catch {}
        } else if (kind % 4 == 1) {
            try ledger.removeSteward(commons, target) {} catch {}
        } else if (kind % 4 == 2) {
            try ledger.setStewardThreshold(commons, uint16(value % 7)) {} catch {}
        } else {
            try ledger.setQuorumRule(commons, ILedger.Action.Work, uint16(value % 4), 1, false) {} catch {}
        }
        _absorb(vm.getRecordedLogs(), epoch);
    }

    function approve(uint256 whoSeed, uint256 proposalSeed) external {
        uint256 count = proposals;
        if (count == 0) return;
        uint256 id = (proposalSeed % count) + 1;
        uint256 epoch = _epoch();
        vm.recordLogs();
        vm.prank(_who(whoSeed));
        try ledger.approveChange(id) {} catch {}
        _absorb(vm.getRecordedLogs(), epoch);
    }

    function publish(uint256 whoSeed, uint8 variant) external {
        (uint64 n, bytes24 head) = ledger.tip();
        if (n == 0) return;
        IIncomeDistributor.PublishParams memory p = IIncomeDistributor.PublishParams({
            commons: commons,
            token: address(0),
            root: keccak256(abi.encode("root", variant % 3)),
            total: 1 ether,
            income: 1 ether,
            leafCount: 1,
            equationHash: bytes32(0),
            ledgerHead: head,
            cutoff: n,
            challengeWindow: 1 hours,
            claimPeriod: 1 days,
            equationURI: ""
        });
        uint256 epoch = _epoch();
        vm.recordLogs();
        vm.prank(_who(whoSeed));
        try dist.publish(p) {} catch {}
        _absorb(vm.getRecordedLogs(), epoch);
    }

    function cancel(uint256 whoSeed, uint256 idSeed) external {
        uint256 count = dist.distributionCount();
        if (count == 0) return;
        uint256 epoch = _epoch();
        vm.recordLogs();
        vm.prank(_who(whoSeed));
        try dist.cancel((idSeed % count) + 1) {} catch {}
        _absorb(vm.getRecordedLogs(), epoch);
    }

    function warp(uint32 dt) external {
        vm.warp(block.timestamp + bound(dt, 1, 2 days));
    }

    function _violation(string memory what) internal {
        ++violations;
        lastViolation = what;
    }

    function _epoch() internal view returns (uint256 epoch) {
        (, , epoch) = ledger.stewardship(commons);
    }

    /// @dev Distinct accounts in `list` that are stewards of the ghost set.
    function _count(address[] storage list) internal view returns (uint256 n) {
        for (uint256 i = 0; i < list.length; ++i) {
            bool first = true;
            for (uint256 j = 0; j < i; ++j) if (list[j] == list[i]) first = false;
            if (first && ghostSteward[list[i]]) ++n;
        }
    }

    /// @dev Replays the events of one call (made in steward epoch `epoch`) against the ghost:
    /// approvals count only from stewards of the set in force, per epoch, and a change or a money
    /// move happens only once the threshold in force is reached.
    function _absorb(Vm.Log[] memory logs, uint256 epoch) internal {
        for (uint256 i = 0; i < logs.length; ++i) {
            Vm.Log memory log = logs[i];
            bytes32 t = log.topics[0];
            if (log.emitter == address(ledger)) {
                if (t == ILedger.ChangeProposed.selector) {
                    // Ids are dense from 1 (setUp's own proposals were not absorbed: take the largest).
                    if (uint256(log.topics[1]) > proposals) proposals = uint256(log.topics[1]);
                } else if (t == ILedger.ChangeApproved.selector) {
                    address steward = address(uint160(uint256(log.topics[2])));
                    if (!ghostSteward[steward]) _violation("a non-steward's approval was counted");
                    address[] storage list = approvers[uint256(keccak256(abi.encode(log.topics[1], epoch)))];
                    list.push(steward);
                    (uint16 approvals, uint16 threshold) = abi.decode(log.data, (uint16, uint16));
                    if (threshold != ghostThreshold) _violation("ChangeApproved names another threshold");
                    if (approvals != _count(list))
                        _violation("approvals differ from the distinct stewards of this epoch");
                    if (approvals >= threshold) {
                        bool executes = i + 2 < logs.length && logs[i + 2].topics[0] == ILedger.ChangeExecuted.selector;
                        if (!executes) _violation("the threshold was reached but the change did not take effect");
                    }
                } else if (t == ILedger.ChangeExecuted.selector) {
                    ++executedChanges;
                    // ChangeApproved (checked above against the ghost) and the effect event precede it.
                    bool approvedJustBefore = i >= 2 && logs[i - 2].topics[0] == ILedger.ChangeApproved.selector;
                    (uint16 approvals, uint16 threshold) = approvedJustBefore
                        ? abi.decode(logs[i - 2].data, (uint16, uint16))
                        : (0, 1);
                    if (approvals < threshold) _violation("a change took effect below the threshold");
                } else if (t == ILedger.StewardAdded.selector) {
                    ghostSteward[address(uint160(uint256(log.topics[2])))] = true;
                    ++ghostStewards;
                } else if (t == ILedger.StewardRemoved.selector) {
                    ghostSteward[address(uint160(uint256(log.topics[2])))] = false;
                    --ghostStewards;
                } else if (t == ILedger.StewardThresholdSet.selector) {
                    ghostThreshold = abi.decode(log.data, (uint16));
                }
            } else if (log.emitter == address(dist)) {
                if (t == IIncomeDistributor.StewardsApproved.selector) {
                    address steward = address(uint160(uint256(log.topics[3])));
                    if (!ghostSteward[steward]) _violation("a non-steward's approval of money was counted");
                    actionApprovers[keccak256(abi.encode(log.topics[2], epoch))].push(steward);
                } else if (
                    t == IIncomeDistributor.DistributionPublished.selector ||
                    t == IIncomeDistributor.DistributionCancelled.selector
                ) {
                    ++moneyMoves;
                    bytes32 action =
                        t == IIncomeDistributor.DistributionCancelled.selector
                            ? dist.cancellationDigest(uint256(log.topics[1]))
                            : _lastApprovedAction(logs, i);
                    if (_count(actionApprovers[keccak256(abi.encode(action, epoch))]) < ghostThreshold) {
                        _violation("money moved below the threshold");
                    }
                }
            }
        }
    }

    function _lastApprovedAction(Vm.Log[] memory logs, uint256 before) internal view returns (bytes32) {
        for (uint256 i = before; i > 0; --i) {
            if (
                logs[i - 1].emitter == address(dist) &&
                logs[i - 1].topics[0] == IIncomeDistributor.StewardsApproved.selector
            ) {
                return logs[i - 1].topics[2];
            }
        }
        return bytes32(0);
    }

    function peopleCount() external view returns (uint256) {
        return people.length;
    }

    function person(uint256 i) external view returns (address) {
        return people[i];
    }
}

/// forge-config: default.invariant.runs = 128
/// forge-config: default.invariant.depth = 64
/// forge-config: default.invariant.fail-on-revert = true
contract GovernanceInvariantTest is Test, Deployments {
    ILedgerWithConstants internal ledger;
    IIncomeDistributor internal dist;
    GovernanceHandler internal handler;

    function setUp() public {
        vm.warp(1_750_000_000);
        ledger = _deployLedger();
        dist = _deployDistributor(address(ledger), 1 hours);
        handler = new GovernanceHandler(ledger, dist);
        // One entry, so that publications have a cutoff.
        ILedger.Record memory r;
        r.flow = ILedger.Flow.Event;
        r.action = ILedger.Action.Work;
        r.provider = vm.addr(0xA11CE);
        r.commons = handler.commons();
        r.quantity = 1;
        r.unit = "h";
        r.time = uint64(block.timestamp);
        r.deadline = uint64(block.timestamp + 1 days);
        (uint8 v, bytes32 rr, bytes32 s) = vm.sign(0xA11CE, ledger.recordDigest(r));
        ledger.record(r, abi.encodePacked(rr, s, v));
        bytes4[] memory selectors = new bytes4[](5);
        selectors[0] = GovernanceHandler.propose.selector;
        selectors[1] = GovernanceHandler.approve.selector;
        selectors[2] = GovernanceHandler.publish.selector;
        selectors[3] = GovernanceHandler.cancel.selector;
        selectors[4] = GovernanceHandler.warp.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    /// @dev GOV-THRESHOLD: no change and no money move happened without the threshold of distinct
    /// stewards of the steward set in force (from the events).
    function invariant_GOV_THRESHOLD_nothingBelowTheThreshold() public view {
        assertEq(handler.violations(), 0, handler.lastViolation());
    }

    /// @dev GOV-THRESHOLD: the steward set never falls below the threshold, and the ledger's view
    /// equals the ghost built from the events.
    function invariant_GOV_THRESHOLD_stewardsNeverBelowTheThreshold() public view {
        (uint256 stewards, uint256 threshold, ) = ledger.stewardship(handler.commons());
        assertGe(stewards, threshold);
        assertGe(threshold, 1);
        assertEq(stewards, handler.ghostStewards());
        assertEq(threshold, handler.ghostThreshold());
        for (uint256 i = 0; i < handler.peopleCount(); ++i) {
            assertEq(ledger.isSteward(handler.commons(), handler.person(i)), handler.ghostSteward(handler.person(i)));
        }
    }
}
