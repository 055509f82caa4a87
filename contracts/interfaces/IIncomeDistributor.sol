// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

/// @title Income distributor: value flows back to the contributors of a commons
/// @notice Income earned by a commons (ETH or an ERC-20) is deposited here, credited to the
/// commons. A steward of the commons (as the Ledger says) publishes a distribution: a Merkle root
/// of (index, account, amount) leaves computed off-chain from a published value equation over the
/// ledger up to a cutoff entry, together with the equation's hash, the ledger head at the cutoff
/// and the cutoff itself, so that anyone can recompute it from the chain alone
/// (`commons distribute --check`).
///
/// Life of a distribution:
/// 1. Published: `total` moves from the commons' unallocated balance to the distribution.
/// 2. Challenge window (`challengeWindow` seconds, at least MIN_CHALLENGE_WINDOW): no claims.
///    Anyone who recomputes a different root may `challenge` it (an event with the evidence
///    digest, which stewards and contributors watch); any steward of the commons may `cancel` it,
///    which releases its whole total back to the unallocated balance.
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
        RolledOver
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

    /// @notice Distribution `id` was published by steward `by`.
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

    /// @notice Steward `by` cancelled distribution `id`; `released` went back to unallocated.
    event DistributionCancelled(uint256 indexed id, address indexed by, uint256 released);

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
    /// @notice The challenge window closed at `claimsOpenAt` (too late to cancel or challenge).
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

    /// @notice Publishes a distribution of `p.total` of the commons' unallocated `p.token`. Only a
    /// steward of `p.commons`. When `p.cutoff` is the ledger's last entry, `p.ledgerHead` must be
    /// the ledger's head; for an earlier cutoff the head is checked off-chain during the window.
    /// @return id The distribution id (1, 2, 3, ...).
    function publish(PublishParams calldata p) external returns (uint256 id);

    /// @notice Records a challenge of distribution `id` during its challenge window (anyone;
    /// `evidence` is a digest of the challenger's recomputation, e.g. the root it got). It does
    /// not stop the distribution: a steward decides to `cancel` it.
    function challenge(uint256 id, bytes32 evidence) external;

    /// @notice Cancels distribution `id` during its challenge window, releasing its total to the
    /// commons' unallocated income. Only a steward of its commons.
    function cancel(uint256 id) external;

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
