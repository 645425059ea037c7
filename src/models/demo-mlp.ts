/** The demo model: a small MLP (Gemm → Relu → Gemm) with deterministic weights, written in code. */
import { buildModel, seededRandom } from './onnx-builder.js'

export interface MlpSpec {
  inputSize: number
  hiddenSize: number
  outputSize: number
  seed: number
}

export const DEMO_MODEL: MlpSpec = { inputSize: 16, hiddenSize: 32, outputSize: 4, seed: 1 }

export interface MlpWeights {
  /** [inputSize][hiddenSize], row-major flattened. */
  w1: number[]
  b1: number[]
  /** [hiddenSize][outputSize] */
  w2: number[]
  b2: number[]
}

/** Weights in [-0.5, 0.5), rounded to float32 so the JS reference computes with what ONNX stores. */
export function mlpWeights(spec: MlpSpec): MlpWeights {
  const random = seededRandom(spec.seed)
  const take = (n: number) => Array.from({ length: n }, () => Math.fround(random() - 0.5))
  return {
    w1: take(spec.inputSize * spec.hiddenSize),
    b1: take(spec.hiddenSize),
    w2: take(spec.hiddenSize * spec.outputSize),
    b2: take(spec.outputSize),
  }
}

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

export function buildDemoModel(): Uint8Array {
  return buildMlpModel(DEMO_MODEL)
}
