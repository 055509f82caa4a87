// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity 0.8.30;

import {IIncomeDistributor} from "../interfaces/IIncomeDistributor.sol";

/// @notice A payee whose ETH receive hook accepts, reverts, burns all gas, or re-enters the
/// distributor (claiming a stored leaf again, or depositing), for the payment isolation tests.
contract ReceiverMock {
    enum Mode {
        Accept,
        Revert,
        BurnGas,
        ReenterClaim,
        ReenterDeposit
    }

    error ReceiverMockRefused();

    Mode public mode;
    IIncomeDistributor private _target;
    uint256 private _id;
    uint256 private _index;
    uint256 private _amount;
    bytes32[] private _proof;
    bytes32 private _commons;

    function setMode(Mode mode_) external {
        mode = mode_;
    }

    function setReentry(
        IIncomeDistributor target_,
        uint256 id,
        uint256 index,
        uint256 amount,
        bytes32[] calldata proof,
        bytes32 commons
    ) external {
        _target = target_;
        _id = id;
        _index = index;
        _amount = amount;
        _proof = proof;
        _commons = commons;
    }

    receive() external payable {
        if (mode == Mode.Revert) revert ReceiverMockRefused();
        if (mode == Mode.BurnGas) {
            while (true) {}
        }
        if (mode == Mode.ReenterClaim) _target.claim(_id, _index, address(this), _amount, _proof);
        if (mode == Mode.ReenterDeposit) _target.depositETH{value: msg.value}(_commons);
    }
}
