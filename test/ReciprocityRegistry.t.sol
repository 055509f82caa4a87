// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {IReciprocityRegistry} from "../contracts/interfaces/IReciprocityRegistry.sol";
import {Deployments} from "./utils/Deployments.sol";

/// @dev Signing helpers shared by the fuzz tests and the invariant handler.
abstract contract RegistrySigning is Deployments {
    function _declaration(
        IReciprocityRegistry registry,
        uint8 kind,
        address licensee,
        uint8 value,
        uint64 start,
        uint64 end
    ) internal view returns (IReciprocityRegistry.Declaration memory d) {
        d = IReciprocityRegistry.Declaration({
            kind: kind,
            licensee: licensee,
            work: 1,
            value: value,
            start: start,
            end: end,
            evidence: keccak256("evidence"),
            nonce: registry.declarationNonce(licensee, 1),
            deadline: uint64(block.timestamp + 1 hours)
        });
    }

    function _sign(uint256 pk, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pk, digest);
        return abi.encodePacked(r, s, v);
    }

    function _grant(
        IReciprocityRegistry registry,
        address licensor,
        uint8 kind,
        address licensee,
        uint256 ref,
        uint64 expiry
    ) internal view returns (IReciprocityRegistry.Grant memory) {
        return
            IReciprocityRegistry.Grant({
                kind: kind,
                licensee: licensee,
                work: 1,
                ref: ref,
                expiry: expiry,
                terms: keccak256("letter"),
                nonce: registry.nonces(licensor),
                deadline: uint64(block.timestamp + 1 hours)
            });
    }

    function _terms(address attester, address arbiter) internal pure returns (IReciprocityRegistry.Terms memory t) {
        address[] memory attesters = new address[](1);
        attesters[0] = attester;
        t.kind = IReciprocityRegistry.LicenseKind.PPL;
        t.termsHash = keccak256("Peer Production License");
        t.termsUri = "ipfs://ppl";
        t.attesters = attesters;
        t.arbiter = arbiter;
    }
}

