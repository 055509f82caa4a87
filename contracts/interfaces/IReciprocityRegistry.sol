// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {ILedger} from "./ILedger.sol";

/// @title Reciprocity registry: license terms, licensee evidence and a status anyone can check
/// @notice Licensors register works under the Peer Production License (PPL), a CopyFair-style
/// reciprocity license or another license. Licensees declare their form, their use and (worker-owned
/// ones) that their surplus goes to the worker-owners for a period; attesters the licensor recognises
/// attest declarations; anyone reports a breach; the licensor or its arbiter finds or dismisses it;
/// licensor-signed grants reinstate, waive or license separately. `statusOf` derives the status of
/// one licensee for one work family from these records (shared/docs/reciprocity-state-machine.md,
/// following the license text where the two disagree).
///
/// The chain cannot enforce copyright: it records claims and evidence. Every record is append-only,
/// gets a dense id (1, 2, 3, ...) and is emitted as an event (the read API). Storage keeps, per
/// (licensee, work family), only the latest record id of each kind and the few numbers `statusOf`
/// needs, so the status is read from a handful of slots.
///
/// Work families: a work registered with `supersedes` is a new version of an earlier one; the
/// family is the first version's id. Status is per family; declarations must name the current
/// version; the current version's licensor, arbiter, attesters and settlement terms govern.
///
/// CopyFair settlements (SYB-SETTLE). A Ledger entry counts toward a licensee's obligation only
/// while it stands: while the Ledger's `entryState` says Accepted (a quorum of validators the
/// commons counts, uncorrected, undisputed). What holds, at every block:
/// - An entry has at most one standing settlement, toward the one work its signer named (the
///   signer calls `settle` or signs a `Settlement` that anyone relays).
/// - The tally of a (licensee, family, period) is the sum of the quantities of the standing
///   settlements in it; a reversal subtracts exactly what its settlement added.
/// - In a chain of corrections (e1 <- e2 <- e3, each correcting the one before) at most one
///   entry has a standing settlement: settling a correction reverses, in the same transaction, the
///   standing settlement of the nearest earlier entry of its chain that was ever settled; the
///   entries in between that were never settled are walked with proofs (`ancestors`), so a
///   restatement never counts twice, not even for one block.
/// - A settled entry that stops being Accepted without a new settlement in its chain (voided by
///   a correction nobody settles, disputed, or no longer meeting the quorum) keeps counting until
///   anyone calls `reverseSettlement(entryId)`, which succeeds exactly when the entry is not
///   Accepted. `statusOf` cannot see such lag (it reads a handful of slots); the status
///   explanation names these settlements and says anyone may reverse them.
/// - A reversed entry that is Accepted again (e.g. a dispute outvoted by a quorum change) may be
///   settled again, toward a work its signer names again (signatures name the entry's previous
///   settlement record, so an old one cannot be replayed).
interface IReciprocityRegistry {
    // ------------------------------------------------------------------ types

    /// @notice The license a work is offered under.
    enum LicenseKind {
        PPL, // Peer Production License (copyfarleft): commercial use for worker-owned businesses only
        CopyFair, // a Commons-Based Reciprocity License: non-qualifying commercial users may reciprocate
        Other
    }

    /// @notice What a licensee declares about itself (4(c), 4(d)).
    enum EntityForm {
        Individual, // a person; whether a self-employed individual counts as "worker-owned" is an open question
        WorkerOwned, // worker-owned business or worker-owned collective (4(c)(i))
        WageLabourBusiness, // privately owned and managed, profiting from waged labour (4(d))
        Other // non-profit, public body, investor-owned cooperative, mixed
    }

    /// @notice The licensee's declared use (4(b)).
    enum UseKind {
        NonCommercial,
        Commercial // primarily intended for or directed toward commercial advantage or private monetary compensation
    }

    /// @notice Kinds of licensee declarations.
    enum DeclarationKind {
        Entity, // value: EntityForm
        Use, // value: UseKind
        Surplus // 4(c)(ii) for the period [start, end); value: 0
    }

    /// @notice Kinds of licensor grants (8(d): waivers only in writing and signed).
    enum GrantKind {
        Reinstatement, // express permission to exercise rights despite a previous violation (1(g))
        Waiver, // the breach found is waived
        SeparateLicense // rights outside the PPL (dual licensing, royalties per 4(f))
    }

