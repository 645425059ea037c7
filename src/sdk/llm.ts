/**
 * LLM calls from a client: `completeLlm` and `chatLlm` ask a full node through `eth_call` (the
 * inference node answers live, nothing goes on chain), with the same structs a contract passes to
 * `runLLMCompletion` / `runLLMChat`. A refusal throws `InferenceRevertedError` with the precompile's code.
 */
import type { PublicClient } from 'viem'
import { decodeChatResult, decodeCompletionResult, encodeLlmCall } from '../llm/abi.js'
import type { LlmChatRequest, LlmChatResponse, LlmCompletionRequest, LlmCompletionResponse } from '../llm/types.js'
import { INFERENCE_PRECOMPILE_ADDRESS } from '../params.js'
import { asInferenceError } from './errors.js'

/**
 * @example
 * const { answer } = await completeLlm(publicClient, { mode: LlmInferenceMode.VANILLA, modelCid, prompt: 'The chain said', maxTokens: 12, stopSequences: [], temperature: 0 })
 */
export async function completeLlm(publicClient: PublicClient, request: LlmCompletionRequest): Promise<LlmCompletionResponse> {
  try {
    const { data } = await publicClient.call({ to: INFERENCE_PRECOMPILE_ADDRESS, data: encodeLlmCall({ kind: 'completion', request }) })
    return decodeCompletionResult(data ?? '0x')
  } catch (err) {
    throw asInferenceError(err)
  }
}

/**
 * @example
 * const { finishReason, message } = await chatLlm(publicClient, { mode: LlmInferenceMode.TEE, modelCid, messages: [{ role: 'user', content: 'Hi', name: '', toolCallId: '', toolCalls: [] }], tools: [], toolChoice: '', maxTokens: 16, stopSequences: [], temperature: 0 })
 */
export async function chatLlm(publicClient: PublicClient, request: LlmChatRequest): Promise<LlmChatResponse> {
  try {
    const { data } = await publicClient.call({ to: INFERENCE_PRECOMPILE_ADDRESS, data: encodeLlmCall({ kind: 'chat', request }) })
    return decodeChatResult(data ?? '0x')
  } catch (err) {
    throw asInferenceError(err)
  }
}
