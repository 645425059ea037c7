/**
 * (ZK) What proving an inference costs: for MLPs of ~1k, ~10k and ~100k parameters (and the demo
 * model), the circuit size, proving time, verification time (snarkjs, and gas on chain for the demo),
 * proof size and the memory peak of proving — next to the raw inference time of the same model in
 * onnxruntime and in the quantized reference executor, so "proving cost / inference cost" is a
 * ratio measured in one run.
 *
 * Compiling and the per-circuit setup are cached (.cache/zk, keyed by circuit id); their wall times
 * are the ones recorded when each entry was made. A first run makes them (a few minutes on 2 cores).
 *
 * Run alone: `npx tsx bench/zk.ts` (prints the table). `benchZk()` returns the figures; `zkTable()`
 * formats them.
 */
import { cpus, loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { InferenceSession, Tensor } from 'onnxruntime-node'
import { buildDemoModel, seededRandom } from '../src/models/index.js'
import { buildModel, type InitializerSpec, type NodeSpec } from '../src/models/onnx-builder.js'
import {
  dequantize,
  DEFAULT_QUANTIZATION,
  encodeEnvelope,
  parameterCount,
  prepareZkModel,
  quantizeInputVector,
  releaseZkWorkers,
  runQuantized,
  type QuantizationParams,
  type WeightVisibility,
} from '../src/zk/index.js'
import { fmt, ratio, time, type Timing } from './stats.js'

export interface ZkBenchCase {
  name: string
  /** Layer widths, input first. */
  sizes: number[]
  quantization: QuantizationParams
  weights: WeightVisibility
}

export interface ZkBenchRow {
  name: string
  sizes: number[]
  parameters: number
  fractionBits: number
  weights: WeightVisibility
  constraints: number
  /** Wall time of compiling and of the per-circuit setup, when each was made (cached since). */
  compileSeconds: number
  setupSeconds: number
  /** onnxruntime float32, one session.run. */
  onnxruntime: Timing
  /** The quantized reference executor (what the inference node runs in ZK mode). */
  reference: Timing
  /** Witness + Groth16 proof. */
  prove: Timing
  witnessMedianMs: number
  /** snarkjs groth16.verify against the expected statement, after the statement check. */
  verify: Timing
  proofBytes: number
  envelopeBytes: number
  /** Peak resident memory of the process while proving, and its growth over the level before. */
  peakRssMb: number
  proveRssGrowthMb: number
  /** max |quantized − onnxruntime| over the runs' inputs, and the largest |output| (for scale). */
  maxAbsError: number
  maxAbsOutput: number
}

export interface ZkBenchResult {
  rows: ZkBenchRow[]
  /** 1-minute load averages before and after: on a shared 2-core machine they say how much to trust the times. */
  loadBefore: number
  loadAfter: number
}

const F8: QuantizationParams = { fractionBits: 8, inputBits: 12 }

/**
 * ~1k, ~10k parameters at the default 16 fraction bits; ~10k and ~100k at 8 (EZKL's default scale is
 * 7; ~100k fits the committed 2^14 setup only at 8); private weights at ~1k (they cost per weight).
 */
export const ZK_BENCH_CASES: ZkBenchCase[] = [
  { name: 'demo', sizes: [16, 32, 4], quantization: DEFAULT_QUANTIZATION, weights: 'constant' },
  { name: '~1k params', sizes: [32, 24, 8], quantization: DEFAULT_QUANTIZATION, weights: 'constant' },
  { name: '~10k params', sizes: [64, 128, 16], quantization: DEFAULT_QUANTIZATION, weights: 'constant' },
  { name: '~10k params', sizes: [64, 128, 16], quantization: F8, weights: 'constant' },
  { name: '~100k params', sizes: [512, 192, 10], quantization: F8, weights: 'constant' },
  { name: '~1k params', sizes: [32, 24, 8], quantization: F8, weights: 'private' },
]

/** An MLP with Relu between layers and weights in [-0.5, 0.5) (the demo model is one of these). */
function mlp(sizes: number[], seed: number): Uint8Array {
  if (sizes.join() === '16,32,4' && seed === 1) return buildDemoModel()
  const random = seededRandom(seed)
  const take = (n: number) => Array.from({ length: n }, () => Math.fround(random() - 0.5))
  const initializers: InitializerSpec[] = []
  const nodes: NodeSpec[] = []
  let current = 'input'
  for (let l = 0; l + 1 < sizes.length; l++) {
    const [k, n] = [sizes[l]!, sizes[l + 1]!]
    initializers.push({ name: `w${l}`, dims: [k, n], float32: take(k * n) }, { name: `b${l}`, dims: [n], float32: take(n) })
    const last = l + 2 === sizes.length
    nodes.push({ op: 'Gemm', inputs: [current, `w${l}`, `b${l}`], outputs: [last ? 'output' : `h${l}`] })
    if (!last) nodes.push({ op: 'Relu', inputs: [`h${l}`], outputs: [`r${l}`] })
    current = `r${l}`
  }
  return buildModel({
    name: `bench_mlp_${sizes.join('x')}`,
    inputs: [{ name: 'input', type: 'float32', shape: [1, sizes[0]!] }],
    outputs: [{ name: 'output', type: 'float32', shape: [1, sizes.at(-1)!] }],
    initializers,
    nodes,
  })
}

/** Samples RSS every few milliseconds while `task` runs; returns its result and the peak. */
async function withPeakRss<T>(task: () => Promise<T>): Promise<{ value: T; peak: number }> {
  let peak = process.memoryUsage().rss
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5)
  try {
    const value = await task()
    return { value, peak: Math.max(peak, process.memoryUsage().rss) }
  } finally {
    clearInterval(timer)
  }
}

