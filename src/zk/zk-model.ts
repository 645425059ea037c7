/**
 * A model prepared for ZK mode (`prepareZkModel`): its quantized form, circuit and keys, with the
 * operations every party needs — an inference node infers with the reference executor and proves,
 * a verifier computes the expected statement and checks a proof — and the descriptor that names
 * every artifact by content (what registration publishes).
 */
import type { VerificationKey } from 'snarkjs'
import type { ModelInput, ModelOutput } from '../evm/types.js'
import type { CompiledCircuit } from './circom.js'
import type { EmittedCircuit, WeightVisibility } from './circuit.js'
import { ZkToolchainError } from './errors.js'
import { ProgressReporter, type ZkProgressListener, type ZkStage } from './progress.js'
import { proveInference, type ProveTimings } from './prover.js'
import type { ZkProofEnvelope } from './proof-codec.js'
import type { UniversalSetup } from './ptau.js'
import { parameterCount, type QuantizedModel } from './quantize.js'
import { fromModelOutput, quantizeModelInput, runQuantized, toModelOutput } from './reference.js'
import type { CircuitSetup } from './setup.js'
import { solidityVerifier, type SolidityVerifier } from './solidity.js'
import { architectureDigest, inputHash, modelCommitment, outputHash, zkStatement, type ZkStatement } from './statement.js'
import { verifyInferenceProof } from './verifier.js'
import { loadWitnessCalculator } from './witness.js'

/** What registration publishes about a ZK model: every artifact named by its content. */
export interface ZkModelDescriptor {
  format: 'inferchain.zk.model.v1'
  /** 0x-hex, 32 bytes: the first public signal of every proof for this model. */
  modelCommitment: string
  architectureDigest: string
  fractionBits: number
  inputBits: number
  outputBits: number
  weights: WeightVisibility
  parameters: number
  circuitId: string
  constraints: number
  ptauSha256: string
  zkeyCid?: string
  zkeySha256?: string
  verificationKeySha256?: string
}

export class ZkModel {
  readonly model: QuantizedModel
  readonly circuit: EmittedCircuit
  readonly compiled: CompiledCircuit
  readonly setup: CircuitSetup | undefined
  readonly ptau: UniversalSetup
  /** Seconds per preparation stage (only stages that ran; cached ones are absent). */
  readonly timings: Partial<Record<ZkStage, number>>
  readonly modelCommitment: bigint

  constructor(parts: {
    model: QuantizedModel
    circuit: EmittedCircuit
    compiled: CompiledCircuit
    setup: CircuitSetup | undefined
    ptau: UniversalSetup
    timings: Partial<Record<ZkStage, number>>
  }) {
    this.model = parts.model
    this.circuit = parts.circuit
    this.compiled = parts.compiled
    this.setup = parts.setup
    this.ptau = parts.ptau
    this.timings = parts.timings
    this.modelCommitment = modelCommitment(parts.model)
  }

  /** The quantized input of a chain request (`ZkInputError` if the model cannot take it). */
  quantizeInput(input: ModelInput): bigint[] {
    return quantizeModelInput(this.model, input)
  }

  /** Runs the reference executor: the output the proof will be about, and the statement. */
  infer(input: readonly bigint[]): { output: bigint[]; statement: ZkStatement } {
    const output = runQuantized(this.model, input)
    return { output, statement: zkStatement(this.model, input, output) }
  }

  toModelOutput(output: readonly bigint[]): ModelOutput {
    return toModelOutput(this.model, output)
  }

  /** The integers of a chain output, or undefined if it is not an exact ZK output of this model. */
  fromModelOutput(output: ModelOutput): bigint[] | undefined {
    return fromModelOutput(this.model, output)
  }

  /** What a verifier expects a proof to state for this input and claimed output. */
  expectedStatement(input: readonly bigint[], output: readonly bigint[]): ZkStatement {
    return {
      modelCommitment: this.modelCommitment,
      inputHash: inputHash(this.model, input),
      outputHash: outputHash(this.model, output),
    }
  }

  /** The circuit's full witness for an input (signal 0 is 1, then the three public signals). */
  async witness(input: readonly bigint[]): Promise<bigint[]> {
    return (await loadWitnessCalculator(this.compiled)).witness(this.circuit.witnessInput(input))
  }

  /**
   * Proves the reference output for `input`.
   *
   * @throws ZkToolchainError `ZK_SETUP_FAILED` if the model was prepared without keys
   */
  async prove(input: readonly bigint[], onProgress?: ZkProgressListener): Promise<{ envelope: ZkProofEnvelope; output: bigint[]; timings: ProveTimings }> {
    const setup = this.#requireSetup()
    const { output, statement } = this.infer(input)
    const reporter = new ProgressReporter(onProgress)
    const { envelope, timings } = await proveInference({ circuit: this.circuit, compiled: this.compiled, setup }, input, statement, reporter)
    reporter.finish()
    return { envelope, output, timings }
  }

  /** Checks a proof against what is expected (`ZkVerificationError` says why it is refused). */
  verify(expected: ZkStatement, envelope: ZkProofEnvelope): Promise<void> {
    return verifyInferenceProof(this.verificationKey, expected, envelope)
  }

  get verificationKey(): VerificationKey {
    return this.#requireSetup().verificationKey
  }

  /** The Solidity verifier of this model's keys. */
  solidityVerifier(options: { solcCacheDir?: string } = {}): Promise<SolidityVerifier> {
    return solidityVerifier(this.#requireSetup(), options)
  }

  descriptor(): ZkModelDescriptor {
    const m = this.setup?.manifest
    return {
      format: 'inferchain.zk.model.v1',
      modelCommitment: hex32(this.modelCommitment),
      architectureDigest: hex32(architectureDigest(this.model)),
      fractionBits: this.model.fractionBits,
      inputBits: this.model.inputBits,
      outputBits: this.model.outputBits,
      weights: this.circuit.weights,
      parameters: parameterCount(this.model),
      circuitId: this.circuit.circuitId,
      constraints: this.compiled.info.constraints,
      ptauSha256: this.ptau.sha256,
      ...(m ? { zkeyCid: m.zkeyCid, zkeySha256: m.zkeySha256, verificationKeySha256: m.verificationKeySha256 } : {}),
    }
  }

  #requireSetup(): CircuitSetup {
    if (!this.setup) throw new ZkToolchainError('ZK_SETUP_FAILED', 'this model was prepared without keys (setup: false)')
    return this.setup
  }
}

function hex32(v: bigint): string {
  return `0x${v.toString(16).padStart(64, '0')}`
}