    /// @notice The section a breach report invokes.
    enum Section {
        S4a, // same license, no extra restrictions, no sublicensing, no DRM
        S4b, // commercial use without 4(c)
        S4c, // worker-owned conditions not met
        S4d, // use by a wage-labour business
        S4e, // attribution
        S4g // moral rights
    }

    /// @notice Status of a licensee for a work family (see the state machine).
    enum Status {
        Undeclared, // nothing on file
        NonCommercialPermitted, // s.3 rights, non-commercial (4(b))
        CommercialPermitted, // also commercial (4(c)): worker-owned with a current surplus declaration
        CommercialLapsed, // commercial right suspended (surplus period over, form changed), non-commercial remains
        Excluded, // 4(d): no use at all under the license
        SeparatelyLicensed, // a valid licensor grant outside the license
        Disputed, // a breach is alleged (prior status in `prior`)
        Terminated, // 7(a): rights ended by a breach finding, until reinstated
        ReciprocitySettled // CopyFair: a non-qualifying commercial user whose contributions cover the period
    }

    /// @notice Why the status is what it is.
    enum Reason {
        NothingOnFile, // no entity declaration
        NonCommercialOnly, // not worker-owned: commercial use needs a separate license
        CommercialUseNotCovered, // declared commercial use, but 4(c) does not cover this form
        WorkerOwnedNoSurplus, // worker-owned, no current surplus declaration (4(c)(ii))
        WorkerOwnedSurplus, // worker-owned with a current surplus declaration (4(c))
        IndividualAsWorkerOwned, // an individual with a surplus declaration: treated as worker-owned (open question)
        SurplusExpired, // the last surplus period ended
        FormChanged, // the form changed away from worker-owned
        WageLabourBusiness, // 4(d)
        SeparateLicense, // a licensor grant outside the license
        BreachReported, // an open breach report
        BreachFound, // a breach finding without reinstatement or waiver (7(a))
        ContributionsCoverPeriod, // CopyFair settlement for the current period
        IndividualNoSurplus // an individual without a current surplus declaration: non-commercial only
    }

    /// @notice A CopyFair settlement obligation: `amount` of `unit` per `period` seconds, paid as
    /// accepted contributions to the work's commons on the Ledger. `amount == 0`: no settlement.
    struct Obligation {
        uint128 amount; // Ledger fixed point (6 decimals)
        bytes8 unit; // Ledger unit code
        uint40 period; // seconds
    }

    /// @notice The terms of a work (version) as registered.
    struct Terms {
        LicenseKind kind;
        uint256 supersedes; // earlier version of the same work by the same licensor (0: a new work)
        bytes32 termsHash; // content hash of the license text
        string termsUri; // where the text is (1..MAX_URI_BYTES bytes)
        bool shareAlike; // adaptations must carry the same license (the PPL text has no such clause: false)
        address[] attesters; // attesters the licensor recognises for this version
        address arbiter; // who may find or dismiss breaches besides the licensor (0: none)
        bytes32 commons; // the Ledger commons the work belongs to (0: none)
        Obligation obligation; // CopyFair settlement (CopyFair works only; amount 0: none)
    }

    /// @notice A licensee's declaration, signed by the licensee (EIP-712) and relayed by anyone.
    /// @dev Fields are uint8 rather than enums so that an out-of-range code gets a named error.
    struct Declaration {
        uint8 kind; // DeclarationKind
        address licensee;
        uint256 work; // the current version of the work
        uint8 value; // EntityForm (Entity), UseKind (Use), 0 (Surplus)
        uint64 start; // Surplus: period start (inclusive); 0 otherwise
        uint64 end; // Surplus: period end (exclusive); 0 otherwise
        bytes32 evidence; // digest of statutes, accounts, minutes (0 if none)
        uint64 nonce; // the licensee's declaration sequence for this work family (declarationNonce)
        uint64 deadline; // last second at which the signature may be recorded
    }

