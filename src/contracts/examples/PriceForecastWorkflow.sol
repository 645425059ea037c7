// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import {OG_INFERENCE, ModelInferenceMode, ModelInferenceRequest, ModelInput, ModelOutput} from "../OGInference.sol";
import {TensorLib} from "../TensorLib.sol";
import {IModelExecutor} from "../WorkflowScheduler.sol";
import {OGHistorical, HistoricalInputQuery, CandleOrder, CandleType} from "../OGHistorical.sol";

/// @title PriceForecastWorkflow
/// @notice A scheduled model workflow: each `run()` reads the last INPUT_CANDLES closes of a feed
///         kept in OGHistorical, scales them by the latest close (so the model sees ratios near 1),
///         feeds them to a model taking `input [1, 16]` (the devnet's demo MLP) and keeps the last
///         MAX_HISTORY results. Register it with `WorkflowScheduler.registerTask`.
contract PriceForecastWorkflow is IModelExecutor {
    uint32 public constant INPUT_CANDLES = 16;
    uint256 public constant MAX_HISTORY = 64;
    int128 private constant SCALE_DECIMALS = 8;
    int256 private constant SCALE = 1e8;

    struct Result {
        uint64 timestamp;
        uint64 blockNumber;
        int128 decimals;
        int128[] values;
    }

    address public immutable scheduler;
    address public immutable owner;
    OGHistorical public immutable historical;
    string public modelCid;
    string public base;
    string public quote;
    uint32 public immutable durationMins;
    /// @notice Results recorded so far (the last MAX_HISTORY are kept).
    uint256 public resultCount;
    /// @dev Ring buffer: result `i` lives at `i % MAX_HISTORY`.
    mapping(uint256 => Result) private _results;

    event WorkflowResult(uint256 indexed index, int128[] values, int128 decimals);

    error NotAllowed(address caller);
    error NoResults();
    error ZeroPrice();

    constructor(address scheduler_, address historical_, string memory modelCid_, string memory base_, string memory quote_, uint32 durationMins_) {
        scheduler = scheduler_;
        owner = msg.sender;
        historical = OGHistorical(historical_);
        modelCid = modelCid_;
        base = base_;
        quote = quote_;
        durationMins = durationMins_;
    }

    /// @notice One forecast (the scheduler, or the owner by hand).
    function run() external {
        if (msg.sender != scheduler && msg.sender != owner) revert NotAllowed(msg.sender);
        ModelOutput memory output = OG_INFERENCE.runModelInference(
            ModelInferenceRequest(ModelInferenceMode.VANILLA, modelCid, _input())
        );
        // A simulation (the producer preparing this call) sees an empty output: nothing to keep.
        if (output.is_simulation_result || output.numbers.length == 0) return;
        TensorLib.Number[] memory numbers = output.numbers[0].values;
        int128[] memory values = new int128[](numbers.length);
        for (uint256 i = 0; i < numbers.length; ++i) values[i] = numbers[i].value;
        int128 decimals = numbers.length > 0 ? numbers[0].decimals : int128(0);
        uint256 index = resultCount++;
        _results[index % MAX_HISTORY] = Result(uint64(block.timestamp), uint64(block.number), decimals, values);
        emit WorkflowResult(index, values, decimals);
    }

    /// @notice The latest result as a ModelOutput (tensor `output` of shape [1, n]).
    function getInferenceResult() external view returns (ModelOutput memory) {
        if (resultCount == 0) revert NoResults();
        return _toOutput(_results[(resultCount - 1) % MAX_HISTORY]);
    }

    /// @notice The last `n` results (fewer if fewer are kept), oldest first.
    function getLastInferenceResults(uint256 n) external view returns (ModelOutput[] memory outputs) {
        uint256 kept = resultCount < MAX_HISTORY ? resultCount : MAX_HISTORY;
        if (n > kept) n = kept;
        outputs = new ModelOutput[](n);
        for (uint256 i = 0; i < n; ++i) outputs[i] = _toOutput(_results[(resultCount - n + i) % MAX_HISTORY]);
    }

    /// @notice Result number `index` with when it was made (reverts if no longer kept).
    function resultAt(uint256 index) external view returns (uint64 timestamp, uint64 blockNumber, int128[] memory values, int128 decimals) {
        if (index >= resultCount || index + MAX_HISTORY < resultCount) revert NoResults();
        Result storage r = _results[index % MAX_HISTORY];
        return (r.timestamp, r.blockNumber, r.values, r.decimals);
    }

    function _input() private view returns (ModelInput memory input) {
        CandleType[] memory types = new CandleType[](1);
        types[0] = CandleType.Close;
        // Closes and `last` share their decimals: the ratio is scale-free.
        (int128[] memory closes,) =
            historical.queryValues(HistoricalInputQuery(base, quote, INPUT_CANDLES, durationMins, CandleOrder.Ascending, types));
        int128 last = closes[closes.length - 1];
        if (last == 0) revert ZeroPrice();
        for (uint256 i = 0; i < closes.length; ++i) closes[i] = int128((int256(closes[i]) * SCALE) / last);
        input.numbers = new TensorLib.MultiDimensionalNumberTensor[](1);
        input.numbers[0] = TensorLib.tensor2D("input", closes, SCALE_DECIMALS, 1, INPUT_CANDLES);
        input.strings = new TensorLib.StringTensor[](0);
    }

    function _toOutput(Result storage r) private view returns (ModelOutput memory output) {
        output.numbers = new TensorLib.MultiDimensionalNumberTensor[](1);
        output.numbers[0] = TensorLib.tensor2D("output", r.values, r.decimals, 1, uint32(r.values.length));
        output.strings = new TensorLib.StringTensor[](0);
        output.jsons = new TensorLib.JsonScalar[](0);
        output.is_simulation_result = false;
    }
}
