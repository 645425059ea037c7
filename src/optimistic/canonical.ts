/**
 * OPTIMISTIC mode's canonical integer path. A challenger must re-run an inference and get the very
 * same output, and float runtimes do not promise that across machines (summation order, fused
 * multiply-add, SIMD width and libm all differ). So an OPTIMISTIC result is *defined* as the output
 * of the model quantized to fixed point (`quantizeNetwork`, `DEFAULT_QUANTIZATION`: F = 16, inputs
 * in [−128, 128)) and executed by the project's deterministic reference executor (`runQuantized`) —
 * the same integer semantics the ZK circuits prove. Integer arithmetic has one answer everywhere.
 *
 * The semantics are written down in `docs/decisions/optimistic.md`; `test/fixtures/optimistic/
 * vectors.json` pins outputs bit for bit, and a second, independent executor (an integer ONNX graph
 * on onnxruntime-web's wasm backend, `second-path.ts`) reproduces them.
 */
import type { ModelInput, ModelOutput } from '../evm/types.js'
import { computeCid } from '../hub/cid.js'
import { MAX_INPUT_DECIMALS } from '../inference/fixed-point.js'
import { ZkModelError } from '../zk/errors.js'
import { quantizeDecimal } from '../zk/fixed-point.js'
import { importOnnxNetwork } from '../zk/onnx-import.js'
import { DEFAULT_QUANTIZATION, quantizeNetwork, type QuantizedModel } from '../zk/quantize.js'
import { runQuantized, toModelOutput } from '../zk/reference.js'
import { CanonicalInputError, CanonicalModelError } from './errors.js'

/**
 * The fixed point of the canonical path. Fixed, not per model: it is part of what every validator
 * must agree on, and equal to ZK mode's default so one model has one integer semantics in both modes.
 */
export const CANONICAL_QUANTIZATION = DEFAULT_QUANTIZATION

/** A model prepared for the canonical integer path (OPTIMISTIC mode). */
export interface CanonicalModel {
  readonly quantized: QuantizedModel
  /** Multiply-accumulates per inference (Σ inSize · outSize over the dense layers): the cost measure. */
  readonly macs: number
  /** CID of the ONNX bytes the model was loaded from (what the chain's model ID names). */
  readonly cid: string
}

/**
 * Reads an ONNX model (the dense-layer subset of `ZK_SUPPORTED_OPS`) and quantizes it at
 * `CANONICAL_QUANTIZATION`. Pure: the same bytes give the same integers on every machine.
 *
 * @throws CanonicalModelError (code 'CANONICAL_UNSUPPORTED') when the ONNX graph is outside the supported subset
 * @example
 * const model = loadCanonicalModel(buildDemoModel())
 * model.macs // 16·32 + 32·4 = 640
 */
export function loadCanonicalModel(onnxBytes: Uint8Array): CanonicalModel {
  let quantized: QuantizedModel
  try {
    quantized = quantizeNetwork(importOnnxNetwork(onnxBytes), CANONICAL_QUANTIZATION)
  } catch (err) {
    if (err instanceof ZkModelError) {
      throw new CanonicalModelError(`not runnable on the canonical integer path: ${err.shortMessage}`, {
        details: { ...err.details, reason: err.code },
        cause: err,
      })
    }
    throw err
  }
  const macs = quantized.layers.reduce((n, l) => n + l.inSize * l.outSize, 0)
  return Object.freeze({ quantized, macs, cid: computeCid(onnxBytes) })
}

/**
 * The canonical output of a chain request: exactly what the inference node returns in OPTIMISTIC
 * mode and what every validator recomputes in a dispute. One number tensor named like the model's
 * output, each value `q / 2^F` written exactly (`decimals` = F), so the integers can be read back.
 *
 * @throws CanonicalInputError (code 'BAD_TENSOR_NAME' / 'BAD_TENSOR_SHAPE' / 'BAD_TENSOR_VALUE')
 * @example
 * const output = runCanonical(model, { numbers: [{ name: 'input', shape: [1, 16], values }], strings: [] })
 */
export function runCanonical(model: CanonicalModel, input: ModelInput): ModelOutput {
  return toModelOutput(model.quantized, runQuantized(model.quantized, quantizeCanonicalInput(model, input)))
}

/**
 * The quantized input vector of a chain request (what `runCanonical` executes on; fraud proofs and
 * the second path start from it).
 *
 * @throws CanonicalInputError
 */
export function quantizeCanonicalInput(model: CanonicalModel, input: ModelInput): bigint[] {
  const spec = model.quantized.input
  const stray = [...input.numbers, ...input.strings].find((t) => t.name !== spec.name)
  if (stray) throw new CanonicalInputError('BAD_TENSOR_NAME', `the model has no input "${stray.name}"`, { name: stray.name })
  if (input.strings.length > 0) {
    throw new CanonicalInputError('BAD_TENSOR_NAME', `input "${spec.name}" is a number tensor, given as strings`, { name: spec.name })
  }
  if (input.numbers.length !== 1) {
    const why = input.numbers.length === 0 ? 'is missing' : 'is given more than once'
    throw new CanonicalInputError('BAD_TENSOR_NAME', `model input "${spec.name}" ${why}`, { name: spec.name })
  }
  const tensor = input.numbers[0]!
  const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i])
  // A batch of one may be left out ([16] for [1, 16]); anything else is another shape.
  const shapeOk = same(tensor.shape, spec.shape) || (spec.shape[0] === 1 && same(tensor.shape, spec.shape.slice(1)))
  if (!shapeOk || tensor.values.length !== spec.size) {
    throw new CanonicalInputError('BAD_TENSOR_SHAPE', `input "${spec.name}" has shape [${tensor.shape}] (${tensor.values.length} values), the model takes [${spec.shape}]`, {
      name: spec.name,
      shape: [...tensor.shape],
      expected: [...spec.shape],
    })
  }
  const F = model.quantized.fractionBits
  const limit = 1n << BigInt(model.quantized.inputBits - 1)
  return tensor.values.map((v, index) => {
    // Checked before quantizing: a hostile decimals value would make 10^decimals enormous.
    if (v.decimals > MAX_INPUT_DECIMALS || v.decimals < -MAX_INPUT_DECIMALS) {
      throw new CanonicalInputError('BAD_TENSOR_VALUE', `input "${spec.name}"[${index}]: |decimals| must be at most ${MAX_INPUT_DECIMALS}`, { name: spec.name, index })
    }
    const q = quantizeDecimal(v.value, v.decimals, F)
    if (q < -limit || q >= limit) {
      const range = 2 ** (model.quantized.inputBits - 1 - F)
      throw new CanonicalInputError('BAD_TENSOR_VALUE', `input "${spec.name}"[${index}] is outside the canonical input range [-${range}, ${range})`, {
        name: spec.name,
        index,
      })
    }
    return q
  })
}