    /// @notice A licensor grant, signed by the licensor (EIP-712) and relayed by anyone.
    struct Grant {
        uint8 kind; // GrantKind
        address licensee;
        uint256 work; // any version of the work family
        uint256 ref; // Reinstatement, Waiver: the latest breach finding's record id; SeparateLicense: 0
        uint64 expiry; // when the grant stops (0: never)
        bytes32 terms; // digest of the written grant (0 if none)
        uint256 nonce; // the licensor's current nonce (nonces)
        uint64 deadline;
    }

    /// @notice A licensee's order to count one of its Ledger entries toward a work's settlement,
    /// signed by the entry's signer (EIP-712; EOA or ERC-1271) and relayed by anyone.
    struct Settlement {
        uint256 work; // the work whose obligation the entry settles (any version of the family)
        uint256 entryId; // the Ledger entry, signed by the licensee
        uint256 nonce; // the entry's latest settlement record (settlementOf(entryId).id; 0 if never settled)
        uint64 deadline; // last second at which the signature may be used
    }

    /// @notice What `settlementOf` answers about one Ledger entry.
    struct SettlementView {
        uint256 id; // the entry's latest settlement record (0: never settled)
        address licensee; // the entry's signer
        uint256 family; // the work family it was counted toward
        uint64 periodStart; // the settlement period it was counted in
        uint128 quantity; // the amount counted
        bool standing; // still counted (false once reversed)
    }

    /// @notice What `statusOf` answers.
    struct StatusView {
        Status status;
        Status prior; // what the license records give without the breach or grant on top (= status otherwise)
        Reason reason;
        bool attested; // the declarations it rests on are attested by attesters the current version recognises
        uint64 validUntil; // the status holds until this time unless a new record changes it (0: no end)
        uint256[] records; // the record ids it rests on
    }

    // ------------------------------------------------------------------ events

    /// @notice A work (version) was registered. `family` is the first version's id.
    event WorkRegistered(
        uint256 indexed work,
        address indexed licensor,
        uint256 indexed family,
        LicenseKind kind,
        uint256 supersedes,
        bytes32 termsHash,
        string termsUri,
        bool shareAlike,
        address arbiter,
        bytes32 commons,
        Obligation obligation,
        address[] attesters
    );

    /// @notice Record `id`: a licensee declaration was recorded.
    event Declared(
        uint256 indexed id,
        address indexed licensee,
        uint256 indexed work,
        DeclarationKind kind,
        uint8 value,
        uint64 start,
        uint64 end,
        bytes32 evidence
    );

    /// @notice Record `id`: `attester` attested `declaration` of `licensee`.
    event Attested(
        uint256 indexed id,
        address indexed licensee,
        uint256 indexed work,
        uint256 declaration,
        address attester,
        bytes32 evidence
    );

    /// @notice Record `id`: `reporter` reported a breach of `section` by `licensee`.
    event BreachReported(
        uint256 indexed id,
        address indexed licensee,
        uint256 indexed work,
        Section section,
        address reporter,
        bytes32 evidence
    );

    /// @notice Record `id`: breach report `report` was found (`found`) or dismissed by `by`.
    event BreachDecided(
        uint256 indexed id,
        address indexed licensee,
        uint256 indexed work,
        uint256 report,
        bool found,
        address by,
        bytes32 evidence
    );

    /// @notice Record `id`: the licensor granted `kind` to `licensee`.
    event Granted(
        uint256 indexed id,
        address indexed licensee,
        uint256 indexed work,
        GrantKind kind,
        uint256 ref,
        uint64 expiry,
        bytes32 terms,
        address licensor
    );

    /// @notice Record `id`: Ledger entry `entryId`, signed by `licensee`, was counted toward the
    /// settlement period starting at `periodStart`; `tally` is the period's total after it.
    event Settled(
        uint256 indexed id,
        address indexed licensee,
        uint256 indexed work,
        uint256 entryId,
        uint64 periodStart,
        uint128 quantity,
        uint128 tally
    );

    /// @notice Record `id`: settlement record `settlement` of Ledger entry `entryId` was reversed
    /// because the entry no longer stands (`entryState`: the Ledger's EntryState code at the
    /// time, 3 = Corrected, 2 = Disputed, 0 = quorum no longer met). `quantity` was removed from
    /// the period starting at `periodStart`; `tally` is the period's total after it. `work` is the
    /// family's current version.
    event SettlementReversed(
        uint256 indexed id,
        address indexed licensee,
        uint256 indexed work,
        uint256 entryId,
        uint256 settlement,
        uint64 periodStart,
        uint128 quantity,
        uint128 tally,
        uint8 entryState
    );

