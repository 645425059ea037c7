/** Errors of the LLM path; `code` is stable and becomes the precompile's revert code. */
import { InferchainError } from '../errors.js'

export type LlmErrorCode =
  /** The request is not well formed (bad role, tool JSON, temperature, ...). */
  | 'MALFORMED_REQUEST'
  /** The prompt (after the chat template) does not fit the model's context. */
  | 'PROMPT_TOO_LONG'
  /** The model CID names no GGUF model the node can get. */
  | 'MODEL_NOT_FOUND'
  /** The CID names a file that is not a GGUF LLM. */
  | 'NOT_AN_LLM'
  | 'INFERENCE_FAILED'
  /** The node's LLM configuration is invalid (e.g. `INFERCHAIN_LLM_GPU`). */
  | 'BAD_CONFIG'

export class LlmError extends InferchainError {
  override readonly name = 'LlmError' as const
  declare readonly code: LlmErrorCode
  constructor(code: LlmErrorCode, shortMessage: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(code, shortMessage, options)
  }
}
