import { readFileSync } from 'node:fs'
import { InferenceSession, Tensor } from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import { computeCid } from '../../src/hub/cid.js'
import { InvalidModelError } from '../../src/hub/errors.js'
import { readModelMetadata } from '../../src/hub/metadata.js'
import { buildDemoModel, buildModel, buildStringModel, createModelProto, encodeModel, sileroVadModelPath } from '../../src/models/index.js'
import { cnnModel } from './helpers.js'

describe('readModelMetadata', () => {
  it('describes the demo MLP: static shapes, opset, operators, work, human fields', () => {
    const bytes = buildDemoModel()
    expect(readModelMetadata(bytes, { name: 'demo', description: 'a small MLP' })).toEqual({
      cid: computeCid(bytes),
      size: bytes.length,
      name: 'demo',
      description: 'a small MLP',
      inputs: [{ name: 'input', type: 'float32', shape: [1, 16] }],
      outputs: [{ name: 'output', type: 'float32', shape: [1, 4] }],
      opsetVersion: 17,
      operators: ['Gemm', 'Relu'],
      // MACs 16·32 + 32·4 = 640 are fewer than the 676 parameters (with biases): the floor wins.
      workUnits: 676,
    })
  })

  it('describes the string model: string tensors, a symbolic dim as -1, no weights', () => {
    expect(readModelMetadata(buildStringModel())).toMatchObject({
      inputs: [{ name: 'text', type: 'string', shape: [-1] }],
      outputs: [
        { name: 'normalized', type: 'string', shape: [-1] },
        { name: 'length', type: 'int64', shape: [1] },
      ],
      operators: ['Shape', 'StringNormalizer'],
      workUnits: 0,
    })
  })

  it('describes Silero VAD: 3 inputs with int64 sr, dims without values as -1, operators of If branches', () => {
    const m = readModelMetadata(readFileSync(sileroVadModelPath()))
    expect(m.inputs).toEqual([
      { name: 'input', type: 'float32', shape: [-1, -1] },
      { name: 'state', type: 'float32', shape: [2, -1, 128] },
      { name: 'sr', type: 'int64', shape: [] },
    ])
    expect(m.outputs.map((o) => [o.name, o.type])).toEqual([['output', 'float32'], ['stateN', 'float32']])
    expect(m.opsetVersion).toBe(16)
    expect(m.operators).toEqual(expect.arrayContaining(['If', 'Conv', 'LSTM', 'Sigmoid']))
    // Its weights are Constant nodes inside the If branches (~2.3 MB of float32): all of them count.
    expect(m.workUnits).toBeGreaterThan(500_000)
    expect(m.workUnits).toBeLessThan(m.size / 4)
  })

  it('counts Conv and Gemm MACs exactly through Relu, MaxPool and Flatten, and agrees with onnxruntime on the shapes', async () => {
    const bytes = cnnModel()
    expect(readModelMetadata(bytes).workUnits).toBe(16 * 16 * (8 * 3 * 3 * 3) + 512 * 10)
    const session = await InferenceSession.create(bytes)
    const out = await session.run({ x: new Tensor('float32', new Float32Array(3 * 32 * 32), [1, 3, 32, 32]) })
    expect(out.conv!.dims).toEqual([1, 8, 16, 16])
    expect(out.logits!.dims).toEqual([1, 10])
  })

  it('counts a static batch, and a dynamic batch as 1, for Gemm and MatMul', () => {
    const weights = [{ name: 'w', dims: [16, 32], float32: new Float32Array(512) }]
    const gemm = (batch: number | string) =>
      buildModel({
        name: 'gemm',
        inputs: [{ name: 'x', type: 'float32', shape: [batch, 16] }],
        outputs: [{ name: 'y', type: 'float32', shape: [batch, 32] }],
        initializers: weights,
        nodes: [{ op: 'Gemm', inputs: ['x', 'w'], outputs: ['y'] }],
      })
    expect(readModelMetadata(gemm(8)).workUnits).toBe(8 * 16 * 32)
    expect(readModelMetadata(gemm('batch')).workUnits).toBe(512) // 1·16·32 MACs = 512 parameters
    const matMul = buildModel({
      name: 'matmul',
      inputs: [{ name: 'x', type: 'float32', shape: ['batch', 4, 16] }],
      outputs: [{ name: 'y', type: 'float32', shape: ['batch', 4, 32] }],
      initializers: weights,
      nodes: [
        { op: 'MatMul', inputs: ['x', 'w'], outputs: ['h'] },
        { op: 'Relu', inputs: ['h'], outputs: ['y'] },
      ],
    })
    expect(readModelMetadata(matMul).workUnits).toBe(4 * 16 * 32)
  })

  it('leaves initializers listed as graph inputs (old exporters) out of the inputs', () => {
    const proto = createModelProto({
      name: 'legacy',
      inputs: [{ name: 'x', type: 'float32', shape: [1, 2] }],
      outputs: [{ name: 'y', type: 'float32', shape: [1, 2] }],
      initializers: [{ name: 'b', dims: [2], float32: [1, 2] }],
      nodes: [{ op: 'Add', inputs: ['x', 'b'], outputs: ['y'] }],
    })
    proto.graph!.input!.push({ name: 'b', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 2 }] } } } })
    expect(readModelMetadata(encodeModel(proto)).inputs.map((i) => i.name)).toEqual(['x'])
  })

  it('refuses garbage, truncated files, graphs without nodes and unsupported element types with INVALID_MODEL', () => {
    const demo = buildDemoModel()
    const float16 = createModelProto({
      name: 'half',
      inputs: [{ name: 'x', type: 'float32', shape: [1] }],
      outputs: [{ name: 'y', type: 'float32', shape: [1] }],
      nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'] }],
    })
    float16.graph!.input![0]!.type!.tensorType!.elemType = 10 // FLOAT16
    const cases: Array<[Uint8Array, RegExp]> = [
      [new Uint8Array([9, 9, 9]), /protobuf decoding failed/],
      [demo.subarray(0, demo.length - 40), /protobuf decoding failed/],
      [new TextEncoder().encode('{"not":"onnx"}'), /./],
      [new Uint8Array(), /no graph/],
      [encodeModel(float16), /FLOAT16/],
    ]
    for (const [bytes, message] of cases) {
      let caught: unknown
      try {
        readModelMetadata(bytes)
      } catch (err) {
        caught = err
      }
      expect(caught).toBeInstanceOf(InvalidModelError)
      expect(caught).toMatchObject({ code: 'INVALID_MODEL', message: expect.stringMatching(message) })
    }
  })
})