/// @notice Fuzz tests of the registry's inputs: periods, codes, signatures (SIG-TAMPER, SIG-ZERO).
contract ReciprocityRegistryTest is Test, RegistrySigning {
    IReciprocityRegistry internal registry;
    uint256 internal constant LICENSOR_PK = 0xA11CE;
    uint256 internal constant LICENSEE_PK = 0xB0B;
    address internal licensor;
    address internal licensee;

    function setUp() public {
        vm.warp(1_800_000_000);
        registry = _deployRegistry(_deployLedger());
        licensor = vm.addr(LICENSOR_PK);
        licensee = vm.addr(LICENSEE_PK);
        vm.prank(licensor);
        registry.registerWork(_terms(address(0xA77E), address(0xA4B)));
    }

    /// forge-config: default.fuzz.runs = 256
    function testFuzz_declare_surplusPeriodRecordedIffValid(uint64 start, uint64 end) public {
        IReciprocityRegistry.Declaration memory d = _declaration(registry, 2, licensee, 0, start, end);
        bytes memory sig = _sign(LICENSEE_PK, registry.declarationDigest(d));
        (, uint256 before) = registry.counts();
        if (end <= start || end > type(uint40).max) {
            vm.expectRevert(
                abi.encodeWithSelector(IReciprocityRegistry.ReciprocityRegistryInvertedPeriod.selector, start, end)
            );
            registry.declare(d, sig);
            (, uint256 afterCount) = registry.counts();
            assertEq(afterCount, before);
        } else {
            assertEq(registry.declare(d, sig), before + 1);
            assertEq(registry.declarationNonce(licensee, 1), 1);
        }
    }

    /// forge-config: default.fuzz.runs = 256
    function testFuzz_declare_codesOutOfRangeRevertWithTheValue(uint8 kind, uint8 value) public {
        IReciprocityRegistry.Declaration memory d = _declaration(registry, kind, licensee, value, 0, 0);
        bytes memory sig = _sign(LICENSEE_PK, registry.declarationDigest(d));
        (, uint256 before) = registry.counts();
        bool refused = true;
        if (kind > 2) {
            vm.expectRevert(
                abi.encodeWithSelector(IReciprocityRegistry.ReciprocityRegistryInvalidCode.selector, 0, kind)
            );
        } else if (kind == 2) {
            if (value != 0) {
                vm.expectRevert(
                    abi.encodeWithSelector(IReciprocityRegistry.ReciprocityRegistryInvalidCode.selector, 3, value)
                );
            } else {
                vm.expectRevert(
                    abi.encodeWithSelector(IReciprocityRegistry.ReciprocityRegistryInvertedPeriod.selector, 0, 0)
                );
            }
        } else if ((kind == 0 && value > 3) || (kind == 1 && value > 1)) {
            vm.expectRevert(
                abi.encodeWithSelector(IReciprocityRegistry.ReciprocityRegistryInvalidCode.selector, 3, value)
            );
        } else {
            refused = false;
        }
        registry.declare(d, sig);
        (, uint256 afterCount) = registry.counts();
        assertEq(afterCount, refused ? before : before + 1, "a refused declaration records nothing");
    }

    /// @dev SIG-TAMPER: change one signed field after signing; the signature no longer matches.
    /// forge-config: default.fuzz.runs = 256
    function testFuzz_declare_tamperedFieldIsRejected(uint8 field, bytes32 noise) public {
        IReciprocityRegistry.Declaration memory d = _declaration(registry, 0, licensee, 1, 0, 0);
        bytes memory sig = _sign(LICENSEE_PK, registry.declarationDigest(d));
        field = field % 3;
        if (field == 0)
            d.value = 3; // another form
        else if (field == 1) d.evidence = noise == d.evidence ? bytes32(0) : noise;
        else d.deadline = d.deadline - 1;
        vm.expectRevert(
            abi.encodeWithSelector(IReciprocityRegistry.ReciprocityRegistryInvalidSignature.selector, licensee)
        );
        registry.declare(d, sig);
    }

    /// @dev Only the licensor's key can grant; any other key (SIG-ZERO: garbage included) is rejected.
    /// forge-config: default.fuzz.runs = 256
    function testFuzz_grant_onlyLicensorSignatureCounts(uint256 pk) public {
        pk = bound(pk, 1, 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364140);
        vm.assume(pk != LICENSOR_PK);
        IReciprocityRegistry.Grant memory g = _grant(registry, licensor, 2, licensee, 0, 0);
        bytes memory sig = _sign(pk, registry.grantDigest(g));
        vm.expectRevert(
            abi.encodeWithSelector(IReciprocityRegistry.ReciprocityRegistryInvalidSignature.selector, licensor)
        );
        registry.grant(g, sig);
        (, uint256 records) = registry.counts();
        assertEq(records, 0, "a refused grant records nothing");
    }

    /// @dev SIG-REPLAY: a grant signed on one chain fails after the chain id changes.
    function test_grant_revertsOnAnotherChain() public {
        IReciprocityRegistry.Grant memory g = _grant(registry, licensor, 2, licensee, 0, 0);
        bytes memory sig = _sign(LICENSOR_PK, registry.grantDigest(g));
        vm.chainId(block.chainid + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IReciprocityRegistry.ReciprocityRegistryInvalidSignature.selector, licensor)
        );
        registry.grant(g, sig);
        (, uint256 records) = registry.counts();
        assertEq(records, 0, "a refused grant records nothing");
    }

    function _status() internal view returns (IReciprocityRegistry.StatusView memory) {
        return registry.statusOf(licensee, 1);
    }

    function _cites(IReciprocityRegistry.StatusView memory v, uint256 id) internal pure returns (bool) {
        for (uint256 i = 0; i < v.records.length; ++i) if (v.records[i] == id) return true;
        return false;
    }

    function _declareAs(uint8 kind, uint8 value, uint64 start, uint64 end) internal returns (uint256) {
        IReciprocityRegistry.Declaration memory d = _declaration(registry, kind, licensee, value, start, end);
        return registry.declare(d, _sign(LICENSEE_PK, registry.declarationDigest(d)));
    }

    /// @dev F-5: 65,536 open reports (one more than the old uint16 counter held) do not block a
    /// further report; one decision dismisses them all at a constant cost; reporting goes on.
    function test_F5_reportsNeverBlockAndAreDismissedInOneCall() public {
        for (uint256 i = 0; i < 65_536; ++i) registry.reportBreach(licensee, 1, 0, bytes32(i));
        uint256 last = registry.reportBreach(licensee, 1, 1, keccak256("a real breach"));
        IReciprocityRegistry.StatusView memory v = _status();
        assertEq(uint8(v.status), uint8(IReciprocityRegistry.Status.Disputed));
        assertTrue(_cites(v, last));
        vm.prank(licensor);
        uint256 g = gasleft();
        registry.dismissBreachesUpTo(last, keccak256("spam"));
        assertLt(g - gasleft(), 40_000, "dismissing 65,537 reports costs one call");
        assertEq(uint8(_status().status), uint8(IReciprocityRegistry.Status.Undeclared));
        vm.prank(licensor);
        vm.expectRevert(abi.encodeWithSelector(IReciprocityRegistry.ReciprocityRegistryReportNotOpen.selector, 7));
        registry.findBreach(7, bytes32(0));
        uint256 again = registry.reportBreach(licensee, 1, 1, keccak256("filed again"));
        v = _status();
        assertEq(uint8(v.status), uint8(IReciprocityRegistry.Status.Disputed));
        assertTrue(_cites(v, again));
    }

    /// @dev A bulk dismissal leaves the reports filed after it open; as those are decided, the
    /// status cites the latest still open one, and no dismissed one.
    function test_dismissBreachesUpTo_leavesLaterReportsOpen() public {
        uint256[5] memory r;
        for (uint256 i = 0; i < 5; ++i) r[i] = registry.reportBreach(licensee, 1, 0, bytes32(i));
        vm.startPrank(licensor);
        registry.dismissBreachesUpTo(r[2], bytes32(0));
        assertTrue(_cites(_status(), r[4]));
        registry.dismissBreach(r[4], bytes32(0));
        assertTrue(_cites(_status(), r[3]));
        vm.expectRevert(abi.encodeWithSelector(IReciprocityRegistry.ReciprocityRegistryReportNotOpen.selector, r[1]));
        registry.dismissBreach(r[1], bytes32(0));
        registry.dismissBreach(r[3], bytes32(0));
        vm.stopPrank();
        assertEq(uint8(_status().status), uint8(IReciprocityRegistry.Status.Undeclared));
    }

    /// @dev Explanation (a): whatever reports are filed and decided (one by one, in any order, or
    /// in bulk), the status is Disputed exactly while one is open and cites the latest open one.
    /// forge-config: default.fuzz.runs = 256
    function testFuzz_reportBreach_statusCitesTheLatestOpenReport(uint256 seed) public {
        uint256[] memory open = new uint256[](24);
        uint256 n;
        for (uint256 step = 0; step < 24; ++step) {
            uint256 op = uint256(keccak256(abi.encode(seed, step)));
            if (n == 0 || op % 3 == 0) {
                open[n++] = registry.reportBreach(licensee, 1, 0, bytes32(step));
            } else if (op % 3 == 1) {
                uint256 k = (op >> 8) % n;
                vm.prank(licensor);
                registry.dismissBreach(open[k], bytes32(0));
                for (uint256 i = k; i + 1 < n; ++i) open[i] = open[i + 1];
                --n;
            } else {
                uint256 k = (op >> 8) % n;
                vm.prank(licensor);
                registry.dismissBreachesUpTo(open[k], bytes32(0));
                for (uint256 i = 0; i + k + 1 < n; ++i) open[i] = open[i + k + 1];
                n -= k + 1;
            }
            IReciprocityRegistry.StatusView memory v = _status();
            assertEq(v.status == IReciprocityRegistry.Status.Disputed, n != 0);
            if (n != 0) assertTrue(_cites(v, open[n - 1]), "cites the latest open report");
        }
    }

    /// @dev F-6: after a renewal of the running period is queued, no further period may wait; once
    /// the renewal has started, the next one may be declared.
    function test_F6_onlyOneFuturePeriodWaitsAfterARenewal() public {
        _declareAs(0, 1, 0, 0); // worker-owned
        uint64 t = uint64(block.timestamp);
        _declareAs(2, 0, t - 1, t + 10 days);
        _declareAs(2, 0, t + 10 days, t + 20 days); // the renewal: one period waits
        IReciprocityRegistry.Declaration memory d = _declaration(registry, 2, licensee, 0, t + 20 days, t + 30 days);
        bytes memory sig = _sign(LICENSEE_PK, registry.declarationDigest(d));
        vm.expectRevert(
            abi.encodeWithSelector(
                IReciprocityRegistry.ReciprocityRegistryPeriodQueued.selector,
                t + 20 days,
                t + 10 days
            )
        );
        registry.declare(d, sig);
        assertEq(_status().validUntil, t + 20 days);
        vm.warp(t + 10 days);
        _declareAs(2, 0, t + 20 days, t + 30 days);
        assertEq(_status().validUntil, t + 30 days);
    }

    /// @dev statusOf stays in budget however the standing is filled (IN-GAS-O1 for the view).
    /// forge-config: default.fuzz.runs = 64
    function testFuzz_statusOf_gasIndependentOfHistory(uint8 declarations) public {
        declarations = uint8(bound(declarations, 1, 40));
        for (uint256 i = 0; i < declarations; ++i) {
            IReciprocityRegistry.Declaration memory d = _declaration(
                registry,
                uint8(i % 2),
                licensee,
                uint8(i % 2),
                0,
                0
            );
            registry.declare(d, _sign(LICENSEE_PK, registry.declarationDigest(d)));
        }
        uint256 g = gasleft();
        registry.statusOf(licensee, 1);
        assertLt(g - gasleft(), 30_000);
    }
}

