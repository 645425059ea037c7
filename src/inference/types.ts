/**
 * The wire protocol between a full node's dispatcher and an inference node (HTTP + JSON).
 * bigints travel as decimal strings; `src/inference/wire.ts` converts both ways.
 *
 *   POST /v1/infer   body: InferRequestBody  → 200 InferResponseBody | 4xx/5xx InferErrorBody
 *   GET  /v1/health  → { ok: true, address, models: string[], modes: number[], tee?: { kind, measurement, enclaveKey } }
 *   GET  /v1/metrics → { inferences: number }   (count of model executions since start)
 */
import type { ModelInferenceMode } from '../evm/types.js'

export interface WireNumberTensor {
  name: string
  values: { value: string; decimals: string }[]
  shape: number[]
}
export interface WireModelInput {
  numbers: WireNumberTensor[]
  strings: { name: string; values: string[] }[]
}
export interface WireModelOutput extends WireModelInput {
  jsons: { name: string; value: string }[]
  isSimulationResult: boolean
}

export interface InferRequestBody {
  modelCid: string
  mode: ModelInferenceMode
  input: WireModelInput
  /** TEE mode: the request the result is attested for (request id, chain id as a decimal string). */
  binding?: { requestId: `0x${string}`; chainId: string }
}

export interface InferResponseBody {
  result: {
    modelCid: string
    mode: ModelInferenceMode
    inputHash: `0x${string}`
    outputHash: `0x${string}`
    output: WireModelOutput
    node: `0x${string}`
    signature: `0x${string}`
    /** TEE mode: the attestation document (COSE_Sign1, 0x-hex). */
    attestation?: `0x${string}`
  }
}

/**
 * Stable codes an inference node answers with; the precompile turns them into revert reasons.
 * Client errors (4xx) are deterministic for the same model and input.
 */
export type InferErrorCode =
  | 'MODEL_NOT_FOUND'
  | 'MODE_NOT_SUPPORTED'
  | 'BAD_TENSOR_NAME'
  | 'BAD_TENSOR_SHAPE'
  | 'BAD_TENSOR_TYPE'
  | 'BAD_TENSOR_VALUE'
  | 'OUTPUT_TOO_LARGE'
  | 'INFERENCE_FAILED'
  | 'BAD_REQUEST'

export interface InferErrorBody {
  error: { code: InferErrorCode; message: string }
}
