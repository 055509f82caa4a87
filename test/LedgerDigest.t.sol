// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity 0.8.30;

import {ILedger} from "../contracts/interfaces/ILedger.sol";
import {LedgerUnitTestBase} from "./utils/LedgerTestBase.sol";

/// @notice Ledger constants and EIP-712 hashing (SIG-DIGEST-PARITY): type hashes, domain separator, record and
/// validation digests against the spec, EDR's encoder and eth_signTypedData_v4 JSON.
contract LedgerDigestTest is LedgerUnitTestBase {
    // ================================================================ constants and digests

    function test_constants_matchSpec() public view {
        assertEq(ledger.MAX_BATCH(), 150);
        assertEq(ledger.CHECKPOINT_INTERVAL(), INTERVAL);
        assertEq(ledger.MAX_VALIDITY(), VALIDITY);
        assertEq(ledger.MAX_CLOCK_SKEW(), SKEW);
        assertEq(ledger.ERC1271_GAS(), 150_000);
        assertEq(ledger.QUANTITY_DECIMALS(), 6);
        assertEq(ledger.MAX_NAME_BYTES(), 200);
        assertEq(ledger.ROSTER_SEATS(), 224);
    }

    function test_typehashes_SIG_DIGEST_PARITY_equalCanonicalTypeStrings() public view {
        assertEq(ledger.RECORD_TYPEHASH(), keccak256(bytes(RECORD_TYPE)));
        assertEq(ledger.VALIDATION_TYPEHASH(), keccak256(bytes(VALIDATION_TYPE)));
        // The cheatcode parses and re-canonicalises the type string: it must already be canonical.
        assertEq(ledger.RECORD_TYPEHASH(), vm.eip712HashType(RECORD_TYPE));
        assertEq(ledger.VALIDATION_TYPEHASH(), vm.eip712HashType(VALIDATION_TYPE));
    }

    function test_domainSeparator_SIG_DIGEST_PARITY_bindsNameVersionChainAndContract() public view {
        assertEq(ledger.domainSeparator(), _domainSeparator(address(ledger), block.chainid));
        (, string memory name, string memory version, uint256 chainId, address verifying, , ) = ledger.eip712Domain();
        assertEq(name, "CommonsLedger");
        assertEq(version, "1");
        assertEq(chainId, block.chainid);
        assertEq(verifying, address(ledger));
    }

    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_hashRecord_SIG_DIGEST_PARITY_equalsAbiEncodeStructHash(RawRecord memory x) public view {
        ILedger.Record memory r = _fromRaw(_clampRaw(x));
        bytes32 expected = keccak256(abi.encode(ledger.RECORD_TYPEHASH(), r));
        assertEq(ledger.hashRecord(r), expected, "calldata hash == abi.encode hash");
        assertEq(expected, _structHash(r));
        // Independent EIP-712 encoder (EDR's), from the type string alone.
        assertEq(ledger.hashRecord(r), vm.eip712HashStruct(RECORD_TYPE, abi.encode(r)), "eip712HashStruct");
    }

    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_recordDigest_SIG_DIGEST_PARITY_equalsEip712Digest(RawRecord memory x, uint64 chainId) public {
        chainId = uint64(bound(chainId, 1, type(uint64).max));
        vm.chainId(chainId);
        ILedger.Record memory r = _fromRaw(_clampRaw(x));
        bytes32 ds = ledger.domainSeparator();
        assertEq(ds, _domainSeparator(address(ledger), chainId), "domain separator follows the chain id");
        assertEq(ledger.recordDigest(r), keccak256(abi.encodePacked("\x19\x01", ds, ledger.hashRecord(r))));
        assertEq(ledger.recordDigest(r), _digestFor(r, address(ledger), chainId));
    }

    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_validationDigest_SIG_DIGEST_PARITY_equalsEip712Digest(
        uint64 entryId,
        bool dispute,
        address validator,
        bytes32 evidence,
        uint256 nonce,
        uint64 deadline
    ) public view {
        ILedger.Validation memory v = ILedger.Validation(
            entryId,
            dispute ? ILedger.Verdict.Dispute : ILedger.Verdict.Accept,
            validator,
            evidence,
            nonce,
            deadline
        );
        assertEq(ledger.validationDigest(v), _validationDigest(v));
        bytes32 structHash = vm.eip712HashStruct(VALIDATION_TYPE, abi.encode(v));
        assertEq(
            ledger.validationDigest(v),
            keccak256(abi.encodePacked("\x19\x01", ledger.domainSeparator(), structHash))
        );
    }

    function _json1(ILedger.Record memory r) internal pure returns (string memory) {
        return
            string.concat(
                '{"flow":"',
                vm.toString(uint256(r.flow)),
                '","action":"',
                vm.toString(uint256(r.action)),
                '","provider":"',
                vm.toString(r.provider),
                '","receiver":"',
                vm.toString(r.receiver),
                '","commons":"',
                vm.toString(r.commons),
                '","resource":"',
                vm.toString(r.resource),
                '","resourceSpec":"',
                vm.toString(r.resourceSpec),
                '","process":"',
                vm.toString(r.process),
                '",'
            );
    }

    function _json2(ILedger.Record memory r) internal pure returns (string memory) {
        return
            string.concat(
                '"side":"',
                vm.toString(uint256(r.side)),
                '","quantity":"',
                vm.toString(uint256(r.quantity)),
                '","unit":"',
                vm.toString(abi.encodePacked(r.unit)),
                '","time":"',
                vm.toString(uint256(r.time)),
                '","evidence":"',
                vm.toString(r.evidence),
                '","corrects":"',
                vm.toString(uint256(r.corrects)),
                '","satisfies":"',
                vm.toString(uint256(r.satisfies)),
                '","nonce":"',
                vm.toString(r.nonce),
                '","deadline":"',
                vm.toString(uint256(r.deadline)),
                '"}'
            );
    }

    function _typesJson() internal pure returns (string memory) {
        return
            string.concat(
                '{"types":{"EIP712Domain":[{"name":"name","type":"string"},{"name":"version","type":"string"},',
                '{"name":"chainId","type":"uint256"},{"name":"verifyingContract","type":"address"}],"Record":[',
                '{"name":"flow","type":"uint8"},{"name":"action","type":"uint8"},{"name":"provider","type":"address"},',
                '{"name":"receiver","type":"address"},{"name":"commons","type":"bytes32"},{"name":"resource","type":"bytes32"},',
                '{"name":"resourceSpec","type":"bytes32"},{"name":"process","type":"bytes32"},{"name":"side","type":"uint8"},',
                '{"name":"quantity","type":"uint128"},{"name":"unit","type":"bytes8"},{"name":"time","type":"uint64"},',
                '{"name":"evidence","type":"bytes32"},{"name":"corrects","type":"uint64"},{"name":"satisfies","type":"uint64"},',
                '{"name":"nonce","type":"uint256"},{"name":"deadline","type":"uint64"}]},"primaryType":"Record",'
            );
    }

    /// @dev The digest of eth_signTypedData_v4 JSON, as a wallet would see it.
    function testFuzz_recordDigest_SIG_DIGEST_PARITY_equalsEip712HashTypedDataJson(RawRecord memory x) public view {
        ILedger.Record memory r = _fromRaw(_clampRaw(x));
        string memory domain = string.concat(
            '"domain":{"name":"CommonsLedger","version":"1","chainId":',
            vm.toString(block.chainid),
            ',"verifyingContract":"',
            vm.toString(address(ledger)),
            '"},"message":'
        );
        string memory json = string.concat(_typesJson(), domain, _json1(r), _json2(r), "}");
        assertEq(ledger.recordDigest(r), vm.eip712HashTypedData(json));
    }
}
