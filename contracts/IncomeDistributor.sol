// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {ILedger} from "./interfaces/ILedger.sol";
import {IIncomeDistributor} from "./interfaces/IIncomeDistributor.sol";

/// @title IncomeDistributor
/// @notice See IIncomeDistributor. Pull payments only; nothing pays in a loop.
contract IncomeDistributor is IIncomeDistributor, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Most leaves in one distribution (the publisher pre-writes one bitmap word per 256).
    uint256 public constant MAX_LEAVES = 16_384;
    /// @notice Longest challenge window a publication (or the deployment's minimum) may set.
    uint256 public constant MAX_CHALLENGE_WINDOW = 30 days;
    /// @notice Shortest claim period a publication may set.
    uint256 public constant MIN_CLAIM_PERIOD = 1 days;
    /// @notice Longest claim period a publication may set.
    uint256 public constant MAX_CLAIM_PERIOD = 3650 days;
    /// @notice The stop share of a commons that has not set one: the contributors named for half
    /// of a distribution's total stop it.
    uint16 public constant DEFAULT_STOP_SHARE_BPS = 5_000;
    uint256 private constant _BPS = 10_000;

    // Packed for the claim path: a claim reads `root`, `meta` and `amounts` and writes `amounts`
    // and one pre-written bitmap word (no zero-to-nonzero store), which keeps it under 60k gas.
    struct Meta {
        address token;
        uint40 claimsOpenAt;
        uint40 expiresAt;
        Status status;
    }
    struct Amounts {
        uint112 total;
        uint112 claimed;
        uint32 leafCount;
    }
    struct Stored {
        bytes32 root;
        Meta meta;
        Amounts amounts;
        bytes32 commons;
        bytes32 equationHash;
        bytes24 ledgerHead;
        uint64 cutoff;
    }

    ILedger private immutable _ledger;
    uint256 private immutable _minChallengeWindow;
    uint256 private _count;
    mapping(uint256 id => Stored) private _distributions;
    /// @dev Inverted bitmap: a set bit is an unclaimed leaf.
    mapping(uint256 id => mapping(uint256 word => uint256 bits)) private _unclaimed;
    mapping(bytes32 commons => mapping(address token => uint256 amount)) private _unallocated;
    /// @dev Steward approvals per (commons, action, steward epoch).
    mapping(bytes32 key => uint256 approvals) private _approvals;
    mapping(bytes32 key => mapping(address steward => bool)) private _approvedBy;
    mapping(bytes32 digest => uint256 id) private _publishedDigests;
    mapping(bytes32 commons => uint16 shareBps) private _stopShares;
    mapping(uint256 id => uint256 amount) private _objected;
    /// @dev A set bit is a leaf that objected.
    mapping(uint256 id => mapping(uint256 word => uint256 bits)) private _objections;

    constructor(address ledger_, uint256 minChallengeWindow_) {
        if (ledger_ == address(0)) revert IncomeDistributorZeroAddress();
        if (minChallengeWindow_ > MAX_CHALLENGE_WINDOW) {
            revert IncomeDistributorInvalidChallengeWindow(uint64(minChallengeWindow_), 0, MAX_CHALLENGE_WINDOW);
        }
        _ledger = ILedger(ledger_);
        _minChallengeWindow = minChallengeWindow_;
    }

    // ------------------------------------------------------------------ deposits

    /// @inheritdoc IIncomeDistributor
    function depositETH(bytes32 commons) external payable nonReentrant {
        if (msg.value == 0) revert IncomeDistributorZeroAmount();
        _requireCommons(commons);
        _unallocated[commons][address(0)] += msg.value;
        emit Deposited(commons, address(0), msg.sender, msg.value);
    }

    /// @inheritdoc IIncomeDistributor
    function depositToken(
        bytes32 commons,
        address token,
        uint256 amount
    ) external nonReentrant returns (uint256 credited) {
        if (token == address(0)) revert IncomeDistributorZeroAddress();
        if (amount == 0) revert IncomeDistributorZeroAmount();
        _requireCommons(commons);
        uint256 before = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        uint256 afterwards = IERC20(token).balanceOf(address(this));
        if (afterwards <= before) revert IncomeDistributorNothingReceived(token, amount);
        credited = afterwards - before;
        _unallocated[commons][token] += credited;
        emit Deposited(commons, token, msg.sender, credited);
    }

    // ------------------------------------------------------------------ distributions

    /// @inheritdoc IIncomeDistributor
    function publish(PublishParams calldata p) external nonReentrant returns (uint256 id) {
        (uint256 threshold, uint256 epoch) = _stewardCheck(p.commons);
        bytes32 digest = keccak256(abi.encode(p));
        uint256 published = _publishedDigests[digest];
        if (published != 0) revert IncomeDistributorAlreadyPublished(digest, published);
        if (p.root == bytes32(0)) revert IncomeDistributorZeroRoot();
        if (p.total == 0) revert IncomeDistributorZeroAmount();
        if (p.total > type(uint112).max) revert IncomeDistributorAmountTooLarge(p.total, type(uint112).max);
        if (p.total > p.income) revert IncomeDistributorTotalAboveIncome(p.total, p.income);
        if (p.leafCount == 0 || p.leafCount > MAX_LEAVES)
            revert IncomeDistributorInvalidLeafCount(p.leafCount, MAX_LEAVES);
        if (p.challengeWindow < _minChallengeWindow || p.challengeWindow > MAX_CHALLENGE_WINDOW) {
            revert IncomeDistributorInvalidChallengeWindow(
                p.challengeWindow,
                _minChallengeWindow,
                MAX_CHALLENGE_WINDOW
            );
        }
        if (p.claimPeriod < MIN_CLAIM_PERIOD || p.claimPeriod > MAX_CLAIM_PERIOD) {
            revert IncomeDistributorInvalidClaimPeriod(p.claimPeriod, MIN_CLAIM_PERIOD, MAX_CLAIM_PERIOD);
        }
        (uint64 count, bytes24 head) = _ledger.tip();
        if (p.cutoff == 0 || p.cutoff > count) revert IncomeDistributorInvalidCutoff(p.cutoff, count);
        if (p.cutoff == count && p.ledgerHead != head)
            revert IncomeDistributorHeadMismatch(p.cutoff, p.ledgerHead, head);
        uint256 available = _unallocated[p.commons][p.token];
        if (available < p.total)
            revert IncomeDistributorInsufficientUnallocated(p.commons, p.token, available, p.total);
        uint256 approvals = _countApproval(p.commons, digest, threshold, epoch);
        if (approvals < threshold) {
            if (approvals == 1) emit PublicationProposed(digest, p.commons, msg.sender, p);
            return 0;
        }

        _unallocated[p.commons][p.token] = available - p.total;
        id = ++_count;
        _publishedDigests[digest] = id;
        uint40 claimsOpenAt = uint40(block.timestamp + p.challengeWindow);
        uint40 expiresAt = uint40(claimsOpenAt + p.claimPeriod);
        Stored storage d = _distributions[id];
        d.root = p.root;
        d.meta = Meta({token: p.token, claimsOpenAt: claimsOpenAt, expiresAt: expiresAt, status: Status.Published});
        d.amounts = Amounts({total: uint112(p.total), claimed: 0, leafCount: uint32(p.leafCount)});
        d.commons = p.commons;
        d.equationHash = p.equationHash;
        d.ledgerHead = p.ledgerHead;
        d.cutoff = p.cutoff;
        // Every leaf starts unclaimed (bit set), so that claims never store into an empty slot.
        uint256 fullWords = p.leafCount / 256;
        mapping(uint256 => uint256) storage bits = _unclaimed[id];
        for (uint256 w = 0; w < fullWords; ++w) bits[w] = type(uint256).max;
        uint256 rest = p.leafCount % 256;
        if (rest != 0) bits[fullWords] = (uint256(1) << rest) - 1;

        emit DistributionPublished(
            id,
            p.commons,
            p.token,
            msg.sender,
            p.root,
            p.total,
            p.income,
            p.leafCount,
            p.equationHash,
            p.ledgerHead,
            p.cutoff,
            claimsOpenAt,
            expiresAt,
            p.equationURI
        );
    }

    /// @inheritdoc IIncomeDistributor
    function challenge(uint256 id, bytes32 evidence) external {
        Meta memory meta = _activeMeta(id);
        if (block.timestamp >= meta.claimsOpenAt) revert IncomeDistributorChallengeWindowOver(id, meta.claimsOpenAt);
        emit DistributionChallenged(id, msg.sender, evidence);
    }

    /// @inheritdoc IIncomeDistributor
    function cancel(uint256 id) external nonReentrant returns (bool cancelled) {
        Stored storage d = _distributions[id];
        Meta memory meta = _activeMeta(id);
        bytes32 commons = d.commons;
        (uint256 threshold, uint256 epoch) = _stewardCheck(commons);
        if (block.timestamp >= meta.claimsOpenAt) revert IncomeDistributorChallengeWindowOver(id, meta.claimsOpenAt);
        if (_countApproval(commons, cancellationDigest(id), threshold, epoch) < threshold) return false;
        uint256 released = _release(d, Status.Cancelled);
        emit DistributionCancelled(id, msg.sender, released);
        return true;
    }

    /// @inheritdoc IIncomeDistributor
    function object(
        uint256 id,
        uint256 index,
        uint256 amount,
        bytes32[] calldata proof,
        bytes32 evidence
    ) external nonReentrant returns (bool stopped) {
        Stored storage d = _distributions[id];
        Meta memory meta = _activeMeta(id);
        if (block.timestamp >= meta.claimsOpenAt) revert IncomeDistributorChallengeWindowOver(id, meta.claimsOpenAt);
        uint256 total = d.amounts.total;
        uint256 leafCount = d.amounts.leafCount;
        if (index >= leafCount) revert IncomeDistributorIndexOutOfRange(id, index, leafCount);
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(index, msg.sender, amount))));
        if (!MerkleProof.verifyCalldata(proof, d.root, leaf))
            revert IncomeDistributorInvalidProof(id, index, msg.sender, amount);
        if (amount == 0) revert IncomeDistributorZeroAmount();
        uint256 word = index >> 8;
        uint256 mask = uint256(1) << (index & 0xff);
        uint256 bits = _objections[id][word];
        if (bits & mask != 0) revert IncomeDistributorAlreadyObjected(id, index);

        _objections[id][word] = bits | mask;
        uint256 objected = _objected[id] + amount;
        _objected[id] = objected;
        emit Objected(id, index, msg.sender, amount, objected, evidence);
        if (objected * _BPS < total * _stopShare(d.commons)) return false;
        uint256 released = _release(d, Status.Stopped);
        emit DistributionStopped(id, objected, released);
        return true;
    }

    /// @inheritdoc IIncomeDistributor
    function setStopRule(bytes32 commons, uint16 shareBps) external returns (bool set) {
        (uint256 threshold, uint256 epoch) = _stewardCheck(commons);
        if (shareBps == 0 || shareBps > _BPS) revert IncomeDistributorInvalidStopRule(shareBps, _BPS);
        if (_countApproval(commons, stopRuleDigest(commons, shareBps), threshold, epoch) < threshold) return false;
        _stopShares[commons] = shareBps;
        emit StopRuleSet(commons, shareBps, msg.sender);
        return true;
    }

    /// @inheritdoc IIncomeDistributor
    function claim(
        uint256 id,
        uint256 index,
        address account,
        uint256 amount,
        bytes32[] calldata proof
    ) external nonReentrant {
        Stored storage d = _distributions[id];
        Meta memory meta = _activeMeta(id);
        if (block.timestamp < meta.claimsOpenAt) revert IncomeDistributorNotOpen(id, meta.claimsOpenAt);
        if (block.timestamp >= meta.expiresAt) revert IncomeDistributorClaimsClosed(id, meta.expiresAt);
        Amounts memory a = d.amounts;
        if (index >= a.leafCount) revert IncomeDistributorIndexOutOfRange(id, index, a.leafCount);
        uint256 word = index >> 8;
        uint256 mask = uint256(1) << (index & 0xff);
        uint256 bits = _unclaimed[id][word];
        if (bits & mask == 0) revert IncomeDistributorAlreadyClaimed(id, index);
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(index, account, amount))));
        if (!MerkleProof.verifyCalldata(proof, d.root, leaf))
            revert IncomeDistributorInvalidProof(id, index, account, amount);
        if (amount == 0) revert IncomeDistributorZeroAmount();
        if (uint256(a.claimed) + amount > a.total) revert IncomeDistributorOverClaim(id, a.claimed, amount, a.total);

        _unclaimed[id][word] = bits & ~mask;
        d.amounts.claimed = uint112(a.claimed + amount);
        emit Claimed(id, index, account, amount, msg.sender);
        if (meta.token == address(0)) Address.sendValue(payable(account), amount);
        else IERC20(meta.token).safeTransfer(account, amount);
    }

    /// @inheritdoc IIncomeDistributor
    function rollOver(uint256 id) external nonReentrant returns (uint256 amount) {
        Stored storage d = _distributions[id];
        Meta memory meta = _activeMeta(id);
        if (block.timestamp < meta.expiresAt) revert IncomeDistributorNotExpired(id, meta.expiresAt);
        d.meta.status = Status.RolledOver;
        Amounts memory a = d.amounts;
        amount = a.total - a.claimed;
        _unallocated[d.commons][meta.token] += amount;
        emit RolledOver(id, d.commons, meta.token, amount);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IIncomeDistributor
    function ledger() external view returns (address) {
        return address(_ledger);
    }

    /// @inheritdoc IIncomeDistributor
    function stopRule(bytes32 commons) external view returns (uint16) {
        return _stopShare(commons);
    }

    /// @inheritdoc IIncomeDistributor
    function objectedOf(uint256 id) external view returns (uint256) {
        return _objected[id];
    }

    /// @inheritdoc IIncomeDistributor
    function approvalsOf(bytes32 commons, bytes32 action) external view returns (uint256 approvals, uint256 threshold) {
        uint256 epoch;
        (, threshold, epoch) = _ledger.stewardship(commons);
        approvals = _approvals[_approvalKey(commons, action, epoch)];
    }

    /// @inheritdoc IIncomeDistributor
    function publicationDigest(PublishParams calldata p) external pure returns (bytes32) {
        return keccak256(abi.encode(p));
    }

    /// @inheritdoc IIncomeDistributor
    function cancellationDigest(uint256 id) public pure returns (bytes32) {
        return keccak256(abi.encode("cancel", id));
    }

    /// @inheritdoc IIncomeDistributor
    function stopRuleDigest(bytes32 commons, uint16 shareBps) public pure returns (bytes32) {
        return keccak256(abi.encode("stop-rule", commons, shareBps));
    }

    /// @inheritdoc IIncomeDistributor
    function minChallengeWindow() external view returns (uint256) {
        return _minChallengeWindow;
    }

    /// @inheritdoc IIncomeDistributor
    function unallocated(bytes32 commons, address token) external view returns (uint256) {
        return _unallocated[commons][token];
    }

    /// @inheritdoc IIncomeDistributor
    function distribution(uint256 id) external view returns (Distribution memory) {
        Stored storage d = _distributions[id];
        return
            Distribution({
                commons: d.commons,
                token: d.meta.token,
                status: d.meta.status,
                claimsOpenAt: d.meta.claimsOpenAt,
                expiresAt: d.meta.expiresAt,
                root: d.root,
                total: d.amounts.total,
                claimed: d.amounts.claimed,
                leafCount: d.amounts.leafCount,
                equationHash: d.equationHash,
                ledgerHead: d.ledgerHead,
                cutoff: d.cutoff
            });
    }

    /// @inheritdoc IIncomeDistributor
    function distributionCount() external view returns (uint256) {
        return _count;
    }

    /// @inheritdoc IIncomeDistributor
    function isClaimed(uint256 id, uint256 index) external view returns (bool) {
        if (index >= _distributions[id].amounts.leafCount) return false;
        return _unclaimed[id][index >> 8] & (uint256(1) << (index & 0xff)) == 0;
    }

    // ------------------------------------------------------------------ internal

    /// @dev Reverts unless `commons` is registered on the Ledger.
    function _requireCommons(bytes32 commons) internal view {
        if (!_ledger.commonsExists(commons)) revert IncomeDistributorUnknownCommons(commons);
    }

    /// @dev The commons' threshold and steward epoch; reverts unless the caller is one of its stewards.
    function _stewardCheck(bytes32 commons) internal view returns (uint256 threshold, uint256 epoch) {
        if (!_ledger.isSteward(commons, msg.sender)) revert IncomeDistributorNotSteward(commons, msg.sender);
        (, threshold, epoch) = _ledger.stewardship(commons);
    }

    /// @dev Counts the caller's approval of `action` in the current epoch; returns the approvals so far.
    function _countApproval(
        bytes32 commons,
        bytes32 action,
        uint256 threshold,
        uint256 epoch
    ) internal returns (uint256 approvals) {
        // A commons run by one key: its approval is the decision, nothing to remember (saves ~44k gas).
        if (threshold <= 1) {
            emit StewardsApproved(commons, action, msg.sender, 1, threshold);
            return 1;
        }
        bytes32 key = _approvalKey(commons, action, epoch);
        if (_approvedBy[key][msg.sender]) revert IncomeDistributorAlreadyApproved(action, msg.sender);
        _approvedBy[key][msg.sender] = true;
        approvals = ++_approvals[key];
        emit StewardsApproved(commons, action, msg.sender, approvals, threshold);
    }

    function _approvalKey(bytes32 commons, bytes32 action, uint256 epoch) internal pure returns (bytes32) {
        return keccak256(abi.encode(commons, action, epoch));
    }

    /// @dev Ends a distribution in its challenge window and returns its total to unallocated.
    function _release(Stored storage d, Status status) internal returns (uint256 released) {
        d.meta.status = status;
        released = d.amounts.total;
        _unallocated[d.commons][d.meta.token] += released;
    }

    function _stopShare(bytes32 commons) internal view returns (uint16 shareBps) {
        shareBps = _stopShares[commons];
        if (shareBps == 0) shareBps = DEFAULT_STOP_SHARE_BPS;
    }

    /// @dev The distribution's meta; reverts if unknown, cancelled or rolled over.
    function _activeMeta(uint256 id) internal view returns (Meta memory meta) {
        meta = _distributions[id].meta;
        if (meta.status != Status.Published) {
            if (meta.status == Status.None) revert IncomeDistributorUnknownDistribution(id);
            revert IncomeDistributorNotActive(id, meta.status);
        }
    }
}
