/**
 * (OPTIMISTIC) What the canonical integer path costs: the reference executor (`runCanonical`: chain
 * tensors in, exact chain tensors out) against onnxruntime-node running *the same quantized model* —
 * a float32 ONNX whose weights are the quantized ones divided by 2^F (exact in float32) — for the demo
 * model and a ~100k-parameter MLP, medians, interleaved so both see the same machine. The second path
 * (int64 ONNX on onnxruntime-web wasm) is timed beside them.
 *
 * Dispute cost (gas and wall time of a challenge) is measured by the probe passed as `disputeCost`
 * (`bench/dispute.ts` in `npm run bench`); without one the table shows "not measured".
 *
 * Run alone: `npx tsx bench/optimistic.ts`. `benchOptimistic()` returns the figures,
 * `optimisticTable()` formats them.
 */
import { fileURLToPath } from 'node:url'
import { InferenceSession, Tensor } from 'onnxruntime-node'
import type { ModelInput } from '../src/evm/types.js'
import { buildDemoModel, buildMlpModel, seededRandom } from '../src/models/index.js'
import { buildModel, type NodeSpec } from '../src/models/onnx-builder.js'
import { loadCanonicalModel, quantizeCanonicalInput, runCanonical, type CanonicalModel } from '../src/optimistic/canonical.js'
import { createWasmIntegerExecutor } from '../src/optimistic/second-path.js'
import { toTensorNumber } from '../src/zk/fixed-point.js'
import { parameterCount, type QuantizedModel } from '../src/zk/quantize.js'
import { fromModelOutput } from '../src/zk/reference.js'
import { fmt, ratio, timeInterleaved, type Timing } from './stats.js'

/** ↓↓↓ FOR THE DISPUTE-COST BENCHMARK (another engineer fills this in) ↓↓↓ */
/** What one dispute over one inference of a model costs: a challenge through to its resolution. */
export interface DisputeCost {
  /** Gas of the dispute's transactions together (challenge, fraud proof / re-execution, settlement). */
  gas: bigint
  /** Wall time from submitting the challenge to the record being marked (median, ms). */
  wallMs: number
  /** What was measured, shown under the table. */
  note?: string
}
/** Measures the dispute cost of one model; `benchOptimistic` calls it once per benchmarked model. */
export type DisputeCostProbe = (model: CanonicalModel, name: string, onnx: Uint8Array) => Promise<DisputeCost>
/** ↑↑↑ FOR THE DISPUTE-COST BENCHMARK ↑↑↑ */

export interface OptimisticBenchOptions {
  /** Timed runs per model and path (default: 400 for small models, 100 for the 100k one). */
  runs?: number
  disputeCost?: DisputeCostProbe
  log?: (line: string) => void
}

export interface OptimisticBenchRow {
  name: string
  parameters: number
  macs: number
  /** runCanonical: quantize the chain input, run the reference executor, write the exact output. */
  reference: Timing
  /** onnxruntime-node, float32, the dequantized quantized model, one session.run (CPU, one thread). */
  onnxruntime: Timing
  /** The second path: int64 ONNX on onnxruntime-web's wasm backend, one thread. */
  wasmInteger: Timing
  /** max |canonical − onnxruntime float| over the timed inputs: rounding only, the weights being equal. */
  maxAbsDiff: number
  dispute?: DisputeCost
}

export interface OptimisticBenchResult {
  rows: OptimisticBenchRow[]
}

/** The benchmarked models: the demo model and a 256→384→4 MLP (100,228 parameters). */
const CASES: { name: string; build: () => Uint8Array; runs: number }[] = [
  { name: 'demo 16→32→4', build: buildDemoModel, runs: 400 },
  { name: 'MLP 256→384→4 (~100k params)', build: () => buildMlpModel({ inputSize: 256, hiddenSize: 384, outputSize: 4, seed: 5 }), runs: 100 },
]

/**
 * The quantized model as a float32 ONNX (Gemm per layer, weights q·2^-F): the model the canonical
 * path executes, as onnxruntime would run it. q has at most paramBits ≤ 24 significant bits, so
 * every weight is exact in float32.
 */
export function dequantizedOnnx(model: QuantizedModel): Uint8Array {
  const scale = 2 ** -model.fractionBits
  const ops: Record<string, string> = { relu: 'Relu', sigmoid: 'Sigmoid', tanh: 'Tanh' }
  const nodes: NodeSpec[] = []
  let current = 'input'
  for (const [l, layer] of model.layers.entries()) {
    nodes.push({ op: 'Gemm', inputs: [current, `w${l}`, `b${l}`], outputs: [`d${l}`], attributes: { transB: 1 } })
    current = `d${l}`
    const act = ops[layer.activation]
    if (act) {
      nodes.push({ op: act, inputs: [current], outputs: [`a${l}`] })
      current = `a${l}`
    }
  }
  nodes.at(-1)!.outputs = ['output']
  return buildModel({
    name: 'dequantized',
    inputs: [{ name: 'input', type: 'float32', shape: [1, model.input.size] }],
    outputs: [{ name: 'output', type: 'float32', shape: [1, model.output.size] }],
    initializers: model.layers.flatMap((layer, l) => [
      { name: `w${l}`, dims: [layer.outSize, layer.inSize], float32: layer.weights.map((w) => Number(w) * scale) },
      { name: `b${l}`, dims: [layer.outSize], float32: layer.bias.map((b) => Number(b) * scale) },
    ]),
    nodes,
  })
}

