// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity 0.8.30;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {Ledger} from "../Ledger.sol";

/// @notice Exposes the Ledger's gas-tuned internals next to their plain equivalents, so fuzz
/// tests can hold them equal: the fast record check against the detailed one, and the inline
/// ecrecover against OpenZeppelin's ECDSA.
contract LedgerHarnessMock is Ledger {
    function isPlainValidRecord(Record calldata r, uint256 id) external view returns (bool) {
        return _isPlainValidRecord(r, id);
    }

    function checkFields(Record calldata r, uint256 id, bool allowCorrection) external view returns (bytes memory) {
        return _checkFields(r, id, allowCorrection);
    }

    function recoversTo(address signer, bytes32 digest, bytes calldata signature) external view returns (bool) {
        return _recoversTo(signer, digest, signature);
    }

    function recoversToWithOpenZeppelin(
        address signer,
        bytes32 digest,
        bytes calldata signature
    ) external pure returns (bool) {
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(digest, signature);
        return err == ECDSA.RecoverError.NoError && recovered == signer && signer != address(0);
    }
}
