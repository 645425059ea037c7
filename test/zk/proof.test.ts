/**
 * Groth16 proofs of inferences: a proof of the reference output verifies, and a proof checked
 * against anything else — a wrong output, another input, another model, any flipped byte — is
 * refused with the reason. Keys are made once per circuit and cached under .cache/zk.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildDemoModel } from '../../src/models/index.js'
import {
  DEFAULT_QUANTIZATION,
  decodeEnvelope,
  encodeEnvelope,
  ENVELOPE_BYTES,
  prepareZkModel,
  PROOF_BYTES,
  quantizeInputVector,
  releaseZkWorkers,
  ZkVerificationError,
  type ZkModel,
  type ZkProofEnvelope,
  type ZkStatement,
} from '../../src/zk/index.js'
import { buildMlp, randomInputs } from './models.js'

async function expectRejected(zk: ZkModel, expected: ZkStatement, envelope: ZkProofEnvelope, code: string): Promise<void> {
  const err = await zk.verify(expected, envelope).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err, `expected ${code}`).toBeInstanceOf(ZkVerificationError)
  expect((err as ZkVerificationError).code).toBe(code)
}

let demo: ZkModel
let x1: bigint[]
let x2: bigint[]
let proof1: ZkProofEnvelope
let y1: bigint[]

beforeAll(async () => {
  demo = await prepareZkModel(buildDemoModel())
  ;[x1, x2] = randomInputs(2, 16, 99).map((x) => quantizeInputVector(demo.model, x)) as [bigint[], bigint[]]
  const proved = await demo.prove(x1)
  proof1 = proved.envelope
  y1 = proved.output
}, 600_000)

afterAll(releaseZkWorkers)

describe('proving the demo model', () => {
  it('proves the reference output; the proof verifies against the statement a verifier computes', async () => {
    expect(y1).toEqual(demo.infer(x1).output)
    expect(proof1.proof).toHaveLength(PROOF_BYTES)
    expect(encodeEnvelope(proof1)).toHaveLength(ENVELOPE_BYTES)
    expect(decodeEnvelope(encodeEnvelope(proof1))).toEqual(proof1)
    await demo.verify(demo.expectedStatement(x1, y1), proof1)
    const descriptor = demo.descriptor()
    expect(descriptor.modelCommitment).toBe(`0x${demo.modelCommitment.toString(16).padStart(64, '0')}`)
    expect(descriptor.zkeyCid).toMatch(/^bafkrei/)
    expect(descriptor.constraints).toBe(demo.compiled.info.constraints)
  })

  it('refuses a record whose output is not the proven one (OUTPUT_MISMATCH), and the forged claim (INVALID_PROOF)', async () => {
    const lie = [...y1]
    lie[0]! += 1n
    const expected = demo.expectedStatement(x1, lie)
    await expectRejected(demo, expected, proof1, 'OUTPUT_MISMATCH')
    // Claiming the lie in the envelope does not help: the pairing runs on the expected statement.
    await expectRejected(demo, expected, { statement: expected, proof: proof1.proof }, 'INVALID_PROOF')
  })

  it('refuses a proof for another input (INPUT_MISMATCH), also when it claims the right one (INVALID_PROOF)', async () => {
    const { envelope: proof2, output: y2 } = await demo.prove(x2)
    await demo.verify(demo.expectedStatement(x2, y2), proof2)
    const expected = demo.expectedStatement(x1, y1)
    await expectRejected(demo, expected, proof2, 'INPUT_MISMATCH')
    await expectRejected(demo, expected, { statement: expected, proof: proof2.proof }, 'INVALID_PROOF')
  })

  it('refuses a proof whose every single flipped byte changes what it says or breaks it', async () => {
    const bytes = encodeEnvelope(proof1)
    const expected = demo.expectedStatement(x1, y1)
    const reasons = new Map<string, number>()
    for (let i = 0; i < bytes.length; i++) {
      const flipped = bytes.slice()
      flipped[i]! ^= 0x01
      let code: string
      try {
        await demo.verify(expected, decodeEnvelope(flipped))
        code = 'ACCEPTED'
      } catch (err) {
        code = (err as ZkVerificationError).code
      }
      const want = i < 32 ? ['MODEL_MISMATCH'] : i < 64 ? ['INPUT_MISMATCH'] : i < 96 ? ['OUTPUT_MISMATCH'] : ['MALFORMED_PROOF', 'INVALID_PROOF']
      expect(want, `byte ${i}`).toContain(code)
      reasons.set(code, (reasons.get(code) ?? 0) + 1)
    }
    // Almost every flip in a curve point leaves the curve: caught before any pairing.
    expect(reasons.get('MALFORMED_PROOF')).toBeGreaterThan(240)
  })

  it('refuses well-formed points that are not the proof (INVALID_PROOF)', async () => {
    const swapped = proof1.proof.slice()
    swapped.set(proof1.proof.subarray(192, 256), 0) // A := C
    swapped.set(proof1.proof.subarray(0, 64), 192) // C := A
    await expectRejected(demo, proof1.statement, { statement: proof1.statement, proof: swapped }, 'INVALID_PROOF')
    await expectRejected(demo, proof1.statement, { statement: proof1.statement, proof: proof1.proof.subarray(0, 200) }, 'MALFORMED_PROOF')
  })
})

describe('proofs for another model', () => {
  it('with constant weights: another model, another key and commitment (MODEL_MISMATCH, forged: INVALID_PROOF)', async () => {
    const other = await prepareZkModel(buildMlp({ sizes: [4, 3, 2], seed: 8 }))
    const x = quantizeInputVector(other.model, [0.5, -1, 0.25, 1])
    const { envelope } = await other.prove(x)
    const expected = demo.expectedStatement(x1, y1)
    await expectRejected(demo, expected, envelope, 'MODEL_MISMATCH')
    await expectRejected(demo, expected, { statement: expected, proof: envelope.proof }, 'INVALID_PROOF')
  })

  it('with private weights: two models share one circuit and key, and the commitment tells them apart', async () => {
    const [a, b] = await Promise.all(
      // One architecture: the same sizes and widths (paramBits fixed, whatever the weights need).
      [31, 32].map((seed) => prepareZkModel(buildMlp({ sizes: [4, 3, 2], seed }), { weights: 'private', quantization: { ...DEFAULT_QUANTIZATION, paramBits: 17 } })),
    )
    expect(b!.circuit.circuitId).toBe(a!.circuit.circuitId)
    expect(b!.setup!.manifest.verificationKeySha256).toBe(a!.setup!.manifest.verificationKeySha256)
    expect(b!.modelCommitment).not.toBe(a!.modelCommitment)
    const x = quantizeInputVector(a!.model, [0.5, -1, 0.25, 1])
    const { envelope, output } = await b!.prove(x)
    await b!.verify(b!.expectedStatement(x, output), envelope)
    // Model a on the same input, expecting b's output: only the commitment differs.
    const expected = a!.expectedStatement(x, output)
    await expectRejected(a!, expected, envelope, 'MODEL_MISMATCH')
    await expectRejected(a!, expected, { statement: expected, proof: envelope.proof }, 'INVALID_PROOF')
  })
})
