// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity 0.8.30;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";

/// @notice A smart-contract wallet (ERC-1271) owned by one EOA, with switchable misbehaviour for
/// tests: wrong magic value, revert, short or huge return data, and gas hogging.
contract ERC1271WalletMock is IERC1271 {
    enum Mode {
        Honest, // magic value iff the owner signed the digest
        WrongMagic, // returns 0xffffffff
        Reverts, // reverts
        ShortReturn, // returns 4 bytes only
        ReturnBomb, // returns 1 MB of data starting with the magic value
        GasHog, // burns all gas it is given
        AlwaysValid // magic value for anything (a permissive wallet)
    }

    address public immutable owner;
    Mode public mode;

    constructor(address owner_) {
        owner = owner_;
    }

    function setMode(Mode mode_) external {
        mode = mode_;
    }

    function isValidSignature(bytes32 digest, bytes calldata signature) external view returns (bytes4) {
        Mode m = mode;
        if (m == Mode.Honest) {
            (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(digest, signature);
            return err == ECDSA.RecoverError.NoError && recovered == owner ? this.isValidSignature.selector : bytes4(0);
        }
        if (m == Mode.WrongMagic) return 0xffffffff;
        if (m == Mode.Reverts) revert("wallet: no");
        if (m == Mode.ShortReturn) {
            assembly {
                mstore(0, shl(224, 0x1626ba7e))
                return(0, 4)
            }
        }
        if (m == Mode.ReturnBomb) {
            assembly {
                mstore(0, shl(224, 0x1626ba7e))
                return(0, 1000000)
            }
        }
        if (m == Mode.GasHog) {
            uint256 x;
            while (gasleft() > 0) x++;
            return bytes4(uint32(x));
        }
        return this.isValidSignature.selector;
    }
}
