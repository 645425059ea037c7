import { readFileSync } from 'node:fs'
import { InferenceSession, Tensor } from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import { buildDemoModel, buildStringModel, DEMO_MODEL, mlpWeights, sileroVadModelPath } from '../../src/models/index.js'

/** Gemm → Relu → Gemm by hand, in float64 from the same float32 weights. */
function referenceMlp(input: number[]): number[] {
  const { inputSize: n, hiddenSize: h, outputSize: o } = DEMO_MODEL
  const w = mlpWeights(DEMO_MODEL)
  const hidden = Array.from({ length: h }, (_, j) => Math.max(0, w.b1[j]! + input.reduce((acc, x, i) => acc + x * w.w1[i * h + j]!, 0)))
  return Array.from({ length: o }, (_, k) => w.b2[k]! + hidden.reduce((acc, x, j) => acc + x * w.w2[j * o + k]!, 0))
  void n
}

describe('models built in code', () => {
  it('the demo MLP computes Gemm → Relu → Gemm with its weights', async () => {
    const session = await InferenceSession.create(buildDemoModel())
    const input = Array.from({ length: DEMO_MODEL.inputSize }, (_, i) => Math.fround((i - 8) / 10))
    const out = await session.run({ input: new Tensor('float32', Float32Array.from(input), [1, DEMO_MODEL.inputSize]) })
    const got = Array.from(out.output!.data as Float32Array)
    referenceMlp(input).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5))
    expect(buildDemoModel()).toEqual(buildDemoModel()) // deterministic bytes
  })

  it('the string model lowercases strings and counts them', async () => {
    const session = await InferenceSession.create(buildStringModel())
    const out = await session.run({ text: new Tensor('string', ['Hello', 'WORLD', 'MiXeD'], [3]) })
    expect(out.normalized!.data).toEqual(['hello', 'world', 'mixed'])
    expect(Array.from(out.length!.data as BigInt64Array)).toEqual([3n])
  })

  it('the shipped Silero VAD model runs: 3 inputs (int64 sr), speech probability and state out', async () => {
    const session = await InferenceSession.create(readFileSync(sileroVadModelPath()))
    expect(session.inputNames).toEqual(['input', 'state', 'sr'])
    const out = await session.run({
      input: new Tensor('float32', new Float32Array(512), [1, 512]),
      state: new Tensor('float32', new Float32Array(256), [2, 1, 128]),
      sr: new Tensor('int64', BigInt64Array.from([16000n]), []),
    })
    expect(out.output!.dims).toEqual([1, 1])
    expect(out.stateN!.dims).toEqual([2, 1, 128])
    const p = (out.output!.data as Float32Array)[0]!
    expect(p).toBeGreaterThanOrEqual(0)
    expect(p).toBeLessThan(0.5) // silence
  })
})
