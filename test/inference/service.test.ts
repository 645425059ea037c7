import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { InferenceSession, Tensor } from 'onnxruntime-node'
import { recoverAddress, type Hex } from 'viem'
import { hashModelInput, hashModelOutput } from '../../src/evm/abi.js'
import { ModelInferenceMode, type ModelInferenceRequest, type ModelInput, type NumberTensor, type SignedInferenceResult } from '../../src/evm/types.js'
import { computeCid } from '../../src/hub/cid.js'
import { HubClient } from '../../src/hub/client.js'
import { startHubServer } from '../../src/hub/server.js'
import { DiskModelStore } from '../../src/hub/store.js'
import type { ModelMetadata } from '../../src/hub/types.js'
import { InferenceNodeClient } from '../../src/inference/client.js'
import { InferenceNodeError } from '../../src/inference/errors.js'
import { SESSION_OPTIONS } from '../../src/inference/runtime.js'
import { startInferenceNode, type InferenceNode } from '../../src/inference/service.js'
import { buildDemoModel, buildStringModel, buildWideOutputModel, sileroVadModelPath } from '../../src/models/index.js'
import { vanillaDigest, verifyVanillaResult } from '../../src/verify/vanilla.js'
import { identityModel, sqrtModel } from './fixtures.js'

const KEY: Hex = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'
const dir = mkdtempSync(join(tmpdir(), 'inferchain-node-'))
let hub: { url: string; close(): Promise<void> }
let node: InferenceNode
let client: InferenceNodeClient
const models: Record<string, { cid: string; metadata: ModelMetadata; bytes: Uint8Array }> = {}

beforeAll(async () => {
  hub = await startHubServer({ store: new DiskModelStore(join(dir, 'hub')), port: 0 })
  const hubClient = new HubClient(hub.url)
  const files: Record<string, Uint8Array> = {
    demo: buildDemoModel(),
    string: buildStringModel(),
    vad: readFileSync(sileroVadModelPath()),
    identity: identityModel(['int8', 'float32']),
    sqrt: sqrtModel(),
    wide: buildWideOutputModel(70_000),
  }
  for (const [name, bytes] of Object.entries(files)) {
    const { cid, metadata } = await hubClient.upload(bytes, { name })
    models[name] = { cid, metadata, bytes }
  }
  node = await startInferenceNode({ privateKey: KEY, hubUrl: hub.url, cacheDir: join(dir, 'cache') })
  client = new InferenceNodeClient(node.url)
})

afterAll(async () => {
  await node?.close()
  await hub?.close()
  rmSync(dir, { recursive: true, force: true })
})

const req = (model: string, input: ModelInput, mode = ModelInferenceMode.VANILLA): ModelInferenceRequest => ({
  mode,
  modelCid: models[model]!.cid,
  input,
})
const nums = (name: string, values: number[], shape: number[], decimals = 0n): NumberTensor => ({
  name,
  values: values.map((v) => ({ value: BigInt(v), decimals })),
  shape,
})

/** An input for the demo MLP: its first input's shape, dynamic dims as 1, values i/10. */
function demoInput(): { input: ModelInput; floats: Float32Array; shape: number[] } {
  const spec = models.demo!.metadata.inputs[0]!
  const shape = spec.shape.map((d) => (d === -1 ? 1 : d))
  const size = shape.reduce((a, b) => a * b, 1)
  const tenths = Array.from({ length: size }, (_, i) => i - 3)
  return { input: { numbers: [nums(spec.name, tenths, shape, 1n)], strings: [] }, floats: Float32Array.from(tenths, (v) => v / 10), shape }
}

async function refusal(request: ModelInferenceRequest): Promise<InferenceNodeError> {
  const err = await client.infer(request).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(InferenceNodeError)
  return err as InferenceNodeError
}

