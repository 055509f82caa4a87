// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {CommonBase} from "forge-std/Base.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {IIncomeDistributor} from "../contracts/interfaces/IIncomeDistributor.sol";
import {LedgerViewMock} from "../contracts/mocks/LedgerViewMock.sol";
import {FeeOnTransferERC20Mock} from "../contracts/mocks/FeeOnTransferERC20Mock.sol";
import {Deployments} from "./utils/Deployments.sol";

/// @dev Four-leaf StandardMerkleTree-compatible trees built in Solidity (commutative pair hash).
library Tree4 {
    function leaf(uint256 index, address account, uint256 amount) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(index, account, amount))));
    }

    function pair(bytes32 a, bytes32 b) internal pure returns (bytes32) {
        return a < b ? keccak256(abi.encode(a, b)) : keccak256(abi.encode(b, a));
    }

    function root(bytes32[4] memory l) internal pure returns (bytes32) {
        return pair(pair(l[0], l[1]), pair(l[2], l[3]));
    }

    function proof(bytes32[4] memory l, uint256 i) internal pure returns (bytes32[] memory p) {
        p = new bytes32[](2);
        p[0] = l[i ^ 1];
        p[1] = i < 2 ? pair(l[2], l[3]) : pair(l[0], l[1]);
    }
}

contract IncomeDistributorTest is Test, Deployments {
    bytes32 internal constant COMMONS = keccak256("commons");
    address internal constant STEWARD = address(0x5);
    LedgerViewMock internal ledger;
    IIncomeDistributor internal distributor;

    function setUp() public {
        ledger = new LedgerViewMock();
        ledger.setCommons(COMMONS, STEWARD);
        ledger.setTip(10, bytes24(keccak256("head")));
        distributor = _deployDistributor(address(ledger), 1 hours);
    }

    function _params(bytes32 root, uint256 total) internal pure returns (IIncomeDistributor.PublishParams memory) {
        return
            IIncomeDistributor.PublishParams({
                commons: COMMONS,
                token: address(0),
                root: root,
                total: total,
                income: total,
                leafCount: 4,
                equationHash: keccak256("eq"),
                ledgerHead: bytes24(0),
                cutoff: 5,
                challengeWindow: 1 hours,
                claimPeriod: 1 days,
                equationURI: ""
            });
    }

    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_depositETH_creditsExactlyMsgValue(uint96 a, uint96 b) public {
        vm.assume(a > 0 && b > 0);
        vm.deal(address(this), uint256(a) + b);
        distributor.depositETH{value: a}(COMMONS);
        distributor.depositETH{value: b}(COMMONS);
        assertEq(distributor.unallocated(COMMONS, address(0)), uint256(a) + b);
        assertEq(address(distributor).balance, uint256(a) + b);
    }

    /// forge-config: default.fuzz.runs = 2000
    function testFuzz_depositToken_creditsWhatArrived(uint128 amount, uint16 feeBps) public {
        feeBps = uint16(bound(feeBps, 0, 9_999));
        amount = uint128(bound(amount, 10_000, type(uint128).max));
        FeeOnTransferERC20Mock token = new FeeOnTransferERC20Mock(feeBps);
        token.mint(address(this), amount);
        token.approve(address(distributor), amount);
        uint256 credited = distributor.depositToken(COMMONS, address(token), amount);
        assertEq(credited, token.balanceOf(address(distributor)));
        assertEq(distributor.unallocated(COMMONS, address(token)), credited);
        assertEq(credited, amount - (uint256(amount) * feeBps) / 10_000);
    }

    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_publish_neverAllocatesAboveUnallocated(uint96 deposit, uint96 total) public {
        vm.assume(deposit > 0 && total > 0);
        vm.deal(address(this), deposit);
        distributor.depositETH{value: deposit}(COMMONS);
        vm.prank(STEWARD);
        if (total > deposit) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IIncomeDistributor.IncomeDistributorInsufficientUnallocated.selector,
                    COMMONS,
                    address(0),
                    uint256(deposit),
                    uint256(total)
                )
            );
            distributor.publish(_params(keccak256("root"), total));
        } else {
            distributor.publish(_params(keccak256("root"), total));
            assertEq(distributor.unallocated(COMMONS, address(0)), uint256(deposit) - total);
        }
    }

    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_claim_paysOnlyTheProvenLeafOnce(uint64[4] memory amounts, uint8 i, uint64 wrongAmount) public {
        i = uint8(bound(i, 0, 3));
        address[4] memory accounts = [address(0xA11CE), address(0xB0B), address(0xCA401), address(0xDA7E)];
        bytes32[4] memory leaves;
        uint256 total;
        for (uint256 k = 0; k < 4; k++) {
            amounts[k] = uint64(bound(amounts[k], 1, type(uint64).max));
            leaves[k] = Tree4.leaf(k, accounts[k], amounts[k]);
            total += amounts[k];
        }
        vm.deal(address(this), total);
        distributor.depositETH{value: total}(COMMONS);
        vm.prank(STEWARD);
        uint256 id = distributor.publish(_params(Tree4.root(leaves), total));
        vm.warp(block.timestamp + 1 hours);
        bytes32[] memory proof = Tree4.proof(leaves, i);
        if (wrongAmount != amounts[i]) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IIncomeDistributor.IncomeDistributorInvalidProof.selector,
                    id,
                    uint256(i),
                    accounts[i],
                    uint256(wrongAmount)
                )
            );
            distributor.claim(id, i, accounts[i], wrongAmount, proof);
        }
        distributor.claim(id, i, accounts[i], amounts[i], proof);
        assertEq(accounts[i].balance, amounts[i]);
        vm.expectRevert(
            abi.encodeWithSelector(IIncomeDistributor.IncomeDistributorAlreadyClaimed.selector, id, uint256(i))
        );
        distributor.claim(id, i, accounts[i], amounts[i], proof);
        assertEq(address(distributor).balance, total - amounts[i]);
    }
}

