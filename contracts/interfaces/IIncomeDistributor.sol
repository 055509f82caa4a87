// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

/// @title Income distributor: value flows back to the contributors of a commons
/// @notice Income earned by a commons (ETH or an ERC-20) is deposited here, credited to the
/// commons. The commons' stewards (as the Ledger says) publish a distribution: a Merkle root
/// of (index, account, amount) leaves computed off-chain from a published value equation over the
/// ledger up to a cutoff entry, together with the equation's hash, the ledger head at the cutoff
/// and the cutoff itself, so that anyone can recompute it from the chain alone
/// (`commons distribute --check`).
///
/// Who may move money (the Ledger's trust model applies): no set of stewards smaller than the
/// commons' threshold (`ILedger.stewardship`) publishes or cancels a distribution or changes its
/// stop rule. Each of these is approved by stewards one by one (`StewardsApproved`) and happens
/// when the approvals of the current steward epoch reach the threshold; a change of the steward set
/// voids earlier approvals. Stewards approve a publication by submitting exactly the same
/// parameters, so each of them recomputes the distribution before approving it.
///
/// Life of a distribution:
/// 1. Published: `total` moves from the commons' unallocated balance to the distribution.
/// 2. Challenge window (`challengeWindow` seconds, at least MIN_CHALLENGE_WINDOW): no claims.
///    Anyone who recomputes a different root may `challenge` it (an event with the evidence
///    digest, which stewards and contributors watch). The stewards' threshold may `cancel` it, and
///    the contributors it names may stop it: each `object`s with the proof of its own leaf, and once
///    the objecting leaves hold the commons' stop share of the total (`stopRule`, default half) it is
///    Stopped. Either way its whole total goes back to the unallocated balance. One rogue steward
///    can neither publish nor cancel alone (unless the commons runs on a threshold of 1, which every
///    tool shows as "run by one key").
/// 3. Open (`claimPeriod` seconds): anyone may trigger the claim of a leaf with its Merkle
///    proof; the amount always goes to the leaf's account (pull payment, once per leaf).
/// 4. Expired: anyone may `rollOver` what was not claimed back to the unallocated balance.
///
/// Leaves are OpenZeppelin StandardMerkleTree leaves of `(uint256 index, address account,
/// uint256 amount)`: `keccak256(bytes.concat(keccak256(abi.encode(index, account, amount))))`.
/// The index binds each leaf to one bit of the claimed bitmap (a leaf hash could not: proofs
/// use commutative hashing, so a position is not bound by the proof). The bitmap is written
/// with ones at publication (the publisher pays ~22k gas per 256 leaves) and a claim clears its
/// bit, so no claim pays for a fresh storage slot.
///
/// Accounting, per token: balance >= Σ unallocated + Σ (total - claimed) over published
/// distributions that are neither cancelled nor rolled over; and for every (commons, token):
/// deposited == unallocated + Σ claimed + Σ owed, with cancelled and rolled-over amounts back
/// in unallocated. Tokens are credited by the balance change they cause (fee-on-transfer tokens
/// are credited what arrived). ETH or tokens sent to this contract other than by a deposit are
/// not credited to anyone.
interface IIncomeDistributor {
    /// @notice Where a distribution stands. `Published` covers the challenge window, the claim
    /// period and the time after expiry until `rollOver`.
    enum Status {
        None,
        Published,
        Cancelled,
        RolledOver,
        Stopped // by the objections of the contributors it names
    }

    /// @notice What a steward publishes.
    struct PublishParams {
        bytes32 commons;
        address token; // address(0) for ETH
        bytes32 root; // Merkle root of (index, account, amount) leaves
        uint256 total; // the sum of the leaves' amounts
        uint256 income; // the income the equation was applied to (total + dust + undistributed)
        uint256 leafCount; // number of leaves; indices are 0 .. leafCount - 1
        bytes32 equationHash; // keccak256 of the value equation's canonical JSON
        bytes24 ledgerHead; // the ledger's hash-chain head after entry `cutoff`
        uint64 cutoff; // the last ledger entry the distribution counts
        uint64 challengeWindow; // seconds before claims open
        uint64 claimPeriod; // seconds claims stay open
        string equationURI; // where the equation JSON can be fetched (may be empty)
    }