/**
 * Times the canonical path against onnxruntime-node on the same quantized models.
 *
 * @example
 * const result = await benchOptimistic({ log: console.error })
 * console.log(optimisticTable(result).join('\n'))
 */
export async function benchOptimistic(options: OptimisticBenchOptions = {}): Promise<OptimisticBenchResult> {
  const rows: OptimisticBenchRow[] = []
  for (const c of CASES) {
    const runs = options.runs ?? c.runs
    options.log?.(`optimistic: ${c.name}, ${runs} runs per path`)
    const bytes = c.build()
    const model = loadCanonicalModel(bytes)
    const q = model.quantized
    const F = q.fractionBits
    // Inputs in [−2, 2), multiples of 2^-F: the chain decimal and the float32 are the same number.
    const random = seededRandom(9)
    const inputs = Array.from({ length: 32 }, () => Array.from({ length: q.input.size }, () => BigInt(Math.floor((random() * 4 - 2) * 2 ** F))))
    const chain: ModelInput[] = inputs.map((x) => ({ numbers: [{ name: q.input.name, shape: [...q.input.shape], values: x.map((v) => toTensorNumber(v, F)) }], strings: [] }))
    const floats = inputs.map((x) => Float32Array.from(x, (v) => Number(v) / 2 ** F))
    // One thread, like the reference executor: a per-core comparison, steadier on a shared machine.
    const session = await InferenceSession.create(dequantizedOnnx(q), { intraOpNumThreads: 1, interOpNumThreads: 1 })
    const wasm = await createWasmIntegerExecutor(q)
    let maxAbsDiff = 0
    try {
      for (const [i, input] of chain.entries()) {
        const canonical = fromModelOutput(q, runCanonical(model, input))!
        const float = (await session.run({ input: new Tensor('float32', floats[i]!, [1, q.input.size]) })).output!.data as Float32Array
        canonical.forEach((y, j) => (maxAbsDiff = Math.max(maxAbsDiff, Math.abs(Number(y) / 2 ** F - float[j]!))))
      }
      const timings = await timeInterleaved(runs, {
        reference: async (i) => runCanonical(model, chain[(i + 32) % 32]!),
        onnxruntime: async (i) => session.run({ input: new Tensor('float32', floats[(i + 32) % 32]!, [1, q.input.size]) }),
        wasmInteger: async (i) => wasm.run(quantizeCanonicalInput(model, chain[(i + 32) % 32]!)),
      })
      const dispute = options.disputeCost ? await options.disputeCost(model, c.name, bytes) : undefined
      rows.push({ name: c.name, parameters: parameterCount(q), macs: model.macs, ...timings, maxAbsDiff, ...(dispute ? { dispute } : {}) })
    } finally {
      await session.release()
      await wasm.release()
    }
  }
  return { rows }
}

export function optimisticTable(r: OptimisticBenchResult): string[] {
  const notes = r.rows.flatMap((row) => (row.dispute?.note ? [`- ${row.name}: ${row.dispute.note}`] : []))
  return [
    'Per inference, medians. Both sides run the same quantized weights (onnxruntime-node: float32 Gemm on the dequantized weights, one thread, like the reference executor); the canonical path also converts the chain tensors in and out.',
    '',
    '| model | params | MACs | runCanonical (reference executor) | onnxruntime-node (float32) | reference ÷ onnxruntime | int64 graph on onnxruntime-web wasm (second path) | max \\|canonical − float\\| | dispute cost (gas, wall time) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...r.rows.map(
      (row) =>
        `| ${row.name} | ${row.parameters.toLocaleString('en-US')} | ${row.macs.toLocaleString('en-US')} | ${fmt(row.reference.medianMs)} | ${fmt(row.onnxruntime.medianMs)} | ${ratio(row.reference.medianMs, row.onnxruntime.medianMs)} | ${fmt(row.wasmInteger.medianMs)} | ${row.maxAbsDiff.toExponential(1)} | ${row.dispute ? `${row.dispute.gas.toLocaleString('en-US')} gas, ${fmt(row.dispute.wallMs)}` : 'not measured'} |`,
    ),
    ...(notes.length ? ['', ...notes] : []),
  ]
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = await benchOptimistic({ log: (line) => process.stderr.write(`${line}\n`) })
  process.stdout.write(`${optimisticTable(result).join('\n')}\n`)
  process.exit(0)
}
