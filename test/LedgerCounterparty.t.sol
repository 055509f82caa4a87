// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity 0.8.30;

import {ILedger} from "../contracts/interfaces/ILedger.sol";
import {LedgerTestBase} from "./utils/LedgerTestBase.sol";

/// @notice The counterparty's consent: a record co-signed by the other agent it names
/// (`recordConfirmed`), and that agent's later answer, Confirm or Refuse, signed as a validation
/// (`validate`, `validateBatch`). Only the counterparty may answer, once; an answer is no vote.
contract LedgerCounterpartyTest is LedgerTestBase {
    address internal erin; // never appointed: answers need no role
    uint256 internal constant ERIN_PK = 0xE712;

    function setUp() public {
        _deploy();
        erin = _key(ERIN_PK, "erin");
    }

    // ------------------------------------------------------------ helpers

    /// @dev A delivery by `provider` to `receiver`.
    function _delivery(address provider, address receiver) internal view returns (ILedger.Record memory r) {
        r = _next(provider);
        r.receiver = receiver;
    }

    /// @dev A need of `receiver` (no provider): it names no counterparty.
    function _need(address receiver) internal view returns (ILedger.Record memory r) {
        r = _next(receiver);
        r.flow = ILedger.Flow.Need;
        r.provider = address(0);
        r.receiver = receiver;
    }

    /// @dev `signer`'s signature of the record's EIP-712 digest (a co-signature when `signer` is the receiver).
    function _cosign(ILedger.Record memory r, address signer) internal view returns (bytes memory) {
        return _sign(keyOf[signer], _digest(r));
    }

    /// @dev Records `r` co-signed by `cosigner` and tracks it.
    function _submitConfirmed(ILedger.Record memory r, address cosigner) internal returns (uint256 id) {
        id = ledger.recordConfirmed(r, _signRecord(r), _cosign(r, cosigner));
        _track(r);
    }

    function _answer(uint256 entryId, ILedger.Verdict verdict, address signer) internal {
        ILedger.Validation memory v = _validationOf(entryId, verdict, signer);
        ledger.validate(v, _signValidation(v), _proof(entryId));
    }

    /// @dev `validate` of `signer`'s answer reverts with `err`, consuming no nonce and writing no answer.
    function _expectAnswerRevert(
        uint256 entryId,
        ILedger.Verdict verdict,
        address signer,
        ILedger.EntryProof memory p,
        bytes memory err
    ) internal {
        ILedger.Validation memory v = _validationOf(entryId, verdict, signer);
        vm.recordLogs();
        _expectValidateRevert(v, _signValidation(v), p, err);
        assertEq(vm.getRecordedLogs().length, 0, "no event");
    }

    // ================================================================ recordConfirmed

    function test_recordConfirmed_recordsAndEmitsCounterpartyAnswered() public {
        ILedger.Record memory r = _delivery(alice, erin);
        bytes memory sig = _signRecord(r);
        bytes memory cosig = _cosign(r, erin);
        vm.expectEmit(address(ledger));
        emit ILedger.Recorded(1, alice, r);
        vm.expectEmit(address(ledger));
        emit ILedger.CounterpartyAnswered(1, erin, ILedger.Verdict.Confirm, bytes32(0));
        assertEq(ledger.recordConfirmed(r, sig, cosig), 1);
        _track(r);
        _assertTipMatchesTracked();
        assertEq(ledger.nonces(alice, 0), 1, "the agent's nonce is consumed");
        assertEq(ledger.nonces(erin, 0), 0, "the counterparty's is not");
    }

    function test_recordConfirmed_anchorsTheEntrySoValidationsNeedNoProof() public {
        uint256 id = _submitConfirmed(_delivery(alice, erin), erin);
        ILedger.Validation memory v = _validationOf(id, ILedger.Verdict.Accept, bob);
        vm.expectEmit(address(ledger));
        emit ILedger.Validated(id, bob, ILedger.Verdict.Accept, v.evidence, 1, 0);
        ledger.validate(v, _signValidation(v), _emptyProof());
        (ILedger.EntryState state, uint16 accepts, , ) = ledger.entryState(id);
        assertEq(uint8(state), uint8(ILedger.EntryState.Accepted));
        assertEq(accepts, 1);
    }

    function test_recordConfirmed_acceptsAWalletCounterparty() public {
        uint256 id = _submitConfirmed(_delivery(alice, address(wallet)), address(wallet));
        assertEq(id, 1);
        _expectAnswerRevert(
            id,
            ILedger.Verdict.Refuse,
            address(wallet),
            _proof(id),
            abi.encodeWithSelector(ILedger.LedgerAlreadyAnswered.selector, id, address(wallet))
        );
    }

    function test_recordConfirmed_revertsLedgerInvalidSignature_forAThirdPartysCosignature() public {
        ILedger.Record memory r = _delivery(alice, erin);
        bytes memory sig = _signRecord(r);
        _expectRecordConfirmedRevert(
            r,
            sig,
            _cosign(r, carol),
            abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, erin)
        );
        _expectRecordConfirmedRevert(
            r,
            sig,
            _cosign(r, alice),
            abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, erin)
        );
        _expectRecordConfirmedRevert(r, sig, "", abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, erin));
    }

    function test_recordConfirmed_revertsLedgerInvalidSignature_forACosignatureOfAnotherRecord() public {
        ILedger.Record memory r = _delivery(alice, erin);
        ILedger.Record memory other = _copy(r);
        other.quantity = r.quantity * 10;
        _expectRecordConfirmedRevert(
            r,
            _signRecord(r),
            _cosign(other, erin),
            abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, erin)
        );
    }

    function test_recordConfirmed_revertsLedgerNoCounterparty_forANeedOrASelfFlow() public {
        ILedger.Record memory self = _delivery(alice, alice);
        _expectRecordConfirmedRevert(
            self,
            _signRecord(self),
            _cosign(self, alice),
            abi.encodeWithSelector(ILedger.LedgerNoCounterparty.selector, 1)
        );
        ILedger.Record memory need = _need(erin);
        _expectRecordConfirmedRevert(
            need,
            _signRecord(need),
            _cosign(need, erin),
            abi.encodeWithSelector(ILedger.LedgerNoCounterparty.selector, 1)
        );
    }

    function test_recordConfirmed_revertsLedgerCommonsUnknown() public {
        ILedger.Record memory r = _delivery(alice, erin);
        r.commons = keccak256("typo");
        _expectRecordConfirmedRevert(
            r,
            _signRecord(r),
            _cosign(r, erin),
            abi.encodeWithSelector(ILedger.LedgerCommonsUnknown.selector, r.commons)
        );
    }

    function test_recordConfirmed_revertsAsRecordDoes_forABadAgentSignature() public {
        ILedger.Record memory r = _delivery(alice, erin);
        _expectRecordConfirmedRevert(
            r,
            _cosign(r, erin),
            _cosign(r, erin),
            abi.encodeWithSelector(ILedger.LedgerInvalidSignature.selector, alice)
        );
    }

    /// @dev `recordConfirmed` reverts with exactly `err` and changes nothing: the tip and both nonces.
    function _expectRecordConfirmedRevert(
        ILedger.Record memory r,
        bytes memory sig,
        bytes memory cosig,
        bytes memory err
    ) internal {
        uint256 agentNonce = ledger.nonces(_agentOf(r), 0);
        vm.expectRevert(err);
        ledger.recordConfirmed(r, sig, cosig);
        _assertTipMatchesTracked();
        assertEq(ledger.nonces(_agentOf(r), 0), agentNonce, "the agent's nonce is not consumed");
    }

    // ================================================================ validate: answers

    function test_validate_confirmEmitsCounterpartyAnsweredAndCountsNoVote() public {
        uint256 id = _submit(_delivery(alice, erin));
        ILedger.Validation memory v = _validationOf(id, ILedger.Verdict.Confirm, erin);
        vm.expectEmit(address(ledger));
        emit ILedger.CounterpartyAnswered(id, erin, ILedger.Verdict.Confirm, v.evidence);
        ledger.validate(v, _signValidation(v), _proof(id));
        (ILedger.EntryState state, uint16 accepts, uint16 disputes, ) = ledger.entryState(id);
        assertEq(uint8(state), uint8(ILedger.EntryState.Claimed), "an answer is no vote");
        assertEq(accepts + disputes, 0);
        assertFalse(ledger.hasValidated(id, erin), "and leaves no validator's mark");
        assertEq(ledger.nonces(erin, 0), 1, "the answer consumed its nonce");
    }

    function test_validate_refuseEmitsCounterpartyAnswered() public {
        uint256 id = _submit(_delivery(alice, erin));
        ILedger.Validation memory v = _validationOf(id, ILedger.Verdict.Refuse, erin);
        vm.expectEmit(address(ledger));
        emit ILedger.CounterpartyAnswered(id, erin, ILedger.Verdict.Refuse, v.evidence);
        ledger.validate(v, _signValidation(v), _proof(id));
    }

    function test_validate_answerOfAnAnchoredEntryStillNeedsItsRecord() public {
        uint256 id = _submit(_delivery(alice, erin));
        _validate(id, ILedger.Verdict.Accept, bob); // anchors it
        _expectAnswerRevert(
            id,
            ILedger.Verdict.Confirm,
            erin,
            _emptyProof(),
            abi.encodeWithSelector(ILedger.LedgerInvalidProof.selector, id, 0)
        );
        _answer(id, ILedger.Verdict.Confirm, erin);
    }

    function test_validate_revertsLedgerNotCounterparty() public {
        uint256 id = _submit(_delivery(alice, erin));
        bytes memory byCarol = abi.encodeWithSelector(ILedger.LedgerNotCounterparty.selector, id, erin, carol);
        _expectAnswerRevert(id, ILedger.Verdict.Confirm, carol, _proof(id), byCarol);
        bytes memory byAgent = abi.encodeWithSelector(ILedger.LedgerNotCounterparty.selector, id, erin, alice);
        _expectAnswerRevert(id, ILedger.Verdict.Refuse, alice, _proof(id), byAgent);
    }

    function test_validate_revertsLedgerInvalidProof_forAForgedRecordNamingTheSigner() public {
        uint256 id = _submit(_delivery(alice, erin));
        ILedger.EntryProof memory p = _proof(id);
        p.record.receiver = carol; // carol claims the entry names her
        _expectAnswerRevert(
            id,
            ILedger.Verdict.Confirm,
            carol,
            p,
            abi.encodeWithSelector(ILedger.LedgerInvalidProof.selector, id, 0)
        );
    }

    function test_validate_revertsLedgerNoCounterparty_forANeed() public {
        ILedger.Record memory need = _need(erin);
        uint256 id = _submit(need);
        _expectAnswerRevert(
            id,
            ILedger.Verdict.Confirm,
            bob,
            _proof(id),
            abi.encodeWithSelector(ILedger.LedgerNoCounterparty.selector, id)
        );
    }

    function test_validate_revertsLedgerAlreadyAnswered_aSecondAnswerOrAReplay() public {
        uint256 id = _submit(_delivery(alice, erin));
        ILedger.Validation memory v = _validationOf(id, ILedger.Verdict.Confirm, erin);
        bytes memory sig = _signValidation(v);
        ledger.validate(v, sig, _proof(id));
        bytes memory again = abi.encodeWithSelector(ILedger.LedgerAlreadyAnswered.selector, id, erin);
        vm.expectRevert(again);
        ledger.validate(v, sig, _proof(id)); // the same signed message, replayed
        _expectAnswerRevert(id, ILedger.Verdict.Refuse, erin, _proof(id), again); // a change of mind
    }

    function test_validate_revertsLedgerEntryCorrected_forAnAnswer() public {
        uint256 id = _submit(_delivery(alice, erin));
        uint256 correction = _correct(id);
        _expectAnswerRevert(
            id,
            ILedger.Verdict.Confirm,
            erin,
            _proof(id),
            abi.encodeWithSelector(ILedger.LedgerEntryCorrected.selector, id, correction)
        );
    }

    function test_validate_peerVerdictsStayOpenAfterAnAnswer() public {
        uint256 id = _submit(_delivery(alice, erin));
        _answer(id, ILedger.Verdict.Refuse, erin);
        _validate(id, ILedger.Verdict.Accept, bob);
        (, uint16 accepts, , ) = ledger.entryState(id);
        assertEq(accepts, 1);
    }

    /// @dev Whoever signs and whatever the verdict, only the entry's receiver's answer is taken, and only once.
    function testFuzz_validate_onlyTheCounterpartyAnswersOnce(
        uint8 who,
        bool confirm,
        uint8 who2,
        bool confirm2
    ) public {
        address[4] memory signers = [alice, erin, carol, bob];
        uint256 id = _submit(_delivery(alice, erin));
        _tryAnswer(id, signers[who % 4], confirm, false);
        _tryAnswer(id, signers[who2 % 4], confirm2, signers[who % 4] == erin);
    }

    function _tryAnswer(uint256 id, address signer, bool confirm, bool answered) internal {
        ILedger.Verdict verdict = confirm ? ILedger.Verdict.Confirm : ILedger.Verdict.Refuse;
        if (signer != erin) {
            bytes memory err = abi.encodeWithSelector(ILedger.LedgerNotCounterparty.selector, id, erin, signer);
            _expectAnswerRevert(id, verdict, signer, _proof(id), err);
        } else if (answered) {
            bytes memory err = abi.encodeWithSelector(ILedger.LedgerAlreadyAnswered.selector, id, erin);
            _expectAnswerRevert(id, verdict, signer, _proof(id), err);
        } else {
            ILedger.Validation memory v = _validationOf(id, verdict, signer);
            vm.expectEmit(address(ledger));
            emit ILedger.CounterpartyAnswered(id, erin, verdict, v.evidence);
            ledger.validate(v, _signValidation(v), _proof(id));
        }
    }

    // ================================================================ validateBatch: answers

    function test_validateBatch_recordsAnswersWhoseRecordsTheProofGives() public {
        for (uint256 i = 0; i < 3; ++i) _submit(_delivery(alice, erin));
        _validate(2, ILedger.Verdict.Accept, bob); // entry 2 is anchored, its answer still needs the record
        uint256[] memory ids = new uint256[](3);
        (ids[0], ids[1], ids[2]) = (1, 2, 3);
        ILedger.Validation[] memory vs = new ILedger.Validation[](3);
        bytes[] memory sigs = new bytes[](3);
        for (uint256 i = 0; i < 3; ++i) {
            vs[i] = _validationOf(ids[i], i == 1 ? ILedger.Verdict.Refuse : ILedger.Verdict.Confirm, erin);
            vs[i].nonce = i;
            sigs[i] = _signValidation(vs[i]);
        }
        vm.expectEmit(address(ledger));
        emit ILedger.CounterpartyAnswered(1, erin, ILedger.Verdict.Confirm, vs[0].evidence);
        vm.expectEmit(address(ledger));
        emit ILedger.CounterpartyAnswered(2, erin, ILedger.Verdict.Refuse, vs[1].evidence);
        vm.expectEmit(address(ledger));
        emit ILedger.CounterpartyAnswered(3, erin, ILedger.Verdict.Confirm, vs[2].evidence);
        assertEq(ledger.validateBatch(vs, sigs, _proofs(_rangeProof(1, ids))), 3);
    }

    function test_validateBatch_skipsLedgerRecordNotGiven_andAThirdPartyAndASelfValidation() public {
        // Entry 1 is anchored by its co-signed record, but its record is not in the batch's proof.
        // (A test runs as one transaction: a proof made earlier in it would still be noted.)
        _submitConfirmed(_delivery(alice, erin), erin);
        for (uint256 i = 0; i < 2; ++i) _submit(_delivery(alice, erin));
        ILedger.Validation[] memory vs = new ILedger.Validation[](4);
        bytes[] memory sigs = new bytes[](4);
        vs[0] = _validationOf(1, ILedger.Verdict.Confirm, erin);
        vs[1] = _validationOf(2, ILedger.Verdict.Confirm, carol);
        vs[2] = _validationOf(3, ILedger.Verdict.Accept, alice);
        vs[3] = _validationOf(3, ILedger.Verdict.Confirm, erin); // nonce 0 again: item 0 is skipped
        for (uint256 i = 0; i < 4; ++i) sigs[i] = _signValidation(vs[i]);
        uint256[] memory full = new uint256[](2);
        (full[0], full[1]) = (2, 3);
        vm.expectEmit(address(ledger));
        emit ILedger.ValidationSkipped(0, erin, abi.encodeWithSelector(ILedger.LedgerRecordNotGiven.selector, 1));
        vm.expectEmit(address(ledger));
        emit ILedger.ValidationSkipped(
            1,
            carol,
            abi.encodeWithSelector(ILedger.LedgerNotCounterparty.selector, 2, erin, carol)
        );
        vm.expectEmit(address(ledger));
        emit ILedger.ValidationSkipped(
            2,
            alice,
            abi.encodeWithSelector(ILedger.LedgerSelfValidation.selector, 3, alice)
        );
        vm.expectEmit(address(ledger));
        emit ILedger.CounterpartyAnswered(3, erin, ILedger.Verdict.Confirm, vs[3].evidence);
        assertEq(ledger.validateBatch(vs, sigs, _proofs(_rangeProof(1, full))), 1);
        assertEq(ledger.nonces(carol, 0), 0, "a skipped answer consumes no nonce");
    }

    // ================================================================ entryState: a rule requiring the counterparty's confirmation

    /// @dev Commons COMMONS requires the receiver's confirmation of deliveries: 1 accept, 1 dispute.
    function _requireConfirmation() internal {
        vm.expectEmit(address(ledger));
        emit ILedger.QuorumRuleSet(COMMONS, ILedger.Action.DeliverService, 1, 1, true, address(this));
        ledger.setQuorumRule(COMMONS, ILedger.Action.DeliverService, 1, 1, true);
        assertTrue(ledger.quorumRule(COMMONS, ILedger.Action.DeliverService).counterpartyConfirms);
    }

    function _stateOf(uint256 id) internal view returns (ILedger.EntryState state) {
        (state, , , ) = ledger.entryState(id);
    }

    function test_entryState_acceptedOnlyOnceTheCounterpartyConfirmed() public {
        _requireConfirmation();
        uint256 id = _submit(_delivery(alice, erin));
        _validate(id, ILedger.Verdict.Accept, bob);
        assertEq(
            uint8(_stateOf(id)),
            uint8(ILedger.EntryState.Claimed),
            "the quorum is met, the receiver has not confirmed"
        );
        _answer(id, ILedger.Verdict.Confirm, erin);
        assertEq(uint8(_stateOf(id)), uint8(ILedger.EntryState.Accepted));
    }

    function test_entryState_disputedWhenTheCounterpartyRefused() public {
        _requireConfirmation();
        uint256 id = _submit(_delivery(alice, erin));
        _validate(id, ILedger.Verdict.Accept, bob);
        _answer(id, ILedger.Verdict.Refuse, erin);
        assertEq(uint8(_stateOf(id)), uint8(ILedger.EntryState.Disputed));
    }

    function test_entryState_aCoSignedRecordNeedsOnlyItsQuorum() public {
        _requireConfirmation();
        uint256 id = _submitConfirmed(_delivery(alice, erin), erin);
        assertEq(uint8(_stateOf(id)), uint8(ILedger.EntryState.Claimed));
        _validate(id, ILedger.Verdict.Accept, bob);
        assertEq(uint8(_stateOf(id)), uint8(ILedger.EntryState.Accepted));
    }

    function test_entryState_neverAcceptedWithoutACounterparty() public {
        _requireConfirmation();
        ILedger.Record memory noReceiver = _delivery(alice, address(0)); // the provider leaves the receiver out
        uint256 id = _submit(noReceiver);
        _validate(id, ILedger.Verdict.Accept, bob);
        _validate(id, ILedger.Verdict.Accept, carol);
        assertEq(uint8(_stateOf(id)), uint8(ILedger.EntryState.Claimed), "nobody can confirm it: it is never accepted");
    }

    function test_entryState_anAnswerIsInformationalWithoutTheRule() public {
        uint256 refused = _submit(_delivery(alice, erin));
        _validate(refused, ILedger.Verdict.Accept, bob);
        _answer(refused, ILedger.Verdict.Refuse, erin);
        assertEq(
            uint8(_stateOf(refused)),
            uint8(ILedger.EntryState.Accepted),
            "the default rule needs no confirmation"
        );
        _requireConfirmation(); // rules are read when the state is: the refusal now disputes it
        assertEq(uint8(_stateOf(refused)), uint8(ILedger.EntryState.Disputed));
    }

    /// @dev Under a rule requiring confirmation, the state is Corrected > Disputed (disputes or a
    /// refusal) > Accepted (quorum and a confirmation) > Claimed, whatever the order of events.
    function testFuzz_entryState_followsTheConfirmationRule(
        bool confirms,
        uint8 answer,
        bool accept,
        bool dispute,
        bool corrected
    ) public {
        ledger.setQuorumRule(COMMONS, ILedger.Action.DeliverService, 1, 1, confirms);
        uint256 id = _submit(_delivery(alice, erin));
        answer = answer % 3; // 0 none, 1 confirm, 2 refuse
        if (answer != 0) _answer(id, answer == 1 ? ILedger.Verdict.Confirm : ILedger.Verdict.Refuse, erin);
        if (accept) _validate(id, ILedger.Verdict.Accept, bob);
        if (dispute) _validate(id, ILedger.Verdict.Dispute, carol);
        if (corrected) _correct(id);
        ILedger.EntryState expected =
            corrected
                ? ILedger.EntryState.Corrected
                : dispute || (confirms && answer == 2)
                    ? ILedger.EntryState.Disputed
                    : accept && (!confirms || answer == 1)
                        ? ILedger.EntryState.Accepted
                        : ILedger.EntryState.Claimed;
        assertEq(uint8(_stateOf(id)), uint8(expected));
    }
}