    /// @notice Record `id`: `by` dismissed breach report `report` of `licensee` and every report on
    /// the same licensee and work family filed before it that was still open.
    event BreachesDismissed(
        uint256 indexed id,
        address indexed licensee,
        uint256 indexed work,
        uint256 report,
        address by,
        bytes32 evidence
    );

    // ------------------------------------------------------------------ errors

    /// @notice No work has this id.
    error ReciprocityRegistryUnknownWork(uint256 work);
    /// @notice A declaration or grant names the zero address as licensee.
    error ReciprocityRegistryZeroLicensee(uint256 work);
    /// @notice Attester `index` of the terms is the zero address.
    error ReciprocityRegistryZeroAttester(uint256 index);
    /// @notice The terms have no content hash.
    error ReciprocityRegistryMissingTermsHash();
    /// @notice The terms URI is empty or longer than MAX_URI_BYTES.
    error ReciprocityRegistryInvalidUri(uint256 length, uint256 max);
    /// @notice More attesters than MAX_ATTESTERS.
    error ReciprocityRegistryTooManyAttesters(uint256 count, uint256 max);
    /// @notice The obligation is incomplete (unit or period missing), or set on a work that is not CopyFair.
    error ReciprocityRegistryInvalidObligation(uint8 kind, uint128 amount, bytes8 unit, uint40 period);
    /// @notice The settlement obligation needs the work's commons to exist on the Ledger.
    error ReciprocityRegistryUnknownCommons(bytes32 commons);
    /// @notice The work named was superseded by a newer version.
    error ReciprocityRegistrySupersededVersion(uint256 work, uint256 supersededBy);
    /// @notice The caller (or signer) is not the licensor of the work.
    error ReciprocityRegistryNotLicensor(uint256 work, address account);
    /// @notice The caller is neither the licensor nor the arbiter of the work.
    error ReciprocityRegistryNotLicensorOrArbiter(uint256 work, address account);
    /// @notice The attester is not recognised by the licensor for the work's current version.
    error ReciprocityRegistryUnrecognisedAttester(uint256 work, address attester);
    /// @notice A code (declaration kind, form, use, grant kind, section) is out of range.
    error ReciprocityRegistryInvalidCode(uint256 field, uint256 value);
    /// @notice A period ends at or before its start (or a non-surplus declaration carries one).
    error ReciprocityRegistryInvertedPeriod(uint64 start, uint64 end);
    /// @notice A surplus period starts before the licensee's last surplus period ends.
    error ReciprocityRegistryOverlappingPeriod(uint64 start, uint64 previousEnd);
    /// @notice While the latest surplus period has not ended, a new one must start exactly at its end.
    error ReciprocityRegistryNotContiguous(uint64 start, uint64 expectedStart);
    /// @notice A future surplus period is already declared and has not started (a renewal of the
    /// running period included); declare the next one once it has.
    error ReciprocityRegistryPeriodQueued(uint64 start, uint64 queuedStart);
    /// @notice The signature is not valid for `signer` (EOA or ERC-1271).
    error ReciprocityRegistryInvalidSignature(address signer);
    /// @notice The signature is past its deadline (or the grant's expiry has passed).
    error ReciprocityRegistryExpired(uint64 deadline, uint256 blockTime);
    /// @notice The deadline is further ahead than MAX_VALIDITY allows.
    error ReciprocityRegistryDeadlineTooFar(uint64 deadline, uint256 latestAllowed);
    /// @notice The nonce is not the signer's current one (replay or out of order).
    error ReciprocityRegistryInvalidNonce(address signer, uint256 nonce, uint256 expected);
    /// @notice The record is not the licensee's current entity or surplus declaration for the work.
    error ReciprocityRegistryNotAttestable(uint256 work, address licensee, uint256 record);
    /// @notice The record is not an open breach report.
    error ReciprocityRegistryReportNotOpen(uint256 report);
    /// @notice A reinstatement or waiver must name the licensee's latest breach finding.
    error ReciprocityRegistryNotLatestFinding(uint256 ref, uint256 latestFinding);
    /// @notice The work has no settlement obligation.
    error ReciprocityRegistryNoSettlement(uint256 work);
    /// @notice The Ledger entry is not accepted by its commons' quorum (EntryState code given).
    error ReciprocityRegistryEntryNotAccepted(uint256 entryId, uint8 state);
    /// @notice The Ledger entry does not fit the obligation (field: 0 flow, 1 commons, 2 unit, 3 time).
    error ReciprocityRegistryEntryMismatch(uint256 entryId, uint256 field, bytes32 value, bytes32 expected);
    /// @notice The Ledger entry is already counted by a standing settlement.
    error ReciprocityRegistryAlreadySettled(uint256 entryId, uint256 settlement);
    /// @notice Only the entry's signer (the licensee) may settle it, directly or by signature.
    error ReciprocityRegistryNotEntrySigner(uint256 entryId, address signer, address caller);
    /// @notice Settling `entryId` needs the proof of `ancestor`, an earlier entry of its correction
    /// chain that was never settled (see `settle`).
    error ReciprocityRegistryMissingAncestorProof(uint256 entryId, uint256 ancestor);
    /// @notice More ancestor proofs were given than the correction chain of `entryId` needs.
    error ReciprocityRegistryUnusedAncestorProofs(uint256 entryId, uint256 used, uint256 given);
    /// @notice The entry has no standing settlement to reverse.
    error ReciprocityRegistryNotSettled(uint256 entryId);
    /// @notice The entry is still Accepted: its settlement stands and cannot be reversed.
    error ReciprocityRegistrySettlementStands(uint256 entryId, uint256 settlement);

