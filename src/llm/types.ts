/**
 * LLM requests and responses as the precompile, the inference node and the SDK see them. They
 * mirror the Solidity structs of `OGInference.sol` one to one (field names in TypeScript case).
 */

/** `LLMInferenceMode` of OGInference.sol: its own numbering (TEE is 1 here, 2 for models). */
export enum LlmInferenceMode {
  VANILLA = 0,
  TEE = 1,
}

/** Temperatures travel as uint32 hundredths: 0 = greedy, 70 = 0.7, 100 = 1.0. */
export const TEMPERATURE_SCALE = 100

export interface LlmCompletionRequest {
  mode: LlmInferenceMode
  modelCid: string
  prompt: string
  maxTokens: number
  stopSequences: string[]
  /** Hundredths (see TEMPERATURE_SCALE). */
  temperature: number
}

export interface LlmCompletionResponse {
  answer: string
}

export interface ToolCall {
  id: string
  name: string
  /** JSON text of the arguments. */
  arguments: string
}

export interface ChatMessage {
  role: string
  content: string
  name: string
  toolCallId: string
  toolCalls: ToolCall[]
}

export interface ToolDefinition {
  description: string
  name: string
  /** JSON Schema of the arguments, as JSON text. */
  parameters: string
}

export interface LlmChatRequest {
  mode: LlmInferenceMode
  modelCid: string
  messages: ChatMessage[]
  tools: ToolDefinition[]
  /** "" or "auto", "none", "required", or a tool's name. */
  toolChoice: string
  maxTokens: number
  stopSequences: string[]
  temperature: number
}

export interface LlmChatResponse {
  /** "stop", "length" or "tool_calls". */
  finishReason: string
  message: ChatMessage
}

export type LlmRequest = { kind: 'completion'; request: LlmCompletionRequest } | { kind: 'chat'; request: LlmChatRequest }
export type LlmResponse = { kind: 'completion'; response: LlmCompletionResponse } | { kind: 'chat'; response: LlmChatResponse }

/** What the runner reports besides the text: tokens counted, why generation stopped. */
export interface LlmUsage {
  promptTokens: number
  completionTokens: number
}
