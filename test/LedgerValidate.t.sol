// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity 0.8.30;

import {ILedger} from "../contracts/interfaces/ILedger.sol";
import {LedgerUnitTestBase} from "./utils/LedgerTestBase.sol";

/// @notice Ledger.validate: accepts and disputes, each revert, proofs of unanchored entries, tampered
/// validations against the reference model, and replay on another chain.
contract LedgerValidateTest is LedgerUnitTestBase {
    // ================================================================ validate

    function test_validate_acceptEmitsValidatedAndAnchors() public {
        ILedger.Validation memory v = _validationOf(1, ILedger.Verdict.Accept, bob);
        bytes memory sig = _signValidation(v);
        ILedger.EntryProof memory p = _proof(1);
        vm.expectEmit(address(ledger));
        emit ILedger.Validated(1, bob, ILedger.Verdict.Accept, v.evidence, 1, 0);
        ledger.validate(v, sig, p);
        assertTrue(ledger.hasValidated(1, bob));
        (ILedger.EntryState state, uint16 accepts, uint16 disputes, uint64 correctedBy) = ledger.entryState(1);
        assertEq(uint8(state), uint8(ILedger.EntryState.Accepted));
        assertEq(accepts, 1);
        assertEq(disputes, 0);
        assertEq(correctedBy, 0);
        // Anchored: later validations need no proof.
        v = _validationOf(1, ILedger.Verdict.Dispute, carol);
        sig = _signValidation(v);
        vm.expectEmit(address(ledger));
        emit ILedger.Validated(1, carol, ILedger.Verdict.Dispute, v.evidence, 1, 1);
        ledger.validate(v, sig, _emptyProof());
        (state, , , ) = ledger.entryState(1);
        assertEq(uint8(state), uint8(ILedger.EntryState.Disputed), "disputes win over accepts");
    }

    function test_validate_erc1271ValidatorAccepted() public {
        ILedger.Validation memory v = _validationOf(1, ILedger.Verdict.Accept, address(wallet));
        bytes memory sig = _signValidation(v);
        ledger.validate(v, sig, _proof(1));
        assertTrue(ledger.hasValidated(1, address(wallet)));
    }

    function test_validate_revertsLedgerSelfValidation() public {
        ILedger.Validation memory v = _validationOf(2, ILedger.Verdict.Accept, bob);
        bytes memory sig = _signValidation(v);
        ILedger.EntryProof memory p = _proof(2);
        _expectValidateRevert(v, sig, p, abi.encodeWithSelector(ILedger.LedgerSelfValidation.selector, 2, bob));
    }

    function test_validate_revertsLedgerAlreadyValidated() public {
        _validate(1, ILedger.Verdict.Accept, bob);
        ILedger.Validation memory v = _validationOf(1, ILedger.Verdict.Dispute, bob); // fresh nonce, other verdict
        bytes memory sig = _signValidation(v);
        _expectValidateRevert(
            v,
            sig,
            _emptyProof(),
            abi.encodeWithSelector(ILedger.LedgerAlreadyValidated.selector, 1, bob)
        );
    }

    function test_validate_revertsLedgerEntryNotFound() public {
        for (uint256 id = 0; id <= 4; id += 4) {
            ILedger.Validation memory v = _validationOf(id, ILedger.Verdict.Accept, carol);
            bytes memory sig = _signValidation(v);
            _expectValidateRevert(
                v,
                sig,
                _emptyProof(),
                abi.encodeWithSelector(ILedger.LedgerEntryNotFound.selector, id)
            );
        }
    }

    function test_validate_revertsLedgerEntryCorrected() public {
        uint256 correctionId = _correct(1);
        ILedger.Validation memory v = _validationOf(1, ILedger.Verdict.Accept, carol);
        bytes memory sig = _signValidation(v);
        _expectValidateRevert(
            v,
            sig,
            _emptyProof(),
            abi.encodeWithSelector(ILedger.LedgerEntryCorrected.selector, 1, correctionId)
        );
    }

    function test_validate_revertsLedgerExpiredAndLedgerDeadlineTooFar() public {
        ILedger.Validation memory v = _validationOf(1, ILedger.Verdict.Accept, carol);
        v.deadline = uint64(block.timestamp - 1);
        bytes memory sig = _signValidation(v);
        ILedger.EntryProof memory p = _proof(1);
        _expectValidateRevert(
            v,
            sig,
            p,
            abi.encodeWithSelector(ILedger.LedgerExpired.selector, v.deadline, block.timestamp)
        );
        v.deadline = uint64(block.timestamp + VALIDITY + 1);
        sig = _signValidation(v);
        _expectValidateRevert(
            v,
            sig,
            p,
            abi.encodeWithSelector(ILedger.LedgerDeadlineTooFar.selector, v.deadline, block.timestamp + VALIDITY)
        );
        v.deadline = uint64(block.timestamp); // == now is accepted
        sig = _signValidation(v);
        ledger.validate(v, sig, p);
    }

    function test_validate_revertsLedgerInvalidNonceForUsedNonce() public {
        ILedger.Validation memory v = _validationOf(1, ILedger.Verdict.Accept, carol);
        bytes memory sig = _signValidation(v);
        ILedger.EntryProof memory p = _proof(1);
        ledger.validate(v, sig, p);
        assertEq(ledger.nonces(carol, 0), 1, "validations share the keyed nonces");
        ILedger.Validation memory w = _validationOf(2, ILedger.Verdict.Accept, carol);
        w.nonce = 0; // reused
        sig = _signValidation(w);
        p = _proof(2);
        _expectValidateRevert(w, sig, p, abi.encodeWithSelector(ILedger.LedgerInvalidNonce.selector, carol, 0, 1));
    }

    function test_validate_revertsLedgerInvalidVerdictAndLedgerMalformedValidation() public {
        ILedger.Validation memory v = _validationOf(1, ILedger.Verdict.Accept, carol);
        bytes memory sig = _signValidation(v);
        ILedger.EntryProof memory p = _proof(1);
        uint256[4] memory fields = [uint256(1), 0, 2, 5];
        uint256[4] memory words = [
            uint256(4), // Verdict has 4 values (0..3)
            (1 << 64) | 1,
            uint256(uint160(carol)) | (1 << 160),
            (uint256(1) << 200) | v.deadline
        ];
        for (uint256 k = 0; k < 4; ++k) {
            bytes memory data = abi.encodeCall(ILedger.validate, (v, sig, p));
            uint256 at = 0x24 + fields[k] * 32;
            uint256 w = words[k];
            assembly ("memory-safe") {
                mstore(add(data, at), w)
            }
            (bool ok, bytes memory ret) = address(ledger).call(data);
            assertFalse(ok);
            if (k == 0) assertEq(ret, abi.encodeWithSelector(ILedger.LedgerInvalidVerdict.selector, w));
            else
                assertEq(
                    ret,
                    abi.encodeWithSelector(ILedger.LedgerMalformedValidation.selector, fields[k], bytes32(w))
                );
        }
        assertEq(ledger.nonces(carol, 0), 0, "a failed validation consumes no nonce");
        assertFalse(ledger.hasValidated(1, carol));
    }

    function test_validate_revertsLedgerTallyOverflow() public {
        _validate(1, ILedger.Verdict.Accept, bob);
        _validate(1, ILedger.Verdict.Accept, dave);
        _moveVotes(1); // the votes slot holds uint16 tallies
        // Set the entry's accepts tally to the maximum.
        bytes32 slot = _votesSlot(1, 7);
        vm.store(address(ledger), slot, bytes32(uint256(vm.load(address(ledger), slot)) | (uint256(0xffff) << 224)));
        ILedger.Validation memory v = _validationOf(1, ILedger.Verdict.Accept, carol);
        bytes memory sig = _signValidation(v);
        _expectValidateRevert(v, sig, _emptyProof(), abi.encodeWithSelector(ILedger.LedgerTallyOverflow.selector, 1));
    }

    /// @dev A wrong proof for an unanchored entry never anchors it.
    /// forge-config: default.fuzz.runs = 1000
    function testFuzz_validate_revertsLedgerInvalidProof(uint8 what, uint256 seed, uint8 entry) public {
        uint256 id = bound(entry, 1, 3);
        ILedger.Validation memory v = _validationOf(id, ILedger.Verdict.Accept, dave);
        bytes memory sig = _signValidation(v);
        ILedger.EntryProof memory p = _proof(id);
        _breakProof(p, what, seed);
        _expectValidateRevert(v, sig, p, abi.encodeWithSelector(ILedger.LedgerInvalidProof.selector, id, _later(id)));
    }

    /// @dev Validation tamper: sign a validation, change one of its 6 fields; rejected with the predicted error.
    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_validate_SIG_TAMPER_rejectsAnyChangedField(uint8 field, uint256 seed, bool viaWallet) public {
        _validate(2, ILedger.Verdict.Accept, alice); // entry 2 (bob's) is anchored and validated by alice
        address validator = viaWallet ? address(wallet) : carol;
        ILedger.Validation memory v = _validationOf(2, ILedger.Verdict.Accept, validator);
        bytes memory sig = _signValidation(v);
        ILedger.EntryProof memory p = _proof(2);

        ILedger.Validation memory t = abi.decode(abi.encode(v), (ILedger.Validation));
        uint256 f = field % 6;
        uint256 s = uint256(keccak256(abi.encode(seed)));
        if (f == 0) {
            t.entryId = s % 2 == 0 ? uint64(s >> 1) : uint64((s >> 1) % 6);
            if (t.entryId == 2) t.entryId = 3;
        } else if (f == 1) {
            t.verdict = ILedger.Verdict.Dispute;
        } else if (f == 2) {
            address[4] memory who = [alice, bob, address(uint160(s >> 8)), address(0)];
            t.validator = who[s % 4];
            if (t.validator == validator) t.validator = address(uint160(validator) ^ 1);
        } else if (f == 3) {
            t.evidence = bytes32(s);
        } else if (f == 4) {
            t.nonce = s % 2 == 0 ? s : uint256(uint192(s >> 8)) << 64;
            if (t.nonce == v.nonce) t.nonce ^= 1;
        } else {
            t.deadline =
                s % 2 == 0 ? uint64(s >> 1) : uint64(block.timestamp - 2 days + ((s >> 1) % (VALIDITY + 4 days)));
            if (t.deadline == v.deadline) t.deadline ^= 1;
        }
        vm.expectRevert(_expectedValidationError(t, 2));
        ledger.validate(t, sig, p);
        ledger.validate(v, sig, p); // the untouched validation still works
    }

    /// @dev Reference model of validate's checks for a typed validation whose proof is for `proofEntry`.
    function _expectedValidationError(
        ILedger.Validation memory t,
        uint256 proofEntry
    ) internal view returns (bytes memory) {
        if (t.validator == address(0)) return abi.encodeWithSelector(ILedger.LedgerZeroAddress.selector);
        if (t.deadline < block.timestamp) {
            return abi.encodeWithSelector(ILedger.LedgerExpired.selector, t.deadline, block.timestamp);
        }
        if (t.deadline > block.timestamp + VALIDITY) {
            return
                abi.encodeWithSelector(ILedger.LedgerDeadlineTooFar.selector, t.deadline, block.timestamp + VALIDITY);
        }
        uint256 id = t.entryId;
        if (id == 0 || id > _count()) return abi.encodeWithSelector(ILedger.LedgerEntryNotFound.selector, id);
        (, uint16 accepts, uint16 disputes, ) = ledger.entryState(id);
        bool anchored = accepts + disputes > 0;
        if (!anchored && id != proofEntry) {
            return abi.encodeWithSelector(ILedger.LedgerInvalidProof.selector, id, _later(id));
        }
        if (t.validator == trackedSigners[id - 1]) {
            return abi.encodeWithSelector(ILedger.LedgerSelfValidation.selector, id, t.validator);
        }
        if (ledger.hasValidated(id, t.validator)) {
            return abi.encodeWithSelector(ILedger.LedgerAlreadyValidated.selector, id, t.validator);
        }
        uint256 expected = ledger.nonces(t.validator, uint192(t.nonce >> 64));
        if (t.nonce != expected) {
            return abi.encodeWithSelector(ILedger.LedgerInvalidNonce.selector, t.validator, t.nonce, expected);
        }
        return abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, t.validator);
    }

    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_validate_SIG_REPLAY_otherChainRejected(uint64 chainB) public {
        vm.assume(chainB != block.chainid && chainB != 0);
        ILedger.Validation memory v = _validationOf(1, ILedger.Verdict.Accept, carol);
        bytes memory sig = _signValidation(v);
        ILedger.EntryProof memory p = _proof(1);
        vm.chainId(chainB);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, carol));
        ledger.validate(v, sig, p);
        vm.chainId(chainA);
        ledger.validate(v, sig, p);
        vm.expectRevert(abi.encodeWithSelector(ILedger.LedgerAlreadyValidated.selector, 1, carol));
        ledger.validate(v, sig, p);
    }
}
