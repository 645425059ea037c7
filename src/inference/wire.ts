/**
 * Conversion between the in-memory types (`src/evm/types.ts`, bigints) and the wire JSON of the
 * inference protocol (`./types.ts`, bigints as canonical decimal strings). Everything read from the
 * wire is validated against what the ABI can carry (int128 numbers, uint32 dims, 32-byte hashes),
 * so a value that passes here always hashes and encodes.
 */
import { z } from 'zod'
import type { Hex } from 'viem'
import type { ModelInferenceMode, ModelInferenceRequest, ModelInput, ModelOutput, NumberTensor, SignedInferenceResult } from '../evm/types.js'
import type { ResultBinding } from './engine.js'
import { InferenceRequestError } from './errors.js'
import type { InferErrorBody, InferErrorCode, InferRequestBody, InferResponseBody, WireModelInput, WireModelOutput, WireNumberTensor } from './types.js'

const INT128_MIN = -(2n ** 127n)
const INT128_MAX = 2n ** 127n - 1n
const UINT32_MAX = 2 ** 32 - 1

/** A canonical decimal integer in int128 range ("0", "-15", never "+1", "01" or "-0"). */
const int128 = z
  .string()
  .regex(/^(0|-?[1-9][0-9]{0,38})$/, 'expected a canonical decimal integer')
  .transform((s) => BigInt(s))
  .refine((n) => n >= INT128_MIN && n <= INT128_MAX, 'out of int128 range')

const hex = (bytes: number) =>
  z.string().regex(new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`), `expected ${bytes} bytes of 0x-hex`).transform((s) => s as Hex)

const numberTensor = z.object({
  name: z.string(),
  values: z.array(z.object({ value: int128, decimals: int128 })),
  shape: z.array(z.number().int().min(0).max(UINT32_MAX)),
})
const stringTensor = z.object({ name: z.string(), values: z.array(z.string()) })
const modelInput = z.object({ numbers: z.array(numberTensor), strings: z.array(stringTensor) })
const modelOutput = modelInput.extend({
  jsons: z.array(z.object({ name: z.string(), value: z.string() })),
  isSimulationResult: z.boolean(),
})
const mode = z.number().int().min(0).max(255)
const binding = z.object({
  requestId: hex(32),
  chainId: z.string().regex(/^(0|[1-9][0-9]{0,77})$/, 'expected a canonical decimal integer').transform((v) => BigInt(v)),
})
const inferRequest = z.object({ modelCid: z.string().min(1).max(256), mode, input: modelInput, binding: binding.optional() })
/** Attestation documents are a few KiB; 64 KiB of hex leaves room for long certificate chains. */
const attestation = z.string().regex(/^0x(?:[0-9a-fA-F]{2}){1,65536}$/, 'expected 0x-hex bytes').transform((s) => s as Hex)
const signedResult = z.object({
  modelCid: z.string(),
  mode,
  inputHash: hex(32),
  outputHash: hex(32),
  output: modelOutput,
  node: hex(20),
  signature: hex(65),
  attestation: attestation.optional(),
})
const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) })

function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : ''
    throw new InferenceRequestError('BAD_REQUEST', `invalid ${what}${where}: ${issue?.message ?? 'malformed'}`, {
      details: { issues: parsed.error.issues },
    })
  }
  return parsed.data
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
  return parse(modelInput, wire, 'model input')
}

/** Wire JSON → `ModelOutput`; throws `BAD_REQUEST` if it is not one. */
export function modelOutputFromWire(wire: unknown): ModelOutput {
  return parse(modelOutput, wire, 'model output')
}

/** The body a client POSTs to `/v1/infer` (with the request binding a TEE result must attest). */
export function inferRequestToWire(request: ModelInferenceRequest, binding?: ResultBinding): InferRequestBody {
  const body: InferRequestBody = { modelCid: request.modelCid, mode: request.mode, input: modelInputToWire(request.input) }
  if (binding !== undefined) body.binding = { requestId: binding.requestId, chainId: binding.chainId.toString() }
  return body
}

/** Validates a `/v1/infer` body; throws `BAD_REQUEST` (mode support is checked later, by the node). */
export function inferRequestFromWire(body: unknown): ModelInferenceRequest & { binding?: ResultBinding } {
  const { binding: wireBinding, ...parsed } = parse(inferRequest, body, 'request')
  return { ...parsed, mode: parsed.mode as ModelInferenceMode, ...(wireBinding === undefined ? {} : { binding: wireBinding }) }
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
  const { result } = parse(z.object({ result: signedResult }), body, 'response')
  const { attestation: document, ...rest } = result
  return { ...rest, mode: result.mode as ModelInferenceMode, ...(document === undefined ? {} : { attestation: document }) }
}

/** The body a node answers a refused request with. */
export function inferErrorToWire(code: InferErrorCode, message: string): InferErrorBody {
  return { error: { code, message } }
}

/** Reads an error answer; undefined when the body is not an `InferErrorBody` (e.g. a proxy's page). */
export function inferErrorFromWire(body: unknown): { code: string; message: string } | undefined {
  const parsed = errorBody.safeParse(body)
  return parsed.success ? parsed.data.error : undefined
}
