/**
 * Sigmoid and Tanh by piecewise-linear approximation: the tables, the approximation error against
 * the real functions and against onnxruntime, and the circuit equal to the reference bit for bit.
 */
import { describe, expect, it } from 'vitest'
import { applyPla, plaTable } from '../../src/zk/activations.js'
import {
  dequantize,
  importOnnxNetwork,
  prepareZkModel,
  quantizeFloat,
  quantizeInputVector,
  quantizeNetwork,
  runQuantized,
  runQuantizedExact,
  traceQuantized,
  releaseZkWorkers,
  zkStatement,
} from '../../src/zk/index.js'
import { buildMlp, randomInputs, runOnnx } from './models.js'

const F = 16
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x))

describe('piecewise-linear Sigmoid and Tanh', () => {
  it('interpolates between quantized breakpoints and clamps outside [-R, R)', () => {
    const s = plaTable('sigmoid', F)
    expect(s.segments).toBe(32)
    expect(s.values[16]).toBe(32768n) // σ(0) = 1/2
    expect(applyPla(s, F, 0n)).toBe(32768n)
    expect(applyPla(s, F, quantizeFloat(-100, F))).toBe(s.values[0])
    expect(applyPla(s, F, quantizeFloat(8, F))).toBe(s.values[32])
    const t = plaTable('tanh', F)
    expect(t.values[16]).toBe(0n)
    expect(applyPla(t, F, quantizeFloat(-1, F))).toBe(quantizeFloat(Math.tanh(-1), F))
  })

  it('stays within the documented error of the real functions', () => {
    let sigmoidError = 0
    let tanhError = 0
    for (let x = -12; x <= 12; x += 1 / 512) {
      const q = quantizeFloat(x, F)
      sigmoidError = Math.max(sigmoidError, Math.abs(dequantize(applyPla(plaTable('sigmoid', F), F, q), F) - sigmoid(x)))
      tanhError = Math.max(tanhError, Math.abs(dequantize(applyPla(plaTable('tanh', F), F, q), F) - Math.tanh(x)))
    }
    console.log(`PLA max error at F=16: sigmoid ${sigmoidError.toExponential(2)}, tanh ${tanhError.toExponential(2)}`)
    expect(sigmoidError).toBeLessThan(0.0035)
    expect(tanhError).toBeLessThan(0.0065)
  })

  it('runs a Gemm→Sigmoid→Gemm→Tanh→Gemm→Sigmoid model close to onnxruntime, both executor paths alike', async () => {
    const bytes = buildMlp({ sizes: [8, 6, 5, 3], seed: 61, activations: ['Sigmoid', 'Tanh', 'Sigmoid'] })
    const model = quantizeNetwork(importOnnxNetwork(bytes))
    expect(model.layers.map((l) => l.activation)).toEqual(['sigmoid', 'tanh', 'sigmoid'])
    const inputs = randomInputs(100, 8, 3, 4)
    const floats = await runOnnx(bytes, inputs)
    let maxError = 0
    inputs.forEach((x, k) => {
      const q = quantizeInputVector(model, x)
      const y = runQuantized(model, q)
      expect(runQuantizedExact(model, q)).toEqual(y)
      y.forEach((v, i) => (maxError = Math.max(maxError, Math.abs(dequantize(v, F) - floats[k]![i]!))))
    })
    console.log(`sigmoid/tanh model: max |quantized − onnxruntime| over 100 inputs = ${maxError.toExponential(2)}`)
    expect(maxError).toBeLessThan(0.01)
  })

  it('the circuit equals the reference bit for bit on 100 random inputs, clamped regions included', async () => {
    const bytes = buildMlp({ sizes: [8, 6, 5, 3], seed: 61, activations: ['Sigmoid', 'Tanh', 'Sigmoid'] })
    const zk = await prepareZkModel(bytes, { setup: false })
    const inputs = [...randomInputs(100, 8, 9, 8), new Array(8).fill(-127), new Array(8).fill(127)]
    for (const x of inputs) {
      const q = quantizeInputVector(zk.model, x)
      const trace = traceQuantized(zk.model, q)
      const statement = zkStatement(zk.model, q, trace.layers.at(-1)!)
      expect((await zk.witness(q)).slice(1, 4)).toEqual([statement.modelCommitment, statement.inputHash, statement.outputHash])
    }
    expect(zk.circuit.estimatedConstraints).toBeGreaterThanOrEqual(zk.compiled.info.constraints)
  }, 300_000)

  it('proves such a model, and the proof verifies', async () => {
    const bytes = buildMlp({ sizes: [8, 6, 5, 3], seed: 61, activations: ['Sigmoid', 'Tanh', 'Sigmoid'] })
    const zk = await prepareZkModel(bytes)
    const q = quantizeInputVector(zk.model, randomInputs(1, 8, 17, 4)[0]!)
    const { envelope, output } = await zk.prove(q)
    await zk.verify(zk.expectedStatement(q, output), envelope)
    await releaseZkWorkers()
  }, 300_000)
})