    // ------------------------------------------------------------------ works

    /// @notice Registers a work, or a new version of one of the caller's works (`terms.supersedes`).
    /// The caller is the licensor.
    /// @return work The new work id (dense: 1, 2, 3, ...).
    function registerWork(Terms calldata terms) external returns (uint256 work);

    // ------------------------------------------------------------------ licensee records

    /// @notice Records a licensee's declaration, signed by the licensee and relayed by anyone.
    /// The work must be the current version. Surplus periods are [start, end) and never overlap;
    /// while the latest period has not ended, the next must start exactly at its end (a renewal),
    /// and only one period may wait in the future.
    /// @return id The new record id.
    function declare(Declaration calldata declaration, bytes calldata signature) external returns (uint256 id);

    /// @notice The caller, an attester the licensor recognises, attests `record`: the licensee's
    /// current entity declaration, its latest surplus declaration, or the running period that
    /// the latest one continues. An attestation counts (`StatusView.attested`, `records`) only
    /// while its attester is recognised by the family's current version: a new terms version that
    /// drops the attester drops its attestations.
    function attest(address licensee, uint256 work, uint256 record, bytes32 evidence) external returns (uint256 id);

    /// @notice Anyone reports a breach of `section` (a Section code) by `licensee`. No number of
    /// open reports blocks a further one (open reports form a linked list, not a bounded counter).
    /// While any report is open the status is Disputed and `statusOf` cites the latest open one.
    function reportBreach(
        address licensee,
        uint256 work,
        uint8 section,
        bytes32 evidence
    ) external returns (uint256 id);

    /// @notice The licensor or arbiter finds an open breach report: PPL rights end (7(a)) until the
    /// licensor reinstates or waives.
    function findBreach(uint256 report, bytes32 evidence) external returns (uint256 id);

    /// @notice The licensor or arbiter dismisses an open breach report.
    function dismissBreach(uint256 report, bytes32 evidence) external returns (uint256 id);

    /// @notice The licensor or arbiter dismisses the open report `report` and, in the same decision,
    /// every open report on the same licensee and work family filed before it, at a constant cost
    /// however many there are (spam by a stranger with many keys). Reports filed after `report`
    /// stay open; a dismissed report can be filed again.
    function dismissBreachesUpTo(uint256 report, bytes32 evidence) external returns (uint256 id);

    /// @notice Records a licensor grant, signed by the licensor of the work's current version and
    /// relayed by anyone.
    function grant(Grant calldata grant, bytes calldata signature) external returns (uint256 id);