/// @notice Drives the distributor with deposits, publications, claims, cancellations,
/// objections by named contributors, roll-overs and time jumps (ETH), keeping ghost sums from its
/// return values. The commons has two stewards and a threshold of 2: publications and
/// cancellations take both.
contract DistributorHandler is CommonBase, StdUtils {
    bytes32 internal constant COMMONS = keccak256("commons");
    address internal constant STEWARD = address(0x5);
    address internal constant STEWARD2 = address(0x6);
    IIncomeDistributor public immutable distributor;

    uint256 public deposited;
    uint256 public claimed;
    uint256[] internal ids;
    mapping(uint256 id => bytes32[4]) internal leavesOf;
    mapping(uint256 id => uint256[4]) internal amountsOf;
    mapping(uint256 id => uint256) public ghostClaimed;
    mapping(uint256 id => mapping(uint256 k => bool)) internal objectedBy;

    constructor(IIncomeDistributor d) {
        distributor = d;
    }

    function _account(uint256 k) internal pure returns (address) {
        return address(uint160(0x1000 + k));
    }

    function deposit(uint96 amount) external {
        amount = uint96(bound(amount, 1, 1e24));
        vm.deal(address(this), amount);
        distributor.depositETH{value: amount}(COMMONS);
        deposited += amount;
    }

    function publish(uint64[4] memory amounts, bool overstate) external {
        uint256 available = distributor.unallocated(COMMONS, address(0));
        if (available < 4) return;
        bytes32[4] memory leaves;
        uint256[4] memory a;
        uint256 total;
        for (uint256 k = 0; k < 4; k++) {
            a[k] = bound(amounts[k], 1, available / 4);
            leaves[k] = Tree4.leaf(k, _account(k), a[k]);
            total += a[k];
        }
        // A faulty publication: leaves summing above the total (the contract must cap claims).
        if (overstate) total -= a[3];
        IIncomeDistributor.PublishParams memory p = IIncomeDistributor.PublishParams({
            commons: COMMONS,
            token: address(0),
            root: Tree4.root(leaves),
            total: total,
            income: total,
            leafCount: 4,
            equationHash: bytes32(ids.length), // each publication's parameters differ (the same ones publish once)
            ledgerHead: bytes24(0),
            cutoff: 1,
            challengeWindow: 1 hours,
            claimPeriod: 1 days,
            equationURI: ""
        });
        vm.prank(STEWARD);
        if (distributor.publish(p) != 0) revert("one approval of two published");
        vm.prank(STEWARD2);
        uint256 id = distributor.publish(p);
        ids.push(id);
        leavesOf[id] = leaves;
        amountsOf[id] = a;
    }

    function claim(uint256 which, uint8 k) external {
        if (ids.length == 0) return;
        uint256 id = ids[which % ids.length];
        k = uint8(k % 4);
        IIncomeDistributor.Distribution memory d = distributor.distribution(id);
        uint256 amount = amountsOf[id][k];
        bool ok =
            d.status == IIncomeDistributor.Status.Published &&
                block.timestamp >= d.claimsOpenAt &&
                block.timestamp < d.expiresAt &&
                !distributor.isClaimed(id, k) &&
                d.claimed + amount <= d.total;
        if (!ok) return;
        distributor.claim(id, k, _account(k), amount, Tree4.proof(leavesOf[id], k));
        claimed += amount;
        ghostClaimed[id] += amount;
    }

    function cancel(uint256 which) external {
        if (ids.length == 0) return;
        uint256 id = ids[which % ids.length];
        IIncomeDistributor.Distribution memory d = distributor.distribution(id);
        if (d.status != IIncomeDistributor.Status.Published || block.timestamp >= d.claimsOpenAt) return;
        vm.prank(STEWARD);
        if (distributor.cancel(id)) revert("one approval of two cancelled");
        vm.prank(STEWARD2);
        distributor.cancel(id);
    }

    /// @notice A named contributor objects with its own leaf; enough objections stop the distribution.
    function object(uint256 which, uint8 k) external {
        if (ids.length == 0) return;
        uint256 id = ids[which % ids.length];
        k = uint8(k % 4);
        IIncomeDistributor.Distribution memory d = distributor.distribution(id);
        if (d.status != IIncomeDistributor.Status.Published || block.timestamp >= d.claimsOpenAt) return;
        if (objectedBy[id][k]) return;
        objectedBy[id][k] = true;
        vm.prank(_account(k));
        distributor.object(id, k, amountsOf[id][k], Tree4.proof(leavesOf[id], k), bytes32(0));
    }

    function rollOver(uint256 which) external {
        if (ids.length == 0) return;
        uint256 id = ids[which % ids.length];
        IIncomeDistributor.Distribution memory d = distributor.distribution(id);
        if (d.status != IIncomeDistributor.Status.Published || block.timestamp < d.expiresAt) return;
        distributor.rollOver(id);
    }

    function warp(uint32 seconds_) external {
        vm.warp(block.timestamp + bound(seconds_, 1, 2 days));
    }

    /// @notice Σ (total - claimed) over published distributions that are still live.
    function owed() external view returns (uint256 sum) {
        for (uint256 i = 0; i < ids.length; i++) {
            IIncomeDistributor.Distribution memory d = distributor.distribution(ids[i]);
            if (d.status == IIncomeDistributor.Status.Published) sum += d.total - d.claimed;
            else if (d.status == IIncomeDistributor.Status.Stopped || d.status == IIncomeDistributor.Status.Cancelled) {
                if (d.claimed != 0) revert("a stopped or cancelled distribution paid a claim");
            }
        }
    }

    /// @notice Whether every distribution's claimed sum is within its total and matches the ghost.
    function claimsWithinTotals() external view returns (bool) {
        for (uint256 i = 0; i < ids.length; i++) {
            IIncomeDistributor.Distribution memory d = distributor.distribution(ids[i]);
            if (d.claimed > d.total || d.claimed != ghostClaimed[ids[i]]) return false;
        }
        return true;
    }
}

