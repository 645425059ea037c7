/**
 * The inference node's LLM path: an LLM request (arriving as an envelope on `/v1/infer`, or from
 * the OpenAI-style routes) is validated, run on its GGUF model, and its response signed — and in
 * TEE mode attested, bound to the request — exactly like a model result (`./engine.ts`), so the
 * dispatcher, the records and the verifiers treat both alike.
 */
import { bytesToHex, type Address, type Hex } from 'viem'
import { privateKeyToAddress } from 'viem/accounts'
import { hashModelInput, hashModelOutput } from '../evm/abi.js'
import { ModelInferenceMode, type ModelInferenceRequest, type SignedInferenceResult } from '../evm/types.js'
import { fromEnvelope, responseToOutput, toEnvelope } from '../llm/envelope.js'
import { LlmError } from '../llm/errors.js'
import { runLlmRequest, type LlmRun } from '../llm/generate.js'
import type { LlmModelStore } from '../llm/model-store.js'
import type { LlmRequest } from '../llm/types.js'
import { validateLlmRequest } from '../llm/validate.js'
import type { TeeBackend } from '../tee/types.js'
import { signInferenceResult } from '../verify/vanilla.js'
import type { ResultBinding } from './engine.js'
import { InferenceRequestError } from './errors.js'

export interface LlmEngineOptions {
  privateKey: Hex
  models: LlmModelStore
  modes: readonly ModelInferenceMode[]
  tee?: TeeBackend
}

export interface LlmAnswer extends LlmRun {
  /** The signed (and in TEE mode attested) envelope result. */
  result: SignedInferenceResult
  request: LlmRequest
}

export class LlmEngine {
  readonly address: Address

  constructor(private readonly options: LlmEngineOptions) {
    this.address = privateKeyToAddress(options.privateKey)
  }

  /** Whether a `/v1/infer` request is an LLM request (its input is an LLM envelope). */
  static isLlmRequest(request: ModelInferenceRequest): boolean {
    try {
      return fromEnvelope(request.input) !== undefined
    } catch {
      return true // a malformed envelope is still ours to refuse
    }
  }

  /** `/v1/infer` with an LLM envelope. */
  async infer(request: ModelInferenceRequest, binding?: ResultBinding): Promise<SignedInferenceResult> {
    const call = wrap(() => fromEnvelope(request.input))!
    if (call.request.modelCid !== request.modelCid) throw new InferenceRequestError('BAD_REQUEST', 'the LLM request names another model than the envelope')
    return (await this.answer(call, { binding })).result
  }

  /** Runs an LLM request and signs (attests) its response; `onText` streams the answer. */
  async answer(call: LlmRequest, options: { binding?: ResultBinding; onText?: (text: string) => void } = {}): Promise<LlmAnswer> {
    wrap(() => validateLlmRequest(call))
    const envelope = wrap(() => toEnvelope(call))
    if (!this.options.modes.includes(envelope.mode)) {
      throw new InferenceRequestError('MODE_NOT_SUPPORTED', `mode ${ModelInferenceMode[envelope.mode]} is not served by this node`)
    }
    const tee = envelope.mode === ModelInferenceMode.TEE ? this.options.tee : undefined
    if (envelope.mode === ModelInferenceMode.TEE && (tee === undefined || options.binding === undefined)) {
      throw new InferenceRequestError('BAD_REQUEST', 'a TEE request must name the request it is for (binding: requestId, chainId)')
    }
    const inputHash = hashModelInput(envelope.input)
    const run = await wrapAsync(async () => runLlmRequest(await this.options.models.get(call.request.modelCid), call, inputHash, options.onText))
    const output = responseToOutput(run.response)
    const fields = { modelCid: envelope.modelCid, mode: envelope.mode, inputHash, outputHash: hashModelOutput(output) }
    const result: SignedInferenceResult = { ...fields, output, ...signInferenceResult(this.options.privateKey, fields) }
    if (tee !== undefined && options.binding !== undefined) {
      result.attestation = bytesToHex(await tee.attest({ ...options.binding, modelCid: fields.modelCid, inputHash, outputHash: fields.outputHash }))
    }
    return { ...run, result, request: call }
  }
}

/** LLM errors in the node protocol's codes (deterministic ones are 4xx: no other node would do better). */
export function toRequestError(err: unknown): unknown {
  if (!(err instanceof LlmError)) return err
  switch (err.code) {
    case 'MODEL_NOT_FOUND':
      return new InferenceRequestError('MODEL_NOT_FOUND', err.shortMessage, { cause: err })
    case 'INFERENCE_FAILED':
      return new InferenceRequestError('INFERENCE_FAILED', err.shortMessage, { cause: err })
    default:
      return new InferenceRequestError('BAD_REQUEST', `${err.code}: ${err.shortMessage}`, { cause: err, details: { llmCode: err.code } })
  }
}

function wrap<T>(f: () => T): T {
  try {
    return f()
  } catch (err) {
    throw toRequestError(err)
  }
}

async function wrapAsync<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f()
  } catch (err) {
    throw toRequestError(err)
  }
}
