import { describe, expect, it } from 'vitest'
import { buildDemoModel, buildModel, DEMO_MODEL, mlpWeights } from '../../src/models/index.js'
import {
  DEFAULT_QUANTIZATION,
  dequantize,
  fromModelOutput,
  importOnnxNetwork,
  quantizeInputVector,
  quantizeModelInput,
  quantizeNetwork,
  runQuantized,
  runQuantizedExact,
  toModelOutput,
  ZkInputError,
  ZkModelError,
  type QuantizedModel,
} from '../../src/zk/index.js'
import { buildMlp, randomInputs, runOnnx } from './models.js'

function expectCode(fn: () => unknown, code: string, cls: new (...args: never[]) => Error = ZkModelError): Error {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(cls)
    expect((err as { code: string }).code).toBe(code)
    return err as Error
  }
  throw new Error(`expected ${code}, nothing was thrown`)
}

const demo = (): QuantizedModel => quantizeNetwork(importOnnxNetwork(buildDemoModel()))

describe('ONNX import for ZK mode', () => {
  it('reads the demo MLP as two dense layers with the weights it was built from', () => {
    const net = importOnnxNetwork(buildDemoModel())
    expect(net.input).toEqual({ name: 'input', shape: [1, 16], size: 16 })
    expect(net.output).toEqual({ name: 'output', shape: [1, 4], size: 4 })
    expect(net.layers.map((l) => [l.inSize, l.outSize, l.activation])).toEqual([
      [16, 32, 'relu'],
      [32, 4, 'none'],
    ])
    // Stored row-major [out][in]; ONNX stores w1 as [in][out].
    const w = mlpWeights(DEMO_MODEL)
    expect(net.layers[0]!.weights[3 * 16 + 5]).toBe(w.w1[5 * 32 + 3])
    expect(Array.from(net.layers[1]!.bias)).toEqual(w.b2)
  })

  it('gives the same layers for Gemm, MatMul + Add and a Flatten in front', () => {
    const gemm = importOnnxNetwork(buildMlp({ sizes: [6, 5, 3], seed: 4 }))
    const matmul = importOnnxNetwork(buildMlp({ sizes: [6, 5, 3], seed: 4, matmul: true }))
    const flatten = importOnnxNetwork(buildMlp({ sizes: [6, 5, 3], seed: 4, flatten: true }))
    for (const other of [matmul, flatten]) {
      expect(other.layers.map((l) => [Array.from(l.weights), Array.from(l.bias), l.activation])).toEqual(
        gemm.layers.map((l) => [Array.from(l.weights), Array.from(l.bias), l.activation]),
      )
    }
    expect(flatten.input.shape).toEqual([1, 1, 6])
  })

  it('folds Gemm transB, alpha and beta into the weights and bias', () => {
    const bytes = buildModel({
      name: 'gemm_attrs',
      inputs: [{ name: 'x', type: 'float32', shape: [1, 2] }],
      outputs: [{ name: 'y', type: 'float32', shape: [1, 3] }],
      initializers: [
        { name: 'w', dims: [3, 2], float32: [1, 2, 3, 4, 5, 6] }, // [out][in] because transB = 1
        { name: 'b', dims: [3], float32: [0.5, 1, 1.5] },
      ],
      nodes: [{ op: 'Gemm', inputs: ['x', 'w', 'b'], outputs: ['y'], attributes: { transB: 1, alpha: 0.5, beta: { float: 2 } } }],
    })
    const [layer] = importOnnxNetwork(bytes).layers
    expect(Array.from(layer!.weights)).toEqual([0.5, 1, 1.5, 2, 2.5, 3])
    expect(Array.from(layer!.bias)).toEqual([1, 2, 3])
  })

  it('refuses what it cannot prove, naming the operator or the reason, before anything is compiled', () => {
    const withOp = (op: string) =>
      buildModel({
        name: op,
        inputs: [{ name: 'x', type: 'float32', shape: [1, 2] }],
        outputs: [{ name: 'y', type: 'float32', shape: [1, 2] }],
        initializers: [{ name: 'w', dims: [2, 2], float32: [1, 0, 0, 1] }],
        nodes: [
          { op: 'MatMul', inputs: ['x', 'w'], outputs: ['h'] },
          { op, inputs: ['h'], outputs: ['y'] },
        ],
      })
    const err = expectCode(() => importOnnxNetwork(withOp('Softmax')), 'ZK_UNSUPPORTED_OP')
    expect(err.message).toMatch(/Softmax .*not supported in ZK mode; supported: Gemm, MatMul/)
    expectCode(() => importOnnxNetwork(withOp('LeakyRelu')), 'ZK_UNSUPPORTED_OP')
    // Sigmoid and Tanh are supported (approximated), after a dense layer.
    expect(importOnnxNetwork(withOp('Sigmoid')).layers[0]!.activation).toBe('sigmoid')
    // A branch: the second node reads the graph input, not the previous layer.
    const branch = buildModel({
      name: 'branch',
      inputs: [{ name: 'x', type: 'float32', shape: [1, 2] }],
      outputs: [{ name: 'y', type: 'float32', shape: [1, 2] }],
      initializers: [{ name: 'w', dims: [2, 2], float32: [1, 0, 0, 1] }],
      nodes: [
        { op: 'MatMul', inputs: ['x', 'w'], outputs: ['h'] },
        { op: 'Add', inputs: ['x', 'h'], outputs: ['y'] },
      ],
    })
    expectCode(() => importOnnxNetwork(branch), 'ZK_UNSUPPORTED_GRAPH')
    const reluOnly = buildModel({
      name: 'relu',
      inputs: [{ name: 'x', type: 'float32', shape: [1, 2] }],
      outputs: [{ name: 'y', type: 'float32', shape: [1, 2] }],
      nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }],
    })
    expectCode(() => importOnnxNetwork(reluOnly), 'ZK_UNSUPPORTED_GRAPH')
    const intInput = buildModel({
      name: 'int',
      inputs: [{ name: 'x', type: 'int64', shape: [1, 2] }],
      outputs: [{ name: 'y', type: 'int64', shape: [1, 2] }],
      nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'] }],
    })
    expectCode(() => importOnnxNetwork(intInput), 'ZK_UNSUPPORTED_GRAPH')
    expectCode(() => importOnnxNetwork(new Uint8Array([1, 2, 3])), 'ZK_UNSUPPORTED_GRAPH')
  })
})