/// forge-config: default.invariant.runs = 64
/// forge-config: default.invariant.depth = 40
/// forge-config: default.invariant.fail-on-revert = true
contract IncomeDistributorInvariantTest is Test, Deployments {
    bytes32 internal constant COMMONS = keccak256("commons");
    IIncomeDistributor internal distributor;
    DistributorHandler internal handler;

    function setUp() public {
        LedgerViewMock ledger = new LedgerViewMock();
        ledger.setCommons(COMMONS, address(0x5));
        ledger.setCommons(COMMONS, address(0x6));
        ledger.setThreshold(COMMONS, 2);
        ledger.setTip(10, bytes24(0));
        distributor = _deployDistributor(address(ledger), 1 hours);
        handler = new DistributorHandler(distributor);
        targetContract(address(handler));
    }

    /// PAY-CONSERVE: deposited == unallocated + claimed + owed (cancelled, stopped and rolled-over
    /// funds are back in unallocated), and the balance covers exactly what is unallocated or owed.
    function invariant_PAY_CONSERVE_depositedEqualsUnallocatedClaimedOwed() public view {
        uint256 unallocated = distributor.unallocated(COMMONS, address(0));
        uint256 owed = handler.owed();
        assertEq(handler.deposited(), unallocated + handler.claimed() + owed);
        assertEq(address(distributor).balance, unallocated + owed);
    }

    /// Shares never sum above the income: no distribution pays out more than its total.
    function invariant_PAY_CONSERVE_claimsNeverExceedTotals() public view {
        assertTrue(handler.claimsWithinTotals());
    }
}
