/**
 * ONNX models for the ZK tests, built in code: MLPs of any depth (Gemm or MatMul+Add, optional
 * Flatten/Reshape in front), so each test takes the smallest model that shows its point.
 */
import { InferenceSession, Tensor } from 'onnxruntime-node'
import { buildModel, seededRandom, type InitializerSpec, type NodeSpec } from '../../src/models/index.js'

export interface MlpOptions {
  /** Layer widths, input first: [16, 32, 4] is 16 → 32 → 4. */
  sizes: number[]
  seed: number
  /** Relu after every layer but the last (default), or after none. */
  relu?: boolean
  /** The activation op after each layer instead ('' = none), e.g. ['Sigmoid', 'Tanh', '']. */
  activations?: string[]
  /** Write layers as MatMul + Add instead of Gemm. */
  matmul?: boolean
  /** Input as [1, 1, n] followed by a Flatten (exercises the shape ops). */
  flatten?: boolean
  /** Weight magnitude: values in [-scale/2, scale/2) (default 1). */
  scale?: number
}

/** A float32 MLP with seeded weights. */
export function buildMlp(options: MlpOptions): Uint8Array {
  const random = seededRandom(options.seed)
  const scale = options.scale ?? 1
  const take = (n: number) => Array.from({ length: n }, () => Math.fround((random() - 0.5) * scale))
  const { sizes } = options
  const initializers: InitializerSpec[] = []
  const nodes: NodeSpec[] = []
  let current = 'input'
  if (options.flatten) {
    nodes.push({ op: 'Flatten', inputs: ['input'], outputs: ['flat'], attributes: { axis: 1 } })
    current = 'flat'
  }
  for (let l = 0; l + 1 < sizes.length; l++) {
    const [k, n] = [sizes[l]!, sizes[l + 1]!]
    initializers.push({ name: `w${l}`, dims: [k, n], float32: take(k * n) }, { name: `b${l}`, dims: [n], float32: take(n) })
    const last = l + 2 === sizes.length
    const activation = options.activations ? options.activations[l] ?? '' : !last && options.relu !== false ? 'Relu' : ''
    const out = last && !activation ? 'output' : `h${l}`
    if (options.matmul) {
      nodes.push({ op: 'MatMul', inputs: [current, `w${l}`], outputs: [`mm${l}`] }, { op: 'Add', inputs: [`mm${l}`, `b${l}`], outputs: [out] })
    } else {
      nodes.push({ op: 'Gemm', inputs: [current, `w${l}`, `b${l}`], outputs: [out] })
    }
    current = out
    if (activation) {
      const next = last ? 'output' : `r${l}`
      nodes.push({ op: activation, inputs: [current], outputs: [next] })
      current = next
    }
  }
  return buildModel({
    name: `zk_mlp_${sizes.join('x')}`,
    inputs: [{ name: 'input', type: 'float32', shape: options.flatten ? [1, 1, sizes[0]!] : [1, sizes[0]!] }],
    outputs: [{ name: 'output', type: 'float32', shape: [1, sizes.at(-1)!] }],
    initializers,
    nodes,
  })
}

/** Inputs in [-range, range), rounded to float32, from a seed. */
export function randomInputs(count: number, size: number, seed: number, range = 2): number[][] {
  const random = seededRandom(seed)
  return Array.from({ length: count }, () => Array.from({ length: size }, () => Math.fround((random() * 2 - 1) * range)))
}

/** onnxruntime's float output for each input (one session). */
export async function runOnnx(bytes: Uint8Array, inputs: number[][], shape?: number[]): Promise<Float32Array[]> {
  const session = await InferenceSession.create(bytes)
  const out: Float32Array[] = []
  for (const x of inputs) {
    const result = await session.run({ input: new Tensor('float32', Float32Array.from(x), shape ?? [1, x.length]) })
    out.push(result.output!.data as Float32Array)
  }
  await session.release()
  return out
}