export async function benchZk(options: { proofs?: number; cases?: ZkBenchCase[]; log?: (line: string) => void } = {}): Promise<ZkBenchResult> {
  const proofs = options.proofs ?? 5
  const log = options.log ?? (() => {})
  const rows: ZkBenchRow[] = []
  const loadBefore = loadavg()[0]!
  try {
    for (const c of options.cases ?? ZK_BENCH_CASES) {
      log(`zk: ${c.name} (${c.sizes.join('→')}, ${c.weights} weights): preparing ...`)
      const bytes = mlp(c.sizes, 1)
      const zk = await prepareZkModel(bytes, { quantization: c.quantization, weights: c.weights })
      const random = seededRandom(7)
      const range = 2 ** (zk.model.inputBits - 1 - zk.model.fractionBits)
      const floats = Array.from({ length: proofs + 20 }, () => Array.from({ length: c.sizes[0]! }, () => Math.fround((random() * 2 - 1) * Math.min(2, range / 2))))
      const inputs = floats.map((x) => quantizeInputVector(zk.model, x))

      const session = await InferenceSession.create(bytes, { intraOpNumThreads: 1 })
      const feeds = floats.map((x) => ({ input: new Tensor('float32', Float32Array.from(x), [1, x.length]) }))
      const onnxOutputs: Float32Array[] = []
      for (const f of feeds) onnxOutputs.push((await session.run(f)).output!.data as Float32Array)
      const onnxruntime = await time(200, (i) => session.run(feeds[Math.abs(i) % feeds.length]!))
      await session.release()
      const reference = await time(200, async (i) => runQuantized(zk.model, inputs[Math.abs(i) % inputs.length]!))
      let maxAbsError = 0
      let maxAbsOutput = 0
      inputs.forEach((q, k) =>
        runQuantized(zk.model, q).forEach((v, i) => {
          maxAbsError = Math.max(maxAbsError, Math.abs(dequantize(v, zk.model.fractionBits) - onnxOutputs[k]![i]!))
          maxAbsOutput = Math.max(maxAbsOutput, Math.abs(onnxOutputs[k]![i]!))
        }),
      )

      log(`zk: ${c.name}: proving ${proofs}× ...`)
      await zk.prove(inputs[0]!) // warm: the curve's workers, the witness calculator
      const before = process.memoryUsage().rss
      const witnessMs: number[] = []
      const envelopes: Awaited<ReturnType<typeof zk.prove>>[] = []
      const { value: prove, peak } = await withPeakRss(() =>
        time(
          proofs,
          async (i) => {
            const proved = await zk.prove(inputs[i]!)
            witnessMs.push(proved.timings.witnessSeconds * 1000)
            envelopes.push(proved)
          },
          0,
        ),
      )
      const expected = envelopes.map((e, i) => zk.expectedStatement(inputs[i]!, e.output))
      const verify = await time(20, (i) => zk.verify(expected[Math.abs(i) % proofs]!, envelopes[Math.abs(i) % proofs]!.envelope), 3)
      witnessMs.sort((a, b) => a - b)
      rows.push({
        name: c.name,
        sizes: c.sizes,
        parameters: parameterCount(zk.model),
        fractionBits: zk.model.fractionBits,
        weights: c.weights,
        constraints: zk.compiled.info.constraints,
        compileSeconds: zk.compiled.info.compileSeconds,
        setupSeconds: zk.setup!.manifest.setupSeconds,
        onnxruntime,
        reference,
        prove,
        witnessMedianMs: witnessMs[Math.floor(witnessMs.length / 2)]!,
        verify,
        proofBytes: envelopes[0]!.envelope.proof.length,
        envelopeBytes: encodeEnvelope(envelopes[0]!.envelope).length,
        peakRssMb: peak / 2 ** 20,
        proveRssGrowthMb: (peak - before) / 2 ** 20,
        maxAbsError,
        maxAbsOutput,
      })
    }
  } finally {
    await releaseZkWorkers()
  }
  return { rows, loadBefore, loadAfter: loadavg()[0]! }
}

