/**
 * Off-chain verification of an inference proof against what the verifier expects: the registered
 * model's commitment, the hash of the input the call actually made, and the hash of the output the
 * record carries. The claimed statement is compared first, so a refusal names its reason; the
 * pairing check then runs on the *expected* statement, so a proof never passes on its own claim.
 */
import { groth16, type VerificationKey } from 'snarkjs'
import { ZkVerificationError } from './errors.js'
import { decodeProof, type ZkProofEnvelope } from './proof-codec.js'
import { PUBLIC_SIGNAL_NAMES } from './circuit.js'
import { publicSignals, type ZkStatement } from './statement.js'

const MISMATCH = {
  modelCommitment: ['MODEL_MISMATCH', 'the proof is for another model (weights commitment'],
  inputHash: ['INPUT_MISMATCH', 'the proof is for another input (input hash'],
  outputHash: ['OUTPUT_MISMATCH', 'the proof is for another output (output hash'],
} as const

/**
 * Resolves if `envelope` proves `expected` under `vk`.
 *
 * @throws ZkVerificationError `MALFORMED_PROOF`, `MODEL_MISMATCH`, `INPUT_MISMATCH`, `OUTPUT_MISMATCH` or `INVALID_PROOF`
 * @example
 * await verifyInferenceProof(setup.verificationKey, { modelCommitment, inputHash, outputHash }, envelope)
 */
export async function verifyInferenceProof(vk: VerificationKey, expected: ZkStatement, envelope: ZkProofEnvelope): Promise<void> {
  if (vk.protocol !== 'groth16' || vk.nPublic !== PUBLIC_SIGNAL_NAMES.length) {
    throw new ZkVerificationError('INVALID_PROOF', `the verification key is not an inference circuit's (${vk.protocol}, ${vk.nPublic} public signals)`)
  }
  for (const name of PUBLIC_SIGNAL_NAMES) {
    if (envelope.statement[name] !== expected[name]) {
      const [code, text] = MISMATCH[name]
      throw new ZkVerificationError(code, `${text} ${hex(envelope.statement[name])}, expected ${hex(expected[name])})`, {
        claimed: envelope.statement[name],
        expected: expected[name],
      })
    }
  }
  const proof = decodeProof(envelope.proof)
  if (!(await groth16.verify(vk, publicSignals(expected), proof))) {
    throw new ZkVerificationError('INVALID_PROOF', 'the proof does not verify (pairing check failed)')
  }
}

function hex(v: bigint): string {
  return `0x${v.toString(16).padStart(64, '0')}`
}
