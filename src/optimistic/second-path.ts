/**
 * A second, independent executor of the canonical integer semantics: the quantized model written as
 * an *integer* ONNX graph (int64 tensors only) and run by onnxruntime-web's wasm backend. It shares no
 * arithmetic code with the reference executor (`runQuantized`): another compiler's kernels (C++ built
 * to WebAssembly) do the products, sums and divisions. Agreement on the pinned vectors therefore
 * shows that the canonical output is a property of the integer semantics, not of one program.
 *
 * The graph, per dense layer (F = fractionBits, all int64):
 *
 *     acc = MatMul(x, Wᵀ) + (bias·2^F + 2^(F−1))
 *     y   = (acc − Mod(acc, 2^F)) / 2^F            floor division: ONNX integer Div truncates
 *                                                   toward zero, but Mod (fmod = 0) takes the
 *                                                   divisor's sign, so acc − Mod is an exact multiple
 *     y   = Max(y, 0)                               Relu
 *     PLA (Sigmoid/Tanh, `src/zk/activations.ts`):
 *       u = Min(Max(y + R·2^F, 0), K·2^W)           the clamps of both ends
 *       k = u / 2^W,  r = u − k·2^W                 u ≥ 0 here, so Div is floor
 *       y = T[k] + floor(r · (T'[k] − T[k]) / 2^W)  T' = T shifted by one (T'[K] = T[K]: r = 0 there)
 *
 * which is `runQuantized`'s arithmetic step for step. int64 must hold every value: a model whose
 * accumulator width (`accBits`, from interval arithmetic) exceeds 64 bits is refused here (the
 * reference executor itself has no such limit: it falls back to bigint).
 */
import * as ort from 'onnxruntime-web'
import { buildModel, type InitializerSpec, type NodeSpec } from '../models/onnx-builder.js'
import { isPla, plaTable } from '../zk/activations.js'
import type { QuantizedModel } from '../zk/quantize.js'
import { SecondPathError } from './errors.js'

/** Name of the int64 input (the quantized values) and output of the emitted graph. */
export const INTEGER_GRAPH_INPUT = 'q'
export const INTEGER_GRAPH_OUTPUT = 'y'

/**
 * The quantized model as an int64 ONNX graph (opset 17: MatMul, Add, Sub, Mul, Div, Mod, Max, Min,
 * Gather). Same model, same bytes.
 *
 * @throws SecondPathError `SECOND_PATH_RANGE` when a value could leave int64
 * @example
 * const bytes = emitIntegerOnnx(loadCanonicalModel(buildDemoModel()).quantized)
 */
