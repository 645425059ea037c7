/** The demo model: a small MLP (Gemm → Relu → Gemm) with deterministic weights, written in code. */
import { ModelSpecError } from './errors.js'
import { buildModel } from './onnx-builder.js'
import { seededRandom } from './random.js'

/** Layer sizes and the weight seed of an MLP `input [1,inputSize] → hidden → output [1,outputSize]`. */
export interface MlpSpec {
  inputSize: number
  hiddenSize: number
  outputSize: number
  seed: number
}

/** The devnet's demo model: 16 → 32 → 4, seed 1. */
export const DEMO_MODEL: Readonly<MlpSpec> = Object.freeze({ inputSize: 16, hiddenSize: 32, outputSize: 4, seed: 1 })

/** An MLP's weights as float32 values (stored as JS numbers), row-major. */
export interface MlpWeights {
  /** [inputSize][hiddenSize] */
  w1: number[]
  /** [hiddenSize] */
  b1: number[]
  /** [hiddenSize][outputSize] */
  w2: number[]
  /** [outputSize] */
  b2: number[]
}

function checkSpec(spec: MlpSpec): void {
  for (const key of ['inputSize', 'hiddenSize', 'outputSize'] as const) {
    if (!Number.isInteger(spec[key]) || spec[key] < 1) throw new ModelSpecError(`MLP ${key} must be a positive integer, not ${spec[key]}`, { [key]: spec[key] })
  }
  if (!Number.isInteger(spec.seed)) throw new ModelSpecError(`MLP seed must be an integer, not ${spec.seed}`, { seed: spec.seed })
}

/**
 * The weights `buildMlpModel(spec)` writes, in [-0.5, 0.5), already rounded to float32 so that a JS
 * reference computes with exactly what the ONNX file stores.
 *
 * @example
 * const { w1, b1, w2, b2 } = mlpWeights(DEMO_MODEL)
 */
export function mlpWeights(spec: MlpSpec): MlpWeights {
  checkSpec(spec)
  const random = seededRandom(spec.seed)
  const take = (n: number) => Array.from({ length: n }, () => Math.fround(random() - 0.5))
  return {
    w1: take(spec.inputSize * spec.hiddenSize),
    b1: take(spec.hiddenSize),
    w2: take(spec.hiddenSize * spec.outputSize),
    b2: take(spec.outputSize),
  }
}

/**
 * An MLP as ONNX bytes: `output = Gemm(Relu(Gemm(input, w1, b1)), w2, b2)`, input `input` float32
 * [1, inputSize], output `output` float32 [1, outputSize]. Same spec, same bytes (and CID).
 *
 * @example
 * const bytes = buildMlpModel({ inputSize: 4, hiddenSize: 8, outputSize: 2, seed: 7 })
 */
export function buildMlpModel(spec: MlpSpec): Uint8Array {
  const w = mlpWeights(spec)
  return buildModel({
    name: `mlp_${spec.inputSize}x${spec.hiddenSize}x${spec.outputSize}`,
    inputs: [{ name: 'input', type: 'float32', shape: [1, spec.inputSize] }],
    outputs: [{ name: 'output', type: 'float32', shape: [1, spec.outputSize] }],
    initializers: [
      { name: 'w1', dims: [spec.inputSize, spec.hiddenSize], float32: w.w1 },
      { name: 'b1', dims: [spec.hiddenSize], float32: w.b1 },
      { name: 'w2', dims: [spec.hiddenSize, spec.outputSize], float32: w.w2 },
      { name: 'b2', dims: [spec.outputSize], float32: w.b2 },
    ],
    nodes: [
      { op: 'Gemm', inputs: ['input', 'w1', 'b1'], outputs: ['h'] },
      { op: 'Relu', inputs: ['h'], outputs: ['h_relu'] },
      { op: 'Gemm', inputs: ['h_relu', 'w2', 'b2'], outputs: ['output'] },
    ],
  })
}

/**
 * The demo model's bytes (`DEMO_MODEL`).
 *
 * @example
 * const { cid } = await new HubClient(hubUrl).upload(buildDemoModel(), { name: 'demo-mlp' })
 */
export function buildDemoModel(): Uint8Array {
  return buildMlpModel(DEMO_MODEL)
}
