// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import {TensorLib} from "./TensorLib.sol";

/// @notice How a model result is verified. Published numbers never change; new modes are appended.
enum ModelInferenceMode {
    VANILLA,
    ZK,
    TEE,
    /// Bonded result with a challenge window, settled by InferenceSettlement (appended: the published values keep their numbers).
    OPTIMISTIC
}

/// @notice How an LLM result is verified.
enum LLMInferenceMode {
    VANILLA,
    TEE
}

struct ModelInput {
    TensorLib.MultiDimensionalNumberTensor[] numbers;
    TensorLib.StringTensor[] strings;
}

/// @dev `is_simulation_result` is true when the result is not known yet (e.g. gas estimation):
///      the output is then empty and must not be relied on.
struct ModelOutput {
    TensorLib.MultiDimensionalNumberTensor[] numbers;
    TensorLib.StringTensor[] strings;
    TensorLib.JsonScalar[] jsons;
    bool is_simulation_result;
}

struct ModelInferenceRequest {
    ModelInferenceMode mode;
    string modelCID;
    ModelInput input;
}

struct LLMCompletionRequest {
    LLMInferenceMode mode;
    string modelCID;
    string prompt;
    uint32 max_tokens;
    string[] stop_sequence;
    uint32 temperature;
}

struct LLMCompletionResponse {
    string answer;
}

struct ToolCall {
    string id;
    string name;
    string arguments;
}

struct ChatMessage {
    string role;
    string content;
    string name;
    string tool_call_id;
    ToolCall[] tool_calls;
}

struct ToolDefinition {
    string description;
    string name;
    string parameters;
}

struct LLMChatRequest {
    LLMInferenceMode mode;
    string modelCID;
    ChatMessage[] messages;
    ToolDefinition[] tools;
    string tool_choice;
    uint32 max_tokens;
    string[] stop_sequence;
    uint32 temperature;
}

struct LLMChatResponse {
    string finish_reason;
    ChatMessage message;
}

/// @title OGInference
/// @notice The inference precompile at OG_INFERENCE_ADDRESS. A call runs the model in the same
///         transaction; the chain records the result so that every full node replays it verbatim.
interface OGInference {
    /// @notice Emitted by the precompile for every model inference (declared here so contracts and clients can decode it).
    event ModelInferenceEvent(string inferenceID, ModelInferenceRequest request, ModelOutput response);

    /// @notice Emitted by the precompile for every `runLLMCompletion` that returns a result.
    event LLMCompletionEvent(string inferenceID, LLMCompletionRequest request, LLMCompletionResponse response);

    /// @notice Emitted by the precompile for every `runLLMChat` that returns a result.
    event LLMChat(string inferenceID, LLMChatRequest request, LLMChatResponse response);

    function runModelInference(ModelInferenceRequest memory request) external returns (ModelOutput memory);

    function runLLMCompletion(LLMCompletionRequest memory request) external returns (LLMCompletionResponse memory);

    function runLLMChat(LLMChatRequest memory request) external returns (LLMChatResponse memory);
}

address constant OG_INFERENCE_ADDRESS = 0x00000000000000000000000000000000000000F4;

OGInference constant OG_INFERENCE = OGInference(OG_INFERENCE_ADDRESS);
