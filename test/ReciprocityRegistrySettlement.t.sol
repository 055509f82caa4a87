// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {ILedger} from "../contracts/interfaces/ILedger.sol";
import {IReciprocityRegistry} from "../contracts/interfaces/IReciprocityRegistry.sol";
import {LedgerTestBase} from "./utils/LedgerTestBase.sol";

/// @dev A commons with two CopyFair works (100 EUR per 30 days each), licensees' contributions
/// recorded and corrected on a real Ledger, and THE one place where these tests make an entry
/// Accepted (`_accept`): when the Ledger counts only appointed validators, appoint there.
abstract contract SettlementBase is LedgerTestBase {
    uint256 internal constant FOUNDER_PK = 0xF0F0;
    uint256 internal constant VALIDATOR_PK = 0x7A11D;
    uint256 internal constant DISPUTER_PK = 0xD15;
    uint256 internal constant DISPUTER2_PK = 0xD16;
    uint128 internal constant OWED = 100_000_000; // 100 EUR (6 decimals)
    uint40 internal constant PERIOD = 30 days;

    IReciprocityRegistry internal registry;
    bytes32 internal commons;
    address internal founder;
    address internal validator;
    address[2] internal disputers;
    uint256 internal workA;
    uint256 internal workB;

    function _setUpSettlement() internal {
        _deploy();
        founder = _key(FOUNDER_PK, "founder");
        validator = _key(VALIDATOR_PK, "validator");
        disputers = [_key(DISPUTER_PK, "disputer"), _key(DISPUTER2_PK, "disputer2")];
        registry = _deployRegistry(ledger);
        vm.startPrank(founder);
        commons = ledger.registerCommons(bytes32("salt"), "demo");
        // Only appointed validators count: the founder appoints the validator and the two disputers.
        uint32 all = ledger.ALL_ROLES();
        ledger.setRoles(commons, validator, all);
        ledger.setRoles(commons, disputers[0], all);
        ledger.setRoles(commons, disputers[1], all);
        vm.stopPrank();
        workA = _copyFairWork("CopyFair A");
        workB = _copyFairWork("CopyFair B");
    }

    function _copyFairWork(string memory text) internal returns (uint256 work) {
        IReciprocityRegistry.Terms memory t;
        t.kind = IReciprocityRegistry.LicenseKind.CopyFair;
        t.termsHash = keccak256(bytes(text));
        t.termsUri = "ipfs://copyfair";
        t.attesters = new address[](0);
        t.commons = commons;
        t.obligation = IReciprocityRegistry.Obligation({amount: OWED, unit: "EUR", period: PERIOD});
        vm.prank(founder);
        work = registry.registerWork(t);
    }

    /// @dev THE one helper that makes an entry Accepted in this file.
    function _accept(uint256 entryId) internal {
        _validate(entryId, ILedger.Verdict.Accept, validator);
    }

    function _dispute(uint256 entryId, uint256 k) internal {
        _validate(entryId, ILedger.Verdict.Dispute, disputers[k % 2]);
    }

    /// @dev A transfer of `qty` EUR by `agent` to the commons, now; corrects `corrects` if non-zero.
    function _contribution(address agent, uint128 qty, uint256 corrects) internal returns (uint256 id) {
        ILedger.Record memory r = _next(agent);
        r.commons = commons;
        r.quantity = qty;
        r.unit = "EUR";
        r.process = bytes32(0);
        r.side = ILedger.Side.None;
        r.action = ILedger.Action.Transfer;
        r.time = uint64(block.timestamp);
        if (corrects == 0) return _submit(r);
        r.corrects = uint64(corrects);
        id = ledger.recordCorrection(r, _signRecord(r), _proof(corrects));
        _track(r);
    }

    /// @dev The proofs `settle` needs for the correction chain below `entryId` (nearest first),
    /// down to an entry ever settled or one that corrects nothing.
    function _ancestors(uint256 entryId) internal view returns (ILedger.EntryProof[] memory proofs) {
        uint256 n;
        for (uint256 e = trackedRecords[entryId - 1].corrects; e != 0 && registry.settlementOf(e).id == 0;) {
            ++n;
            e = trackedRecords[e - 1].corrects;
        }
        proofs = new ILedger.EntryProof[](n);
        uint256 earlier = trackedRecords[entryId - 1].corrects;
        for (uint256 i = 0; i < n; ++i) {
            proofs[i] = _proof(earlier);
            earlier = trackedRecords[earlier - 1].corrects;
        }
    }

    /// @dev The entry's signer settles it toward `work` with the proofs it needs.
    function _settle(uint256 work, uint256 entryId) internal returns (uint256) {
        ILedger.EntryProof memory p = _proof(entryId);
        ILedger.EntryProof[] memory ancestors = _ancestors(entryId);
        vm.prank(trackedSigners[entryId - 1]);
        return registry.settle(work, entryId, p, ancestors);
    }

    function _tally(address who, uint256 work) internal view returns (uint128 tally) {
        (tally, ) = registry.settledIn(who, work, uint64(block.timestamp));
    }

    function _state(uint256 entryId) internal view returns (ILedger.EntryState s) {
        (s, , , ) = ledger.entryState(entryId);
    }
}

