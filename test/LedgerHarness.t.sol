// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {ILedger} from "../contracts/interfaces/ILedger.sol";
import {Deployments} from "./utils/Deployments.sol";

/// @dev The functions LedgerHarnessMock adds to the Ledger. The mock inherits the Ledger, so it is
/// deployed from its artifact (compiled like the Ledger, via-IR) rather than built by this file.
interface ILedgerHarness {
    function isPlainValidRecord(ILedger.Record calldata r, uint256 id) external view returns (bool);

    function checkFields(
        ILedger.Record calldata r,
        uint256 id,
        bool allowCorrection
    ) external view returns (bytes memory);

    function recoversTo(address signer, bytes32 digest, bytes calldata signature) external view returns (bool);

    function recoversToWithOpenZeppelin(
        address signer,
        bytes32 digest,
        bytes calldata signature
    ) external pure returns (bool);
}

/// The Ledger's gas-tuned internals must equal their plain equivalents.
contract LedgerHarnessTest is Test, Deployments {
    uint256 private constant HALF_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;
    uint256 private constant ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
    ILedgerHarness private harness;

    function setUp() public {
        harness = ILedgerHarness(_deployLedgerHarness());
        vm.warp(1_800_000_000);
    }

    /// Fuzzed fields, mostly near the valid region so both outcomes are exercised.
    function _record(uint256 seed, uint256 seed2) private view returns (ILedger.Record memory r) {
        uint256 now_ = block.timestamp;
        r.flow = ILedger.Flow(seed % 4);
        r.action = ILedger.Action((seed >> 8) % 19);
        r.provider = (seed >> 16) % 5 == 0 ? address(0) : address(uint160(seed2));
        r.receiver = (seed >> 20) % 3 == 0 ? address(0) : address(uint160(seed2 >> 96));
        r.commons = (seed >> 24) % 9 == 0 ? bytes32(0) : keccak256(abi.encode(seed));
        r.process = (seed >> 28) % 2 == 0 ? bytes32(0) : keccak256(abi.encode(seed2));
        r.side = ILedger.Side((seed >> 32) % 3);
        r.quantity = (seed >> 36) % 7 == 0 ? 0 : uint128(seed2 >> 128);
        r.unit = (seed >> 40) % 7 == 0 ? bytes8(0) : bytes8("h");
        r.time = uint64((seed >> 44) % 11 == 0 ? 0 : now_ - 3600 + ((seed >> 48) % 7200));
        r.corrects = uint64((seed >> 60) % 5 == 0 ? (seed >> 64) % 20 : 0);
        r.satisfies = uint64((seed >> 72) % 3 == 0 ? (seed >> 80) % 20 : 0);
        r.nonce = seed2;
        r.deadline = uint64(now_ - 100 + ((seed >> 96) % 40 days));
    }

    function testFuzz_isPlainValidRecord_impliesDetailedChecksPass(
        uint256 seed,
        uint256 seed2,
        uint8 nextId
    ) public view {
        ILedger.Record memory r = _record(seed, seed2);
        uint256 id = uint256(nextId) + 1;
        bool plain = harness.isPlainValidRecord(r, id);
        bytes memory err = harness.checkFields(r, id, false);
        if (plain) assertEq(err.length, 0, "fast path accepted what the detailed checks reject");
        // The fast path only declines records that are invalid or are corrections/zero quantity.
        if (!plain && err.length == 0) {
            assertTrue(
                r.corrects != 0 || r.quantity == 0 || r.process != bytes32(0),
                "fast path declined a plain valid record"
            );
        }
    }

    function testFuzz_recoversTo_equalsOpenZeppelinECDSA(
        uint256 pk,
        bytes32 digest,
        uint8 mutation,
        bytes32 noise
    ) public view {
        pk = bound(pk, 1, ORDER - 1);
        address signer = vm.addr(pk);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pk, digest);
        bytes memory sig = abi.encodePacked(r, s, v);
        uint8 m = mutation % 7;
        if (m == 1) sig = abi.encodePacked(r, bytes32(ORDER - uint256(s)), v == 27 ? uint8(28) : uint8(27)); // high-s twin
        if (m == 2) sig = abi.encodePacked(r, bytes32(uint256(s) | (uint256(v - 27) << 255))); // 64-byte compact
        if (m == 3) sig = abi.encodePacked(r, s, uint8(uint256(noise) % 256)); // any v
        if (m == 4) sig = abi.encodePacked(noise, s, v); // other r
        if (m == 5) signer = address(uint160(uint256(noise))); // other signer
        if (m == 6) sig = abi.encodePacked(sig, noise); // too long
        assertEq(harness.recoversTo(signer, digest, sig), harness.recoversToWithOpenZeppelin(signer, digest, sig));
        if (m == 0) assertTrue(harness.recoversTo(signer, digest, sig));
        if (m == 1 || m == 2 || m == 6) assertFalse(harness.recoversTo(signer, digest, sig));
        assertTrue(uint256(s) <= HALF_ORDER);
    }

    function test_recoversTo_neverMatchesTheZeroAddress() public view {
        bytes memory garbage = abi.encodePacked(bytes32(uint256(1)), bytes32(uint256(2)), uint8(27));
        assertFalse(harness.recoversTo(address(0), keccak256("x"), garbage));
    }
}