describe('quantization', () => {
  it('sizes every accumulator from exact interval bounds of the architecture', () => {
    const model = demo()
    expect(model.fractionBits).toBe(16)
    expect(model.paramBits).toBe(16) // weights in [-0.5, 0.5) at 2^-16
    // Layer 0: 16 inputs < 2^23, weights ≤ 2^15, plus the bias: < 2^42.1, so 44 bits with the sign.
    expect(model.layers.map((l) => l.accBits)).toEqual([44, 48])
    expect(model.outputBits).toBe(48 - 16)
    // Same architecture and widths, other weights: the same ranges.
    const other = quantizeNetwork(importOnnxNetwork(buildMlp({ sizes: [16, 32, 4], seed: 77 })), { ...DEFAULT_QUANTIZATION, paramBits: 16 })
    expect(other.layers.map((l) => l.accBits)).toEqual([44, 48])
    // The bound holds for the most extreme inputs the range allows.
    const limit = 2 ** (model.inputBits - 1 - model.fractionBits)
    for (const x of [new Array(16).fill(-limit), new Array(16).fill(limit - 2 ** -16)]) {
      const y = runQuantized(model, quantizeInputVector(model, x))
      for (const v of y) expect(v >= -(1n << BigInt(model.outputBits - 1)) && v < 1n << BigInt(model.outputBits - 1)).toBe(true)
    }
  })

  it('refuses parameters outside their documented range', () => {
    const net = importOnnxNetwork(buildDemoModel())
    expectCode(() => quantizeNetwork(net, { fractionBits: 2, inputBits: 10 }), 'ZK_BAD_PARAMS')
    expectCode(() => quantizeNetwork(net, { fractionBits: 16, inputBits: 17 }), 'ZK_BAD_PARAMS')
    expectCode(() => quantizeNetwork(net, { fractionBits: 16, inputBits: 24, paramBits: 1.5 }), 'ZK_BAD_PARAMS')
    // The demo weights need 16 bits at F = 16.
    expectCode(() => quantizeNetwork(net, { fractionBits: 16, inputBits: 24, paramBits: 15 }), 'ZK_VALUE_RANGE')
  })

  it('refuses a model whose values could outgrow the field', () => {
    const huge = buildMlp({ sizes: [4, 4, 4, 4, 4, 4, 4, 4, 4, 4], seed: 1, scale: 2 ** 40, relu: false })
    expectCode(() => quantizeNetwork(importOnnxNetwork(huge), { fractionBits: 32, inputBits: 64 }), 'ZK_VALUE_RANGE')
  })
})

