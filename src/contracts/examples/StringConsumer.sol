// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import {OG_INFERENCE, ModelInferenceMode, ModelInferenceRequest, ModelInput, ModelOutput} from "../OGInference.sol";
import {TensorLib} from "../TensorLib.sol";

/// @title StringConsumer
/// @notice Sends one string tensor to a model and keeps the first string it returns.
contract StringConsumer {
    string private _lastString;
    bool private _lastWasSimulation;
    uint256 private _runCount;

    event StringResult(address caller, string value);

    /// @notice Runs `cid` in VANILLA mode on one string tensor `tensorName` holding `values`.
    function runWithStrings(string calldata cid, string calldata tensorName, string[] calldata values)
        external
        returns (string memory)
    {
        ModelInput memory input;
        input.numbers = new TensorLib.MultiDimensionalNumberTensor[](0);
        input.strings = new TensorLib.StringTensor[](1);
        input.strings[0] = TensorLib.StringTensor(tensorName, values);
        ModelOutput memory output =
            OG_INFERENCE.runModelInference(ModelInferenceRequest(ModelInferenceMode.VANILLA, cid, input));
        _lastString = "";
        if (output.strings.length > 0 && output.strings[0].values.length > 0) {
            _lastString = output.strings[0].values[0];
        }
        _lastWasSimulation = output.is_simulation_result;
        _runCount += 1;
        emit StringResult(msg.sender, _lastString);
        return _lastString;
    }

    /// @notice First value of the first string tensor of the last output ("" if there was none).
    function lastString() external view returns (string memory) {
        return _lastString;
    }

    function lastWasSimulation() external view returns (bool) {
        return _lastWasSimulation;
    }

    function runCount() external view returns (uint256) {
        return _runCount;
    }
}
