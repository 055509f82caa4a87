// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity 0.8.30;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ILedger} from "./interfaces/ILedger.sol";
import {IReciprocityRegistry} from "./interfaces/IReciprocityRegistry.sol";

/// @title ReciprocityRegistry
/// @notice License terms, licensee evidence and the derived status of each licensee. See
/// {IReciprocityRegistry}.
/// @dev No owner, no upgrade path, nothing that edits or deletes a record. Per (licensee, work
/// family) storage holds five packed slots of "latest record of each kind", so `statusOf` reads a
/// handful of slots; the history is in the events.
contract ReciprocityRegistry is IReciprocityRegistry, EIP712, Nonces {
    /// @notice EIP-712 type of a declaration.
    bytes32 public constant DECLARATION_TYPEHASH = keccak256(
        "Declaration(uint8 kind,address licensee,uint256 work,uint8 value,uint64 start,uint64 end,bytes32 evidence,uint64 nonce,uint64 deadline)"
    );

    /// @notice EIP-712 type of a grant.
    bytes32 public constant GRANT_TYPEHASH = keccak256(
        "Grant(uint8 kind,address licensee,uint256 work,uint256 ref,uint64 expiry,bytes32 terms,uint256 nonce,uint64 deadline)"
    );

    /// @notice EIP-712 type of a settlement order.
    bytes32 public constant SETTLEMENT_TYPEHASH = keccak256(
        "Settlement(uint256 work,uint256 entryId,uint256 nonce,uint64 deadline)"
    );

    /// @notice How far in the future a signature deadline may lie.
    uint256 public constant MAX_VALIDITY = 30 days;
    /// @notice Longest terms URI, in bytes.
    uint256 public constant MAX_URI_BYTES = 200;
    /// @notice Most attesters one version may recognise.
    uint256 public constant MAX_ATTESTERS = 32;

    /// @dev Record ids and times are stored as uint40 (10^12 records; times until year 36812).
    uint256 private constant _MAX_TIME = type(uint40).max;
    uint8 private constant _WAS_WORKER_OWNED = 1;
    uint8 private constant _HAD_SURPLUS = 2;

    /// @dev A work version. Two slots: what every call needs, then arbiter and registration time.
    struct Work {
        address licensor;
        LicenseKind kind;
        bool shareAlike;
        uint40 family;
        uint40 supersededBy;
        address arbiter;
        bytes32 commons;
        bytes32 termsHash;
    }

    /// @dev A work family: its current version and settlement terms (one slot plus the amount).
    struct Family {
        uint40 current;
        uint40 obligationStart; // periods are [start + k * period, start + (k+1) * period)
        uint40 period; // 0: no settlement
        bytes8 unit;
        uint128 amount;
    }

    /// @dev Slot 0 of a standing: the licensee's declarations, all `declare` writes (one slot, so a
    /// relayed declaration costs one storage write besides the record counter). Record ids of
    /// declarations are kept as uint32 here (SafeCast: more than 4.29e9 records revert).
    struct Declarations {
        uint24 nonce; // next declaration nonce for this family
        uint8 form; // EntityForm (valid when entityId != 0)
        uint8 use; // UseKind (valid when useId != 0)
        uint8 flags; // WAS_WORKER_OWNED | HAD_SURPLUS
        uint32 entityId;
        uint32 useId;
        uint32 surplusId; // latest surplus declaration
        uint32 prevSurplusId; // the period before it, when it was running and the latest continues it
        uint40 surplusStart;
        uint40 surplusEnd;
    }

    /// @dev Slots 1 and 2: the latest attestation of the entity and of a surplus declaration
    /// (written by `attest` only). The attester is kept so that `statusOf` counts the attestation
    /// only while the family's current version recognises it.
    struct Attestation {
        uint40 id;
        uint40 declaration; // the declaration it names
        address attester;
    }

    /// @dev Slot 3: breaches and the relief (reinstatement or waiver) of the latest finding.
    /// Open reports form a doubly linked list, newest first, so that any one is removed in O(1)
    /// and the newest open one is always at hand; no counter that could overflow (review F-5).
    struct Breaches {
        uint40 latestOpen; // newest open report (0: none)
        uint40 dismissedUpTo; // every report up to this id was dismissed by `dismissBreachesUpTo`
        uint40 findingId; // latest finding
        uint40 reliefId;
        uint40 reliefFinding; // the finding the relief names
        uint40 reliefExpiry; // 0: never
        bool reliefIsWaiver;
    }

    /// @dev Slot 4: the latest separate license.
    struct Separate {
        uint40 grantId;
        uint40 expiry; // 0: never
    }

    struct Standing {
        Declarations decl;
        Attestation entityAttestation;
        Attestation surplusAttestation;
        Breaches breaches;
        Separate separate;
    }

    /// @dev A breach report; `older` and `newer` link the open ones of a standing. A report is open
    /// while `open` and its id is above the standing's `dismissedUpTo`. Reports at or below it
    /// may stay linked below the list's live part: they are cut off when they would become its head.
    struct Report {
        address licensee;
        uint40 family;
        uint40 older;
        bool open;
        uint40 newer;
    }

    /// @dev The latest settlement of a Ledger entry (two slots), with what a reversal needs.
    struct Counted {
        address licensee;
        uint40 family;
        uint40 periodStart;
        bool standing;
        uint128 quantity;
        uint40 id; // the settlement record (the nonce of the entry's next settlement order)
    }

    /// @dev Contributions counted in one settlement period.
    struct Tally {
        uint128 total;
        uint40 lastId;
    }

    ILedger private immutable _ledger;
    uint256 private _workCount;
    uint256 private _recordCount;
    mapping(uint256 work => Work) private _works;
    mapping(uint256 family => Family) private _families;
    mapping(uint256 work => mapping(address attester => bool)) private _attesters;
    mapping(address licensee => mapping(uint256 family => Standing)) private _standings;
    mapping(uint256 record => Report) private _reports;
    mapping(address licensee => mapping(uint256 family => mapping(uint256 periodStart => Tally))) private _tallies;
    mapping(uint256 entryId => Counted) private _settlements;

    constructor(ILedger ledger_) EIP712("CommonsReciprocity", "1") {
        _ledger = ledger_;
    }

    // ------------------------------------------------------------------ works

    /// @inheritdoc IReciprocityRegistry
    function registerWork(Terms calldata terms) external returns (uint256 work) {
        if (terms.termsHash == bytes32(0)) revert ReciprocityRegistryMissingTermsHash();
        uint256 uriLength = bytes(terms.termsUri).length;
        if (uriLength == 0 || uriLength > MAX_URI_BYTES) revert ReciprocityRegistryInvalidUri(uriLength, MAX_URI_BYTES);
        uint256 n = terms.attesters.length;
        if (n > MAX_ATTESTERS) revert ReciprocityRegistryTooManyAttesters(n, MAX_ATTESTERS);
        for (uint256 i = 0; i < n; ++i) {
            if (terms.attesters[i] == address(0)) revert ReciprocityRegistryZeroAttester(i);
        }
        Obligation calldata o = terms.obligation;
        if (o.amount != 0 || o.unit != bytes8(0) || o.period != 0) {
            if (terms.kind != LicenseKind.CopyFair || o.amount == 0 || o.unit == bytes8(0) || o.period == 0) {
                revert ReciprocityRegistryInvalidObligation(uint8(terms.kind), o.amount, o.unit, o.period);
            }
            if (!_ledger.commonsExists(terms.commons)) revert ReciprocityRegistryUnknownCommons(terms.commons);
        }

        work = ++_workCount;
        uint256 family = work;
        if (terms.supersedes != 0) {
            Work storage old = _existingWork(terms.supersedes);
            if (old.licensor != msg.sender) revert ReciprocityRegistryNotLicensor(terms.supersedes, msg.sender);
            if (old.supersededBy != 0) revert ReciprocityRegistrySupersededVersion(terms.supersedes, old.supersededBy);
            old.supersededBy = uint40(work);
            family = old.family;
        }
        _works[work] = Work({
            licensor: msg.sender,
            kind: terms.kind,
            shareAlike: terms.shareAlike,
            family: uint40(family),
            supersededBy: 0,
            arbiter: terms.arbiter,
            commons: terms.commons,
            termsHash: terms.termsHash
        });
        Family storage f = _families[family];
        f.current = uint40(work);
        if (o.period != f.period || o.unit != f.unit || o.amount != f.amount) {
            // New settlement terms start their own periods now.
            f.obligationStart = uint40(block.timestamp);
            f.period = o.period;
            f.unit = o.unit;
            f.amount = o.amount;
        }
        for (uint256 i = 0; i < n; ++i) {
            _attesters[work][terms.attesters[i]] = true;
        }
        emit WorkRegistered(
            work,
            msg.sender,
            family,
            terms.kind,
            terms.supersedes,
            terms.termsHash,
            terms.termsUri,
            terms.shareAlike,
            terms.arbiter,
            terms.commons,
            o,
            terms.attesters
        );
    }

    // ------------------------------------------------------------------ licensee records

    /// @inheritdoc IReciprocityRegistry
    function declare(Declaration calldata d, bytes calldata signature) external returns (uint256 id) {
        address licensee = d.licensee;
        if (licensee == address(0)) revert ReciprocityRegistryZeroLicensee(d.work);
        Work storage w = _existingWork(d.work);
        uint256 supersededBy = w.supersededBy;
        if (supersededBy != 0) revert ReciprocityRegistrySupersededVersion(d.work, supersededBy);
        _checkDeadline(d.deadline);
        Standing storage s = _standings[licensee][w.family];
        Declarations memory decl = s.decl;
        if (d.nonce != decl.nonce) revert ReciprocityRegistryInvalidNonce(licensee, d.nonce, decl.nonce);
        uint8 kind = d.kind;
        if (kind > uint8(type(DeclarationKind).max)) revert ReciprocityRegistryInvalidCode(0, kind);
        if (kind == uint8(DeclarationKind.Surplus)) {
            if (d.value != 0) revert ReciprocityRegistryInvalidCode(3, d.value);
            if (d.end <= d.start || d.end > _MAX_TIME) revert ReciprocityRegistryInvertedPeriod(d.start, d.end);
            if (decl.surplusId != 0) {
                if (d.start < decl.surplusEnd) revert ReciprocityRegistryOverlappingPeriod(d.start, decl.surplusEnd);
                if (decl.surplusEnd > block.timestamp) {
                    // The latest period has not ended: the new one must continue it, and only a
                    // running period can be continued, so at most one period waits in the future
                    // (a queued renewal included: review F-6).
                    if (decl.surplusStart > block.timestamp) {
                        revert ReciprocityRegistryPeriodQueued(d.start, decl.surplusStart);
                    }
                    if (d.start != decl.surplusEnd) revert ReciprocityRegistryNotContiguous(d.start, decl.surplusEnd);
                    decl.prevSurplusId = decl.surplusId;
                } else {
                    decl.prevSurplusId = 0;
                }
                decl.flags |= _HAD_SURPLUS;
            }
        } else {
            uint256 max =
                kind == uint8(DeclarationKind.Entity) ? uint8(type(EntityForm).max) : uint8(type(UseKind).max);
            if (d.value > max) revert ReciprocityRegistryInvalidCode(3, d.value);
            if (d.start != 0 || d.end != 0) revert ReciprocityRegistryInvertedPeriod(d.start, d.end);
        }
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(DECLARATION_TYPEHASH, d)));
        if (!SignatureChecker.isValidSignatureNowCalldata(licensee, digest, signature)) {
            revert ReciprocityRegistryInvalidSignature(licensee);
        }

        id = ++_recordCount;
        uint32 id32 = SafeCast.toUint32(id);
        ++decl.nonce;
        if (kind == uint8(DeclarationKind.Entity)) {
            decl.form = d.value;
            decl.entityId = id32;
            if (d.value == uint8(EntityForm.WorkerOwned) || d.value == uint8(EntityForm.Individual)) {
                decl.flags |= _WAS_WORKER_OWNED;
            }
        } else if (kind == uint8(DeclarationKind.Use)) {
            decl.use = d.value;
            decl.useId = id32;
        } else {
            decl.surplusId = id32;
            decl.surplusStart = uint40(d.start);
            decl.surplusEnd = uint40(d.end);
        }
        s.decl = decl;
        emit Declared(id, licensee, d.work, DeclarationKind(kind), d.value, d.start, d.end, d.evidence);
    }

    /// @inheritdoc IReciprocityRegistry
    function attest(address licensee, uint256 work, uint256 record, bytes32 evidence) external returns (uint256 id) {
        if (licensee == address(0)) revert ReciprocityRegistryZeroLicensee(work);
        uint256 family = _existingWork(work).family;
        uint256 current = _families[family].current;
        if (!_attesters[current][msg.sender]) revert ReciprocityRegistryUnrecognisedAttester(current, msg.sender);
        Standing storage s = _standings[licensee][family];
        Declarations memory decl = s.decl;
        bool isEntity = record != 0 && record == decl.entityId;
        bool isSurplus = record != 0 && (record == decl.surplusId || record == decl.prevSurplusId);
        if (!isEntity && !isSurplus) revert ReciprocityRegistryNotAttestable(work, licensee, record);
        id = ++_recordCount;
        Attestation memory a = Attestation({id: uint40(id), declaration: uint40(record), attester: msg.sender});
        if (isEntity) s.entityAttestation = a;
        else s.surplusAttestation = a;
        emit Attested(id, licensee, work, record, msg.sender, evidence);
    }

    /// @inheritdoc IReciprocityRegistry
    function reportBreach(
        address licensee,
        uint256 work,
        uint8 section,
        bytes32 evidence
    ) external returns (uint256 id) {
        if (licensee == address(0)) revert ReciprocityRegistryZeroLicensee(work);
        uint40 family = _existingWork(work).family;
        if (section > uint8(type(Section).max)) revert ReciprocityRegistryInvalidCode(2, section);
        id = ++_recordCount;
        Breaches storage b = _standings[licensee][family].breaches;
        uint40 head = b.latestOpen;
        _reports[id] = Report({licensee: licensee, family: family, older: head, open: true, newer: 0});
        if (head != 0) _reports[head].newer = uint40(id);
        b.latestOpen = uint40(id);
        emit BreachReported(id, licensee, work, Section(section), msg.sender, evidence);
    }

    /// @inheritdoc IReciprocityRegistry
    function findBreach(uint256 report, bytes32 evidence) external returns (uint256 id) {
        (Report memory r, Breaches storage b, uint256 current) = _openReport(report);
        _unlink(b, report, r);
        id = ++_recordCount;
        b.findingId = uint40(id);
        emit BreachDecided(id, r.licensee, current, report, true, msg.sender, evidence);
    }

    /// @inheritdoc IReciprocityRegistry
    function dismissBreach(uint256 report, bytes32 evidence) external returns (uint256 id) {
        (Report memory r, Breaches storage b, uint256 current) = _openReport(report);
        _unlink(b, report, r);
        id = ++_recordCount;
        emit BreachDecided(id, r.licensee, current, report, false, msg.sender, evidence);
    }

    /// @inheritdoc IReciprocityRegistry
    function dismissBreachesUpTo(uint256 report, bytes32 evidence) external returns (uint256 id) {
        (Report memory r, Breaches storage b, uint256 current) = _openReport(report);
        // Everything up to `report` is closed by this one write; if nothing newer is open, the
        // list is empty now, otherwise its older part is cut off lazily (see _unlink).
        b.dismissedUpTo = uint40(report);
        if (b.latestOpen <= report) b.latestOpen = 0;
        id = ++_recordCount;
        emit BreachesDismissed(id, r.licensee, current, report, msg.sender, evidence);
    }

    /// @inheritdoc IReciprocityRegistry
    function grant(Grant calldata g, bytes calldata signature) external returns (uint256 id) {
        address licensee = g.licensee;
        if (licensee == address(0)) revert ReciprocityRegistryZeroLicensee(g.work);
        uint256 family = _existingWork(g.work).family;
        uint8 kind = g.kind;
        if (kind > uint8(type(GrantKind).max)) revert ReciprocityRegistryInvalidCode(0, kind);
        _checkDeadline(g.deadline);
        if (g.expiry != 0 && g.expiry <= block.timestamp) revert ReciprocityRegistryExpired(g.expiry, block.timestamp);
        if (g.expiry > _MAX_TIME) revert ReciprocityRegistryInvertedPeriod(uint64(block.timestamp), g.expiry);
        Standing storage s = _standings[licensee][family];
        if (kind == uint8(GrantKind.SeparateLicense)) {
            if (g.ref != 0) revert ReciprocityRegistryNotLatestFinding(g.ref, 0);
        } else {
            uint256 latestFinding = s.breaches.findingId;
            if (g.ref == 0 || g.ref != latestFinding) revert ReciprocityRegistryNotLatestFinding(g.ref, latestFinding);
        }
        address licensor = _works[_families[family].current].licensor;
        uint256 expected = nonces(licensor);
        if (g.nonce != expected) revert ReciprocityRegistryInvalidNonce(licensor, g.nonce, expected);
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(GRANT_TYPEHASH, g)));
        if (!SignatureChecker.isValidSignatureNowCalldata(licensor, digest, signature)) {
            revert ReciprocityRegistryInvalidSignature(licensor);
        }

        _useNonce(licensor);
        id = ++_recordCount;
        if (kind == uint8(GrantKind.SeparateLicense)) {
            s.separate.grantId = uint40(id);
            s.separate.expiry = uint40(g.expiry);
        } else {
            Breaches storage b = s.breaches;
            b.reliefId = uint40(id);
            b.reliefFinding = uint40(g.ref);
            b.reliefExpiry = uint40(g.expiry);
            b.reliefIsWaiver = kind == uint8(GrantKind.Waiver);
        }
        emit Granted(id, licensee, g.work, GrantKind(kind), g.ref, g.expiry, g.terms, licensor);
    }

    /// @inheritdoc IReciprocityRegistry
    function settle(
        uint256 work,
        uint256 entryId,
        ILedger.EntryProof calldata proof,
        ILedger.EntryProof[] calldata ancestors
    ) external returns (uint256 id) {
        address signer = _ledger.entryIncluded(entryId, proof);
        if (msg.sender != signer) revert ReciprocityRegistryNotEntrySigner(entryId, signer, msg.sender);
        return _settle(work, entryId, signer, proof.record, ancestors);
    }

    /// @inheritdoc IReciprocityRegistry
    function settleBySignature(
        Settlement calldata order,
        bytes calldata signature,
        ILedger.EntryProof calldata proof,
        ILedger.EntryProof[] calldata ancestors
    ) external returns (uint256 id) {
        address signer = _ledger.entryIncluded(order.entryId, proof);
        _checkDeadline(order.deadline);
        uint256 expected = _settlements[order.entryId].id;
        if (order.nonce != expected) revert ReciprocityRegistryInvalidNonce(signer, order.nonce, expected);
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(SETTLEMENT_TYPEHASH, order)));
        if (!SignatureChecker.isValidSignatureNowCalldata(signer, digest, signature)) {
            revert ReciprocityRegistryInvalidSignature(signer);
        }
        return _settle(order.work, order.entryId, signer, proof.record, ancestors);
    }

    /// @inheritdoc IReciprocityRegistry
    function reverseSettlement(uint256 entryId) external returns (uint256 id) {
        Counted storage c = _settlements[entryId];
        if (!c.standing) revert ReciprocityRegistryNotSettled(entryId);
        (ILedger.EntryState state, , , ) = _ledger.entryState(entryId);
        if (state == ILedger.EntryState.Accepted) revert ReciprocityRegistrySettlementStands(entryId, c.id);
        return _reverse(entryId, c, state);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IReciprocityRegistry
    function statusOf(address licensee, uint256 work) external view returns (StatusView memory v) {
        Work storage w = _existingWork(work);
        uint256 family = w.family;
        // The current version governs attesters; asked about it (the usual case), no family read.
        uint256 supersededBy = w.supersededBy;
        uint256 current = supersededBy == 0 ? work : _families[family].current;
        Standing storage s = _standings[licensee][family];
        Ids memory ids;
        _base(v, ids, s.decl, s, current);
        Status base = v.status;
        v.prior = base;

        // CopyFair: a non-qualifying user whose accepted contributions cover the current period.
        if (base == Status.NonCommercialPermitted || base == Status.CommercialLapsed || base == Status.Excluded) {
            Family memory f = _families[family];
            if (f.period != 0 && block.timestamp >= f.obligationStart) {
                uint256 periodStart = f.obligationStart + ((block.timestamp - f.obligationStart) / f.period) * f.period;
                Tally memory t = _tallies[licensee][family][periodStart];
                if (t.total >= f.amount) {
                    v.status = Status.ReciprocitySettled;
                    v.reason = Reason.ContributionsCoverPeriod;
                    v.validUntil = _earliest(v.validUntil, periodStart + f.period);
                    _push(ids, t.lastId);
                }
            }
        }

        // Breaches: a finding terminates (7(a)) until a reinstatement or waiver of it; an open
        // report puts the status in dispute.
        Breaches memory b = s.breaches;
        if (b.findingId != 0) {
            bool relieved = b.reliefFinding == b.findingId && (b.reliefExpiry == 0 || block.timestamp < b.reliefExpiry);
            if (relieved) {
                _push(ids, b.reliefId);
                v.validUntil = _earliest(v.validUntil, b.reliefExpiry);
            } else {
                v.prior = v.status;
                v.status = Status.Terminated;
                v.reason = Reason.BreachFound;
                v.validUntil = 0;
                _push(ids, b.findingId);
            }
        }
        if (b.latestOpen != 0 && v.status != Status.Terminated) {
            v.prior = v.status;
            v.status = Status.Disputed;
            v.reason = Reason.BreachReported;
            v.validUntil = 0;
            _push(ids, b.latestOpen);
        }

        // A separate license is outside the PPL: it holds whatever the PPL records say.
        Separate memory sep = s.separate;
        if (sep.grantId != 0 && (sep.expiry == 0 || block.timestamp < sep.expiry)) {
            v.prior = v.status;
            v.status = Status.SeparatelyLicensed;
            v.reason = Reason.SeparateLicense;
            v.validUntil = sep.expiry;
            _push(ids, sep.grantId);
        }
        if (v.prior == v.status) v.prior = base;

        v.records = new uint256[](ids.n);
        for (uint256 i = 0; i < ids.n; ++i) v.records[i] = ids.list[i];
    }

    /// @inheritdoc IReciprocityRegistry
    function declarationNonce(address licensee, uint256 work) external view returns (uint64) {
        return _standings[licensee][_existingWork(work).family].decl.nonce;
    }

    /// @inheritdoc IReciprocityRegistry
    function nonces(address owner) public view override(IReciprocityRegistry, Nonces) returns (uint256) {
        return super.nonces(owner);
    }

    /// @inheritdoc IReciprocityRegistry
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
        )
    {
        Work memory w = _existingWork(work);
        return (w.licensor, w.kind, w.family, w.supersededBy, w.arbiter, w.commons, w.termsHash, w.shareAlike);
    }

    /// @inheritdoc IReciprocityRegistry
    function familyOf(
        uint256 work
    ) external view returns (uint256 family, uint256 current, Obligation memory obligation, uint64 obligationStart) {
        family = _existingWork(work).family;
        Family memory f = _families[family];
        return (family, f.current, Obligation(f.amount, f.unit, f.period), f.obligationStart);
    }

    /// @inheritdoc IReciprocityRegistry
    function isAttester(uint256 work, address attester) external view returns (bool) {
        return _attesters[_families[_existingWork(work).family].current][attester];
    }

    /// @inheritdoc IReciprocityRegistry
    function settledIn(
        address licensee,
        uint256 work,
        uint64 time
    ) external view returns (uint128 tally, uint64 periodStart) {
        uint256 family = _existingWork(work).family;
        Family memory f = _families[family];
        if (f.period == 0) revert ReciprocityRegistryNoSettlement(work);
        if (time < f.obligationStart) return (0, 0);
        periodStart = uint64(f.obligationStart + ((time - f.obligationStart) / f.period) * f.period);
        tally = _tallies[licensee][family][periodStart].total;
    }

    /// @inheritdoc IReciprocityRegistry
    function settlementOf(uint256 entryId) external view returns (SettlementView memory) {
        Counted memory c = _settlements[entryId];
        return SettlementView(c.id, c.licensee, c.family, c.periodStart, c.quantity, c.standing);
    }

    /// @inheritdoc IReciprocityRegistry
    function counts() external view returns (uint256 works, uint256 records) {
        return (_workCount, _recordCount);
    }

    /// @inheritdoc IReciprocityRegistry
    function ledger() external view returns (ILedger) {
        return _ledger;
    }

    /// @inheritdoc IReciprocityRegistry
    function declarationDigest(Declaration calldata d) external view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(DECLARATION_TYPEHASH, d)));
    }

    /// @inheritdoc IReciprocityRegistry
    function grantDigest(Grant calldata g) external view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(GRANT_TYPEHASH, g)));
    }

    /// @inheritdoc IReciprocityRegistry
    function settlementDigest(Settlement calldata order) external view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(SETTLEMENT_TYPEHASH, order)));
    }

    // ------------------------------------------------------------------ internal

    /// @dev Up to 12 record ids collected by `statusOf`.
    struct Ids {
        uint256[12] list;
        uint256 n;
    }

    /// @dev The status the PPL records give on their own (no breach, grant or settlement).
    function _base(
        StatusView memory v,
        Ids memory ids,
        Declarations memory d,
        Standing storage s,
        uint256 current
    ) private view {
        if (d.entityId == 0) {
            v.status = Status.Undeclared;
            v.reason = Reason.NothingOnFile;
            _push(ids, d.useId);
            return;
        }
        _push(ids, d.entityId);
        bool entityAttested = _counts(s.entityAttestation, d.entityId, current, ids);
        v.attested = entityAttested;
        uint256 nowTime = block.timestamp;

        if (d.form == uint8(EntityForm.WageLabourBusiness)) {
            v.status = Status.Excluded;
            v.reason = Reason.WageLabourBusiness;
        } else if (d.form == uint8(EntityForm.WorkerOwned) || d.form == uint8(EntityForm.Individual)) {
            // 4(c): commercial use while a surplus declaration covers now.
            uint256 covering;
            if (d.surplusId != 0 && d.surplusStart <= nowTime && nowTime < d.surplusEnd) {
                covering = d.surplusId;
            } else if (d.prevSurplusId != 0 && nowTime < d.surplusStart) {
                // The period before the latest covered the declaration time and the latest
                // continues it without a gap.
                covering = d.prevSurplusId;
                _push(ids, d.surplusId);
            }
            if (covering != 0) {
                v.status = Status.CommercialPermitted;
                v.reason =
                    d.form == uint8(EntityForm.Individual) ? Reason.IndividualAsWorkerOwned : Reason.WorkerOwnedSurplus;
                v.validUntil = d.surplusEnd;
                _push(ids, covering);
                bool surplusAttested = _counts(s.surplusAttestation, covering, current, ids);
                v.attested = entityAttested && surplusAttested;
            } else {
                bool ended = (d.surplusId != 0 && d.surplusEnd <= nowTime) || (d.flags & _HAD_SURPLUS) != 0;
                v.status = ended ? Status.CommercialLapsed : Status.NonCommercialPermitted;
                if (ended) v.reason = Reason.SurplusExpired;
                else if (d.form == uint8(EntityForm.Individual)) v.reason = Reason.IndividualNoSurplus;
                else v.reason = Reason.WorkerOwnedNoSurplus;
                if (d.surplusId != 0) {
                    _push(ids, d.surplusId);
                    // A declared future period will open commercial use.
                    if (d.surplusStart > nowTime) v.validUntil = d.surplusStart;
                }
            }
        } else if (
            (d.flags & _WAS_WORKER_OWNED) != 0 &&
            d.surplusId != 0 &&
            (d.surplusStart <= nowTime || d.prevSurplusId != 0 || (d.flags & _HAD_SURPLUS) != 0)
        ) {
            // Other form now, worker-owned before, and a surplus period has begun: the commercial
            // right lapsed.
            v.status = Status.CommercialLapsed;
            v.reason = Reason.FormChanged;
            _push(ids, d.surplusId);
        } else {
            v.status = Status.NonCommercialPermitted;
            v.reason =
                d.useId != 0 && d.use == uint8(UseKind.Commercial)
                    ? Reason.CommercialUseNotCovered
                    : Reason.NonCommercialOnly;
        }
        _push(ids, d.useId);
    }

    /// @dev Whether attestation `a` names `declaration` and its attester is recognised by the
    /// current version; if so its id joins the records.
    function _counts(
        Attestation memory a,
        uint256 declaration,
        uint256 current,
        Ids memory ids
    ) private view returns (bool) {
        if (a.declaration != declaration || !_attesters[current][a.attester]) return false;
        _push(ids, a.id);
        return true;
    }

    /// @dev Counts entry `entryId` (proven by the caller, signed by `licensee`) toward `work`; see
    /// `settle` for the checks and the walk down its correction chain.
    function _settle(
        uint256 work,
        uint256 entryId,
        address licensee,
        ILedger.Record calldata r,
        ILedger.EntryProof[] calldata ancestors
    ) private returns (uint256 id) {
        uint256 family = _existingWork(work).family;
        Family memory f = _families[family];
        if (f.period == 0) revert ReciprocityRegistryNoSettlement(work);
        Counted storage c = _settlements[entryId];
        if (c.standing) revert ReciprocityRegistryAlreadySettled(entryId, c.id);
        (ILedger.EntryState state, , , ) = _ledger.entryState(entryId);
        if (state != ILedger.EntryState.Accepted) revert ReciprocityRegistryEntryNotAccepted(entryId, uint8(state));
        if (r.flow != ILedger.Flow.Event) {
            revert ReciprocityRegistryEntryMismatch(entryId, 0, bytes32(uint256(r.flow)), bytes32(0));
        }
        bytes32 commons = _works[f.current].commons;
        if (r.commons != commons) revert ReciprocityRegistryEntryMismatch(entryId, 1, r.commons, commons);
        if (r.unit != f.unit) revert ReciprocityRegistryEntryMismatch(entryId, 2, bytes32(r.unit), bytes32(f.unit));
        if (r.time < f.obligationStart) {
            revert ReciprocityRegistryEntryMismatch(
                entryId,
                3,
                bytes32(uint256(r.time)),
                bytes32(uint256(f.obligationStart))
            );
        }
        uint64 periodStart = uint64(f.obligationStart + ((r.time - f.obligationStart) / f.period) * f.period);

        // Down the correction chain to the nearest entry that was ever settled: if its settlement
        // stands, it goes now. Entries further down have none standing: when that one was settled,
        // the same walk cleared them, and a corrected entry can never be settled again.
        uint256 earlier = r.corrects;
        uint256 used;
        while (earlier != 0) {
            Counted storage e = _settlements[earlier];
            if (e.id != 0) {
                if (e.standing) _reverse(earlier, e, ILedger.EntryState.Corrected);
                break;
            }
            if (used == ancestors.length) revert ReciprocityRegistryMissingAncestorProof(entryId, earlier);
            _ledger.entryIncluded(earlier, ancestors[used]);
            earlier = ancestors[used].record.corrects;
            ++used;
        }
        if (used != ancestors.length) revert ReciprocityRegistryUnusedAncestorProofs(entryId, used, ancestors.length);

        id = ++_recordCount;
        _settlements[entryId] = Counted({
            licensee: licensee,
            family: uint40(family),
            periodStart: uint40(periodStart),
            standing: true,
            quantity: r.quantity,
            id: uint40(id)
        });
        Tally storage t = _tallies[licensee][family][periodStart];
        uint128 total = t.total + r.quantity;
        t.total = total;
        t.lastId = uint40(id);
        emit Settled(id, licensee, work, entryId, periodStart, r.quantity, total);
    }

    /// @dev Takes the standing settlement `c` of `entryId` out of its period's tally.
    function _reverse(uint256 entryId, Counted storage c, ILedger.EntryState state) private returns (uint256 id) {
        Counted memory m = c;
        c.standing = false;
        id = ++_recordCount;
        Tally storage t = _tallies[m.licensee][m.family][m.periodStart];
        uint128 total = t.total - m.quantity;
        t.total = total;
        t.lastId = uint40(id);
        emit SettlementReversed(
            id,
            m.licensee,
            _families[m.family].current,
            entryId,
            m.id,
            m.periodStart,
            m.quantity,
            total,
            uint8(state)
        );
    }

    /// @dev The open report `report`, its standing's breaches and its family's current version,
    /// after checking that the caller is that version's licensor or arbiter.
    function _openReport(uint256 report) private view returns (Report memory r, Breaches storage b, uint256 current) {
        r = _reports[report];
        b = _standings[r.licensee][r.family].breaches;
        if (!r.open || report <= b.dismissedUpTo) revert ReciprocityRegistryReportNotOpen(report);
        current = _families[r.family].current;
        Work storage w = _works[current];
        if (msg.sender != w.licensor && (msg.sender != w.arbiter || w.arbiter == address(0))) {
            revert ReciprocityRegistryNotLicensorOrArbiter(current, msg.sender);
        }
    }

    /// @dev Closes open report `report` and takes it out of the list in O(1). A new head at or below
    /// `dismissedUpTo` was dismissed with everything older: the list is then empty.
    function _unlink(Breaches storage b, uint256 report, Report memory r) private {
        _reports[report].open = false;
        uint40 older = r.older;
        uint40 newer = r.newer;
        if (newer != 0) _reports[newer].older = older;
        else b.latestOpen = older > b.dismissedUpTo ? older : 0;
        if (older != 0) _reports[older].newer = newer;
    }

    function _existingWork(uint256 work) private view returns (Work storage w) {
        w = _works[work];
        if (w.licensor == address(0)) revert ReciprocityRegistryUnknownWork(work);
    }

    function _checkDeadline(uint64 deadline) private view {
        if (deadline < block.timestamp) revert ReciprocityRegistryExpired(deadline, block.timestamp);
        if (deadline > block.timestamp + MAX_VALIDITY) {
            revert ReciprocityRegistryDeadlineTooFar(deadline, block.timestamp + MAX_VALIDITY);
        }
    }

    function _push(Ids memory ids, uint256 id) private pure {
        if (id != 0) ids.list[ids.n++] = id;
    }

    /// @dev The earlier of two times, where 0 means "no end".
    function _earliest(uint64 a, uint256 b) private pure returns (uint64) {
        if (b == 0) return a;
        if (a == 0 || b < a) return uint64(b);
        return a;
    }
}
