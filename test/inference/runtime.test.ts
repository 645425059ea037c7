import { readFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { InferenceSession, Tensor } from 'onnxruntime-node'
import { hashModelOutput } from '../../src/evm/abi.js'
import type { ModelInput, NumberTensor, TensorNumber } from '../../src/evm/types.js'
import { readModelMetadata } from '../../src/hub/metadata.js'
import { InferenceRequestError } from '../../src/inference/errors.js'
import { ModelRuntime, SESSION_OPTIONS, type LoadedModel } from '../../src/inference/runtime.js'
import { buildWideOutputModel, sileroVadModelPath } from '../../src/models/index.js'
import { MAX_OUTPUT_ELEMENTS } from '../../src/params.js'
import { identityModel, sqrtModel } from './fixtures.js'

const runtime = new ModelRuntime()
afterAll(() => runtime.close())

/** Bytes with the hub's metadata; the runtime caches sessions by `cid`, so each test model gets its own. */
function loaded(cid: string, bytes: Uint8Array): LoadedModel {
  return { cid, bytes, metadata: readModelMetadata(bytes) }
}

const n = (value: bigint, decimals = 0n): TensorNumber => ({ value, decimals })
const nums = (name: string, values: TensorNumber[], shape = [values.length]): NumberTensor => ({ name, values, shape })

const NUMERIC = ['float32', 'float64', 'int64', 'int32', 'int8', 'uint8', 'bool'] as const
const identity = loaded('identity', identityModel([...NUMERIC, 'string']))

function identityInput(overrides: Partial<Record<(typeof NUMERIC)[number], NumberTensor>> = {}): ModelInput {
  const base: Record<string, NumberTensor> = {
    float32: nums('float32_in', [n(15n, 1n), n(-1n, 8n)]),
    float64: nums('float64_in', [n(123456789n, 4n)]),
    int64: nums('int64_in', [n(2n ** 63n - 1n), n(-(2n ** 63n)), n(700n, 2n)]),
    int32: nums('int32_in', [n(-(2n ** 31n))]),
    int8: nums('int8_in', [n(-128n), n(127n)]),
    uint8: nums('uint8_in', [n(255n), n(0n)]),
    bool: nums('bool_in', [n(1n), n(0n), n(10n, 1n)]),
  }
  return { numbers: Object.values({ ...base, ...overrides }), strings: [{ name: 'string_in', values: ['héllo', ''] }] }
}

async function expectCode(promise: Promise<unknown>, code: string, status?: number) {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(InferenceRequestError)
  expect((err as InferenceRequestError).code).toBe(code)
  if (status !== undefined) expect((err as InferenceRequestError).status).toBe(status)
}

describe('ModelRuntime element types', () => {
  it('converts every element type exactly, outputs in model order', async () => {
    const output = await runtime.run(identity, identityInput())
    expect(output.isSimulationResult).toBe(false)
    expect(output.numbers.map((t) => t.name)).toEqual(NUMERIC.map((t) => `${t}_out`))
    const byName = Object.fromEntries(output.numbers.map((t) => [t.name, t]))
    // float32(1.5) exact; float32(-1e-8) = -9.99999993922529e-9 → -1 at 8 decimals
    expect(byName.float32_out!.values).toEqual([n(150000000n, 8n), n(-1n, 8n)])
    expect(byName.float64_out!.values).toEqual([n(1234567890000n, 8n)])
    expect(byName.int64_out!.values).toEqual([n(2n ** 63n - 1n), n(-(2n ** 63n)), n(7n)])
    expect(byName.int32_out!.values).toEqual([n(-(2n ** 31n))])
    expect(byName.int8_out!.values).toEqual([n(-128n), n(127n)])
    expect(byName.uint8_out!.values).toEqual([n(255n), n(0n)])
    expect(byName.bool_out!.values).toEqual([n(1n), n(0n), n(1n)])
    expect(byName.int64_out!.shape).toEqual([3])
    expect(output.strings).toEqual([{ name: 'string_out', values: ['héllo', ''] }])
  })

  it('refuses unknown, missing and duplicate names', async () => {
    const input = identityInput()
    await expectCode(runtime.run(identity, { ...input, numbers: [...input.numbers, nums('nope', [n(1n)])] }), 'BAD_TENSOR_NAME', 400)
    await expectCode(runtime.run(identity, { ...input, numbers: input.numbers.slice(1) }), 'BAD_TENSOR_NAME')
    await expectCode(runtime.run(identity, { ...input, numbers: [...input.numbers, input.numbers[0]!] }), 'BAD_TENSOR_NAME')
  })

  it('refuses strings for numbers and numbers for strings', async () => {
    const input = identityInput()
    await expectCode(runtime.run(identity, { numbers: input.numbers.slice(1), strings: [...input.strings, { name: 'float32_in', values: ['1'] }] }), 'BAD_TENSOR_TYPE')
    await expectCode(runtime.run(identity, { numbers: [...input.numbers, nums('string_in', [n(1n)])], strings: [] }), 'BAD_TENSOR_TYPE')
  })

  it('refuses wrong rank and values that do not fill the shape', async () => {
    await expectCode(runtime.run(identity, identityInput({ int8: nums('int8_in', [n(1n)], [1, 1]) })), 'BAD_TENSOR_SHAPE')
    await expectCode(runtime.run(identity, identityInput({ int8: nums('int8_in', [n(1n)], [2]) })), 'BAD_TENSOR_SHAPE')
  })

  it('refuses fractional integers, out-of-range values and float overflow', async () => {
    await expectCode(runtime.run(identity, identityInput({ int64: nums('int64_in', [n(15n, 1n)]) })), 'BAD_TENSOR_VALUE')
    await expectCode(runtime.run(identity, identityInput({ int64: nums('int64_in', [n(2n ** 63n)]) })), 'BAD_TENSOR_VALUE')
    await expectCode(runtime.run(identity, identityInput({ int8: nums('int8_in', [n(128n)]) })), 'BAD_TENSOR_VALUE')
    await expectCode(runtime.run(identity, identityInput({ uint8: nums('uint8_in', [n(-1n)]) })), 'BAD_TENSOR_VALUE')
    await expectCode(runtime.run(identity, identityInput({ bool: nums('bool_in', [n(2n)]) })), 'BAD_TENSOR_VALUE')
    await expectCode(runtime.run(identity, identityInput({ float32: nums('float32_in', [n(1n, -39n)]) })), 'BAD_TENSOR_VALUE')
    await expectCode(runtime.run(identity, identityInput({ float64: nums('float64_in', [n(1n, 78n)]) })), 'BAD_TENSOR_VALUE')
    // float64 holds what float32 cannot; 1e39 then overflows int128 at 8 output decimals
    const big = await runtime.run(identity, identityInput({ float64: nums('float64_in', [n(1n, -30n)]) }))
    expect(big.numbers[1]!.values[0]!.value).toBe(100000000000000001988462483865600000000n)
    await expectCode(runtime.run(identity, identityInput({ float64: nums('float64_in', [n(1n, -39n)]) })), 'INFERENCE_FAILED', 422)
  })
})

describe('ModelRuntime outputs', () => {
  it('fails NaN outputs deterministically (422)', async () => {
    const sqrt = loaded('sqrt', sqrtModel())
    const ok = await runtime.run(sqrt, { numbers: [nums('x', [n(4n)])], strings: [] })
    expect(ok.numbers[0]!.values).toEqual([n(200000000n, 8n)])
    await expectCode(runtime.run(sqrt, { numbers: [nums('x', [n(-4n)])], strings: [] }), 'INFERENCE_FAILED', 422)
  })

  it(`allows ${MAX_OUTPUT_ELEMENTS} output elements and refuses one more`, async () => {
    const input: ModelInput = { numbers: [nums('input', [n(1n)])], strings: [] }
    const atLimit = await runtime.run(loaded('wide-max', buildWideOutputModel(MAX_OUTPUT_ELEMENTS)), input)
    expect(atLimit.numbers[0]!.values).toHaveLength(MAX_OUTPUT_ELEMENTS)
    expect(atLimit.numbers[0]!.values[7]).toEqual(n(100000000n, 8n))
    await expectCode(runtime.run(loaded('wide-over', buildWideOutputModel(MAX_OUTPUT_ELEMENTS + 1)), input), 'OUTPUT_TOO_LARGE', 422)
  })

  it('reports models onnxruntime cannot load as INFERENCE_FAILED and counts executions', async () => {
    const before = runtime.executions
    const garbage: LoadedModel = { ...loaded('garbage', sqrtModel()), bytes: new Uint8Array([1, 2, 3]) }
    await expectCode(runtime.run(garbage, { numbers: [nums('x', [n(1n)])], strings: [] }), 'INFERENCE_FAILED', 500)
    await expectCode(runtime.run(identity, { numbers: [], strings: [] }), 'BAD_TENSOR_NAME')
    expect(runtime.executions).toBe(before)
    await runtime.run(identity, identityInput())
    await runtime.run(identity, identityInput())
    expect(runtime.executions).toBe(before + 2)
  })
})

describe('ModelRuntime with Silero VAD', () => {
  const bytes = readFileSync(sileroVadModelPath())
  const vad = loaded('silero', bytes)
  const audio = Array.from({ length: 512 }, (_, i) => Math.round(Math.sin(i / 5) * 5000))
  const input: ModelInput = {
    numbers: [
      nums('input', audio.map((v) => n(BigInt(v), 4n)), [1, 512]),
      nums('state', Array.from({ length: 256 }, () => n(0n)), [2, 1, 128]),
      nums('sr', [n(16000n)], []),
    ],
    strings: [],
  }

  it('matches a direct onnxruntime run within 1e-8 and is bit-identical run to run', async () => {
    const a = await runtime.run(vad, input)
    const b = await runtime.run(vad, input)
    expect(hashModelOutput(a)).toBe(hashModelOutput(b))
    expect(a.numbers.map((t) => [t.name, t.shape])).toEqual([
      ['output', [1, 1]],
      ['stateN', [2, 1, 128]],
    ])
    const session = await InferenceSession.create(bytes, SESSION_OPTIONS)
    const direct = await session.run({
      input: new Tensor('float32', Float32Array.from(audio, (v) => v / 1e4), [1, 512]),
      state: new Tensor('float32', new Float32Array(256), [2, 1, 128]),
      sr: new Tensor('int64', BigInt64Array.from([16000n]), []),
    })
    await session.release()
    for (const t of a.numbers) {
      const expected = direct[t.name]!.data as Float32Array
      expect(t.values).toHaveLength(expected.length)
      t.values.forEach((v, i) => expect(Math.abs(Number(v.value) / 1e8 - expected[i]!)).toBeLessThanOrEqual(1e-8))
    }
  })

  it('requires the sr scalar to hold exactly one value', async () => {
    const noSr = { ...input, numbers: [input.numbers[0]!, input.numbers[1]!, nums('sr', [], [])] }
    await expectCode(runtime.run(vad, noSr), 'BAD_TENSOR_SHAPE')
    const badState = { ...input, numbers: [input.numbers[0]!, nums('state', Array.from({ length: 256 }, () => n(0n)), [1, 2, 128]), input.numbers[2]!] }
    await expectCode(runtime.run(vad, badState), 'BAD_TENSOR_SHAPE')
  })
})