/// @notice Drives the registry with random records and time jumps for two licensees; after each
/// step checks that every licensee's status moved only along an edge the state machine (and the
/// text, where it wins) allows for that kind of step (INV-MONOTONE-STATUS), and counts records.
contract RegistryHandler is RegistrySigning, StdUtils {
    enum Step {
        Declare,
        Attest,
        Report,
        Find,
        Dismiss,
        GrantRelief,
        GrantSeparate,
        Warp
    }

    // IReciprocityRegistry.Status codes
    uint8 internal constant U = 0;
    uint8 internal constant NC = 1;
    uint8 internal constant CP = 2;
    uint8 internal constant CL = 3;
    uint8 internal constant EX = 4;
    uint8 internal constant SL = 5;
    uint8 internal constant D = 6;
    uint8 internal constant T = 7;

    IReciprocityRegistry public immutable registry;
    uint256 internal immutable _licensorPk;
    address internal immutable _licensor;
    address internal immutable _attester;
    uint256[2] internal _pks;
    address[2] public licensees;
    uint8[2] public lastStatus;
    uint256[][2] internal _openReports;
    uint256[2] internal _latestFinding;

    uint256 public records;
    uint256 public violations;
    uint256 public transitions;
    bytes public lastViolation;

    constructor(IReciprocityRegistry registry_, uint256 licensorPk, address attester) {
        registry = registry_;
        _licensorPk = licensorPk;
        _licensor = vm.addr(licensorPk);
        _attester = attester;
        _pks = [uint256(0xC0), uint256(0xC1)];
        licensees = [vm.addr(0xC0), vm.addr(0xC1)];
    }

    function declareEntity(uint256 who, uint8 form) external {
        who %= 2;
        IReciprocityRegistry.Declaration memory d = _declaration(registry, 0, licensees[who], form % 4, 0, 0);
        registry.declare(d, _sign(_pks[who], registry.declarationDigest(d)));
        ++records;
        _check(Step.Declare);
    }

    function declareUse(uint256 who, bool commercial) external {
        who %= 2;
        IReciprocityRegistry.Declaration memory d = _declaration(registry, 1, licensees[who], commercial ? 1 : 0, 0, 0);
        registry.declare(d, _sign(_pks[who], registry.declarationDigest(d)));
        ++records;
        _check(Step.Declare);
    }

    function declareSurplus(uint256 who, uint32 startBack, uint32 length, bool continueLatest) external {
        who %= 2;
        uint64 start = uint64(block.timestamp) - (startBack % 200 days) + (startBack % 3 == 0 ? 100 days : 0);
        uint64 end = start + 1 + (length % 400 days);
        if (continueLatest) {
            // A renewal: start where the latest period ends, when it is still running.
            (uint64 latestEnd, bool running) = _latestSurplus(licensees[who]);
            if (running) {
                start = latestEnd;
                end = start + 1 + (length % 400 days);
            }
        }
        IReciprocityRegistry.Declaration memory d = _declaration(registry, 2, licensees[who], 0, start, end);
        try registry.declare(d, _sign(_pks[who], registry.declarationDigest(d))) {
            ++records;
        } catch {
            return; // an overlapping or queued period: refused, nothing recorded
        }
        _check(Step.Declare);
    }

    function attest(uint256 who, uint256 record) external {
        who %= 2;
        record = bound(record, 1, records == 0 ? 1 : records);
        vm.prank(_attester);
        try registry.attest(licensees[who], 1, record, bytes32(0)) {
            ++records;
        } catch {
            return;
        }
        _check(Step.Attest);
    }

    function report(uint256 who) external {
        who %= 2;
        _openReports[who].push(registry.reportBreach(licensees[who], 1, 0, bytes32(0)));
        ++records;
        _check(Step.Report);
    }

    function decide(uint256 who, bool found, uint256 k) external {
        who %= 2;
        uint256 n = _openReports[who].length;
        if (n == 0) return;
        k %= n;
        uint256[] storage list = _openReports[who];
        uint256 r = list[k];
        for (uint256 i = k; i + 1 < n; ++i) list[i] = list[i + 1];
        list.pop();
        vm.prank(_licensor);
        if (found) {
            _latestFinding[who] = registry.findBreach(r, bytes32(0));
        } else {
            registry.dismissBreach(r, bytes32(0));
        }
        ++records;
        _check(found ? Step.Find : Step.Dismiss);
    }

    function dismissUpTo(uint256 who, uint256 k) external {
        who %= 2;
        uint256 n = _openReports[who].length;
        if (n == 0) return;
        k %= n;
        vm.prank(_licensor);
        registry.dismissBreachesUpTo(_openReports[who][k], bytes32(0));
        // Reports are kept in filing order: the first k + 1 are dismissed.
        uint256[] storage list = _openReports[who];
        for (uint256 i = 0; i + k + 1 < n; ++i) list[i] = list[i + k + 1];
        for (uint256 i = 0; i <= k; ++i) list.pop();
        ++records;
        _check(Step.Dismiss);
    }

    function grantRelief(uint256 who, bool waiver, uint32 expiresIn) external {
        who %= 2;
        if (_latestFinding[who] == 0) return;
        uint64 expiry = expiresIn % 2 == 0 ? 0 : uint64(block.timestamp + 1 + (expiresIn % 100 days));
        IReciprocityRegistry.Grant memory g = _grant(
            registry,
            _licensor,
            waiver ? 1 : 0,
            licensees[who],
            _latestFinding[who],
            expiry
        );
        registry.grant(g, _sign(_licensorPk, registry.grantDigest(g)));
        ++records;
        _check(Step.GrantRelief);
    }

    function grantSeparate(uint256 who, uint32 expiresIn) external {
        who %= 2;
        uint64 expiry = expiresIn % 3 == 0 ? 0 : uint64(block.timestamp + 1 + (expiresIn % 100 days));
        IReciprocityRegistry.Grant memory g = _grant(registry, _licensor, 2, licensees[who], 0, expiry);
        registry.grant(g, _sign(_licensorPk, registry.grantDigest(g)));
        ++records;
        _check(Step.GrantSeparate);
    }

    function warp(uint32 seconds_) external {
        vm.warp(block.timestamp + (seconds_ % 200 days));
        _check(Step.Warp);
    }

    // ---------------------------------------------------------------- the allowed edges

    /// @dev Whether a step of kind `step` may move a status from `a` to `b`. The state machine's
    /// edges, plus those the text requires (each named in the README's notes):
    /// - any base form change through an entity declaration (4(d) excludes at once; a converted
    ///   firm is no longer excluded; a licensee with a surplus on file may declare its form after);
    /// - a separate license may be granted from any status (8(d), 4(f)) and on expiry returns to
    ///   whatever the records give then;
    /// - a reinstatement with an expiry ends: back to Terminated (time step).
    function allowed(uint8 a, uint8 b, Step step) public pure returns (bool) {
        if (a == b) return true;
        if (b == SL) return step == Step.GrantSeparate;
        if (a == SL) return step == Step.Warp; // the separate license expired
        if (b == T) return (step == Step.Find && a == D) || step == Step.Warp; // finding; relief expiry
        if (a == T) return step == Step.GrantRelief; // only the licensor's signed grant (1(g), 8(d))
        if (b == D) return step == Step.Report;
        if (a == D) return step == Step.Dismiss; // back to the prior status
        // Base statuses (U, NC, CP, CL, EX).
        if (step == Step.Declare) {
            // Nothing leads back to Undeclared; once commercial rights existed, a form change
            // lapses them (CommercialLapsed) or excludes (4(d)), never silently back to NC.
            return b != U && !((a == CP || a == CL) && b == NC);
        }
        if (step == Step.Warp) {
            return (a == CP && b == CL) || (a == NC && b == CP) || (a == CL && b == CP) || (a == NC && b == CL);
        }
        return false; // attestations, reports and grants do not move base statuses
    }

    function _check(Step step) internal {
        for (uint256 i = 0; i < 2; ++i) {
            IReciprocityRegistry.StatusView memory v = registry.statusOf(licensees[i], 1);
            uint256 open = _openReports[i].length;
            // Explanation (a): a Disputed status cites the latest open report; none open, no dispute.
            if (
                v.status == IReciprocityRegistry.Status.Disputed &&
                (open == 0 || !_citesRecord(v, _openReports[i][open - 1]))
            ) {
                ++violations;
                lastViolation = "Disputed without citing the latest open report";
            }
            if (open == 0 && v.status == IReciprocityRegistry.Status.Disputed) ++violations;
            uint8 b = uint8(v.status);
            uint8 a = lastStatus[i];
            if (a != b) ++transitions;
            if (!allowed(a, b, step)) {
                ++violations;
                lastViolation = abi.encodePacked(
                    "licensee ",
                    bytes1(uint8(48 + i)),
                    ": status ",
                    bytes1(uint8(48 + a)),
                    " -> ",
                    bytes1(uint8(48 + b)),
                    " on step ",
                    bytes1(uint8(48 + uint8(step)))
                );
            }
            lastStatus[i] = b;
        }
    }

    function _citesRecord(IReciprocityRegistry.StatusView memory v, uint256 id) internal pure returns (bool) {
        for (uint256 i = 0; i < v.records.length; ++i) if (v.records[i] == id) return true;
        return false;
    }

    function _latestSurplus(address licensee) internal view returns (uint64 end, bool running) {
        IReciprocityRegistry.StatusView memory v = registry.statusOf(licensee, 1);
        // validUntil of a commercial status is the latest period's end; otherwise nothing runs.
        running = v.status == IReciprocityRegistry.Status.CommercialPermitted && v.prior == v.status;
        end = v.validUntil;
    }
}

/// forge-config: default.invariant.runs = 48
/// forge-config: default.invariant.depth = 40
/// forge-config: default.invariant.fail-on-revert = true
contract ReciprocityRegistryInvariantTest is Test, RegistrySigning {
    IReciprocityRegistry internal registry;
    RegistryHandler internal handler;

    function setUp() public {
        vm.warp(1_800_000_000);
        registry = _deployRegistry(_deployLedger());
        uint256 licensorPk = 0xA11CE;
        address attester = address(0xA77E);
        vm.prank(vm.addr(licensorPk));
        registry.registerWork(_terms(attester, address(0xA4B)));
        handler = new RegistryHandler(registry, licensorPk, attester);
        targetContract(address(handler));
    }

    /// @dev INV-MONOTONE-STATUS: no step moved a status outside the allowed edges.
    function invariant_INV_MONOTONE_STATUS_onlyAllowedEdges() public view {
        assertEq(handler.violations(), 0, string(handler.lastViolation()));
    }

    /// @dev INV-COUNT: the record count equals the handler's successful appends (dense ids 1..n).
    function invariant_INV_COUNT_recordsEqualAppends() public view {
        (, uint256 recorded) = registry.counts();
        assertEq(recorded, handler.records());
    }
}