describe('the quantized reference executor', () => {
  it('pins the demo model\'s outputs (test vectors shared with OPTIMISTIC mode)', () => {
    const model = demo()
    const vectors: Array<[number[], bigint[]]> = [
      [new Array(16).fill(0), [-8382n, 20561n, -14001n, 18815n]],
      [Array.from({ length: 16 }, (_, i) => (i - 8) / 4), [-17229n, 222949n, -61099n, 104541n]],
      [Array.from({ length: 16 }, (_, i) => (i % 2 ? 1.5 : -0.75)), [42759n, -147411n, 27477n, 94006n]],
    ]
    for (const [x, expected] of vectors) {
      expect(runQuantized(model, quantizeInputVector(model, x))).toEqual(expected)
      expect(runQuantizedExact(model, quantizeInputVector(model, x))).toEqual(expected)
    }
  })

  it('takes the float64 shortcut only where it is exact: both paths agree bit for bit', () => {
    // The demo model's layers fit 2^53 (float64 path); F = 30 with wide inputs does not (bigint path).
    const models = [
      demo(),
      quantizeNetwork(importOnnxNetwork(buildMlp({ sizes: [8, 16, 16, 3], seed: 3 })), { fractionBits: 30, inputBits: 40 }),
      quantizeNetwork(importOnnxNetwork(buildMlp({ sizes: [8, 16, 16, 3], seed: 3 })), { fractionBits: 8, inputBits: 12 }),
    ]
    for (const model of models) {
      const n = model.input.size
      const range = 2 ** (model.inputBits - 1 - model.fractionBits)
      for (const x of [...randomInputs(50, n, 7, range * 0.999), new Array(n).fill(-range), new Array(n).fill(range / 2)]) {
        const q = quantizeInputVector(model, x)
        expect(runQuantized(model, q)).toEqual(runQuantizedExact(model, q))
      }
    }
  })

  it('stays within 1e-3 of onnxruntime\'s float output on 100 random inputs (max abs error reported)', async () => {
    const bytes = buildDemoModel()
    const model = demo()
    const inputs = randomInputs(100, 16, 11)
    const floats = await runOnnx(bytes, inputs)
    let maxError = 0
    inputs.forEach((x, k) => {
      const y = runQuantized(model, quantizeInputVector(model, x))
      y.forEach((q, i) => (maxError = Math.max(maxError, Math.abs(dequantize(q, 16) - floats[k]![i]!))))
    })
    console.log(`ZK demo model, F=16: max |quantized − onnxruntime| over 100 inputs in [-2, 2) = ${maxError.toExponential(3)}`)
    expect(maxError).toBeGreaterThan(0) // quantization is not free...
    expect(maxError).toBeLessThan(1e-3) // ...but small at 16 fraction bits
  })

  it('reads chain inputs exactly and writes exact chain outputs', () => {
    const model = demo()
    const values = Array.from({ length: 16 }, (_, i) => ({ value: BigInt(i * 125 - 1000), decimals: 3n }))
    const input = { numbers: [{ name: 'input', shape: [1, 16], values }], strings: [] }
    const q = quantizeModelInput(model, input)
    expect(q).toEqual(quantizeInputVector(model, values.map((v) => Number(v.value) / 1000)))
    // A batch of one may be left out of the shape.
    expect(quantizeModelInput(model, { ...input, numbers: [{ ...input.numbers[0]!, shape: [16] }] })).toEqual(q)
    const y = runQuantized(model, q)
    const output = toModelOutput(model, y)
    expect(output.numbers[0]!.shape).toEqual([1, 4])
    expect(fromModelOutput(model, output)).toEqual(y)
    const tampered = structuredClone(output)
    tampered.numbers[0]!.values[0]!.value += 1n
    expect(fromModelOutput(model, tampered)).toBeUndefined()

    expectCode(() => quantizeModelInput(model, { ...input, numbers: [{ ...input.numbers[0]!, name: 'x' }] }), 'ZK_BAD_INPUT', ZkInputError)
    expectCode(() => quantizeModelInput(model, { ...input, numbers: [{ ...input.numbers[0]!, shape: [2, 8] }] }), 'ZK_BAD_INPUT', ZkInputError)
    const tooBig = values.map((v, i) => (i === 3 ? { value: 128n, decimals: 0n } : v))
    const err = expectCode(() => quantizeModelInput(model, { ...input, numbers: [{ ...input.numbers[0]!, values: tooBig }] }), 'ZK_BAD_INPUT', ZkInputError)
    expect(err.message).toMatch(/\[3\] is outside the model's ZK input range \[-128, 128\)/)
  })
})
