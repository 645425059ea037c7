/**
 * The circuit computes what the reference executor computes, bit for bit: on 100 random inputs
 * and on the extremes of the input range, the witness's public signals equal the statement hashed
 * from the reference's integers (so the outputs are equal: the output hash is collision resistant),
 * and every hidden activation the witness keeps equals the reference's trace.
 *
 * Circuits are compiled once and cached under .cache/zk (no keys are made here).
 */
import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildDemoModel } from '../../src/models/index.js'
import { prepareZkModel, quantizeInputVector, traceQuantized, zkStatement, ZkToolchainError, type ZkModel } from '../../src/zk/index.js'
import { buildMlp, randomInputs } from './models.js'

/** Witness index of each named signal the optimiser kept (from circom's .sym: label, witness, component, name). */
function readSym(file: string): Map<string, number> {
  const index = new Map<string, number>()
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [, witness, , name] = line.split(',')
    if (name && Number(witness) >= 0) index.set(name, Number(witness))
  }
  return index
}

/** The witness value of layer `l`'s activation j, if the optimiser kept one of its two names. */
function activation(sym: Map<string, number>, witness: bigint[], l: number, j: number): bigint | undefined {
  const at = sym.get(`main.a${l}[${j}]`) ?? sym.get(`main.r${l}[${j}].out`)
  return at === undefined ? undefined : witness[at]
}

const P = 21888242871839275222246405745257275088548364400416034343698204186575808495617n
const signed = (v: bigint) => (v > P / 2n ? v - P : v)

async function expectCircuitMatchesReference(zk: ZkModel, inputs: number[][]): Promise<number> {
  const sym = readSym(zk.compiled.symFile)
  let hiddenCompared = 0
  for (const x of inputs) {
    const q = quantizeInputVector(zk.model, x)
    const trace = traceQuantized(zk.model, q)
    const statement = zkStatement(zk.model, q, trace.layers.at(-1)!)
    const witness = await zk.witness(q)
    expect(witness.slice(0, 4)).toEqual([1n, statement.modelCommitment, statement.inputHash, statement.outputHash])
    trace.layers.slice(0, -1).forEach((layer, l) =>
      layer.forEach((v, j) => {
        const w = activation(sym, witness, l, j)
        if (w !== undefined) {
          expect(signed(w)).toBe(v)
          hiddenCompared++
        }
      }),
    )
  }
  return hiddenCompared
}

describe('the demo model circuit (weights as constants)', () => {
  let zk: ZkModel
  beforeAll(async () => {
    zk = await prepareZkModel(buildDemoModel(), { setup: false })
  }, 300_000)

  it('has a few thousand constraints, and the estimate made before compiling bounds them', () => {
    expect(zk.compiled.info.constraints).toBeGreaterThan(2000)
    expect(zk.compiled.info.constraints).toBeLessThan(3000)
    expect(zk.circuit.estimatedConstraints).toBeGreaterThanOrEqual(zk.compiled.info.constraints)
    expect(zk.circuit.estimatedConstraints).toBeLessThan(zk.compiled.info.constraints * 1.05)
    expect(zk.compiled.info.publicOutputs).toBe(3)
    expect(zk.compiled.info.privateInputs).toBe(16)
  })

  it('equals the reference executor bit for bit on 100 random inputs and the range extremes', async () => {
    const limit = 2 ** (zk.model.inputBits - 1 - zk.model.fractionBits)
    const inputs = [...randomInputs(100, 16, 2024), new Array(16).fill(-limit), new Array(16).fill(limit - 2 ** -16)]
    const hidden = await expectCircuitMatchesReference(zk, inputs)
    // Relu outputs are products, so the optimiser keeps them: all 32 per input were compared.
    expect(hidden).toBe(inputs.length * 32)
  })

  it('refuses an input outside the range it was built for (the range check is a constraint)', async () => {
    const limit = 1n << BigInt(zk.model.inputBits - 1)
    const q = new Array<bigint>(16).fill(0n)
    q[5] = limit // one past the largest input
    await expect(zk.witness(q)).rejects.toThrow(ZkToolchainError)
  })
})

describe('a circuit with the weights as a private input', () => {
  it('states the same commitment and results as the constant-weights circuit, on 100 random inputs', async () => {
    const bytes = buildMlp({ sizes: [6, 5, 3], seed: 21 })
    const [secret, constant] = await Promise.all([
      prepareZkModel(bytes, { setup: false, weights: 'private' }),
      prepareZkModel(bytes, { setup: false }),
    ])
    expect(secret.circuit.circuitId).not.toBe(constant.circuit.circuitId)
    expect(secret.modelCommitment).toBe(constant.modelCommitment)
    // The private circuit pays per weight (range check, product, hash), the constant one does not.
    expect(secret.compiled.info.constraints).toBeGreaterThan(constant.compiled.info.constraints + 33 * secret.model.paramBits)
    const inputs = randomInputs(100, 6, 5)
    await expectCircuitMatchesReference(secret, inputs)
    await expectCircuitMatchesReference(constant, inputs.slice(0, 10))
  })
})