/// @notice Settlements: only standing entries count, once (F-3, SYB-SETTLE); toward the work the
/// licensee names (F-7). Events and revert sentences of the flows are in ReciprocityRegistry.test.ts.
contract ReciprocityRegistrySettlementTest is SettlementBase {
    function setUp() public {
        _setUpSettlement();
    }

    /// @dev Alice's 100 EUR entry settled toward work A, then restated by a correction settled toward `second`.
    function _settledThenRestated(uint256 second) internal returns (uint256 e1, uint256 e2) {
        e1 = _contribution(alice, OWED, 0);
        _accept(e1);
        _settle(workA, e1);
        e2 = _contribution(alice, OWED, e1);
        _accept(e2);
        _settle(second, e2);
    }

    /// @dev F-3: the review's restatement (100 -> 200 EUR) now counts 100 EUR once.
    function test_F3_restatingCorrectionCountsOnce() public {
        (uint256 e1, uint256 e2) = _settledThenRestated(workA);
        assertEq(_tally(alice, workA), OWED, "the same 100 EUR counted once");
        assertFalse(registry.settlementOf(e1).standing);
        assertTrue(registry.settlementOf(e2).standing);
    }

    /// @dev F-3, chains: e1 settled <- e2 never settled <- e3. Settling e3 walks e2 (its proof is
    /// required) and reverses e1 in the same transaction: never 200 EUR, not even for a block.
    function test_F3_chainThroughNeverSettledCorrectionCountsOnce() public {
        uint256 e1 = _contribution(alice, OWED, 0);
        _accept(e1);
        _settle(workA, e1);
        uint256 e2 = _contribution(alice, OWED, e1);
        uint256 e3 = _contribution(alice, OWED, e2);
        _accept(e3);

        ILedger.EntryProof[] memory none = new ILedger.EntryProof[](0);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IReciprocityRegistry.ReciprocityRegistryMissingAncestorProof.selector, e3, e2)
        );
        registry.settle(workA, e3, _proof(e3), none);

        ILedger.EntryProof[] memory two = new ILedger.EntryProof[](2);
        two[0] = _proof(e2);
        two[1] = _proof(e1);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IReciprocityRegistry.ReciprocityRegistryUnusedAncestorProofs.selector, e3, 1, 2)
        );
        registry.settle(workA, e3, _proof(e3), two);

        _settle(workA, e3);
        assertEq(_tally(alice, workA), OWED);
        assertFalse(registry.settlementOf(e1).standing);
    }

    /// @dev A chain none of whose entries was ever settled is walked to its start.
    function test_settle_walksANeverSettledChainToItsStart() public {
        uint256 e1 = _contribution(alice, OWED, 0);
        uint256 e2 = _contribution(alice, OWED, e1);
        uint256 e3 = _contribution(alice, OWED, e2);
        _accept(e3);
        ILedger.EntryProof[] memory one = new ILedger.EntryProof[](1);
        one[0] = _proof(e2);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IReciprocityRegistry.ReciprocityRegistryMissingAncestorProof.selector, e3, e1)
        );
        registry.settle(workA, e3, _proof(e3), one);
        assertEq(_ancestors(e3).length, 2);
        _settle(workA, e3);
        assertEq(_tally(alice, workA), OWED);
    }

    /// @dev A proof of another entry than the chain's next one is refused by the Ledger.
    function test_settle_ancestorProofMustBeTheChainsEntry() public {
        uint256 other = _contribution(alice, 5, 0);
        uint256 e1 = _contribution(alice, OWED, 0);
        uint256 e2 = _contribution(alice, OWED, e1);
        _accept(e2);
        ILedger.EntryProof[] memory wrong = new ILedger.EntryProof[](1);
        wrong[0] = _proof(other);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidProof.selector, e1, _later(e1)));
        registry.settle(workA, e2, _proof(e2), wrong);
    }

    /// @dev The walk stops at an entry whose settlement was already reversed (nothing below it stands).
    function test_F3_walkStopsAtAReversedSettlement() public {
        uint256 e1 = _contribution(alice, OWED, 0);
        _accept(e1);
        _settle(workA, e1);
        _dispute(e1, 0);
        registry.reverseSettlement(e1);
        uint256 e2 = _contribution(alice, OWED, e1);
        _accept(e2);
        assertEq(_ancestors(e2).length, 0);
        _settle(workA, e2);
        assertEq(_tally(alice, workA), OWED);
    }

    /// @dev A correction settled toward another work still takes the first settlement out of its work.
    function test_F3_correctionTowardAnotherWorkReversesTheFirstWork() public {
        _settledThenRestated(workB);
        assertEq(_tally(alice, workA), 0);
        assertEq(_tally(alice, workB), OWED);
    }

    /// @dev F-2: the review's sock puppets. A wage-labour licensee records 1,000 EUR it never paid and
    /// accepts it with three fresh keys (quorum 3): none is appointed, so the entry stays Claimed,
    /// `settle` refuses it and the licensee stays Excluded.
    function test_F2_sockPuppetAcceptancesCannotSettle() public {
        vm.prank(founder);
        ledger.setQuorumRule(commons, ILedger.Action.Transfer, 3, 1, false);
        uint256 e = _contribution(alice, 1_000_000_000, 0);
        for (uint256 k = 1; k <= 3; ++k) {
            address puppet = _key(0x9999 + k, "puppet");
            _validate(e, ILedger.Verdict.Accept, puppet);
        }
        (ILedger.EntryState state, uint16 accepts, , ) = ledger.entryState(e);
        assertEq(uint8(state), uint8(ILedger.EntryState.Claimed));
        assertEq(accepts, 0, "endorsements are not tallied");
        ILedger.EntryProof memory p = _proof(e);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(
                IReciprocityRegistry.ReciprocityRegistryEntryNotAccepted.selector,
                e,
                uint8(ILedger.EntryState.Claimed)
            )
        );
        registry.settle(workA, e, p, new ILedger.EntryProof[](0));
        assertEq(_tally(alice, workA), 0);
    }

    /// @dev F-7: the review's front-run (settle the licensee's entry toward another work) is refused.
    function test_F7_strangerCannotSpendEntryOnAnotherWork() public {
        uint256 e = _contribution(alice, OWED, 0);
        _accept(e);
        ILedger.EntryProof memory p = _proof(e);
        vm.prank(address(0xA77AC));
        vm.expectRevert(
            abi.encodeWithSelector(
                IReciprocityRegistry.ReciprocityRegistryNotEntrySigner.selector,
                e,
                alice,
                address(0xA77AC)
            )
        );
        registry.settle(workA, e, p, new ILedger.EntryProof[](0));
        assertEq(registry.settlementOf(e).id, 0, "the refused settlement recorded nothing");
        _settle(workB, e);
        assertEq(_tally(alice, workA), 0);
        assertEq(_tally(alice, workB), OWED);
    }

    /// @dev SIG-TAMPER for settlement orders: any change to a signed field breaks the signature,
    /// and a relayer cannot aim a licensee's order at another work (F-7).
    /// forge-config: default.fuzz.runs = 256
    function testFuzz_settleBySignature_tamperedOrderIsRejected(uint8 field, uint64 shift) public {
        uint256 e = _contribution(alice, OWED, 0);
        _accept(e);
        IReciprocityRegistry.Settlement memory o = IReciprocityRegistry.Settlement({
            work: workB,
            entryId: e,
            nonce: 0,
            deadline: uint64(block.timestamp + 1 hours)
        });
        bytes memory sig = _sign(ALICE_PK, registry.settlementDigest(o));
        field = field % 2;
        if (field == 0) o.work = workA;
        else o.deadline = uint64(block.timestamp + 1 hours) - uint64(bound(shift, 1, 1 hours));
        ILedger.EntryProof memory p = _proof(e);
        vm.expectRevert(
            abi.encodeWithSelector(IReciprocityRegistry.ReciprocityRegistryInvalidSignature.selector, alice)
        );
        registry.settleBySignature(o, sig, p, new ILedger.EntryProof[](0));
    }

    /// @dev SYB-SETTLE, chains: a chain of up to 8 entries, each correcting the one before, each
    /// accepted and settled or not (fuzzed), toward either work: at most one settlement of the chain
    /// stands, the tallies equal the standing quantities, and a settled last entry is that one.
    /// forge-config: default.fuzz.runs = 256
    function testFuzz_settle_SYB_SETTLE_aCorrectionChainCountsOnce(
        uint8 length,
        uint256 masks,
        uint256 amounts
    ) public {
        uint256 n = bound(length, 1, 8);
        uint256[] memory ids = new uint256[](n);
        uint256 previous;
        for (uint256 i = 0; i < n; ++i) {
            uint128 qty = uint128(bound(uint256(keccak256(abi.encode(amounts, i))), 0, 10 * OWED));
            if (previous == 0 && qty == 0) qty = 1; // a first entry needs a quantity
            ids[i] = _contribution(alice, qty, previous);
            previous = ids[i];
            if ((masks >> (2 * i)) & 1 == 1) {
                _accept(ids[i]);
                if ((masks >> (2 * i + 1)) & 1 == 1) _settle((masks >> (20 + i)) & 1 == 1 ? workA : workB, ids[i]);
            }
        }
        uint256 standing;
        uint256 sumA;
        uint256 sumB;
        for (uint256 i = 0; i < n; ++i) {
            IReciprocityRegistry.SettlementView memory v = registry.settlementOf(ids[i]);
            if (!v.standing) continue;
            ++standing;
            if (v.family == workA) sumA += v.quantity;
            else sumB += v.quantity;
        }
        assertLe(standing, 1, "at most one settlement of a correction chain stands");
        assertEq(_tally(alice, workA), sumA, "tally A = standing settlements");
        assertEq(_tally(alice, workB), sumB, "tally B = standing settlements");
        if (registry.settlementOf(ids[n - 1]).id != 0) assertTrue(registry.settlementOf(ids[n - 1]).standing);
    }

    /// @dev Reversal restores: settling then reversing leaves the tally as it was, whatever came before.
    /// forge-config: default.fuzz.runs = 256
    function testFuzz_reverseSettlement_restoresTheTally(uint128 before, uint128 qty, bool byDispute) public {
        before = uint128(bound(before, 1, 1e15));
        qty = uint128(bound(qty, 1, 1e15));
        uint256 e0 = _contribution(alice, before, 0);
        _accept(e0);
        _settle(workA, e0);
        uint128 t0 = _tally(alice, workA);
        uint256 e = _contribution(alice, qty, 0);
        _accept(e);
        _settle(workA, e);
        assertEq(_tally(alice, workA), t0 + qty);
        if (byDispute) _dispute(e, 1);
        else _contribution(alice, 0, e); // voided
        registry.reverseSettlement(e);
        assertEq(_tally(alice, workA), t0, "the tally is what it was");
        assertTrue(registry.settlementOf(e0).standing);
    }
}

