/**
 * The second execution path on its own: the emitted graph is integers only, it agrees with the
 * reference executor beyond the pinned vectors (seeded inputs over the whole range), and it refuses
 * a model whose values could leave int64 instead of wrapping around.
 */
import onnxProto from 'onnx-proto'
import { describe, expect, it } from 'vitest'
import { seededRandom } from '../../src/models/index.js'
import { loadCanonicalModel } from '../../src/optimistic/canonical.js'
import { SecondPathError } from '../../src/optimistic/errors.js'
import { createWasmIntegerExecutor, emitIntegerOnnx } from '../../src/optimistic/second-path.js'
import { importOnnxNetwork } from '../../src/zk/onnx-import.js'
import { quantizeNetwork } from '../../src/zk/quantize.js'
import { runQuantizedExact } from '../../src/zk/reference.js'
import { VECTOR_MODELS } from './vectors.js'

const { onnx } = onnxProto
const INT64 = 7

describe('second path: integer ONNX on onnxruntime-web', () => {
  it('emits a graph of int64 tensors and integer ops only, deterministically', () => {
    const model = loadCanonicalModel(VECTOR_MODELS[1]!.build()) // the Sigmoid/Tanh model
    const bytes = emitIntegerOnnx(model.quantized)
    expect(emitIntegerOnnx(model.quantized)).toEqual(bytes)
    const graph = onnx.ModelProto.decode(bytes).graph!
    expect(new Set(graph.node!.map((n) => n.opType))).toEqual(new Set(['MatMul', 'Add', 'Sub', 'Mul', 'Div', 'Mod', 'Max', 'Min', 'Gather']))
    for (const t of graph.initializer!) expect(t.dataType, t.name!).toBe(INT64)
    for (const v of [...graph.input!, ...graph.output!]) expect(v.type!.tensorType!.elemType).toBe(INT64)
    for (const n of graph.node!.filter((n) => n.opType === 'Mod')) expect(Number(n.attribute![0]!.i)).toBe(0) // floor semantics, not C fmod
  })

  it('agrees with the bigint reference on seeded inputs across the whole input range', async () => {
    for (const spec of VECTOR_MODELS) {
      const model = loadCanonicalModel(spec.build())
      const wasm = await createWasmIntegerExecutor(model.quantized)
      const random = seededRandom(77)
      const limit = 2 ** (model.quantized.inputBits - 1)
      try {
        for (let n = 0; n < 100; n++) {
          // Alternate full-range inputs and small ones (where activations are not saturated).
          const reach = n % 2 ? limit : 2 ** (model.quantized.fractionBits + 2)
          const x = Array.from({ length: model.quantized.input.size }, () => BigInt(Math.floor((random() * 2 - 1) * reach)))
          expect((await wasm.run(x)).map(String), `${spec.name} #${n}`).toEqual(runQuantizedExact(model.quantized, x).map(String))
        }
      } finally {
        await wasm.release()
      }
    }
  })

  it('refuses a model whose accumulators could leave int64', () => {
    // Inputs of 48 bits (F = 16 and values up to 2^31) through two layers need more than 64 bits.
    const net = importOnnxNetwork(VECTOR_MODELS[0]!.build())
    const wide = quantizeNetwork(net, { fractionBits: 16, inputBits: 48 })
    expect(Math.max(...wide.layers.map((l) => l.accBits))).toBeGreaterThan(64)
    let caught: unknown
    try {
      emitIntegerOnnx(wide)
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(SecondPathError)
    expect((caught as SecondPathError).code).toBe('SECOND_PATH_RANGE')
  })
})