/** EZKL's published figures (Halo2/KZG, laptop) the README compares with. */
export const EZKL_REFERENCE = [
  { parameters: '~10k', proveS: 1.5, verifyS: 0.03 },
  { parameters: '~120k', proveS: 13, verifyS: 0.19 },
]

export function zkTable(r: ZkBenchResult): string[] {
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`
  return [
    '| model | params | F | weights | constraints | compile / setup (once) | onnxruntime | reference executor | prove (witness) | prove ÷ onnxruntime | verify | proof | peak RSS (growth) | max abs error (max \\|y\\|) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...r.rows.map(
      (row) =>
        `| ${row.name} (${row.sizes.join('→')}) | ${row.parameters.toLocaleString('en-US')} | ${row.fractionBits} | ${row.weights} | ${row.constraints.toLocaleString('en-US')} | ` +
        `${row.compileSeconds.toFixed(1)} s / ${row.setupSeconds.toFixed(1)} s | ${fmt(row.onnxruntime.medianMs)} | ${fmt(row.reference.medianMs)} | ` +
        `${s(row.prove.medianMs)} (${fmt(row.witnessMedianMs)}) | ${ratio(row.prove.medianMs, row.onnxruntime.medianMs)} | ${fmt(row.verify.medianMs)} | ` +
        `${row.proofBytes} B (+${row.envelopeBytes - row.proofBytes} B statement) | ${row.peakRssMb.toFixed(0)} MB (+${row.proveRssGrowthMb.toFixed(0)} MB) | ${row.maxAbsError.toExponential(1)} (${row.maxAbsOutput.toFixed(1)}) |`,
    ),
    '',
    `Load average (1 min) ${r.loadBefore.toFixed(1)} before, ${r.loadAfter.toFixed(1)} after, on ${cpus().length} cores.`,
    `EZKL (published, laptop): ${EZKL_REFERENCE.map((e) => `${e.parameters} params: prove ${e.proveS} s, verify ${e.verifyS * 1000} ms`).join('; ')}.`,
  ]
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = await benchZk({ log: (line) => process.stderr.write(`${line}\n`) })
  process.stdout.write(`${zkTable(result).join('\n')}\n`)
}