export function emitIntegerOnnx(model: QuantizedModel): Uint8Array {
  const F = model.fractionBits
  const initializers: InitializerSpec[] = []
  const nodes: NodeSpec[] = []
  const constants = new Map<bigint, string>()
  /** A scalar int64 constant, shared by every node that needs it. */
  const scalar = (v: bigint): string => {
    let name = constants.get(v)
    if (!name) {
      name = `c${constants.size}`
      constants.set(v, name)
      initializers.push({ name, dims: [], int64: [v] })
    }
    return name
  }
  let n = 0
  const node = (op: string, inputs: string[], attributes?: NodeSpec['attributes']): string => {
    const out = `t${n++}`
    nodes.push({ op, inputs, outputs: [out], ...(attributes ? { attributes } : {}) })
    return out
  }
  /** floor(a / 2^bits) for any sign of a, exactly. */
  const floorShift = (a: string, bits: number): string => {
    const p = scalar(1n << BigInt(bits))
    return node('Div', [node('Sub', [a, node('Mod', [a, p], { fmod: 0 })]), p])
  }

  let x = INTEGER_GRAPH_INPUT
  for (const [index, layer] of model.layers.entries()) {
    // accBits is a two's-complement width (sign included) bounding every partial sum as well.
    if (layer.accBits > 64) {
      throw new SecondPathError('SECOND_PATH_RANGE', `layer ${index} accumulates ${layer.accBits}-bit values; int64 holds 64`, {
        details: { layer: index, accBits: layer.accBits },
      })
    }
    // Wᵀ: the executor's weights are [out][in]; MatMul takes x [1, in] · W [in, out].
    const wt = new Array<bigint>(layer.inSize * layer.outSize)
    for (let j = 0; j < layer.outSize; j++) for (let i = 0; i < layer.inSize; i++) wt[i * layer.outSize + j] = layer.weights[j * layer.inSize + i]!
    const half = 1n << BigInt(F - 1)
    initializers.push(
      { name: `w${index}`, dims: [layer.inSize, layer.outSize], int64: wt },
      { name: `b${index}`, dims: [layer.outSize], int64: layer.bias.map((b) => (b << BigInt(F)) + half) },
    )
    let y = floorShift(node('Add', [node('MatMul', [x, `w${index}`]), `b${index}`]), F)
    if (layer.activation === 'relu') y = node('Max', [y, scalar(0n)])
    if (isPla(layer.activation)) {
      const table = plaTable(layer.activation, F)
      const K = table.segments
      const W = table.segmentBits
      const lo = `pla${index}_lo`
      const hi = `pla${index}_hi`
      initializers.push(
        { name: lo, dims: [K + 1], int64: table.values },
        { name: hi, dims: [K + 1], int64: [...table.values.slice(1), table.values[K]!] },
      )
      const shifted = node('Add', [y, scalar(BigInt(table.range) << BigInt(F))])
      const u = node('Min', [node('Max', [shifted, scalar(0n)]), scalar(BigInt(K) << BigInt(W))])
      const k = node('Div', [u, scalar(1n << BigInt(W))])
      const r = node('Sub', [u, node('Mul', [k, scalar(1n << BigInt(W))])])
      const y0 = node('Gather', [lo, k], { axis: 0 })
      const y1 = node('Gather', [hi, k], { axis: 0 })
      y = node('Add', [y0, floorShift(node('Mul', [r, node('Sub', [y1, y0])]), W)])
    }
    x = y
  }
  // The last node writes the graph output.
  nodes.at(-1)!.outputs = [INTEGER_GRAPH_OUTPUT]
  return buildModel({
    name: 'inferchain_canonical_int64',
    inputs: [{ name: INTEGER_GRAPH_INPUT, type: 'int64', shape: [1, model.input.size] }],
    outputs: [{ name: INTEGER_GRAPH_OUTPUT, type: 'int64', shape: [1, model.output.size] }],
    initializers,
    nodes,
  })
}

/** The emitted integer graph loaded in onnxruntime-web (wasm backend, one thread). */
export interface WasmIntegerExecutor {
  /** The integer ONNX bytes it runs. */
  readonly graph: Uint8Array
  /** Runs the graph on a quantized input vector; returns the quantized output vector. */
  run(input: readonly bigint[]): Promise<bigint[]>
  release(): Promise<void>
}

/**
 * Loads `emitIntegerOnnx(model)` into onnxruntime-web's wasm backend.
 *
 * @throws SecondPathError `SECOND_PATH_RANGE` (see `emitIntegerOnnx`), `SECOND_PATH_FAILED` when the runtime refuses the graph
 * @example
 * const wasm = await createWasmIntegerExecutor(model.quantized)
 * const y = await wasm.run(quantizeCanonicalInput(model, input))
 */
export async function createWasmIntegerExecutor(model: QuantizedModel): Promise<WasmIntegerExecutor> {
  const graph = emitIntegerOnnx(model)
  // One thread: no worker threads in Node, and the machine's cores are shared.
  ort.env.wasm.numThreads = 1
  let session: ort.InferenceSession
  try {
    session = await ort.InferenceSession.create(graph, { executionProviders: ['wasm'] })
  } catch (cause) {
    throw new SecondPathError('SECOND_PATH_FAILED', `onnxruntime-web refused the integer graph: ${(cause as Error).message}`, { cause })
  }
  const size = model.input.size
  return {
    graph,
    async run(input) {
      if (input.length !== size) throw new SecondPathError('SECOND_PATH_FAILED', `the graph takes ${size} values, ${input.length} given`)
      const feeds = { [INTEGER_GRAPH_INPUT]: new ort.Tensor('int64', BigInt64Array.from(input), [1, size]) }
      const result = await session.run(feeds)
      return Array.from(result[INTEGER_GRAPH_OUTPUT]!.data as BigInt64Array)
    },
    release: () => session.release(),
  }
}
