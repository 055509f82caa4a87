// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity 0.8.30;

/// @notice The three Ledger views the IncomeDistributor reads (commonsExists, isSteward, tip),
/// settable, so that Solidity fuzz and invariant tests can drive the distributor alone.
contract LedgerViewMock {
    mapping(bytes32 commons => bool) public commonsExists;
    mapping(bytes32 commons => mapping(address account => bool)) public isSteward;
    uint64 private _count;
    bytes24 private _head;

    function setCommons(bytes32 commons, address steward) external {
        commonsExists[commons] = true;
        isSteward[commons][steward] = true;
    }

    function setTip(uint64 count, bytes24 head) external {
        _count = count;
        _head = head;
    }

    function tip() external view returns (uint64, bytes24) {
        return (_count, _head);
    }
}