describe('inference node service', () => {
  it('runs the demo MLP like onnxruntime does, to 1e-8, and signs it', async () => {
    const { input, floats, shape } = demoInput()
    const result = await client.infer(req('demo', input))
    expect(result.output.isSimulationResult).toBe(false)
    expect(result.inputHash).toBe(hashModelInput(input))
    expect(result.outputHash).toBe(hashModelOutput(result.output))
    expect(result.node).toBe(node.address)
    expect(verifyVanillaResult(result, { inputHash: hashModelInput(input), signer: node.address })).toBe(node.address)
    expect(await recoverAddress({ hash: vanillaDigest(result), signature: result.signature })).toBe(node.address)

    const session = await InferenceSession.create(models.demo!.bytes, SESSION_OPTIONS)
    const direct = await session.run({ [models.demo!.metadata.inputs[0]!.name]: new Tensor('float32', floats, shape) })
    await session.release()
    expect(result.output.numbers.map((t) => t.name)).toEqual(models.demo!.metadata.outputs.map((o) => o.name))
    for (const t of result.output.numbers) {
      const expected = direct[t.name]!.data as Float32Array
      expect(t.shape).toEqual([...direct[t.name]!.dims])
      t.values.forEach((v, i) => {
        expect(v.decimals).toBe(8n)
        expect(Math.abs(Number(v.value) / 1e8 - expected[i]!)).toBeLessThanOrEqual(1e-8)
      })
    }
  })

  it('gives identical output hashes for identical requests, and the counter counts', async () => {
    const before = node.stats().inferences
    const { input } = demoInput()
    const [a, b] = [await client.infer(req('demo', input)), await client.infer(req('demo', input))]
    expect(a.outputHash).toBe(b.outputHash)
    expect(a.signature).toBe(b.signature)
    expect(node.stats().inferences).toBe(before + 2)
    expect(await client.metrics()).toEqual({ inferences: before + 2 })
    const health = await client.health()
    expect(health).toMatchObject({ ok: true, address: node.address, modes: [ModelInferenceMode.VANILLA] })
    expect(health.models).toContain(models.demo!.cid)
  })

  it('serves concurrent requests with identical results', async () => {
    const { input } = demoInput()
    const results = await Promise.all(Array.from({ length: 8 }, () => client.infer(req('demo', input))))
    expect(new Set(results.map((r) => r.outputHash)).size).toBe(1)
  })

  it('with perturbOutputs, signs a validly signed but wrong output', async () => {
    const liar = await startInferenceNode({ privateKey: KEY, hubUrl: hub.url, cacheDir: join(dir, 'liar-cache'), perturbOutputs: true })
    try {
      const { input } = demoInput()
      const honest = await client.infer(req('demo', input))
      const lie = await new InferenceNodeClient(liar.url).infer(req('demo', input))
      expect(verifyVanillaResult(lie, { inputHash: honest.inputHash, signer: node.address })).toBe(node.address)
      expect(lie.outputHash).not.toBe(honest.outputHash)
      expect(lie.output.numbers[0]!.values[0]!.value).toBe(honest.output.numbers[0]!.values[0]!.value + 1n)
      expect(lie.output.numbers[0]!.values.slice(1)).toEqual(honest.output.numbers[0]!.values.slice(1))
    } finally {
      await liar.close()
    }
  })

  it('refuses to start with modes it cannot serve', async () => {
    await expect(
      startInferenceNode({ privateKey: KEY, hubUrl: hub.url, cacheDir: join(dir, 'zk'), modes: [ModelInferenceMode.ZK] }),
    ).rejects.toThrow(/not implemented/)
  })

  it('detects one changed output value through the signature', async () => {
    const result = await client.infer(req('demo', demoInput().input))
    const tampered: SignedInferenceResult = structuredClone(result)
    tampered.output.numbers[0]!.values[0]!.value += 1n
    expect(() => verifyVanillaResult(tampered)).toThrow(expect.objectContaining({ code: 'OUTPUT_HASH_MISMATCH' }))
    tampered.outputHash = hashModelOutput(tampered.output)
    expect(() => verifyVanillaResult(tampered)).toThrow(expect.objectContaining({ code: 'BAD_SIGNATURE' }))
  })

  it('runs the string model like onnxruntime does', async () => {
    const values = ['Hello', 'InferChain', '']
    const result = await client.infer(req('string', { numbers: [], strings: [{ name: 'text', values }] }))
    verifyVanillaResult(result, { signer: node.address })
    expect(result.output.strings).toEqual([{ name: 'normalized', values: ['hello', 'inferchain', ''] }])
    expect(result.output.numbers).toEqual([{ name: 'length', values: [{ value: 3n, decimals: 0n }], shape: [1] }])
    const session = await InferenceSession.create(models.string!.bytes, SESSION_OPTIONS)
    const direct = await session.run({ text: new Tensor('string', values, [values.length]) })
    await session.release()
    expect(result.output.strings[0]!.values).toEqual(direct.normalized!.data)
  })

  it('runs Silero VAD: three inputs, an int64 scalar, a [2,1,128] state out', async () => {
    const audio = Array.from({ length: 512 }, (_, i) => Math.round(Math.sin(i / 3) * 3000))
    const input: ModelInput = {
      numbers: [nums('input', audio, [1, 512], 4n), nums('state', new Array(256).fill(0), [2, 1, 128]), nums('sr', [16000], [])],
      strings: [],
    }
    const result = await client.infer(req('vad', input))
    const state = result.output.numbers.find((t) => t.name === 'stateN')!
    expect(state.shape).toEqual([2, 1, 128])
    expect(state.values).toHaveLength(256)
    const probability = result.output.numbers.find((t) => t.name === 'output')!
    expect(probability.shape).toEqual([1, 1])
    expect(probability.values[0]!.value).toBeGreaterThanOrEqual(0n)
    expect(probability.values[0]!.value).toBeLessThanOrEqual(10n ** 8n)
  })
})

