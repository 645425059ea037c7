// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import {OG_INFERENCE, ModelInferenceMode, ModelInferenceRequest, ModelInput, ModelOutput} from "../OGInference.sol";
import {TensorLib} from "../TensorLib.sol";

/// @title TwoStepConsumer
/// @notice Feeds a model's output back into the model in the same transaction: the second request
/// depends on the first result, so no simulation can know it in advance (the PIPE deferral path).
contract TwoStepConsumer {
    int128[] private _first;
    int128[] private _second;
    int128 private _decimals;

    /// @notice Runs `cid` on `values`, then on the first output repeated to `values.length` entries.
    function run(string calldata cid, int128[] calldata values, int128 decimals) external {
        (bool simulated, int128[] memory first, int128 firstDecimals) = _step(cid, values, decimals);
        if (simulated) return;
        (bool simulatedAgain, int128[] memory second, int128 secondDecimals) = _step(cid, _repeat(first, values.length), firstDecimals);
        if (simulatedAgain) return;
        _first = first;
        _second = second;
        _decimals = secondDecimals;
    }

    function _step(string memory cid, int128[] memory values, int128 decimals)
        private
        returns (bool simulated, int128[] memory out, int128 outDecimals)
    {
        ModelOutput memory output = _infer(cid, values, decimals);
        if (output.is_simulation_result) return (true, out, 0);
        out = _values(output);
        outDecimals = output.numbers[0].values[0].decimals;
    }

    function _repeat(int128[] memory values, uint256 length) private pure returns (int128[] memory out) {
        out = new int128[](length);
        for (uint256 i = 0; i < length; i++) out[i] = values[i % values.length];
    }

    function results() external view returns (int128[] memory first, int128[] memory second, int128 decimals) {
        return (_first, _second, _decimals);
    }

    function _infer(string memory cid, int128[] memory values, int128 decimals) private returns (ModelOutput memory) {
        ModelInput memory input;
        input.numbers = new TensorLib.MultiDimensionalNumberTensor[](1);
        input.numbers[0] = TensorLib.tensor2D("input", values, decimals, 1, uint32(values.length));
        input.strings = new TensorLib.StringTensor[](0);
        return OG_INFERENCE.runModelInference(ModelInferenceRequest(ModelInferenceMode.VANILLA, cid, input));
    }

    function _values(ModelOutput memory output) private pure returns (int128[] memory values) {
        TensorLib.Number[] memory numbers = output.numbers[0].values;
        values = new int128[](numbers.length);
        for (uint256 i = 0; i < numbers.length; i++) values[i] = numbers[i].value;
    }
}
