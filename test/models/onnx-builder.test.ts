import onnxProto from 'onnx-proto'
import { InferenceSession, Tensor } from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import { buildModel, DEFAULT_OPSET, ML_OPSET, ModelSpecError, seededRandom } from '../../src/models/index.js'

const { onnx } = onnxProto
const decode = (bytes: Uint8Array) => onnx.ModelProto.decode(bytes)
const opsets = (bytes: Uint8Array) => decode(bytes).opsetImport.map((o) => [o.domain, Number(o.version)])

describe('buildModel', () => {
  it('imports the default opset 17, and ai.onnx.ml when a node uses it; the ML op runs', async () => {
    const bytes = buildModel({
      name: 'binarize',
      inputs: [{ name: 'x', type: 'float32', shape: [4] }],
      outputs: [{ name: 'y', type: 'float32', shape: [4] }],
      nodes: [{ op: 'Binarizer', domain: 'ai.onnx.ml', inputs: ['x'], outputs: ['y'], attributes: { threshold: 0.5 } }],
    })
    expect(opsets(bytes)).toEqual([['', DEFAULT_OPSET], ['ai.onnx.ml', ML_OPSET]])
    const out = await (await InferenceSession.create(bytes)).run({ x: new Tensor('float32', Float32Array.from([0.2, 0.7, 0.5, 3]), [4]) })
    expect(Array.from(out.y!.data as Float32Array)).toEqual([0, 1, 0, 1])
    const plain = buildModel({
      name: 'id',
      inputs: [{ name: 'x', type: 'float32', shape: [1] }],
      outputs: [{ name: 'y', type: 'float32', shape: [1] }],
      nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'] }],
      opset: 13,
    })
    expect(opsets(plain)).toEqual([['', 13]])
  })

  it('writes typed attributes: an explicit float 2 stays FLOAT, integers are INT, string lists are STRINGS', async () => {
    const bytes = buildModel({
      name: 'attrs',
      inputs: [
        { name: 'a', type: 'float32', shape: [1, 2] },
        { name: 'text', type: 'string', shape: ['n'] },
      ],
      outputs: [
        { name: 'y', type: 'float32', shape: [1, 3] },
        { name: 'words', type: 'string', shape: ['m'] },
      ],
      initializers: [{ name: 'b', dims: [3, 2], float32: [1, 2, 3, 4, 5, 6] }],
      nodes: [
        { op: 'Gemm', inputs: ['a', 'b'], outputs: ['y'], attributes: { alpha: { float: 2 }, transB: 1 } },
        { op: 'StringNormalizer', inputs: ['text'], outputs: ['words'], attributes: { stopwords: { strings: ['the', 'a'] }, is_case_sensitive: 1 } },
      ],
    })
    const [gemm, normalizer] = decode(bytes).graph!.node!
    const A = onnx.AttributeProto.AttributeType
    expect(gemm!.attribute!.map((a) => [a.name, a.type])).toEqual([['alpha', A.FLOAT], ['transB', A.INT]])
    expect(normalizer!.attribute!.map((a) => [a.name, a.type])).toEqual([['stopwords', A.STRINGS], ['is_case_sensitive', A.INT]])
    const session = await InferenceSession.create(bytes)
    const out = await session.run({ a: new Tensor('float32', Float32Array.from([1, 1]), [1, 2]), text: new Tensor('string', ['the', 'cat', 'a', 'The'], [4]) })
    expect(Array.from(out.y!.data as Float32Array)).toEqual([6, 14, 22]) // 2 · (a · bᵀ)
    expect(out.words!.data).toEqual(['cat', 'The'])
  })

  it('writes int64 initializers (numbers and bigints) and symbolic dims', async () => {
    const bytes = buildModel({
      name: 'reshape',
      inputs: [{ name: 'x', type: 'float32', shape: ['batch', 6] }],
      outputs: [{ name: 'y', type: 'float32', shape: ['batch', 2, 3] }],
      initializers: [{ name: 'shape', dims: [3], int64: [-1, 2n, 3] }],
      nodes: [{ op: 'Reshape', inputs: ['x', 'shape'], outputs: ['y'] }],
    })
    const input = decode(bytes).graph!.input![0]!
    expect(input.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue))).toEqual(['batch', 6])
    const out = await (await InferenceSession.create(bytes)).run({ x: new Tensor('float32', new Float32Array(12), [2, 6]) })
    expect(out.y!.dims).toEqual([2, 2, 3])
  })

  it('refuses initializers whose data does not fill their dims, and impossible dims', () => {
    const base = {
      name: 'bad',
      inputs: [{ name: 'x', type: 'float32' as const, shape: [2] }],
      outputs: [{ name: 'y', type: 'float32' as const, shape: [2] }],
      nodes: [{ op: 'Add', inputs: ['x', 'b'], outputs: ['y'] }],
    }
    expect(() => buildModel({ ...base, initializers: [{ name: 'b', dims: [2], float32: [1, 2, 3] }] })).toThrowError(ModelSpecError)
    expect(() => buildModel({ ...base, initializers: [{ name: 'b', dims: [2], float32: [1, 2] }], inputs: [{ name: 'x', type: 'float32', shape: [-2] }] })).toThrowError(
      expect.objectContaining({ code: 'INVALID_MODEL_SPEC' }),
    )
    expect(() => buildModel({ ...base, nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'], attributes: { bad: [1.5] } }] })).toThrowError(/not an integer/)
  })
})

describe('seededRandom', () => {
  it('is mulberry32: a known first value, the same sequence for a seed, values in [0, 1)', () => {
    expect(seededRandom(1)()).toBe(0.6270739405881613)
    const a = seededRandom(7)
    const b = seededRandom(7)
    const values = Array.from({ length: 1000 }, () => a())
    expect(values).toEqual(Array.from({ length: 1000 }, () => b()))
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true)
    expect(new Set(values).size).toBe(1000)
  })
})