    /// @notice A distribution as stored.
    struct Distribution {
        bytes32 commons;
        address token;
        Status status;
        uint40 claimsOpenAt;
        uint40 expiresAt;
        bytes32 root;
        uint256 total;
        uint256 claimed;
        uint256 leafCount;
        bytes32 equationHash;
        bytes24 ledgerHead;
        uint64 cutoff;
    }

    // ------------------------------------------------------------------ events

    /// @notice `amount` of `token` (address(0): ETH) was credited to `commons`' unallocated income.
    event Deposited(bytes32 indexed commons, address indexed token, address indexed from, uint256 amount);

    /// @notice `steward` approved `action` for `commons` (a publication's digest, a cancellation or a
    /// stop rule: see `publicationDigest`, `cancellationDigest`, `stopRuleDigest`); `approvals` of the
    /// `threshold` needed, counted in the commons' current steward epoch.
    event StewardsApproved(
        bytes32 indexed commons,
        bytes32 indexed action,
        address indexed steward,
        uint256 approvals,
        uint256 threshold
    );

    /// @notice The first approval of publishing `params` in the current steward epoch: the other
    /// stewards read the parameters here, recompute the distribution and approve the same ones.
    event PublicationProposed(
        bytes32 indexed digest,
        bytes32 indexed commons,
        address indexed steward,
        PublishParams params
    );

    /// @notice Distribution `id` was published; `by` is the steward whose approval reached the threshold.
    event DistributionPublished(
        uint256 indexed id,
        bytes32 indexed commons,
        address indexed token,
        address by,
        bytes32 root,
        uint256 total,
        uint256 income,
        uint256 leafCount,
        bytes32 equationHash,
        bytes24 ledgerHead,
        uint64 cutoff,
        uint40 claimsOpenAt,
        uint40 expiresAt,
        string equationURI
    );

    /// @notice `challenger` disputes distribution `id` during its challenge window.
    event DistributionChallenged(uint256 indexed id, address indexed challenger, bytes32 evidence);

    /// @notice The stewards cancelled distribution `id` (`by` gave the last approval); `released`
    /// went back to unallocated.
    event DistributionCancelled(uint256 indexed id, address indexed by, uint256 released);

    /// @notice `account`, named in leaf `index` of distribution `id` for `amount`, objects to it;
    /// `objected` is the sum of the objecting leaves' amounts after it.
    event Objected(
        uint256 indexed id,
        uint256 index,
        address indexed account,
        uint256 amount,
        uint256 objected,
        bytes32 evidence
    );

    /// @notice The objections reached the stop share: distribution `id` is stopped and `released`
    /// went back to unallocated.
    event DistributionStopped(uint256 indexed id, uint256 objected, uint256 released);

    /// @notice The stewards set the share of a distribution's total (in basis points) whose named
    /// contributors stop it by objecting.
    event StopRuleSet(bytes32 indexed commons, uint16 shareBps, address by);

    /// @notice Leaf `index` of distribution `id` paid `amount` to `account` (triggered by `by`).
    event Claimed(uint256 indexed id, uint256 index, address indexed account, uint256 amount, address indexed by);

    /// @notice The unclaimed `amount` of expired distribution `id` went back to unallocated.
    event RolledOver(uint256 indexed id, bytes32 indexed commons, address indexed token, uint256 amount);

    // ------------------------------------------------------------------ errors

