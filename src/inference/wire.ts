/**
 * Conversion between the in-memory types (`src/evm/types.ts`, bigints) and the wire JSON of the
 * inference protocol (`./types.ts`, bigints as canonical decimal strings). Everything read from the
 * wire is validated against what the ABI can carry (int128 numbers, uint32 dims, 32-byte hashes),
 * so a value that passes here always hashes and encodes.
 */
import type { ModelInferenceRequest, ModelInput, ModelOutput, NumberTensor, SignedInferenceResult } from '../evm/types.js'
import type { ResultBinding } from './engine.js'
import { InferenceRequestError } from './errors.js'
import type { InferErrorBody, InferErrorCode, InferRequestBody, InferResponseBody, WireModelInput, WireModelOutput, WireNumberTensor } from './types.js'
import { readInferError, readInferRequest, readInferResponse, readModelInput, readModelOutput, readWire, WireIssue } from './wire-check.js'

/** Reads `value` with `read`; a problem is `BAD_REQUEST` naming where it is and what is wrong. */
function parse<T>(read: (value: unknown) => T, value: unknown, what: string): T {
  try {
    return readWire(value, read)
  } catch (err) {
    if (!(err instanceof WireIssue)) throw err
    const where = err.path.length > 0 ? ` at ${err.path.join('.')}` : ''
    throw new InferenceRequestError('BAD_REQUEST', `invalid ${what}${where}: ${err.message}`, {
      details: { issues: [{ path: [...err.path], message: err.message }] },
    })
  }
}

function numberTensorToWire(t: NumberTensor): WireNumberTensor {
  return {
    name: t.name,
    values: t.values.map((v) => ({ value: v.value.toString(), decimals: v.decimals.toString() })),
    shape: [...t.shape],
  }
}

function stringTensorsCopy(strings: readonly { name: string; values: readonly string[] }[]) {
  return strings.map((s) => ({ name: s.name, values: [...s.values] }))
}

/** `ModelInput` → wire JSON. */
export function modelInputToWire(input: ModelInput): WireModelInput {
  return { numbers: input.numbers.map(numberTensorToWire), strings: stringTensorsCopy(input.strings) }
}

/** `ModelOutput` → wire JSON. */
export function modelOutputToWire(output: ModelOutput): WireModelOutput {
  return {
    ...modelInputToWire(output),
    jsons: output.jsons.map((j) => ({ name: j.name, value: j.value })),
    isSimulationResult: output.isSimulationResult,
  }
}

/** Wire JSON → `ModelInput`; throws `InferenceRequestError('BAD_REQUEST')` if it is not one. */
export function modelInputFromWire(wire: unknown): ModelInput {
  return parse(readModelInput, wire, 'model input')
}

/** Wire JSON → `ModelOutput`; throws `BAD_REQUEST` if it is not one. */
export function modelOutputFromWire(wire: unknown): ModelOutput {
  return parse(readModelOutput, wire, 'model output')
}

/** The body a client POSTs to `/v1/infer` (with the request binding a TEE result must attest). */
export function inferRequestToWire(request: ModelInferenceRequest, binding?: ResultBinding): InferRequestBody {
  const body: InferRequestBody = { modelCid: request.modelCid, mode: request.mode, input: modelInputToWire(request.input) }
  if (binding !== undefined) body.binding = { requestId: binding.requestId, chainId: binding.chainId.toString() }
  return body
}

/** Validates a `/v1/infer` body; throws `BAD_REQUEST` (mode support is checked later, by the node). */
export function inferRequestFromWire(body: unknown): ModelInferenceRequest & { binding?: ResultBinding } {
  const parsed = parse(readInferRequest, body, 'request')
  return parsed as ModelInferenceRequest & { binding?: ResultBinding }
}

/** The body a node answers a successful `/v1/infer` with. */
export function inferResponseToWire(result: SignedInferenceResult): InferResponseBody {
  return {
    result: {
      modelCid: result.modelCid,
      mode: result.mode,
      inputHash: result.inputHash,
      outputHash: result.outputHash,
      output: modelOutputToWire(result.output),
      node: result.node,
      signature: result.signature,
      ...(result.attestation === undefined ? {} : { attestation: result.attestation }),
    },
  }
}

/** Validates a successful `/v1/infer` answer; throws `BAD_REQUEST` if it is not one. */
export function inferResponseFromWire(body: unknown): SignedInferenceResult {
  return parse(readInferResponse, body, 'response') as SignedInferenceResult
}

/** The body a node answers a refused request with. */
export function inferErrorToWire(code: InferErrorCode, message: string): InferErrorBody {
  return { error: { code, message } }
}

/** Reads an error answer; undefined when the body is not an `InferErrorBody` (e.g. a proxy's page). */
export function inferErrorFromWire(body: unknown): { code: string; message: string } | undefined {
  try {
    return readWire(body, readInferError)
  } catch (err) {
    if (err instanceof WireIssue) return undefined
    throw err
  }
}