/// @notice Drives settlements of two licensees on two works with random contributions,
/// corrections, acceptances, disputes, quorum changes, reversals and time jumps. Every registry
/// call's outcome is predicted from the Ledger's entryState; a wrong prediction is counted.
contract SettlementHandler is SettlementBase {
    address[2] internal licensees;
    uint256[2] internal pks;
    uint256[] public entries;
    uint256[] internal _settled; // entries settled at least once (reversals and corrections aim here)
    mapping(uint256 entryId => mapping(address validator => bool)) internal _validated;

    uint256 public mismatches;
    string public lastMismatch;
    mapping(string name => uint256) public calls;

    constructor() {
        _setUpSettlement();
        licensees = [alice, bob];
        pks = [ALICE_PK, BOB_PK];
    }

    function entryCount() external view returns (uint256) {
        return entries.length;
    }

    function registryAddress() external view returns (address) {
        return address(registry);
    }

    /// @dev The first entry of `entryId`'s correction chain.
    function rootOf(uint256 entryId) external view returns (uint256 root) {
        root = entryId;
        while (trackedRecords[root - 1].corrects != 0) root = trackedRecords[root - 1].corrects;
    }

    function contribute(uint256 who, uint128 qty) external {
        address agent = licensees[who % 2];
        entries.push(_contribution(agent, uint128(bound(qty, 1, 10 * OWED)), 0));
        ++calls["contribute"];
    }

    function correct(uint256 seed, uint128 qty, bool aSettledOne) external {
        uint256 e = _pick(seed, aSettledOne);
        if (e == 0) return;
        (ILedger.EntryState s, , , ) = ledger.entryState(e);
        if (s == ILedger.EntryState.Corrected) return;
        entries.push(_contribution(trackedSigners[e - 1], uint128(bound(qty, 0, 10 * OWED)), e));
        ++calls["correct"];
    }

    function acceptEntry(uint256 seed) external {
        uint256 e = _pick(seed, false);
        if (e == 0 || _validated[e][validator] || _state(e) == ILedger.EntryState.Corrected) return;
        _validated[e][validator] = true;
        _accept(e);
        ++calls["accept"];
    }

    function disputeEntry(uint256 seed, uint256 k, bool aSettledOne) external {
        uint256 e = _pick(seed, aSettledOne);
        address d = disputers[k % 2];
        if (e == 0 || _validated[e][d] || _state(e) == ILedger.EntryState.Corrected) return;
        _validated[e][d] = true;
        _dispute(e, k);
        ++calls["dispute"];
    }

    /// @dev The stewards change the rule for transfers: entries move in and out of Accepted.
    function setQuorum(bool twoAccepts, bool twoDisputes) external {
        vm.prank(founder);
        ledger.setQuorumRule(commons, ILedger.Action.Transfer, twoAccepts ? 2 : 1, twoDisputes ? 2 : 1, false);
        ++calls["quorum"];
    }

    function settle(uint256 seed, bool toB, bool bySignature) external {
        uint256 e = _pick(seed, false);
        if (e == 0) return;
        uint256 work = toB ? workB : workA;
        bool expectOk = _state(e) == ILedger.EntryState.Accepted && !registry.settlementOf(e).standing;
        address signer = trackedSigners[e - 1];
        ILedger.EntryProof memory p = _proof(e);
        ILedger.EntryProof[] memory ancestors = _ancestors(e);
        bool ok;
        if (bySignature) {
            IReciprocityRegistry.Settlement memory o = IReciprocityRegistry.Settlement({
                work: work,
                entryId: e,
                nonce: registry.settlementOf(e).id,
                deadline: uint64(block.timestamp + 1 hours)
            });
            bytes memory sig = _sign(signer == alice ? ALICE_PK : BOB_PK, registry.settlementDigest(o));
            try registry.settleBySignature(o, sig, p, ancestors) {
                ok = true;
            } catch {}
        } else {
            vm.prank(signer);
            try registry.settle(work, e, p, ancestors) {
                ok = true;
            } catch {}
        }
        if (ok != expectOk) _mismatch("settle");
        if (ok) {
            ++calls["settled"];
            _settled.push(e);
        }
    }

    function reverse(uint256 seed, bool aSettledOne) external {
        uint256 e = _pick(seed, aSettledOne || seed % 4 != 0);
        if (e == 0) return;
        IReciprocityRegistry.SettlementView memory v = registry.settlementOf(e);
        bool expectOk = v.standing && _state(e) != ILedger.EntryState.Accepted;
        uint128 before;
        if (v.id != 0) (before, ) = registry.settledIn(v.licensee, v.family, v.periodStart);
        try registry.reverseSettlement(e) {
            if (!expectOk) _mismatch("reverse succeeded");
            (uint128 afterTally, ) = registry.settledIn(v.licensee, v.family, v.periodStart);
            if (afterTally != before - v.quantity) _mismatch("reversal does not restore");
            ++calls["reversed"];
        } catch {
            if (expectOk) _mismatch("reverse failed");
        }
    }

    function warp(uint32 secs) external {
        vm.warp(block.timestamp + (secs % 20 days));
        ++calls["warp"];
    }

    function _pick(uint256 seed, bool aSettledOne) internal view returns (uint256) {
        if (aSettledOne && _settled.length != 0) return _settled[seed % _settled.length];
        return entries.length == 0 ? 0 : entries[seed % entries.length];
    }

    function _mismatch(string memory what) internal {
        ++mismatches;
        lastMismatch = what;
    }
}

