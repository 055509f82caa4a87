// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity 0.8.30;

import {ILedger} from "../contracts/interfaces/ILedger.sol";
import {ERC1271WalletMock} from "../contracts/mocks/ERC1271WalletMock.sol";
import {ILedgerWithConstants} from "./utils/Deployments.sol";
import {LedgerUnitTestBase} from "./utils/LedgerTestBase.sol";

/// @notice Signature rules of record, recordBatch and validate: SIG-DEADLINE, SIG-TAMPER, SIG-REPLAY,
/// SIG-MALLEABLE, SIG-NONCE (with invalidateNonce), SIG-1271 and SIG-ZERO.
contract LedgerSignatureTest is LedgerUnitTestBase {
    // ================================================================ SIG-DEADLINE

    function testFuzz_record_SIG_DEADLINE_acceptsOnlyNowToMaxValidity(uint64 deadline) public {
        if (deadline % 2 == 0) deadline = uint64(block.timestamp - 3 + (deadline % 7)); // at now
        if (deadline % 3 == 0) deadline = uint64(block.timestamp + VALIDITY - 3 + (deadline % 7)); // at the far edge
        ILedger.Record memory r = _next(carol);
        r.deadline = deadline;
        bytes memory sig = _signRecord(r);
        if (deadline < block.timestamp) {
            vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerExpired.selector, deadline, block.timestamp));
        } else if (deadline > block.timestamp + VALIDITY) {
            vm.expectRevert(
                abi.encodeWithSelector(ILedger.LedgerDeadlineTooFar.selector, deadline, block.timestamp + VALIDITY)
            );
        }
        ledger.record(r, sig);
    }

    function test_record_SIG_DEADLINE_acceptsDeadlineEqualToNow() public {
        ILedger.Record memory r = _next(carol);
        r.deadline = uint64(block.timestamp);
        _submit(r);
        _assertTipMatchesTracked();
    }

    function test_record_SIG_DEADLINE_revertsLedgerExpiredOneSecondLater() public {
        ILedger.Record memory r = _next(carol);
        r.deadline = uint64(block.timestamp);
        bytes memory sig = _signRecord(r);
        vm.warp(block.timestamp + 1);
        // vm.getBlockTimestamp: with viaIR a `block.timestamp` read after vm.warp may be stale.
        _expectRecordRevert(
            r,
            sig,
            abi.encodeWithSelector(ILedger.LedgerExpired.selector, r.deadline, vm.getBlockTimestamp())
        );
    }

    function test_record_SIG_DEADLINE_zeroIsExpiredNotForever() public {
        ILedger.Record memory r = _next(carol);
        r.deadline = 0;
        bytes memory sig = _signRecord(r);
        _expectRecordRevert(r, sig, abi.encodeWithSelector(ILedger.LedgerExpired.selector, uint64(0), block.timestamp));
    }

    function test_record_SIG_DEADLINE_revertsLedgerDeadlineTooFar() public {
        ILedger.Record memory r = _next(carol);
        r.deadline = uint64(block.timestamp + VALIDITY + 1);
        bytes memory sig = _signRecord(r);
        _expectRecordRevert(
            r,
            sig,
            abi.encodeWithSelector(ILedger.LedgerDeadlineTooFar.selector, r.deadline, block.timestamp + VALIDITY)
        );
        r.deadline = uint64(block.timestamp + VALIDITY);
        _submit(r);
    }

    // ================================================================ SIG-TAMPER

    /// @dev Sign a valid record (EOA or ERC-1271 agent, provider or receiver side), change one of the
    /// 17 fields: never recorded, and the error is the predicted one.
    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_record_SIG_TAMPER_rejectsAnyChangedField(
        uint256 signerPk,
        uint8 field,
        uint256 seed,
        bool viaWallet,
        bool asNeed
    ) public {
        address agent;
        if (viaWallet) {
            agent = address(wallet);
        } else {
            signerPk = bound(signerPk, 1, SECP256K1_N - 1);
            agent = vm.addr(signerPk);
            vm.assume(agent.code.length == 0);
            keyOf[agent] = signerPk;
        }
        ILedger.Record memory r = _recordOf(agent, ledger.nonces(agent, uint192(seed >> 128)));
        if (asNeed) (r.flow, r.provider, r.receiver) = (ILedger.Flow.Need, address(0), agent);
        assertEq(_expectedRecordError(r, true).length, 0, "base record is valid");
        bytes memory sig = _signRecord(r);

        uint256 i = field % 17;
        ILedger.Record memory t = _copy(r);
        _setField(t, i, _tamperedWord(i, _getField(r, i), uint256(keccak256(abi.encode(seed)))));
        assertTrue(_structHash(t) != _structHash(r), "tampered record differs");
        bytes memory err = _expectedRecordError(t, false);
        assertGt(err.length, 0);

        vm.expectRevert(err);
        ledger.record(t, sig);
        _assertTipMatchesTracked();
        // The untouched record still goes through: the failed attempt consumed nothing.
        ledger.record(r, sig);
    }

    // ================================================================ SIG-REPLAY

    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_record_SIG_REPLAY_resubmissionRevertsForAnyRelayer(
        uint256 pk,
        uint192 key,
        address relayer
    ) public {
        pk = bound(pk, 1, SECP256K1_N - 1);
        address agent = vm.addr(pk);
        vm.assume(agent.code.length == 0);
        keyOf[agent] = pk;
        ILedger.Record memory r = _recordOf(agent, ledger.nonces(agent, key));
        bytes memory sig = _signRecord(r);
        ledger.record(r, sig);
        _track(r);
        vm.prank(relayer);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidNonce.selector, agent, r.nonce, r.nonce + 1));
        ledger.record(r, sig);
        // Not in a batch either.
        ILedger.Record[] memory rs = new ILedger.Record[](1);
        bytes[] memory sigs = new bytes[](1);
        (rs[0], sigs[0]) = (r, sig);
        vm.expectEmit(address(ledger));
        emit ILedger.RecordSkipped(
            0,
            agent,
            abi.encodeWithSelector(ILedger.LedgerInvalidNonce.selector, agent, r.nonce, r.nonce + 1)
        );
        assertEq(ledger.recordBatch(rs, sigs), 0);
        _assertTipMatchesTracked();
    }

    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_record_SIG_REPLAY_otherChainRejected(uint64 chainB, bool viaWallet) public {
        vm.assume(chainB != block.chainid && chainB != 0);
        address agent = viaWallet ? address(wallet) : carol;
        ILedger.Record memory r = _next(agent);
        bytes memory sig = _signRecord(r); // for the current chain
        bytes32 dsA = ledger.domainSeparator();
        vm.chainId(chainB);
        assertTrue(ledger.domainSeparator() != dsA, "domain separator changes with the chain id");
        assertEq(ledger.domainSeparator(), _domainSeparator(address(ledger), chainB));
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, agent));
        ledger.record(r, sig);
        vm.chainId(chainA);
        ledger.record(r, sig);
    }

    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_record_SIG_REPLAY_otherDeploymentRejected(uint256 pk) public {
        pk = bound(pk, 1, SECP256K1_N - 1);
        address agent = vm.addr(pk);
        vm.assume(agent.code.length == 0);
        vm.assume(ledger.nonces(agent, 0) == 0); // not one of the fixture signers
        keyOf[agent] = pk;
        ILedgerWithConstants other = ledgerB;
        ILedger.Record memory r = _recordOf(agent, 0);
        bytes memory sig = _signRecord(r); // for `ledger`
        assertTrue(other.domainSeparator() != ledger.domainSeparator());
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, agent));
        other.record(r, sig);
        (uint64 count, ) = other.tip();
        assertEq(count, 0);
        ledger.record(r, sig);
    }

    // ================================================================ SIG-MALLEABLE

    struct Variants {
        bytes sig; // the valid 65-byte signature
        bytes twin; // (r, n - s, v flipped)
        bytes compact; // ERC-2098 (r, vs), 64 bytes
        bytes rawV; // v in {0, 1}
    }

    function _variants(uint256 pk, bytes32 digest) internal pure returns (Variants memory x) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pk, digest);
        x.sig = abi.encodePacked(r, s, v);
        bytes32 sHigh = bytes32(SECP256K1_N - uint256(s));
        uint8 vFlipped = v == 27 ? 28 : 27;
        x.twin = abi.encodePacked(r, sHigh, vFlipped);
        // The twin is a real ECDSA signature of the same digest: the precompile accepts it.
        assertEq(ecrecover(digest, vFlipped, r, sHigh), vm.addr(pk), "the high-s twin recovers the signer");
        (bytes32 cr, bytes32 vs) = vm.signCompact(pk, digest);
        x.compact = abi.encodePacked(cr, vs);
        x.rawV = abi.encodePacked(r, s, v - 27);
    }

    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_record_SIG_MALLEABLE_highSAndCompactFormsRejected(
        uint256 pk,
        bytes32 evidence,
        bool viaWallet
    ) public {
        address agent;
        if (viaWallet) {
            pk = OWNER_PK;
            agent = address(wallet);
        } else {
            pk = bound(pk, 1, SECP256K1_N - 1);
            agent = vm.addr(pk);
            vm.assume(agent.code.length == 0);
            keyOf[agent] = pk;
        }
        ILedger.Record memory r = _recordOf(agent, ledger.nonces(agent, 0));
        r.evidence = evidence;
        Variants memory x = _variants(pk, _digest(r));

        // The ledger rejects the high-s twin, the 64-byte form and v in {0, 1}...
        bytes memory invalid = abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, agent);
        vm.expectRevert(invalid);
        ledger.record(r, x.twin);
        vm.expectRevert(invalid);
        ledger.record(r, x.compact);
        vm.expectRevert(invalid);
        ledger.record(r, x.rawV);

        ledger.record(r, x.sig);
        _track(r);
        // ...and after the entry no other encoding gets a second one: replay protection is the nonce.
        bytes memory used = abi.encodeWithSelector(ILedger.LedgerInvalidNonce.selector, agent, r.nonce, r.nonce + 1);
        vm.expectRevert(used);
        ledger.record(r, x.twin);
        vm.expectRevert(used);
        ledger.record(r, x.compact);
        _assertTipMatchesTracked();
    }

    // ================================================================ SIG-NONCE

    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_record_SIG_NONCE_succeedsIffNonceIsCurrent(
        uint192 key,
        uint8 used,
        uint256 nonce,
        uint8 mode
    ) public {
        used = uint8(bound(used, 0, 3));
        for (uint256 i = 0; i < used; ++i) {
            vm.prank(carol);
            ledger.invalidateNonce(key);
        }
        uint256 current = ledger.nonces(carol, key);
        assertEq(current, (uint256(key) << 64) | used, "key in the high 192 bits, sequence in the low 64");
        if (mode % 4 == 0) nonce = current;
        else if (mode % 4 == 1) nonce = (uint256(key) << 64) | uint64(nonce); // same key, any sequence
        ILedger.Record memory r = _recordOf(carol, nonce);
        bytes memory sig = _signRecord(r);
        uint256 expected = ledger.nonces(carol, uint192(nonce >> 64));
        uint256 bobBefore = ledger.nonces(bob, key);
        if (nonce != expected) {
            vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidNonce.selector, carol, nonce, expected));
            ledger.record(r, sig);
            assertEq(ledger.nonces(carol, uint192(nonce >> 64)), expected, "a failed call consumes nothing");
        } else {
            ledger.record(r, sig);
            assertEq(ledger.nonces(carol, uint192(nonce >> 64)), expected + 1, "consumed");
        }
        assertEq(ledger.nonces(bob, key), bobBefore, "other signers' nonces unchanged");
    }

    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_record_SIG_NONCE_keysAreIndependent(uint192 k1, uint192 k2, bool reverse) public {
        vm.assume(k1 != k2);
        ILedger.Record memory a = _recordOf(carol, ledger.nonces(carol, k1));
        ILedger.Record memory b = _recordOf(carol, ledger.nonces(carol, k2));
        b.evidence = keccak256("b");
        if (reverse) (a, b) = (b, a);
        bytes memory sigA = _signRecord(a);
        bytes memory sigB = _signRecord(b);
        ledger.record(a, sigA);
        assertEq(ledger.nonces(carol, uint192(b.nonce >> 64)), b.nonce, "the other key is untouched");
        ledger.record(b, sigB);
        assertEq(ledger.nonces(carol, k1), ((uint256(k1) << 64) | 1));
        assertEq(ledger.nonces(carol, k2), ((uint256(k2) << 64) | 1));
    }

    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_record_SIG_NONCE_failedCallConsumesNothing(uint8 failure, uint192 key) public {
        ILedger.Record memory r = _recordOf(carol, ledger.nonces(carol, key));
        bytes memory sig = _signRecord(r);
        bytes memory err;
        uint256 f = failure % 4;
        if (f == 0) {
            sig = _sign(BOB_PK, _digest(r));
            err = abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, carol);
        } else if (f == 1) {
            vm.warp(r.deadline + 1);
            err = abi.encodeWithSelector(ILedger.LedgerExpired.selector, r.deadline, vm.getBlockTimestamp());
        } else if (f == 2) {
            sig = new bytes(0);
            err = abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, carol);
        } else {
            r.quantity = 0;
            sig = _signRecord(r);
            err = abi.encodeWithSelector(ILedger.LedgerZeroQuantity.selector);
        }
        vm.record();
        vm.expectRevert(err);
        ledger.record(r, sig);
        (, bytes32[] memory writes) = vm.accesses(address(ledger));
        assertEq(writes.length, 0, "nothing written");
        assertEq(ledger.nonces(carol, key), r.nonce);
        _assertTipMatchesTracked();
    }

    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_invalidateNonce_SIG_NONCE_cancelsOutstandingSignature(uint192 key, bool viaWallet) public {
        address agent = viaWallet ? address(wallet) : carol;
        ILedger.Record memory r = _recordOf(agent, ledger.nonces(agent, key));
        bytes memory sig = _signRecord(r);
        vm.expectEmit(address(ledger));
        emit ILedger.NonceInvalidated(agent, r.nonce);
        vm.prank(agent);
        assertEq(ledger.invalidateNonce(key), r.nonce, "returns the consumed nonce");
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidNonce.selector, agent, r.nonce, r.nonce + 1));
        ledger.record(r, sig);
        _assertTipMatchesTracked();
    }

    function test_invalidateNonce_onlyConsumesCallersNonce() public {
        ILedger.Record memory r = _recordOf(carol, ledger.nonces(carol, 0));
        bytes memory sig = _signRecord(r);
        vm.prank(bob);
        ledger.invalidateNonce(0);
        ledger.record(r, sig); // carol's signature unaffected
    }

    // ================================================================ SIG-1271

    function test_record_SIG_1271_honestWalletAccepted() public {
        ILedger.Record memory r = _next(address(wallet));
        bytes memory sig = _signRecord(r); // by the owner
        vm.expectEmit(address(ledger));
        emit ILedger.Recorded(4, address(wallet), r);
        ledger.record(r, sig);
        _track(r);
        _assertTipMatchesTracked();
    }

    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_record_SIG_1271_honestWalletJudgesOwnerSignature(uint256 pk) public {
        pk = bound(pk, 1, SECP256K1_N - 1);
        ILedger.Record memory r = _next(address(wallet));
        bytes memory sig = _sign(pk, _digest(r));
        if (vm.addr(pk) != owner) {
            vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, address(wallet)));
        }
        ledger.record(r, sig);
    }

    function _badModeRecord(uint256 mode) internal returns (ILedger.Record memory r, bytes memory sig) {
        badWallet.setMode(ERC1271WalletMock.Mode(mode));
        r = _next(address(badWallet));
        sig = _signRecord(r); // a valid owner signature: only the wallet's answer is wrong
    }

    /// @dev WrongMagic, Reverts, ShortReturn, ReturnBomb, GasHog: all just "invalid", with bounded gas.
    function test_record_SIG_1271_misbehavingWalletsRejected() public {
        for (uint256 mode = 1; mode <= 5; ++mode) {
            (ILedger.Record memory r, bytes memory sig) = _badModeRecord(mode);
            uint256 gasBefore = gasleft();
            vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, address(badWallet)));
            ledger.record{gas: 1_000_000}(r, sig);
            assertLt(gasBefore - gasleft(), 250_000, "the wallet gets at most ERC1271_GAS");
        }
        _assertTipMatchesTracked();
    }

    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_record_SIG_1271_misbehavingWalletRejected(uint8 mode, bytes32 evidence) public {
        mode = uint8(bound(mode, 1, 5));
        badWallet.setMode(ERC1271WalletMock.Mode(mode));
        ILedger.Record memory r = _next(address(badWallet));
        r.evidence = evidence;
        bytes memory sig = _signRecord(r);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, address(badWallet)));
        ledger.record(r, sig);
    }

    /// @dev Policy: a wallet that accepts anything is trusted (ERC-1271 delegates the judgement).
    function test_record_SIG_1271_permissiveWalletAccepted() public {
        badWallet.setMode(ERC1271WalletMock.Mode.AlwaysValid);
        ILedger.Record memory r = _next(address(badWallet));
        ledger.record(r, hex"00");
        _track(r);
        _assertTipMatchesTracked();
    }

    /// @dev Policy for EIP-7702 accounts (code at an EOA): the key's own signature is checked first;
    /// anything else goes to the account's isValidSignature.
    function test_record_SIG_1271_accountWithCodeAcceptsKeyAndCodeSignatures() public {
        vm.etch(carol, address(wallet).code); // Honest wallet code whose immutable owner is `owner`
        ILedger.Record memory r = _next(carol);
        ledger.record(r, _sign(CAROL_PK, _digest(r)));
        r = _next(carol);
        ledger.record(r, _sign(OWNER_PK, _digest(r)));
        r = _next(carol);
        bytes memory sig = _sign(BOB_PK, _digest(r));
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, carol));
        ledger.record(r, sig);
    }

    function test_recordBatch_SIG_1271_misbehavingWalletsSkippedWithBoundedGas() public {
        ERC1271WalletMock[5] memory bad;
        ILedger.Record[] memory rs = new ILedger.Record[](7);
        bytes[] memory sigs = new bytes[](7);
        for (uint256 m = 1; m <= 5; ++m) {
            bad[m - 1] = new ERC1271WalletMock(owner);
            bad[m - 1].setMode(ERC1271WalletMock.Mode(m));
            keyOf[address(bad[m - 1])] = OWNER_PK;
            rs[m] = _next(address(bad[m - 1]));
            sigs[m] = _signRecord(rs[m]);
        }
        rs[0] = _next(alice);
        sigs[0] = _signRecord(rs[0]);
        rs[6] = _next(address(wallet));
        sigs[6] = _signRecord(rs[6]);

        vm.expectEmit(address(ledger));
        emit ILedger.Recorded(4, alice, rs[0]);
        for (uint256 m = 1; m <= 5; ++m) {
            vm.expectEmit(address(ledger));
            emit ILedger.RecordSkipped(
                m,
                address(bad[m - 1]),
                abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, address(bad[m - 1]))
            );
        }
        vm.expectEmit(address(ledger));
        emit ILedger.Recorded(5, address(wallet), rs[6]);
        (uint256 recorded, ) = _submitBatch(rs, sigs);
        assertEq(recorded, 2);
        emit log_named_uint("recordBatch gas, 5 misbehaving wallets + 2 valid", lastBatchGas);
        assertLt(lastBatchGas, 5 * 200_000 + 2 * 100_000, "bounded: at most ERC1271_GAS per bad wallet");
        _assertTipMatchesTracked();
    }

    // ================================================================ SIG-ZERO

    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_record_SIG_ZERO_garbageNeverRecordsForZeroAgent(bytes memory sig, bytes32 seed) public {
        ILedger.Record memory r = _next(carol);
        (r.provider, r.receiver) = (address(0), address(0));
        r.evidence = seed;
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerZeroAgent.selector));
        ledger.record(r, sig);
        // A 65-byte signature that ecrecover maps to address(0) (r = 0) changes nothing either.
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerZeroAgent.selector));
        ledger.record(r, abi.encodePacked(bytes32(0), seed, uint8(27)));
        _assertTipMatchesTracked();
    }

    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_record_SIG_ZERO_garbageSignatureRejected(bytes memory sig, bool viaWallet) public {
        address agent = viaWallet ? address(wallet) : carol;
        ILedger.Record memory r = _next(agent);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, agent));
        ledger.record(r, sig);
    }

    function test_record_SIG_ZERO_revertsLedgerZeroAgent() public {
        ILedger.Record memory r = _next(carol);
        (r.provider, r.receiver) = (address(0), address(0));
        bytes memory sig = _sign(CAROL_PK, _digest(r));
        _expectRecordRevert(r, sig, abi.encodeWithSelector(ILedger.LedgerZeroAgent.selector));
    }

    function test_validate_SIG_ZERO_revertsLedgerZeroAddress() public {
        ILedger.Validation memory v = _validationOf(1, ILedger.Verdict.Accept, address(0));
        ILedger.EntryProof memory p = _proof(1);
        _expectValidateRevert(
            v,
            abi.encodePacked(bytes32(0), bytes32(0), uint8(27)),
            p,
            abi.encodeWithSelector(ILedger.LedgerZeroAddress.selector)
        );
    }
}
