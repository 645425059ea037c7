// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import {OG_INFERENCE, ModelInferenceMode, ModelInferenceRequest, ModelInput, ModelOutput} from "../OGInference.sol";
import {TensorLib} from "../TensorLib.sol";

/// @title DemoConsumer
/// @notice The smallest useful consumer: run a model, keep its first output tensor.
contract DemoConsumer {
    int128[] private _lastValues;
    int128 private _lastDecimals;
    bool private _lastWasSimulation;
    uint256 private _runCount;

    event InferenceResult(address caller, int128[] values, int128 decimals);

    /// @notice Runs any request as given.
    function runInference(ModelInferenceRequest calldata request) external returns (ModelOutput memory output) {
        output = OG_INFERENCE.runModelInference(request);
        _store(output);
    }

    /// @notice Runs `cid` in VANILLA mode on one tensor named `input` of shape [1, values.length].
    function runWithValues(string calldata cid, int128[] calldata values, int128 decimals)
        external
        returns (int128[] memory)
    {
        ModelInput memory input;
        input.numbers = new TensorLib.MultiDimensionalNumberTensor[](1);
        input.numbers[0] = TensorLib.tensor2D("input", values, decimals, 1, uint32(values.length));
        input.strings = new TensorLib.StringTensor[](0);
        ModelOutput memory output =
            OG_INFERENCE.runModelInference(ModelInferenceRequest(ModelInferenceMode.VANILLA, cid, input));
        _store(output);
        return _lastValues;
    }

    /// @notice Values of the first number tensor of the last output (empty for a simulation result).
    function lastValues() external view returns (int128[] memory) {
        return _lastValues;
    }

    /// @notice Decimals of those values (taken from the first element: the precompile uses one per tensor).
    function lastDecimals() external view returns (int128) {
        return _lastDecimals;
    }

    function lastWasSimulation() external view returns (bool) {
        return _lastWasSimulation;
    }

    function runCount() external view returns (uint256) {
        return _runCount;
    }

    function _store(ModelOutput memory output) private {
        delete _lastValues;
        _lastDecimals = 0;
        if (output.numbers.length > 0) {
            TensorLib.Number[] memory values = output.numbers[0].values;
            for (uint256 i = 0; i < values.length; ++i) {
                _lastValues.push(values[i].value);
            }
            if (values.length > 0) _lastDecimals = values[0].decimals;
        }
        _lastWasSimulation = output.is_simulation_result;
        _runCount += 1;
        emit InferenceResult(msg.sender, _lastValues, _lastDecimals);
    }
}
