// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import {OG_INFERENCE_ADDRESS} from "../OGInference.sol";

/// @title ForwardCall
/// @notice Calls the precompile with raw calldata, so tests can send what no ABI encoder would.
contract ForwardCall {
    event Forwarded(bytes returnData);

    /// @notice Calls the precompile with `data`; returns its return data or re-raises its revert data unchanged.
    function forward(bytes calldata data) external returns (bytes memory returnData) {
        bool ok;
        (ok, returnData) = OG_INFERENCE_ADDRESS.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(returnData, 32), mload(returnData))
            }
        }
        emit Forwarded(returnData);
    }
}