    /// @notice Zero address where a contract or account is required.
    error IncomeDistributorZeroAddress();
    /// @notice A deposit, total or leaf amount of zero.
    error IncomeDistributorZeroAmount();
    /// @notice The commons is not registered on the Ledger.
    error IncomeDistributorUnknownCommons(bytes32 commons);
    /// @notice The caller is not a steward of the commons.
    error IncomeDistributorNotSteward(bytes32 commons, address account);
    /// @notice The steward already approved this action in the current steward epoch.
    error IncomeDistributorAlreadyApproved(bytes32 action, address steward);
    /// @notice These exact parameters were already published as distribution `id`.
    error IncomeDistributorAlreadyPublished(bytes32 digest, uint256 id);
    /// @notice Leaf `index` already objected to distribution `id`.
    error IncomeDistributorAlreadyObjected(uint256 id, uint256 index);
    /// @notice A stop share must be 1 .. 10,000 basis points.
    error IncomeDistributorInvalidStopRule(uint256 shareBps, uint256 max);
    /// @notice A token deposit raised this contract's balance by nothing.
    error IncomeDistributorNothingReceived(address token, uint256 requested);
    /// @notice The commons has less unallocated income in `token` than the distribution's total.
    error IncomeDistributorInsufficientUnallocated(bytes32 commons, address token, uint256 available, uint256 needed);
    /// @notice An amount does not fit the stored width.
    error IncomeDistributorAmountTooLarge(uint256 amount, uint256 max);
    /// @notice The total paid out is above the income the equation was applied to.
    error IncomeDistributorTotalAboveIncome(uint256 total, uint256 income);
    /// @notice The leaf count is zero or above MAX_LEAVES.
    error IncomeDistributorInvalidLeafCount(uint256 leafCount, uint256 max);
    /// @notice The root is zero.
    error IncomeDistributorZeroRoot();
    /// @notice The cutoff is zero or beyond the ledger's entry count.
    error IncomeDistributorInvalidCutoff(uint64 cutoff, uint64 count);
    /// @notice The cutoff is the ledger's last entry but the head is not the ledger's head.
    error IncomeDistributorHeadMismatch(uint64 cutoff, bytes24 given, bytes24 expected);
    /// @notice The challenge window is outside [min, max].
    error IncomeDistributorInvalidChallengeWindow(uint64 challengeWindow, uint256 min, uint256 max);
    /// @notice The claim period is outside [min, max].
    error IncomeDistributorInvalidClaimPeriod(uint64 claimPeriod, uint256 min, uint256 max);
    /// @notice No distribution has this id.
    error IncomeDistributorUnknownDistribution(uint256 id);
    /// @notice The distribution was cancelled or rolled over.
    error IncomeDistributorNotActive(uint256 id, Status status);
    /// @notice Claims open at `claimsOpenAt`.
    error IncomeDistributorNotOpen(uint256 id, uint256 claimsOpenAt);
    /// @notice Claims closed at `expiresAt`.
    error IncomeDistributorClaimsClosed(uint256 id, uint256 expiresAt);
    /// @notice The challenge window closed at `claimsOpenAt` (too late to cancel, challenge or object).
    error IncomeDistributorChallengeWindowOver(uint256 id, uint256 claimsOpenAt);
    /// @notice The distribution has not expired yet (rollOver).
    error IncomeDistributorNotExpired(uint256 id, uint256 expiresAt);
    /// @notice The leaf index is not below the distribution's leaf count.
    error IncomeDistributorIndexOutOfRange(uint256 id, uint256 index, uint256 leafCount);
    /// @notice Leaf `index` was already claimed.
    error IncomeDistributorAlreadyClaimed(uint256 id, uint256 index);
    /// @notice The proof does not prove (index, account, amount) against the root.
    error IncomeDistributorInvalidProof(uint256 id, uint256 index, address account, uint256 amount);
    /// @notice Paying this leaf would take the claimed sum above the total (a faulty root).
    error IncomeDistributorOverClaim(uint256 id, uint256 claimed, uint256 amount, uint256 total);

    // ------------------------------------------------------------------ deposits

    /// @notice Credits the ETH sent to `commons`' unallocated income. Anyone may deposit.
    function depositETH(bytes32 commons) external payable;

    /// @notice Pulls `amount` of `token` from the caller (approve first) and credits what this
    /// contract's balance actually grew by (fee-on-transfer tokens credit less). Not payable.
    /// @return credited The amount credited.
    function depositToken(bytes32 commons, address token, uint256 amount) external returns (uint256 credited);

    // ------------------------------------------------------------------ distributions

