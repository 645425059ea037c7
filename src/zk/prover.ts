/**
 * Proving: witness from the circuit's calculator, then snarkjs Groth16 with the circuit's zkey.
 * The public signals the prover gets back are checked against the statement computed off-circuit
 * (they must be equal: both compute the same hashes of the same integers), so a proof is never
 * handed out for something other than what the caller asked.
 */
import { groth16 } from 'snarkjs'
import type { CompiledCircuit } from './circom.js'
import type { EmittedCircuit } from './circuit.js'
import { ZkToolchainError } from './errors.js'
import { ProgressReporter, PROVE_STEPS, snarkjsLogger } from './progress.js'
import { encodeProof, type ZkProofEnvelope } from './proof-codec.js'
import type { CircuitSetup } from './setup.js'
import { publicSignals, type ZkStatement } from './statement.js'
import { loadWitnessCalculator } from './witness.js'

export interface ProveTimings {
  witnessSeconds: number
  proveSeconds: number
}

/**
 * Proves `statement` for a quantized input.
 *
 * @throws ZkToolchainError `ZK_PROVE_FAILED` (the circuit refuses the input, or the proof's public
 *   signals are not the statement)
 * @example
 * const { envelope } = await proveInference({ circuit, compiled, setup }, input, zkStatement(poseidon, model, input, output))
 */
export async function proveInference(
  artifacts: { circuit: EmittedCircuit; compiled: CompiledCircuit; setup: CircuitSetup },
  input: readonly bigint[],
  statement: ZkStatement,
  reporter: ProgressReporter = new ProgressReporter(),
): Promise<{ envelope: ZkProofEnvelope; timings: ProveTimings }> {
  const started = performance.now()
  reporter.stage('witness')
  const calculator = await loadWitnessCalculator(artifacts.compiled)
  const wtns = await calculator.wtns(artifacts.circuit.witnessInput(input))
  const witnessDone = performance.now()
  reporter.stage('prove')
  let result: Awaited<ReturnType<typeof groth16.prove>>
  try {
    result = await groth16.prove(artifacts.setup.zkeyFile, { type: 'mem', data: wtns }, snarkjsLogger(reporter, PROVE_STEPS))
  } catch (cause) {
    throw new ZkToolchainError('ZK_PROVE_FAILED', `snarkjs could not prove: ${(cause as Error).message}`, { cause })
  }
  const expected = publicSignals(statement)
  if (result.publicSignals.length !== expected.length || result.publicSignals.some((s, i) => s !== expected[i])) {
    throw new ZkToolchainError('ZK_PROVE_FAILED', 'the circuit computed another statement than the reference executor', {
      details: { circuit: result.publicSignals, reference: expected },
    })
  }
  const proveDone = performance.now()
  return {
    envelope: { statement, proof: encodeProof(result.proof) },
    timings: { witnessSeconds: (witnessDone - started) / 1000, proveSeconds: (proveDone - witnessDone) / 1000 },
  }
}
