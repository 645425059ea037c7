import { readFileSync } from 'node:fs'
import { isAbsolute } from 'node:path'
import { InferenceSession, Tensor } from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import {
  buildDemoModel,
  buildMlpModel,
  buildStringModel,
  buildWideOutputModel,
  DEMO_MODEL,
  mlpWeights,
  seededRandom,
  SILERO_VAD_FILE,
  sileroVadModelPath,
  type MlpSpec,
} from '../../src/models/index.js'

/** Gemm → Relu → Gemm by hand, in float64 from the same float32 weights. Also returns the hidden pre-activations. */
function referenceMlp(spec: MlpSpec, input: number[]): { output: number[]; hidden: number[] } {
  const { hiddenSize: h, outputSize: o } = spec
  const w = mlpWeights(spec)
  const hidden = Array.from({ length: h }, (_, j) => w.b1[j]! + input.reduce((acc, x, i) => acc + x * w.w1[i * h + j]!, 0))
  const output = Array.from({ length: o }, (_, k) => w.b2[k]! + hidden.reduce((acc, x, j) => acc + Math.max(0, x) * w.w2[j * o + k]!, 0))
  return { output, hidden }
}

async function runMlp(bytes: Uint8Array, spec: MlpSpec, input: number[]): Promise<Float32Array> {
  const session = await InferenceSession.create(bytes)
  const out = await session.run({ input: new Tensor('float32', Float32Array.from(input), [1, spec.inputSize]) })
  expect(out.output!.dims).toEqual([1, spec.outputSize])
  return out.output!.data as Float32Array
}

describe('the MLP builder', () => {
  it('the demo MLP computes Gemm → Relu → Gemm with the weights mlpWeights exports', async () => {
    const bytes = buildDemoModel()
    expect(DEMO_MODEL).toEqual({ inputSize: 16, hiddenSize: 32, outputSize: 4, seed: 1 })
    const random = seededRandom(42)
    for (let trial = 0; trial < 3; trial++) {
      const input = Array.from({ length: DEMO_MODEL.inputSize }, () => Math.fround(random() * 4 - 2))
      const { output, hidden } = referenceMlp(DEMO_MODEL, input)
      // The Relu must matter for the check to mean anything: some hidden units are negative.
      expect(hidden.some((v) => v < 0) && hidden.some((v) => v > 0)).toBe(true)
      const got = await runMlp(bytes, DEMO_MODEL, input)
      output.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5))
    }
  })

  it('writes the same bytes for the same spec, other bytes for another seed, small weights', () => {
    expect(Buffer.from(buildDemoModel()).equals(Buffer.from(buildMlpModel({ ...DEMO_MODEL })))).toBe(true)
    expect(Buffer.from(buildMlpModel({ ...DEMO_MODEL, seed: 2 })).equals(Buffer.from(buildDemoModel()))).toBe(false)
    const all = Object.values(mlpWeights(DEMO_MODEL)).flat()
    expect(all).toHaveLength(16 * 32 + 32 + 32 * 4 + 4)
    expect(all.every((v) => v >= -0.5 && v < 0.5 && Math.fround(v) === v)).toBe(true)
  })

  it('builds other sizes that run and match the reference', async () => {
    const spec = { inputSize: 3, hiddenSize: 5, outputSize: 2, seed: 9 }
    const input = [0.5, -1, 2]
    const got = await runMlp(buildMlpModel(spec), spec, input)
    referenceMlp(spec, input).output.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5))
  })

  it('refuses sizes that are not positive integers', () => {
    expect(() => buildMlpModel({ ...DEMO_MODEL, hiddenSize: 0 })).toThrowError(expect.objectContaining({ code: 'INVALID_MODEL_SPEC' }))
    expect(() => buildMlpModel({ ...DEMO_MODEL, inputSize: 1.5 })).toThrowError(expect.objectContaining({ code: 'INVALID_MODEL_SPEC' }))
  })
})

describe('the string model', () => {
  it('lowercases strings and counts them, for any number of strings', async () => {
    const session = await InferenceSession.create(buildStringModel())
    expect(session.inputNames).toEqual(['text'])
    expect(session.outputNames).toEqual(['normalized', 'length'])
    const out = await session.run({ text: new Tensor('string', ['Hello', 'WORLD', 'MiXeD 42'], [3]) })
    expect(out.normalized!.type).toBe('string')
    expect(out.normalized!.data).toEqual(['hello', 'world', 'mixed 42'])
    expect(Array.from(out.length!.data as BigInt64Array)).toEqual([3n])
    const one = await session.run({ text: new Tensor('string', ['ABC'], [1]) })
    expect([one.normalized!.data, Array.from(one.length!.data as BigInt64Array)]).toEqual([['abc'], [1n]])
  })
})

describe('the wide-output model', () => {
  it('outputs `size` elements', async () => {
    const session = await InferenceSession.create(buildWideOutputModel(1000))
    const out = await session.run({ input: new Tensor('float32', Float32Array.from([2.5]), [1]) })
    expect(out.output!.dims).toEqual([1000])
    expect((out.output!.data as Float32Array).every((v) => v === 2.5)).toBe(true)
  })
})

describe('Silero VAD (shipped by @ricky0123/vad-web)', () => {
  it('is found through module resolution and runs: input [1,512], state [2,1,128], int64 sr', async () => {
    const path = sileroVadModelPath()
    expect(isAbsolute(path) && path.endsWith(SILERO_VAD_FILE)).toBe(true)
    const session = await InferenceSession.create(readFileSync(path))
    expect(session.inputNames).toEqual(['input', 'state', 'sr'])
    expect(session.outputNames).toEqual(['output', 'stateN'])
    const run = (samples: Float32Array, state: Float32Array) =>
      session.run({
        input: new Tensor('float32', samples, [1, 512]),
        state: new Tensor('float32', state, [2, 1, 128]),
        sr: new Tensor('int64', BigInt64Array.from([16000n]), []),
      })
    const silence = await run(new Float32Array(512), new Float32Array(256))
    expect(silence.output!.dims).toEqual([1, 1])
    expect(silence.stateN!.dims).toEqual([2, 1, 128])
    const p = (silence.output!.data as Float32Array)[0]!
    expect(p).toBeGreaterThanOrEqual(0)
    expect(p).toBeLessThan(0.5)
    // The state carries over: feeding it back changes the next step's state.
    const next = await run(new Float32Array(512), silence.stateN!.data as Float32Array)
    expect(Array.from(next.stateN!.data as Float32Array)).not.toEqual(Array.from(silence.stateN!.data as Float32Array))
  })
})