describe('inference node refusals', () => {
  const identityInput = (int8: NumberTensor = nums('int8_in', [1], [1])): ModelInput => ({
    numbers: [int8, nums('float32_in', [1], [1])],
    strings: [],
  })

  it('answers every protocol error code', async () => {
    const unknownCid = computeCid(new TextEncoder().encode('no such model'))
    const cases: [ModelInferenceRequest, string, number][] = [
      [{ ...req('identity', identityInput()), modelCid: unknownCid }, 'MODEL_NOT_FOUND', 404],
      [{ ...req('identity', identityInput()), modelCid: '../../etc/passwd' }, 'MODEL_NOT_FOUND', 404],
      [req('identity', identityInput(), ModelInferenceMode.ZK), 'MODE_NOT_SUPPORTED', 400],
      [req('identity', identityInput(), ModelInferenceMode.TEE), 'MODE_NOT_SUPPORTED', 400],
      [req('identity', identityInput(nums('int9_in', [1], [1]))), 'BAD_TENSOR_NAME', 400],
      [req('identity', { numbers: [nums('float32_in', [1], [1])], strings: [{ name: 'int8_in', values: ['1'] }] }), 'BAD_TENSOR_TYPE', 400],
      [req('identity', identityInput(nums('int8_in', [1, 2], [3]))), 'BAD_TENSOR_SHAPE', 400],
      [req('identity', identityInput(nums('int8_in', [300], [1]))), 'BAD_TENSOR_VALUE', 400],
      [req('wide', { numbers: [nums('input', [1], [1])], strings: [] }), 'OUTPUT_TOO_LARGE', 422],
      [req('sqrt', { numbers: [nums('x', [-1], [1])], strings: [] }), 'INFERENCE_FAILED', 422],
    ]
    for (const [request, code, status] of cases) {
      const err = await refusal(request)
      expect([err.code, err.status]).toEqual([code, status])
    }
  })

  it('answers BAD_REQUEST to malformed bodies and keeps serving', async () => {
    const post = (body: string, type = 'application/json') =>
      fetch(`${node.url}/v1/infer`, { method: 'POST', headers: { 'content-type': type }, body })
    for (const [body, type] of [
      ['{not json', 'application/json'],
      ['{}', 'application/json'],
      [JSON.stringify({ modelCid: 'x', mode: 0, input: { numbers: [{ name: 'a', values: [{ value: '1.5', decimals: '0' }], shape: [1] }], strings: [] } }), 'application/json'],
      ['hello', 'text/plain'],
    ] as const) {
      const res = await post(body, type)
      expect(res.status).toBeGreaterThanOrEqual(400)
      expect(res.status).toBeLessThan(500)
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('BAD_REQUEST')
    }
    expect((await client.health()).ok).toBe(true)
  })
})