/// forge-config: default.invariant.runs = 128
/// forge-config: default.invariant.depth = 64
/// forge-config: default.invariant.fail-on-revert = true
contract ReciprocityRegistrySettlementInvariantTest is Test {
    SettlementHandler internal handler;
    IReciprocityRegistry internal registry;

    function setUp() public {
        handler = new SettlementHandler();
        registry = IReciprocityRegistry(handler.registryAddress());
        // Duplicates weigh the draw toward the steps that make and unmake settlements.
        bytes4[] memory selectors = new bytes4[](13);
        selectors[0] = SettlementHandler.contribute.selector;
        selectors[1] = SettlementHandler.correct.selector;
        selectors[2] = SettlementHandler.acceptEntry.selector;
        selectors[3] = SettlementHandler.disputeEntry.selector;
        selectors[4] = SettlementHandler.setQuorum.selector;
        selectors[5] = SettlementHandler.settle.selector;
        selectors[6] = SettlementHandler.reverse.selector;
        selectors[7] = SettlementHandler.warp.selector;
        selectors[8] = SettlementHandler.contribute.selector;
        selectors[9] = SettlementHandler.acceptEntry.selector;
        selectors[10] = SettlementHandler.settle.selector;
        selectors[11] = SettlementHandler.reverse.selector;
        selectors[12] = SettlementHandler.disputeEntry.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    /// @dev Every settle / reverse outcome matched its prediction (settle iff Accepted and not
    /// standing; reverse iff standing and not Accepted; a reversal removes exactly its quantity).
    function invariant_SYB_SETTLE_outcomesAsPredicted() public view {
        assertEq(handler.mismatches(), 0, handler.lastMismatch());
    }

    /// @dev The tally of each (licensee, work, period) is the sum of the standing settlements in it.
    function invariant_SYB_SETTLE_tallyIsSumOfStandingSettlements() public view {
        uint256 n = handler.entryCount();
        for (uint256 i = 0; i < n; ++i) {
            IReciprocityRegistry.SettlementView memory v = registry.settlementOf(handler.entries(i));
            if (v.id == 0) continue;
            uint256 sum;
            for (uint256 j = 0; j < n; ++j) {
                IReciprocityRegistry.SettlementView memory w = registry.settlementOf(handler.entries(j));
                if (w.standing && w.licensee == v.licensee && w.family == v.family && w.periodStart == v.periodStart) {
                    sum += w.quantity;
                }
            }
            (uint128 tally, ) = registry.settledIn(v.licensee, v.family, v.periodStart);
            assertEq(tally, sum);
        }
    }

    /// @dev No contribution counted twice: at most one standing settlement per correction chain.
    function invariant_SYB_SETTLE_oneStandingSettlementPerCorrectionChain() public view {
        uint256 n = handler.entryCount();
        for (uint256 i = 0; i < n; ++i) {
            uint256 root = handler.rootOf(handler.entries(i));
            uint256 standing;
            for (uint256 j = 0; j < n; ++j) {
                uint256 e = handler.entries(j);
                if (handler.rootOf(e) == root && registry.settlementOf(e).standing) ++standing;
            }
            assertLe(standing, 1);
        }
    }
}
