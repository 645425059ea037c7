// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import {OG_INFERENCE, ModelInferenceMode, ModelInferenceRequest, ModelInput, ModelOutput} from "../OGInference.sol";
import {TensorLib} from "../TensorLib.sol";

/// @title VadConsumer
/// @notice Streams audio through Silero VAD (a real third-party ONNX model), one 512-sample window
///         per call at 16 kHz, carrying the model's recurrent state from call to call on chain.
/// @dev Silero VAD v5: inputs `input` [1,512] float, `state` [2,1,128] float, `sr` [] int64;
///      outputs `output` [1,1] (speech probability) and `stateN` [2,1,128].
contract VadConsumer {
    uint32 public constant WINDOW = 512;
    int128 public constant SAMPLE_RATE = 16000;
    uint256 private constant STATE_SIZE = 2 * 1 * 128;

    int128 private _lastProbability;
    int128 private _lastDecimals;
    bool private _lastWasSimulation;
    uint256 private _runCount;
    int128[] private _state;
    int128 private _stateDecimals;

    event SpeechProbability(address caller, int128 probability, int128 decimals);

    error WrongWindow(uint256 samples, uint256 expected);
    error MissingOutput(string name);

    /// @notice Runs one window of `WINDOW` samples given as `samples[i] / 10^decimals`.
    function detect(string calldata cid, int128[] calldata samples, int128 decimals) external returns (int128) {
        if (samples.length != WINDOW) revert WrongWindow(samples.length, WINDOW);
        ModelInput memory input;
        input.numbers = new TensorLib.MultiDimensionalNumberTensor[](3);
        input.numbers[0] = TensorLib.tensor2D("input", samples, decimals, 1, WINDOW);
        input.numbers[1] = TensorLib.tensor("state", _currentState(), _stateDecimals, _stateShape());
        input.numbers[2] = TensorLib.scalar("sr", SAMPLE_RATE, 0);
        input.strings = new TensorLib.StringTensor[](0);
        ModelOutput memory output =
            OG_INFERENCE.runModelInference(ModelInferenceRequest(ModelInferenceMode.VANILLA, cid, input));
        _runCount += 1;
        _lastWasSimulation = output.is_simulation_result;
        // A simulation carries no values: keep the state so the next real call continues the stream.
        if (output.is_simulation_result) return 0;
        _storeResult(output);
        emit SpeechProbability(msg.sender, _lastProbability, _lastDecimals);
        return _lastProbability;
    }

    /// @notice Starts a new stream (zero state).
    function resetState() external {
        delete _state;
        _stateDecimals = 0;
    }

    function lastProbability() external view returns (int128) {
        return _lastProbability;
    }

    function lastDecimals() external view returns (int128) {
        return _lastDecimals;
    }

    function lastWasSimulation() external view returns (bool) {
        return _lastWasSimulation;
    }

    function runCount() external view returns (uint256) {
        return _runCount;
    }

    /// @notice The recurrent state the next call sends (all zero before the first call), and its decimals.
    function state() external view returns (int128[] memory values, int128 decimals) {
        return (_currentState(), _stateDecimals);
    }

    function _storeResult(ModelOutput memory output) private {
        (bool hasProb, uint256 p) = TensorLib.indexOfNumberTensor(output.numbers, "output");
        if (!hasProb || output.numbers[p].values.length == 0) revert MissingOutput("output");
        (bool hasState, uint256 s) = TensorLib.indexOfNumberTensor(output.numbers, "stateN");
        if (!hasState || output.numbers[s].values.length != STATE_SIZE) revert MissingOutput("stateN");

        TensorLib.Number memory prob = output.numbers[p].values[0];
        _lastProbability = prob.value;
        _lastDecimals = prob.decimals;

        TensorLib.Number[] memory next = output.numbers[s].values;
        // Overwrite in place once the array exists: rewriting slots costs far less than delete + push.
        bool fresh = _state.length == 0;
        for (uint256 i = 0; i < STATE_SIZE; ++i) {
            if (fresh) _state.push(next[i].value);
            else _state[i] = next[i].value;
        }
        _stateDecimals = next[0].decimals;
    }

    function _currentState() private view returns (int128[] memory values) {
        if (_state.length == 0) return new int128[](STATE_SIZE);
        return _state;
    }

    function _stateShape() private pure returns (uint32[] memory shape) {
        shape = new uint32[](3);
        shape[0] = 2;
        shape[1] = 1;
        shape[2] = 128;
    }
}
