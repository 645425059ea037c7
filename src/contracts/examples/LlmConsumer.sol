// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import {
    OG_INFERENCE,
    LLMInferenceMode,
    LLMCompletionRequest,
    LLMCompletionResponse,
    LLMChatRequest,
    LLMChatResponse,
    ChatMessage,
    ToolCall,
    ToolDefinition
} from "../OGInference.sol";

/// @title LlmConsumer
/// @notice Asks an LLM through the inference precompile, in the same transaction, and keeps the answer.
contract LlmConsumer {
    string private _lastAnswer;
    string private _lastFinishReason;
    string private _lastToolName;
    string private _lastToolArguments;

    event Answered(address caller, string answer);
    event ToolRequested(address caller, string name, string arguments);

    /// @notice A completion of `prompt`; `temperature` in hundredths (0 = greedy).
    function complete(
        LLMInferenceMode mode,
        string calldata cid,
        string calldata prompt,
        uint32 maxTokens,
        string[] calldata stop,
        uint32 temperature
    ) external returns (string memory) {
        LLMCompletionResponse memory response =
            OG_INFERENCE.runLLMCompletion(LLMCompletionRequest(mode, cid, prompt, maxTokens, stop, temperature));
        _lastAnswer = response.answer;
        emit Answered(msg.sender, response.answer);
        return response.answer;
    }

    /// @notice One user message, optionally after a system message, with one tool the model may call.
    function chat(
        LLMInferenceMode mode,
        string calldata cid,
        string calldata system,
        string calldata user,
        ToolDefinition calldata tool,
        string calldata toolChoice,
        uint32 maxTokens,
        uint32 temperature
    ) external returns (string memory finishReason) {
        uint256 n = bytes(system).length > 0 ? 2 : 1;
        ChatMessage[] memory messages = new ChatMessage[](n);
        if (n == 2) messages[0] = ChatMessage("system", system, "", "", new ToolCall[](0));
        messages[n - 1] = ChatMessage("user", user, "", "", new ToolCall[](0));
        ToolDefinition[] memory tools = new ToolDefinition[](bytes(tool.name).length > 0 ? 1 : 0);
        if (tools.length == 1) tools[0] = tool;
        LLMChatResponse memory response = OG_INFERENCE.runLLMChat(
            LLMChatRequest(mode, cid, messages, tools, toolChoice, maxTokens, new string[](0), temperature)
        );
        _lastFinishReason = response.finish_reason;
        _lastAnswer = response.message.content;
        _lastToolName = "";
        _lastToolArguments = "";
        if (response.message.tool_calls.length > 0) {
            _lastToolName = response.message.tool_calls[0].name;
            _lastToolArguments = response.message.tool_calls[0].arguments;
            emit ToolRequested(msg.sender, _lastToolName, _lastToolArguments);
        } else {
            emit Answered(msg.sender, _lastAnswer);
        }
        return response.finish_reason;
    }

    /// @notice Sends raw messages (for callers that build the chat themselves).
    function chatMessages(LLMInferenceMode mode, string calldata cid, ChatMessage[] calldata messages, uint32 maxTokens)
        external
        returns (string memory)
    {
        LLMChatResponse memory response = OG_INFERENCE.runLLMChat(
            LLMChatRequest(mode, cid, messages, new ToolDefinition[](0), "", maxTokens, new string[](0), 0)
        );
        _lastFinishReason = response.finish_reason;
        _lastAnswer = response.message.content;
        return response.message.content;
    }

    function lastAnswer() external view returns (string memory) {
        return _lastAnswer;
    }

    function lastFinishReason() external view returns (string memory) {
        return _lastFinishReason;
    }

    function lastToolCall() external view returns (string memory name, string memory arguments) {
        return (_lastToolName, _lastToolArguments);
    }
}
