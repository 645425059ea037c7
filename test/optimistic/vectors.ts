/**
 * The pinned test vectors of the canonical integer path (`test/fixtures/optimistic/vectors.json`):
 * which models, which inputs, and how the file is computed. The test (`vectors.test.ts`) and the
 * regeneration script (`regenerate-vectors.ts`) both use this module, so they cannot disagree on
 * what a vector is; only the script ever writes the file.
 */
import { createHash } from 'node:crypto'
import type { ModelInput, TensorNumber } from '../../src/evm/types.js'
import { buildDemoModel, buildModel, seededRandom, type InitializerSpec, type NodeSpec } from '../../src/models/index.js'
import { CANONICAL_QUANTIZATION, loadCanonicalModel, quantizeCanonicalInput, runCanonical, type CanonicalModel } from '../../src/optimistic/canonical.js'
import { plaTable } from '../../src/zk/activations.js'
import { toTensorNumber } from '../../src/zk/fixed-point.js'
import type { QuantizedModel } from '../../src/zk/quantize.js'
import { fromModelOutput } from '../../src/zk/reference.js'

export const VECTORS_FILE = new URL('../fixtures/optimistic/vectors.json', import.meta.url)
export const VECTORS_FORMAT = 'inferchain.optimistic.vectors.v1'

export interface VectorFile {
  format: typeof VECTORS_FORMAT
  fractionBits: number
  inputBits: number
  /** sha256 of each activation's breakpoint table (decimal integers joined by ','): they come from Math.exp/tanh. */
  plaTables: Record<'sigmoid' | 'tanh', string>
  models: PinnedModel[]
}

export interface PinnedModel {
  name: string
  description: string
  /** CID and sha256 of the ONNX bytes the builder writes: a drift in the builder fails the test. */
  cid: string
  sha256: string
  /** sha256 of the quantized model (`quantizedDigest`): a drift in the quantizer fails the test. */
  quantizedSha256: string
  macs: number
  vectors: Vector[]
}

export interface Vector {
  label: string
  /** The chain input, each value `value · 10^-decimals` written exactly as `"<value>e<−decimals>"`. */
  input: string[]
  /** The quantized input (scale 2^-F), decimal strings. */
  quantized: string[]
  /** The canonical output (scale 2^-F), decimal strings. */
  output: string[]
}

interface DenseSpec {
  sizes: number[]
  /** ONNX activation op after each layer ('' = none). */
  activations: string[]
  seed: number
  /** Weights in [−scale/2, scale/2). */
  scale: number
  /** MatMul + Add instead of Gemm. */
  matmul?: boolean
  /** Input [1, 1, n] followed by Flatten. */
  flatten?: boolean
}

/** A float32 dense network, deterministic from its spec (own builder: other tests' helpers may change). */
function buildDense(name: string, spec: DenseSpec): Uint8Array {
  const random = seededRandom(spec.seed)
  const take = (n: number) => Array.from({ length: n }, () => Math.fround((random() - 0.5) * spec.scale))
  const initializers: InitializerSpec[] = []
  const nodes: NodeSpec[] = []
  let current = 'input'
  if (spec.flatten) {
    nodes.push({ op: 'Flatten', inputs: ['input'], outputs: ['flat'], attributes: { axis: 1 } })
    current = 'flat'
  }
  const layers = spec.sizes.length - 1
  for (let l = 0; l < layers; l++) {
    const [k, n] = [spec.sizes[l]!, spec.sizes[l + 1]!]
    initializers.push({ name: `w${l}`, dims: [k, n], float32: take(k * n) }, { name: `b${l}`, dims: [n], float32: take(n) })
    const activation = spec.activations[l] ?? ''
    const last = l === layers - 1
    const dense = last && !activation ? 'output' : `d${l}`
    if (spec.matmul) nodes.push({ op: 'MatMul', inputs: [current, `w${l}`], outputs: [`m${l}`] }, { op: 'Add', inputs: [`m${l}`, `b${l}`], outputs: [dense] })
    else nodes.push({ op: 'Gemm', inputs: [current, `w${l}`, `b${l}`], outputs: [dense] })
    current = dense
    if (activation) {
      current = last ? 'output' : `a${l}`
      nodes.push({ op: activation, inputs: [dense], outputs: [current] })
    }
  }
  return buildModel({
    name,
    inputs: [{ name: 'input', type: 'float32', shape: spec.flatten ? [1, 1, spec.sizes[0]!] : [1, spec.sizes[0]!] }],
    outputs: [{ name: 'output', type: 'float32', shape: [1, spec.sizes.at(-1)!] }],
    initializers,
    nodes,
  })
}

export interface VectorModel {
  name: string
  description: string
  build(): Uint8Array
}

/** The pinned models: the devnet's demo model and two dense networks that use every activation. */
export const VECTOR_MODELS: readonly VectorModel[] = [
  { name: 'demo-mlp', description: 'the devnet demo model: Gemm 16→32, Relu, Gemm 32→4 (src/models/demo-mlp.ts)', build: buildDemoModel },
  {
    name: 'sigmoid-tanh-mlp',
    description: 'MatMul+Add 8→12 Sigmoid, 12→6 Tanh, 6→3 Sigmoid; weights in [−2, 2), seed 11',
    build: () => buildDense('vec_sigmoid_tanh', { sizes: [8, 12, 6, 3], activations: ['Sigmoid', 'Tanh', 'Sigmoid'], seed: 11, scale: 4, matmul: true }),
  },
  {
    name: 'deep-relu-tanh',
    description: 'Flatten [1,1,12], Gemm 12→20 Relu, 20→16 Relu, 16→8 Tanh, 8→2 (no activation); weights in [−0.5, 0.5), seed 23',
    build: () => buildDense('vec_deep_relu_tanh', { sizes: [12, 20, 16, 8, 2], activations: ['Relu', 'Relu', 'Tanh', ''], seed: 23, scale: 1, flatten: true }),
  },
]

