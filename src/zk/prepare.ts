/**
 * Registration of a model for ZK mode: ONNX → float layers → quantized model → circuit → compiled
 * circuit → Groth16 keys → (on demand) Solidity verifier. Every refusal that depends on the model
 * alone (unsupported operator, graph shape, value range, size) happens in the first steps, in
 * milliseconds, before anything slow runs. Compiling and the setup are cached by content address,
 * so preparing the same model again (an inference node starting, a test) costs only hashing.
 */
import { installZkArtifacts, type ZkArtifactSource } from './artifacts.js'
import { ZkModelError } from './errors.js'
import { compileCircuit } from './circom.js'
import { emitCircuit, type WeightVisibility } from './circuit.js'
import { defaultZkCacheDir } from './cache.js'
import { importOnnxNetwork } from './onnx-import.js'
import { ProgressReporter, type ZkProgressListener, type ZkStage } from './progress.js'
import { loadUniversalSetup, maxConstraints, type UniversalSetup } from './ptau.js'
import { DEFAULT_QUANTIZATION, quantizeNetwork, type QuantizationParams } from './quantize.js'
import { setupCircuit } from './setup.js'
import { PUBLIC_SIGNAL_NAMES } from './circuit.js'
import { ZkModel } from './zk-model.js'

export interface PrepareZkModelOptions {
  quantization?: QuantizationParams
  /** 'constant' (default): weights compiled into the circuit; 'private': weights are a private input. */
  weights?: WeightVisibility
  /** Where compiled circuits and keys are cached (default `defaultZkCacheDir()`). */
  cacheDir?: string
  /** The universal setup (default: the committed one, `loadUniversalSetup()`). */
  ptau?: UniversalSetup
  onProgress?: ZkProgressListener
  /** false: stop after compiling (witnesses only, no proofs). Default true. */
  setup?: boolean
  /**
   * The registered artifacts on a hub: cache entries that are missing are downloaded (verified)
   * instead of compiled and set up — a setup of one's own would make keys nobody registered.
   */
  artifacts?: ZkArtifactSource
}

/**
 * An estimate this much above the setup's capacity is refused without compiling (the estimate is
 * an upper bound that is rarely more than 1% high; the compiled count is checked exactly anyway).
 */
const ESTIMATE_MARGIN = 1.05

/**
 * Prepares an ONNX model for ZK mode.
 *
 * @throws ZkModelError (unsupported model, too large) before any compiling
 * @throws ZkToolchainError when circom or snarkjs fail
 * @example
 * const zk = await prepareZkModel(buildDemoModel(), { onProgress: (p) => bar.update(p) })
 * const { output, statement } = zk.infer(zk.quantizeInput(modelInput))
 * const { envelope } = await zk.prove(input)
 */
export async function prepareZkModel(onnx: Uint8Array, options: PrepareZkModelOptions = {}): Promise<ZkModel> {
  const reporter = new ProgressReporter(options.onProgress)
  const cacheDir = options.cacheDir ?? defaultZkCacheDir()
  reporter.stage('import')
  const network = importOnnxNetwork(onnx)
  reporter.stage('quantize')
  const model = quantizeNetwork(network, options.quantization ?? DEFAULT_QUANTIZATION)
  reporter.stage('load')
  const ptau = options.ptau ?? (await loadUniversalSetup())
  reporter.stage('emit')
  const circuit = emitCircuit(model, { weights: options.weights })
  const limit = maxConstraints(ptau, PUBLIC_SIGNAL_NAMES.length)
  if (circuit.estimatedConstraints > limit * ESTIMATE_MARGIN) {
    throw new ZkModelError(
      'ZK_MODEL_TOO_LARGE',
      `the model needs about ${circuit.estimatedConstraints} constraints with ${circuit.weights} weights; the universal setup (power ${ptau.power}) takes at most ${limit}`,
      { estimatedConstraints: circuit.estimatedConstraints, limit, weights: circuit.weights },
    )
  }
  if (options.artifacts) {
    reporter.stage('fetch')
    await installZkArtifacts(options.artifacts, circuit, ptau, cacheDir)
  }
  reporter.stage('compile')
  const compiled = await compileCircuit(circuit, { cacheDir })
  const setup = options.setup === false ? undefined : await setupCircuit(compiled, { ptau, cacheDir, reporter })
  const timings = reporter.finish()
  return new ZkModel({ model, circuit, compiled, setup, ptau, timings: timings as Partial<Record<ZkStage, number>> })
}
