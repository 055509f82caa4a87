// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {Vm} from "forge-std/Vm.sol";
import {IDirectory} from "../contracts/interfaces/IDirectory.sol";
import {ERC1271WalletMock} from "../contracts/mocks/ERC1271WalletMock.sol";
import {Deployments, ILedgerWithConstants} from "./utils/Deployments.sol";

/// @dev Signing helpers shared by the tests and the invariant handler.
abstract contract DirectorySigning is Test, Deployments {
    function _profile(
        IDirectory directory,
        address agent,
        uint8 kind,
        string memory name
    ) internal view returns (IDirectory.Profile memory) {
        return
            IDirectory.Profile({
                agent: agent,
                kind: kind,
                name: name,
                nonce: directory.nonces(agent),
                deadline: uint64(block.timestamp + 1 hours)
            });
    }

    function _sign(IDirectory directory, uint256 pk, IDirectory.Profile memory p) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pk, directory.profileDigest(p));
        return abi.encodePacked(r, s, v);
    }
}

/// @notice Names: an agent's signed profile, and a commons' name set by its stewards' threshold
/// (issue 18 "Names"; checklist SIG-REPLAY, GOV-THRESHOLD).
contract DirectoryTest is DirectorySigning {
    uint256 internal constant ANN_PK = 0xA77;
    uint256 internal constant BEN_PK = 0xBE7;
    uint256 internal constant CAT_PK = 0xCA7;
    uint256 internal constant ROGUE_PK = 0xBAD;

    ILedgerWithConstants internal ledger;
    IDirectory internal directory;
    address internal ann;
    address internal ben;
    address internal cat;
    address internal rogue;
    bytes32 internal commons;

    function setUp() public {
        vm.warp(1_800_000_000);
        ledger = _deployLedger();
        directory = _deployDirectory(ledger);
        ann = vm.addr(ANN_PK);
        ben = vm.addr(BEN_PK);
        cat = vm.addr(CAT_PK);
        rogue = vm.addr(ROGUE_PK);
        vm.prank(ann);
        commons = ledger.registerCommons(bytes32("salt"), "Sensorica");
    }

    /// @dev ann's commons with ben and cat as stewards and a threshold of `threshold`.
    function _threeStewards(uint16 threshold) internal {
        vm.startPrank(ann);
        ledger.addSteward(commons, ben);
        ledger.addSteward(commons, cat);
        ledger.setStewardThreshold(commons, threshold);
        vm.stopPrank();
    }

    function _publish(uint256 pk, uint8 kind, string memory name) internal {
        IDirectory.Profile memory p = _profile(directory, vm.addr(pk), kind, name);
        directory.publishProfile(p, _sign(directory, pk, p));
    }

    // ------------------------------------------------------------------ publishProfile

    function test_publishProfile_emitsProfilePublishedWithVersionZero() public {
        IDirectory.Profile memory p = _profile(directory, ann, 0, "Ann Lee");
        bytes memory sig = _sign(directory, ANN_PK, p);
        vm.expectEmit(address(directory));
        emit IDirectory.ProfilePublished(ann, IDirectory.AgentKind.Person, "Ann Lee", 0);
        vm.prank(rogue); // anyone relays
        directory.publishProfile(p, sig);
        assertEq(directory.nonces(ann), 1);
    }

    function test_publishProfile_aNewVersionReplacesTheOldAndTheOldCannotBeReplayed() public {
        IDirectory.Profile memory first = _profile(directory, ann, 0, "Ann");
        bytes memory firstSig = _sign(directory, ANN_PK, first);
        directory.publishProfile(first, firstSig);
        IDirectory.Profile memory second = _profile(directory, ann, 1, "Ann's workshop");
        vm.expectEmit(address(directory));
        emit IDirectory.ProfilePublished(ann, IDirectory.AgentKind.Organisation, "Ann's workshop", 1);
        directory.publishProfile(second, _sign(directory, ANN_PK, second));
        vm.expectRevert(abi.encodeWithSelector(IDirectory.DirectoryInvalidNonce.selector, ann, 0, 2));
        directory.publishProfile(first, firstSig);
    }

    function test_publishProfile_revertsDirectoryZeroAgent() public {
        IDirectory.Profile memory p = _profile(directory, address(0), 0, "Nobody");
        bytes memory sig = _sign(directory, ANN_PK, p);
        vm.expectRevert(IDirectory.DirectoryZeroAgent.selector);
        directory.publishProfile(p, sig);
    }

    function test_publishProfile_revertsDirectoryInvalidKind() public {
        IDirectory.Profile memory p = _profile(directory, ann, 3, "Ann");
        bytes memory sig = _sign(directory, ANN_PK, p);
        vm.expectRevert(abi.encodeWithSelector(IDirectory.DirectoryInvalidKind.selector, 3));
        directory.publishProfile(p, sig);
    }

    function test_publishProfile_revertsDirectoryInvalidNameWhenEmptyOrTooLong() public {
        IDirectory.Profile memory p = _profile(directory, ann, 0, "");
        bytes memory sig = _sign(directory, ANN_PK, p);
        vm.expectRevert(abi.encodeWithSelector(IDirectory.DirectoryInvalidName.selector, 0, 64));
        directory.publishProfile(p, sig);
        p.name = string(new bytes(65));
        sig = _sign(directory, ANN_PK, p);
        vm.expectRevert(abi.encodeWithSelector(IDirectory.DirectoryInvalidName.selector, 65, 64));
        directory.publishProfile(p, sig);
    }

    function test_publishProfile_acceptsSixtyFourBytesOfUtf8() public {
        // 32 two-byte letters: 64 bytes.
        _publish(ANN_PK, 0, unicode"éééééééééééééééééééééééééééééééé");
        assertEq(directory.nonces(ann), 1);
    }

    function test_publishProfile_revertsDirectoryNameControlCharacter() public {
        IDirectory.Profile memory p = _profile(directory, ann, 0, "Ann\nBob");
        bytes memory sig = _sign(directory, ANN_PK, p);
        vm.expectRevert(abi.encodeWithSelector(IDirectory.DirectoryNameControlCharacter.selector, 3, 0x0a));
        directory.publishProfile(p, sig);
        p.name = string(abi.encodePacked("Ann", bytes1(0x7f)));
        sig = _sign(directory, ANN_PK, p);
        vm.expectRevert(abi.encodeWithSelector(IDirectory.DirectoryNameControlCharacter.selector, 3, 0x7f));
        directory.publishProfile(p, sig);
    }

    function test_publishProfile_revertsDirectoryExpiredAndDirectoryDeadlineTooFar() public {
        IDirectory.Profile memory p = _profile(directory, ann, 0, "Ann");
        p.deadline = uint64(block.timestamp - 1);
        bytes memory sig = _sign(directory, ANN_PK, p);
        vm.expectRevert(abi.encodeWithSelector(IDirectory.DirectoryExpired.selector, p.deadline, block.timestamp));
        directory.publishProfile(p, sig);
        p.deadline = uint64(block.timestamp + 30 days + 1);
        sig = _sign(directory, ANN_PK, p);
        vm.expectRevert(
            abi.encodeWithSelector(IDirectory.DirectoryDeadlineTooFar.selector, p.deadline, block.timestamp + 30 days)
        );
        directory.publishProfile(p, sig);
    }

    function test_publishProfile_revertsDirectoryInvalidNonceWhenSkippingAhead() public {
        IDirectory.Profile memory p = _profile(directory, ann, 0, "Ann");
        p.nonce = 1;
        bytes memory sig = _sign(directory, ANN_PK, p);
        vm.expectRevert(abi.encodeWithSelector(IDirectory.DirectoryInvalidNonce.selector, ann, 1, 0));
        directory.publishProfile(p, sig);
    }

    function test_publishProfile_revertsDirectoryInvalidSignatureForSomeoneElsesName() public {
        // A stranger cannot name ann: the profile must be signed by the agent it names.
        IDirectory.Profile memory p = _profile(directory, ann, 0, "Ann the thief");
        bytes memory sig = _sign(directory, ROGUE_PK, p);
        vm.expectRevert(abi.encodeWithSelector(IDirectory.DirectoryInvalidSignature.selector, ann));
        directory.publishProfile(p, sig);
        assertEq(directory.nonces(ann), 0);
    }

    function test_publishProfile_aSignatureForAnotherNameOrKindFails() public {
        IDirectory.Profile memory p = _profile(directory, ann, 0, "Ann");
        bytes memory sig = _sign(directory, ANN_PK, p);
        p.name = "Anne";
        vm.expectRevert(abi.encodeWithSelector(IDirectory.DirectoryInvalidSignature.selector, ann));
        directory.publishProfile(p, sig);
        p.name = "Ann";
        p.kind = 2;
        vm.expectRevert(abi.encodeWithSelector(IDirectory.DirectoryInvalidSignature.selector, ann));
        directory.publishProfile(p, sig);
    }

    function test_publishProfile_aSignatureForAnotherDirectoryFails() public {
        IDirectory other = _deployDirectory(ledger);
        IDirectory.Profile memory p = _profile(directory, ann, 0, "Ann");
        bytes memory sig = _sign(other, ANN_PK, p);
        vm.expectRevert(abi.encodeWithSelector(IDirectory.DirectoryInvalidSignature.selector, ann));
        directory.publishProfile(p, sig);
    }

    function test_publishProfile_anErc1271WalletNamesItselfAndCanChangeItsMind() public {
        ERC1271WalletMock wallet = new ERC1271WalletMock(ann);
        IDirectory.Profile memory p = _profile(directory, address(wallet), 1, "Ann's cooperative");
        bytes memory sig = _sign(directory, ANN_PK, p);
        vm.expectEmit(address(directory));
        emit IDirectory.ProfilePublished(address(wallet), IDirectory.AgentKind.Organisation, "Ann's cooperative", 0);
        directory.publishProfile(p, sig);
        // The wallet stops accepting: its next version cannot be published.
        wallet.setMode(ERC1271WalletMock.Mode.WrongMagic);
        p = _profile(directory, address(wallet), 1, "Someone else");
        sig = _sign(directory, ANN_PK, p);
        vm.expectRevert(abi.encodeWithSelector(IDirectory.DirectoryInvalidSignature.selector, address(wallet)));
        directory.publishProfile(p, sig);
        wallet.setMode(ERC1271WalletMock.Mode.Reverts);
        vm.expectRevert(abi.encodeWithSelector(IDirectory.DirectoryInvalidSignature.selector, address(wallet)));
        directory.publishProfile(p, sig);
    }

    function test_publishProfile_gas() public {
        IDirectory.Profile memory p = _profile(directory, ann, 0, "Ann Lee");
        bytes memory sig = _sign(directory, ANN_PK, p);
        uint256 before = gasleft();
        directory.publishProfile(p, sig);
        uint256 used = before - gasleft();
        // First version: a new nonce slot (22,100) and the event; measured ~34,700 (budget asserted).
        assertLt(used, 40_000, "publishProfile gas over budget");
    }

    // ------------------------------------------------------------------ invalidateNonce

    function test_invalidateNonce_cancelsASignedProfileNotYetPublished() public {
        IDirectory.Profile memory p = _profile(directory, ann, 0, "Ann");
        bytes memory sig = _sign(directory, ANN_PK, p);
        vm.prank(ann);
        assertEq(directory.invalidateNonce(), 0);
        vm.expectRevert(abi.encodeWithSelector(IDirectory.DirectoryInvalidNonce.selector, ann, 0, 1));
        directory.publishProfile(p, sig);
    }

    // ------------------------------------------------------------------ proposeCommonsName

    function test_proposeCommonsName_namesAtOnceWithThresholdOne() public {
        (, , uint256 epoch) = ledger.stewardship(commons);
        vm.expectEmit(address(directory));
        emit IDirectory.CommonsNameProposed(
            1,
            commons,
            ann,
            "Sensorica Montreal",
            uint32(epoch),
            uint40(block.timestamp + 30 days)
        );
        vm.expectEmit(address(directory));
        emit IDirectory.CommonsNameApproved(1, ann, 1, 1);
        vm.expectEmit(address(directory));
        emit IDirectory.CommonsNamed(commons, "Sensorica Montreal", 1);
        vm.prank(ann);
        assertEq(directory.proposeCommonsName(commons, "Sensorica Montreal"), 1);
        assertTrue(directory.nameProposalOf(1).executed);
    }

    function test_proposeCommonsName_revertsDirectoryNotStewardForAStranger() public {
        vm.expectRevert(abi.encodeWithSelector(IDirectory.DirectoryNotSteward.selector, commons, rogue));
        vm.prank(rogue);
        directory.proposeCommonsName(commons, "Rogue's commons");
    }

    function test_proposeCommonsName_revertsDirectoryCommonsUnknown() public {
        vm.expectRevert(abi.encodeWithSelector(IDirectory.DirectoryCommonsUnknown.selector, bytes32("nope")));
        vm.prank(ann);
        directory.proposeCommonsName(bytes32("nope"), "Nothing");
    }

    function test_proposeCommonsName_revertsOnABadName() public {
        vm.startPrank(ann);
        vm.expectRevert(abi.encodeWithSelector(IDirectory.DirectoryInvalidName.selector, 0, 64));
        directory.proposeCommonsName(commons, "");
        vm.expectRevert(abi.encodeWithSelector(IDirectory.DirectoryNameControlCharacter.selector, 0, 0x1b));
        directory.proposeCommonsName(commons, "\x1b[31mred");
        vm.stopPrank();
    }

    // ------------------------------------------------------------------ approveCommonsName

    function test_approveCommonsName_needsTheThresholdOfDistinctStewards() public {
        _threeStewards(2);
        vm.prank(ann);
        uint256 id = directory.proposeCommonsName(commons, "Sensorica Montreal");
        assertFalse(directory.nameProposalOf(id).executed);
        vm.expectRevert(abi.encodeWithSelector(IDirectory.DirectoryAlreadyApproved.selector, id, ann));
        vm.prank(ann);
        directory.approveCommonsName(id);
        vm.expectRevert(abi.encodeWithSelector(IDirectory.DirectoryNotSteward.selector, commons, rogue));
        vm.prank(rogue);
        directory.approveCommonsName(id);
        vm.expectEmit(address(directory));
        emit IDirectory.CommonsNameApproved(id, ben, 2, 2);
        vm.expectEmit(address(directory));
        emit IDirectory.CommonsNamed(commons, "Sensorica Montreal", id);
        vm.prank(ben);
        assertTrue(directory.approveCommonsName(id));
        vm.expectRevert(abi.encodeWithSelector(IDirectory.DirectoryProposalExecuted.selector, id));
        vm.prank(cat);
        directory.approveCommonsName(id);
    }

    function test_approveCommonsName_revertsDirectoryProposalNotFound() public {
        vm.expectRevert(abi.encodeWithSelector(IDirectory.DirectoryProposalNotFound.selector, 7));
        directory.approveCommonsName(7);
        vm.expectRevert(abi.encodeWithSelector(IDirectory.DirectoryProposalNotFound.selector, 7));
        directory.nameProposalOf(7);
    }

    function test_approveCommonsName_revertsDirectoryProposalExpired() public {
        _threeStewards(2);
        vm.prank(ann);
        uint256 id = directory.proposeCommonsName(commons, "Late");
        uint256 expiresAt = block.timestamp + 30 days;
        vm.warp(expiresAt);
        vm.expectRevert(abi.encodeWithSelector(IDirectory.DirectoryProposalExpired.selector, id, expiresAt));
        vm.prank(ben);
        directory.approveCommonsName(id);
    }

    function test_approveCommonsName_revertsDirectoryProposalStaleAfterTheStewardsChanged() public {
        _threeStewards(2);
        vm.prank(ann);
        uint256 id = directory.proposeCommonsName(commons, "Before the change");
        (, , uint256 epochBefore) = ledger.stewardship(commons);
        // The stewards remove cat (two approvals): the steward epoch moves on.
        vm.prank(ann);
        uint256 change = ledger.removeSteward(commons, cat);
        vm.prank(ben);
        ledger.approveChange(change);
        (, , uint256 epochAfter) = ledger.stewardship(commons);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDirectory.DirectoryProposalStale.selector,
                id,
                uint32(epochBefore),
                uint32(epochAfter)
            )
        );
        vm.prank(ben);
        directory.approveCommonsName(id);
    }

    function test_approveCommonsName_aRemovedStewardCanNoLongerApprove() public {
        _threeStewards(1);
        vm.prank(ann);
        ledger.setStewardThreshold(commons, 2);
        vm.prank(ann);
        uint256 change = ledger.removeSteward(commons, cat);
        vm.prank(ben);
        ledger.approveChange(change);
        vm.prank(ann);
        uint256 id = directory.proposeCommonsName(commons, "Two stewards");
        vm.expectRevert(abi.encodeWithSelector(IDirectory.DirectoryNotSteward.selector, commons, cat));
        vm.prank(cat);
        directory.approveCommonsName(id);
    }

    // ------------------------------------------------------------------ views

    function test_ledger_isTheLedgerItWasBuiltWith() public view {
        assertEq(directory.ledger(), address(ledger));
    }

    // ------------------------------------------------------------------ fuzz

    /// @dev Any name of 1..64 bytes without control bytes is published as signed, by whoever relays it.
    function testFuzz_publishProfile_publishesExactlyWhatTheAgentSigned(
        uint256 pk,
        uint8 kind,
        bytes memory raw,
        address relayer
    ) public {
        pk = bound(pk, 1, 2 ** 128);
        kind = uint8(bound(kind, 0, 2));
        vm.assume(raw.length > 0 && raw.length <= 64);
        for (uint256 i; i < raw.length; ++i) {
            uint8 c = uint8(raw[i]);
            if (c < 0x20 || c == 0x7f) raw[i] = bytes1(uint8(0x41));
        }
        address agent = vm.addr(pk);
        IDirectory.Profile memory p = _profile(directory, agent, kind, string(raw));
        bytes memory sig = _sign(directory, pk, p);
        vm.recordLogs();
        vm.prank(relayer);
        directory.publishProfile(p, sig);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, 1);
        assertEq(logs[0].topics[1], bytes32(uint256(uint160(agent))));
        (IDirectory.AgentKind k, string memory name, uint256 nonce) = abi.decode(
            logs[0].data,
            (IDirectory.AgentKind, string, uint256)
        );
        assertEq(uint8(k), kind);
        assertEq(name, string(raw));
        assertEq(nonce, 0);
    }

    /// @dev SIG-REPLAY: a profile signed by one key never publishes under another agent.
    function testFuzz_publishProfile_neverForAnAgentThatDidNotSign(uint256 signerPk, address agent) public {
        signerPk = bound(signerPk, 1, 2 ** 128);
        vm.assume(agent != address(0) && agent != vm.addr(signerPk) && agent.code.length == 0);
        IDirectory.Profile memory p = _profile(directory, agent, 0, "Impostor");
        bytes memory sig = _sign(directory, signerPk, p);
        vm.expectRevert(abi.encodeWithSelector(IDirectory.DirectoryInvalidSignature.selector, agent));
        directory.publishProfile(p, sig);
    }
}