    /// @notice The entry's signer (the licensee) counts Ledger entry `entryId` toward its settlement
    /// of `work`: it must be an Event in the work's commons, in the obligation's unit, dated at or
    /// after the obligation's start, Accepted (Ledger `entryState`), and without a standing
    /// settlement. `proof` proves the entry's content (ILedger.entryIncluded).
    /// If the entry corrects another, the nearest earlier entry of its correction chain that was
    /// ever settled loses its standing settlement in the same transaction (`SettlementReversed`
    /// before `Settled`). `ancestors` are the proofs of the chain's entries walked on the way there
    /// that were never settled, nearest first (usually none: empty unless a correction of a
    /// never-settled entry is settled); the walk ends at an entry that was ever settled or that
    /// corrects nothing.
    function settle(
        uint256 work,
        uint256 entryId,
        ILedger.EntryProof calldata proof,
        ILedger.EntryProof[] calldata ancestors
    ) external returns (uint256 id);

    /// @notice `settle` on behalf of the entry's signer, who signed `settlement` (EIP-712; EOA or
    /// ERC-1271); anyone relays. The signature names the work, so nobody can spend the entry on
    /// another one, and the entry's latest settlement record as nonce, so it settles once.
    function settleBySignature(
        Settlement calldata settlement,
        bytes calldata signature,
        ILedger.EntryProof calldata proof,
        ILedger.EntryProof[] calldata ancestors
    ) external returns (uint256 id);

    /// @notice Anyone reverses the standing settlement of Ledger entry `entryId` once the entry is
    /// no longer Accepted (corrected, voided, disputed, or below the quorum): its quantity leaves
    /// the period's tally (`SettlementReversed`).
    function reverseSettlement(uint256 entryId) external returns (uint256 id);

    // ------------------------------------------------------------------ views

    /// @notice The status of `licensee` for the family of `work` now, why, until when, and the
    /// record ids it rests on. One call, a handful of storage reads (at most 50,000 gas as an
    /// eth_call, the 21,000 intrinsic included). A Disputed status cites the latest open report.
    function statusOf(address licensee, uint256 work) external view returns (StatusView memory);

    /// @notice The licensee's next declaration nonce for the work's family.
    function declarationNonce(address licensee, uint256 work) external view returns (uint64);

    /// @notice The licensor's next grant nonce.
    function nonces(address owner) external view returns (uint256);

    /// @notice Licensor, kind, family, current version, commons and share-alike flag of a work.
    function workOf(
        uint256 work
    )
        external
        view
        returns (
            address licensor,
            LicenseKind kind,
            uint256 family,
            uint256 supersededBy,
            address arbiter,
            bytes32 commons,
            bytes32 termsHash,
            bool shareAlike
        );

    /// @notice The current version and the settlement obligation of a work family.
    function familyOf(
        uint256 work
    ) external view returns (uint256 family, uint256 current, Obligation memory obligation, uint64 obligationStart);

    /// @notice Whether the work's current version recognises `attester`.
    function isAttester(uint256 work, address attester) external view returns (bool);

    /// @notice The accepted contributions counted for `licensee` in the settlement period of the
    /// work family that contains `time`, and that period's start.
    function settledIn(
        address licensee,
        uint256 work,
        uint64 time
    ) external view returns (uint128 tally, uint64 periodStart);

    /// @notice The latest settlement of Ledger entry `entryId` (all zero if never settled) and
    /// whether it still counts.
    function settlementOf(uint256 entryId) external view returns (SettlementView memory);

    /// @notice How many works and records exist (ids are dense: 1..count).
    function counts() external view returns (uint256 works, uint256 records);

    /// @notice The Ledger this registry reads contributions from.
    function ledger() external view returns (ILedger);

    /// @notice The EIP-712 digest of a declaration.
    function declarationDigest(Declaration calldata declaration) external view returns (bytes32);

    /// @notice The EIP-712 digest of a grant.
    function grantDigest(Grant calldata grant) external view returns (bytes32);

    /// @notice The EIP-712 digest of a settlement order.
    function settlementDigest(Settlement calldata settlement) external view returns (bytes32);
}
