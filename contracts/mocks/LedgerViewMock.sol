// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity 0.8.30;

/// @notice The Ledger views the IncomeDistributor reads (commonsExists, isSteward, stewardship,
/// tip), settable, so that Solidity fuzz and invariant tests can drive the distributor alone.
contract LedgerViewMock {
    mapping(bytes32 commons => bool) public commonsExists;
    mapping(bytes32 commons => mapping(address account => bool)) public isSteward;
    mapping(bytes32 commons => uint256) private _stewards;
    mapping(bytes32 commons => uint256) private _threshold;
    mapping(bytes32 commons => uint256) private _epoch;
    uint64 private _count;
    bytes24 private _head;

    /// @notice Registers `commons` with `steward` as one more steward; the threshold stays as set (1 by default).
    function setCommons(bytes32 commons, address steward) external {
        commonsExists[commons] = true;
        if (!isSteward[commons][steward]) ++_stewards[commons];
        isSteward[commons][steward] = true;
        if (_threshold[commons] == 0) _threshold[commons] = 1;
        ++_epoch[commons];
    }

    function removeSteward(bytes32 commons, address steward) external {
        if (isSteward[commons][steward]) --_stewards[commons];
        isSteward[commons][steward] = false;
        ++_epoch[commons];
    }

    function setThreshold(bytes32 commons, uint256 threshold) external {
        _threshold[commons] = threshold;
        ++_epoch[commons];
    }

    function stewardship(bytes32 commons) external view returns (uint256, uint256, uint256) {
        return (_stewards[commons], _threshold[commons], _epoch[commons]);
    }

    function setTip(uint64 count, bytes24 head) external {
        _count = count;
        _head = head;
    }

    function tip() external view returns (uint64, bytes24) {
        return (_count, _head);
    }
}