    /// @notice A steward of `p.commons` approves publishing exactly `p`; the approval that reaches
    /// the commons' threshold publishes a distribution of `p.total` of the commons' unallocated
    /// `p.token` (at once when the threshold is 1). Every approval checks the parameters. When
    /// `p.cutoff` is the ledger's last entry at publication, `p.ledgerHead` must be the ledger's
    /// head; for an earlier cutoff the head is checked off-chain during the window.
    /// @return id The distribution id (1, 2, 3, ...), or 0 while more approvals are needed.
    function publish(PublishParams calldata p) external returns (uint256 id);

    /// @notice Records a challenge of distribution `id` during its challenge window (anyone;
    /// `evidence` is a digest of the challenger's recomputation, e.g. the root it got). It does
    /// not stop the distribution: a steward decides to `cancel` it.
    function challenge(uint256 id, bytes32 evidence) external;

    /// @notice A steward of its commons approves cancelling distribution `id` during its challenge
    /// window; the approval that reaches the threshold cancels it, releasing its total to the
    /// commons' unallocated income.
    /// @return cancelled Whether this approval cancelled it.
    function cancel(uint256 id) external returns (bool cancelled);

    /// @notice The account named in leaf `index` (the caller: the proof must prove `(index, caller,
    /// amount)`, else IncomeDistributorInvalidProof) objects to
    /// distribution `id` during its challenge window, once per leaf. When the objecting leaves'
    /// amounts reach the commons' stop share of the total, the distribution is Stopped and its
    /// total released.
    /// @return stopped Whether this objection stopped it.
    function object(
        uint256 id,
        uint256 index,
        uint256 amount,
        bytes32[] calldata proof,
        bytes32 evidence
    ) external returns (bool stopped);

    /// @notice A steward approves the commons' stop share (1..10,000 basis points of a
    /// distribution's total); it applies from the approval that reaches the threshold on.
    /// @return set Whether this approval set it.
    function setStopRule(bytes32 commons, uint16 shareBps) external returns (bool set);

    /// @notice Pays leaf `index` of distribution `id`: `amount` to `account`. Anyone may call;
    /// the funds always go to `account`. Once per leaf, only while claims are open.
    function claim(uint256 id, uint256 index, address account, uint256 amount, bytes32[] calldata proof) external;

    /// @notice After expiry, returns what was not claimed to the commons' unallocated income.
    /// Anyone may call, once.
    /// @return amount The amount rolled over.
    function rollOver(uint256 id) external returns (uint256 amount);

    // ------------------------------------------------------------------ views

    /// @notice The Ledger whose stewards and head this contract trusts.
    function ledger() external view returns (address);

    /// @notice The stop share of `commons` in basis points (DEFAULT_STOP_SHARE_BPS until set).
    function stopRule(bytes32 commons) external view returns (uint16 shareBps);

    /// @notice The sum of the amounts of the leaves that objected to distribution `id`.
    function objectedOf(uint256 id) external view returns (uint256);

    /// @notice How many stewards approved `action` for `commons` in its current steward epoch, and
    /// how many must.
    function approvalsOf(bytes32 commons, bytes32 action) external view returns (uint256 approvals, uint256 threshold);

    /// @notice The action digest stewards approve to publish `p`.
    function publicationDigest(PublishParams calldata p) external pure returns (bytes32);

    /// @notice The action digest stewards approve to cancel distribution `id`.
    function cancellationDigest(uint256 id) external pure returns (bytes32);

    /// @notice The action digest stewards approve to set the stop share of `commons`.
    function stopRuleDigest(bytes32 commons, uint16 shareBps) external pure returns (bytes32);

    /// @notice The shortest challenge window a distribution may have (set at deployment).
    function minChallengeWindow() external view returns (uint256);

    /// @notice The commons' income in `token` not yet allocated to a distribution.
    function unallocated(bytes32 commons, address token) external view returns (uint256);

    /// @notice Distribution `id` (status None if unknown).
    function distribution(uint256 id) external view returns (Distribution memory);

    /// @notice How many distributions were published.
    function distributionCount() external view returns (uint256);

    /// @notice Whether leaf `index` of distribution `id` was claimed.
    function isClaimed(uint256 id, uint256 index) external view returns (bool);
}