/// @dev Random stewards, thresholds and name proposals; ghosts what the events say.
contract DirectoryHandler is DirectorySigning {
    ILedgerWithConstants internal immutable ledger;
    IDirectory internal immutable directory;
    bytes32 public immutable commons;
    address[] internal people;
    uint256 public violations;
    string public lastViolation;
    uint256 public proposals;

    constructor(ILedgerWithConstants ledger_, IDirectory directory_) {
        ledger = ledger_;
        directory = directory_;
        for (uint256 i = 1; i <= 4; ++i) people.push(vm.addr(0x5000 + i));
        vm.prank(people[0]);
        commons = ledger.registerCommons(bytes32("inv"), "Invariant commons");
    }

    function _person(uint256 seed) internal view returns (address) {
        return people[seed % people.length];
    }

    function addSteward(uint256 by, uint256 who) external {
        (, uint256 threshold, ) = ledger.stewardship(commons);
        if (threshold != 1) return;
        address steward = _person(by);
        address account = _person(who);
        if (!ledger.isSteward(commons, steward) || ledger.isSteward(commons, account)) return;
        vm.prank(steward);
        ledger.addSteward(commons, account);
    }

    function raiseThreshold(uint256 by) external {
        (uint256 stewards, uint256 threshold, ) = ledger.stewardship(commons);
        address steward = _person(by);
        if (threshold != 1 || stewards < 2 || !ledger.isSteward(commons, steward)) return;
        vm.prank(steward);
        ledger.setStewardThreshold(commons, 2);
    }

    function propose(uint256 by, uint8 letter) external {
        address steward = _person(by);
        if (!ledger.isSteward(commons, steward)) return;
        vm.prank(steward);
        directory.proposeCommonsName(commons, string(abi.encodePacked("Name ", bytes1(0x41 + (letter % 26)))));
        proposals++;
    }

    function approve(uint256 proposalSeed, uint256 by) external {
        if (proposals == 0) return;
        uint256 id = 1 + (proposalSeed % proposals);
        address steward = _person(by);
        IDirectory.NameProposal memory p = directory.nameProposalOf(id);
        (, uint256 threshold, uint256 epoch) = ledger.stewardship(commons);
        if (p.executed || block.timestamp >= p.expiresAt || uint32(epoch) != p.epoch) return;
        if (!ledger.isSteward(commons, steward)) return;
        vm.recordLogs();
        vm.prank(steward);
        try directory.approveCommonsName(id) returns (bool executed) {
            if (executed && p.approvals + 1 < threshold) {
                violations++;
                lastViolation = "a name took effect below the threshold";
            }
        } catch {} // already approved by this steward
    }

    function publish(uint256 who, uint8 kind) external {
        uint256 pk = 0x5001 + (who % 4);
        address agent = vm.addr(pk);
        uint256 before = directory.nonces(agent);
        IDirectory.Profile memory p = _profile(directory, agent, kind % 3, "Someone");
        directory.publishProfile(p, _sign(directory, pk, p));
        if (directory.nonces(agent) != before + 1) {
            violations++;
            lastViolation = "a published profile did not advance its agent's nonce by one";
        }
    }

    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + bound(seconds_, 1, 10 days));
    }
}

/// forge-config: default.invariant.runs = 64
/// forge-config: default.invariant.depth = 48
/// forge-config: default.invariant.fail-on-revert = true
contract DirectoryInvariantTest is Test, Deployments {
    ILedgerWithConstants internal ledger;
    IDirectory internal directory;
    DirectoryHandler internal handler;

    function setUp() public {
        vm.warp(1_800_000_000);
        ledger = _deployLedger();
        directory = _deployDirectory(ledger);
        handler = new DirectoryHandler(ledger, directory);
        targetContract(address(handler));
    }

    /// @dev GOV-THRESHOLD: no commons name takes effect with fewer approvals than the threshold in force.
    function invariant_GOV_THRESHOLD_noNameBelowTheThreshold() public view {
        assertEq(handler.violations(), 0, handler.lastViolation());
        (, uint256 threshold, uint256 epoch) = ledger.stewardship(handler.commons());
        for (uint256 id = 1; id <= handler.proposals(); ++id) {
            IDirectory.NameProposal memory p = directory.nameProposalOf(id);
            if (p.executed && p.epoch == uint32(epoch)) assertGe(p.approvals, threshold);
        }
    }
}
