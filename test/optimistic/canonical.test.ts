/**
 * The canonical integer path on the demo model: close to onnxruntime's float output (within the
 * documented quantization tolerance), exactly representable outputs, and typed refusals.
 */
import { InferenceSession, Tensor } from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import type { ModelInput } from '../../src/evm/types.js'
import { computeCid } from '../../src/hub/cid.js'
import { buildDemoModel, buildModel, seededRandom } from '../../src/models/index.js'
import { CanonicalInputError, CanonicalModelError } from '../../src/optimistic/errors.js'
import { loadCanonicalModel, quantizeCanonicalInput, runCanonical } from '../../src/optimistic/canonical.js'
import { fromModelOutput } from '../../src/zk/reference.js'
import { toTensorNumber } from '../../src/zk/fixed-point.js'

/**
 * Max |canonical − float| allowed on the demo model (16→32→4, weights in [−0.5, 0.5), inputs in
 * [−2, 2)). At F = 16 each weight is off by ≤ 2^-17 and each layer rounds once (≤ 2^-17): summed over
 * the fan-ins this bounds the error near 2·10⁻⁴; docs/decisions/zk.md measured 1.33·10⁻⁴.
 */
const TOLERANCE = 5e-4

/** A chain input holding exactly k / 2^10 for each k, so onnxruntime sees the same reals. */
function input(ks: number[], shape = [1, ks.length]): ModelInput {
  return { numbers: [{ name: 'input', shape, values: ks.map((k) => toTensorNumber(BigInt(k), 10)) }], strings: [] }
}

describe('canonical integer path', () => {
  const bytes = buildDemoModel()
  const model = loadCanonicalModel(bytes)

  it('loads the demo model with its cost and content address', () => {
    expect(model.macs).toBe(16 * 32 + 32 * 4)
    expect(model.cid).toBe(computeCid(bytes))
    expect(model.quantized.fractionBits).toBe(16)
    expect(model.quantized.layers.map((l) => l.activation)).toEqual(['relu', 'none'])
  })

  it('matches onnxruntime-node float output within the documented tolerance', async () => {
    const random = seededRandom(42)
    const session = await InferenceSession.create(bytes)
    let worst = 0
    try {
      for (let n = 0; n < 50; n++) {
        const ks = Array.from({ length: 16 }, () => Math.floor((random() * 2 - 1) * 2048)) // [−2, 2)
        const floats = await session.run({ input: new Tensor('float32', Float32Array.from(ks, (k) => k / 1024), [1, 16]) })
        const expected = floats.output!.data as Float32Array
        const out = runCanonical(model, input(ks))
        const tensor = out.numbers[0]!
        expect(tensor.name).toBe('output')
        expect(tensor.shape).toEqual([1, 4])
        tensor.values.forEach((v, i) => {
          expect(v.decimals).toBe(16n)
          worst = Math.max(worst, Math.abs(Number(v.value) / 10 ** 16 - expected[i]!))
        })
      }
    } finally {
      await session.release()
    }
    console.log(`canonical vs onnxruntime-node (demo model, 50 inputs): max |Δ| = ${worst.toExponential(2)}`)
    expect(worst).toBeLessThan(TOLERANCE)
    expect(worst).toBeGreaterThan(0) // it is a quantization, not the float model
  })

  it('is deterministic and its output reads back as the exact integers', () => {
    const ks = [0, 1, -1, 1024, -1024, 2047, -2048, 5, 17, -300, 900, 0, 0, 33, -33, 128]
    const a = runCanonical(model, input(ks))
    const b = runCanonical(loadCanonicalModel(buildDemoModel()), input(ks, [16])) // batch left out
    expect(b).toEqual(a)
    const q = fromModelOutput(model.quantized, a)
    expect(q).toHaveLength(4)
    expect(q!.every((v) => typeof v === 'bigint')).toBe(true)
  })

  it('takes the extremes of the input range and refuses one step beyond', () => {
    const F = 16
    const max = { value: (1n << 23n) - 1n, decimals: 0n } // integer 8388607 → far outside
    const top = toTensorNumber((1n << 23n) - 1n, F) // 128 − 2^-16: the largest input
    const bottom = toTensorNumber(-(1n << 23n), F) // −128: the smallest
    const values = Array.from({ length: 16 }, (_, i) => (i % 2 ? top : bottom))
    expect(quantizeCanonicalInput(model, { numbers: [{ name: 'input', shape: [1, 16], values }], strings: [] })[0]).toBe(-(1n << 23n))
    expect(() => runCanonical(model, { numbers: [{ name: 'input', shape: [1, 16], values }], strings: [] })).not.toThrow()
    const over = [...values]
    over[3] = toTensorNumber(1n << 23n, F) // exactly 128
    expectCode(() => runCanonical(model, { numbers: [{ name: 'input', shape: [1, 16], values: over }], strings: [] }), 'BAD_TENSOR_VALUE')
    over[3] = max
    expectCode(() => runCanonical(model, { numbers: [{ name: 'input', shape: [1, 16], values: over }], strings: [] }), 'BAD_TENSOR_VALUE')
    over[3] = { value: 1n, decimals: 10n ** 6n } // hostile decimals: refused before any 10^decimals
    expectCode(() => runCanonical(model, { numbers: [{ name: 'input', shape: [1, 16], values: over }], strings: [] }), 'BAD_TENSOR_VALUE')
  })

  it('refuses other shapes and names with stable codes', () => {
    const ks = Array.from({ length: 16 }, () => 1)
    expectCode(() => runCanonical(model, input(ks, [2, 8])), 'BAD_TENSOR_SHAPE')
    expectCode(() => runCanonical(model, input(ks.slice(1))), 'BAD_TENSOR_SHAPE')
    expectCode(() => runCanonical(model, input(ks, [1, 1, 16])), 'BAD_TENSOR_SHAPE')
    const named = input(ks)
    named.numbers[0]!.name = 'x'
    expectCode(() => runCanonical(model, named), 'BAD_TENSOR_NAME')
    expectCode(() => runCanonical(model, { numbers: [], strings: [] }), 'BAD_TENSOR_NAME')
    expectCode(() => runCanonical(model, { numbers: [...input(ks).numbers, ...input(ks).numbers], strings: [] }), 'BAD_TENSOR_NAME')
  })

  it('refuses a graph outside the supported subset with CANONICAL_UNSUPPORTED', () => {
    const softmax = buildModel({
      name: 'softmax',
      inputs: [{ name: 'input', type: 'float32', shape: [1, 4] }],
      outputs: [{ name: 'output', type: 'float32', shape: [1, 4] }],
      nodes: [{ op: 'Softmax', inputs: ['input'], outputs: ['output'] }],
    })
    let caught: unknown
    try {
      loadCanonicalModel(softmax)
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(CanonicalModelError)
    expect((caught as CanonicalModelError).code).toBe('CANONICAL_UNSUPPORTED')
    expect((caught as CanonicalModelError).details?.reason).toBe('ZK_UNSUPPORTED_OP')
    expect(() => loadCanonicalModel(new Uint8Array([1, 2, 3, 255]))).toThrow(CanonicalModelError)
  })
})

function expectCode(run: () => unknown, code: string): void {
  let caught: unknown
  try {
    run()
  } catch (err) {
    caught = err
  }
  expect(caught).toBeInstanceOf(CanonicalInputError)
  expect((caught as CanonicalInputError).code).toBe(code)
}
