// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity 0.8.30;

import {CommonBase} from "forge-std/Base.sol";
import {IERC5267} from "@openzeppelin/contracts/interfaces/IERC5267.sol";
import {ILedger} from "../../contracts/interfaces/ILedger.sol";
import {IDirectory} from "../../contracts/interfaces/IDirectory.sol";
import {IReciprocityRegistry} from "../../contracts/interfaces/IReciprocityRegistry.sol";
import {IIncomeDistributor} from "../../contracts/interfaces/IIncomeDistributor.sol";

/// @dev The Ledger's public constants and EIP-712 domain (ERC-5267), which its interface leaves out. The suites read them through
/// this view of the deployed Ledger (test_constants_matchSpec pins their values).
interface ILedgerWithConstants is ILedger, IERC5267 {
    function RECORD_TYPEHASH() external view returns (bytes32);
    function VALIDATION_TYPEHASH() external view returns (bytes32);
    function QUANTITY_DECIMALS() external view returns (uint8);
    function MAX_BATCH() external view returns (uint256);
    function CHECKPOINT_INTERVAL() external view returns (uint256);
    function ROSTER_SEATS() external view returns (uint256);
    function MAX_VALIDITY() external view returns (uint256);
    function MAX_CLOCK_SKEW() external view returns (uint256);
    function ERC1271_GAS() external view returns (uint256);
    function MAX_NAME_BYTES() external view returns (uint256);
    function PROPOSAL_TTL() external view returns (uint256);
    function ALL_ROLES() external view returns (uint32);
}

/// @dev Deploys the contracts from their compiled artifacts: the suites run the bytecode that
/// `npm start` and the Ignition modules deploy (via-IR, 200 runs), not a copy compiled with the
/// tests' settings, and the test files import only interfaces, so they compile without via-IR.
abstract contract Deployments is CommonBase {
    function _deployLedger() internal returns (ILedgerWithConstants) {
        return ILedgerWithConstants(_deployArtifact("Ledger.sol:Ledger", ""));
    }

    /// @dev LedgerHarnessMock: the Ledger with its internal checks exposed (LedgerHarness.t.sol).
    function _deployLedgerHarness() internal returns (address) {
        return _deployArtifact("LedgerHarnessMock.sol:LedgerHarnessMock", "");
    }

    function _deployDirectory(ILedger ledger) internal returns (IDirectory) {
        return IDirectory(_deployArtifact("Directory.sol:Directory", abi.encode(ledger)));
    }

    function _deployRegistry(ILedger ledger) internal returns (IReciprocityRegistry) {
        return IReciprocityRegistry(_deployArtifact("ReciprocityRegistry.sol:ReciprocityRegistry", abi.encode(ledger)));
    }

    function _deployDistributor(address ledger, uint256 minChallengeWindow) internal returns (IIncomeDistributor) {
        return
            IIncomeDistributor(
                _deployArtifact("IncomeDistributor.sol:IncomeDistributor", abi.encode(ledger, minChallengeWindow))
            );
    }

    /// @dev Deploys `artifact` ("File.sol:Contract") with the ABI-encoded constructor arguments `args`.
    /// Hardhat's solidity tests have `vm.getCode` but not `vm.deployCode`.
    function _deployArtifact(string memory artifact, bytes memory args) private returns (address deployed) {
        bytes memory code = bytes.concat(vm.getCode(artifact), args);
        assembly ("memory-safe") {
            deployed := create(0, add(code, 0x20), mload(code))
        }
        require(deployed != address(0), string.concat("Deployments: could not deploy ", artifact));
    }
}
