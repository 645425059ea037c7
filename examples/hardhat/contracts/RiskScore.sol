// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import "./inferchain/OGInference.sol";

/// A contract that scores 16 features with a model and keeps the first output, in the same transaction.
contract RiskScore {
    OGInference constant INFERENCE = OGInference(0x00000000000000000000000000000000000000F4);

    int128 public lastScore;
    uint32 public lastDecimals;

    event Scored(address indexed who, int128 score, uint32 decimals);

    function score(string calldata modelCid, int128[] calldata features, uint32 decimals) external returns (int128) {
        TensorLib.Number[] memory values = new TensorLib.Number[](features.length);
        for (uint256 i = 0; i < features.length; i++) values[i] = TensorLib.Number(features[i], int128(uint128(decimals)));
        uint32[] memory shape = new uint32[](2);
        shape[0] = 1;
        shape[1] = uint32(features.length);
        ModelInput memory input;
        input.numbers = new TensorLib.MultiDimensionalNumberTensor[](1);
        input.numbers[0] = TensorLib.MultiDimensionalNumberTensor("input", values, shape);
        ModelOutput memory output = INFERENCE.runModelInference(ModelInferenceRequest(ModelInferenceMode.VANILLA, modelCid, input));
        // During gas estimation the node answers with an empty, flagged result.
        if (output.is_simulation_result) return 0;
        TensorLib.Number memory first = output.numbers[0].values[0];
        lastScore = first.value;
        lastDecimals = uint32(uint128(first.decimals));
        emit Scored(msg.sender, first.value, lastDecimals);
        return first.value;
    }
}