/** The inputs of every model: edge values first, then seeded ones. */
export function vectorInputs(model: CanonicalModel): { label: string; input: ModelInput }[] {
  const q = model.quantized
  const F = q.fractionBits
  const n = q.input.size
  const top = (1n << BigInt(q.inputBits - 1)) - 1n // the largest input: 128 − 2^-16
  const bottom = -(1n << BigInt(q.inputBits - 1)) // the smallest: −128
  const fill = (f: (i: number) => TensorNumber) => Array.from({ length: n }, (_, i) => f(i))
  const random = seededRandom(1000 + n)
  const decimal = (range: number, decimals: number): TensorNumber => ({
    value: BigInt(Math.floor((random() * 2 - 1) * range * 10 ** decimals)),
    decimals: BigInt(decimals),
  })
  // ±(k + ½)·2^-F exactly, as a decimal: the input quantization's ties (half away from zero).
  const tie = (i: number): TensorNumber => {
    const k = BigInt(i)
    return { value: (i % 2 ? -1n : 1n) * (2n * k + 1n) * 5n ** BigInt(F + 1), decimals: BigInt(F + 1) }
  }
  const cases: [string, TensorNumber[]][] = [
    ['zeros', fill(() => ({ value: 0n, decimals: 0n }))],
    ['max', fill(() => toTensorNumber(top, F))],
    ['min', fill(() => toTensorNumber(bottom, F))],
    ['alternating max/min', fill((i) => toTensorNumber(i % 2 ? bottom : top, F))],
    ['ones, negative integers', fill((i) => ({ value: BigInt(-1 - (i % 5)), decimals: 0n }))],
    ['rounding ties ±(k+½)·2^-16', fill(tie)],
    ['tiny, below one step', fill((i) => ({ value: BigInt(i % 3) - 1n, decimals: 7n }))],
  ]
  for (let s = 0; s < 6; s++) cases.push([`seeded [−2, 2) #${s}`, fill(() => decimal(2, 6))])
  for (let s = 0; s < 4; s++) cases.push([`seeded negative [−8, 0) #${s}`, fill(() => ({ ...decimal(8, 5), value: -abs(decimal(8, 5).value) }))])
  for (let s = 0; s < 6; s++) cases.push([`seeded full range #${s}`, fill(() => decimal(127.9, 4))])
  return cases.map(([label, values]) => ({ label, input: { numbers: [{ name: q.input.name, shape: [...q.input.shape], values }], strings: [] } }))
}

function abs(v: bigint): bigint {
  return v < 0n ? -v : v
}

/** sha256 of the quantized model's every field (bigints as decimals): pins the quantizer's output. */
export function quantizedDigest(model: QuantizedModel): string {
  return sha256(JSON.stringify(model, (_, v) => (typeof v === 'bigint' ? v.toString() : v)))
}

export function plaDigests(fractionBits: number): Record<'sigmoid' | 'tanh', string> {
  return {
    sigmoid: sha256(plaTable('sigmoid', fractionBits).values.join(',')),
    tanh: sha256(plaTable('tanh', fractionBits).values.join(',')),
  }
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}

/** The file's text: one line per array of numbers, so a diff shows which vector changed. */
export function formatVectorFile(file: VectorFile): string {
  return `${JSON.stringify(file, null, 1).replace(/\[\s*("[^"\[\]]*"(?:,\s*"[^"\[\]]*")*)\s*\]/g, (_, items: string) => `[${items.replace(/,\s+/g, ', ')}]`)}\n`
}

/** Computes the whole vector file with the reference executor (what regeneration writes). */
export function computeVectorFile(): VectorFile {
  const F = CANONICAL_QUANTIZATION.fractionBits
  return {
    format: VECTORS_FORMAT,
    fractionBits: F,
    inputBits: CANONICAL_QUANTIZATION.inputBits,
    plaTables: plaDigests(F),
    models: VECTOR_MODELS.map(({ name, description, build }) => {
      const bytes = build()
      const model = loadCanonicalModel(bytes)
      return {
        name,
        description,
        cid: model.cid,
        sha256: sha256(bytes),
        quantizedSha256: quantizedDigest(model.quantized),
        macs: model.macs,
        vectors: vectorInputs(model).map(({ label, input }) => ({
          label,
          input: input.numbers[0]!.values.map((v) => `${v.value}e${-v.decimals}`),
          quantized: quantizeCanonicalInput(model, input).map(String),
          output: fromModelOutput(model.quantized, runCanonical(model, input))!.map(String),
        })),
      }
    }),
  }
}

/** A pinned vector's chain input. */
export function vectorInput(model: CanonicalModel, vector: Vector): ModelInput {
  const q = model.quantized
  const values = vector.input.map((text) => {
    const match = /^(-?\d+)e(-?\d+)$/.exec(text)
    if (!match) throw new Error(`malformed vector input ${text}`)
    return { value: BigInt(match[1]!), decimals: -BigInt(match[2]!) }
  })
  return { numbers: [{ name: q.input.name, shape: [...q.input.shape], values }], strings: [] }
}
