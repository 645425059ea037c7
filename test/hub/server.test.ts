import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { computeCid } from '../../src/hub/cid.js'
import { HubClient } from '../../src/hub/client.js'
import { ModelHashMismatchError } from '../../src/hub/errors.js'
import { startHubServer } from '../../src/hub/server.js'
import { MemoryModelStore } from '../../src/hub/store.js'
import { buildDemoModel, buildStringModel, sileroVadModelPath } from '../../src/models/index.js'
import { startTestHub } from './helpers.js'

type TestHub = Awaited<ReturnType<typeof startTestHub>>
const hubs: TestHub[] = []
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.stop()))
})
async function testHub(maxModelBytes?: number): Promise<TestHub> {
  const h = await startTestHub(maxModelBytes)
  hubs.push(h)
  return h
}

const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error
const post = (url: string, body: Uint8Array | ReadableStream<Uint8Array> | string, headers: Record<string, string> = {}) =>
  fetch(`${url}/models`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', ...headers }, body, duplex: 'half' } as RequestInit)

describe('hub server and client', () => {
  it('round-trips a model: upload (with progress), download, metadata, list, health', async () => {
    const { hub } = await testHub()
    const client = new HubClient(hub.url)
    const bytes = buildDemoModel()
    const progress: number[] = []
    const { cid, metadata } = await client.upload(bytes, { name: 'demo mlp', description: 'Gemm → Relu → Gemm', onProgress: (sent) => progress.push(sent) })
    expect(cid).toBe(computeCid(bytes))
    expect(metadata).toMatchObject({ cid, size: bytes.length, name: 'demo mlp', description: 'Gemm → Relu → Gemm', workUnits: 676 })
    expect(progress.at(-1)).toBe(bytes.length)
    expect(Buffer.from(await client.download(cid)).equals(Buffer.from(bytes))).toBe(true)
    expect(await client.metadata(cid)).toEqual(metadata)
    expect(await client.list()).toEqual([metadata])
    expect(await (await fetch(`${hub.url}/health`)).json()).toEqual({ ok: true, models: 1, maxModelBytes: 256 * 1024 * 1024 })
  })

  it('uploads a file by path (Silero, 2.3 MB), streamed in chunks with progress', async () => {
    const { hub } = await testHub()
    const path = sileroVadModelPath()
    const progress: Array<[number, number]> = []
    const { cid, metadata } = await new HubClient(hub.url).upload(path, { onProgress: (sent, total) => progress.push([sent, total]) })
    const bytes = readFileSync(path)
    expect(cid).toBe(computeCid(bytes))
    expect(metadata.inputs.map((i) => `${i.name}:${i.type}`)).toEqual(['input:float32', 'state:float32', 'sr:int64'])
    expect(progress.length).toBeGreaterThan(2)
    expect(progress.at(-1)).toEqual([bytes.length, bytes.length])
  })

  it('serves byte ranges and marks model bytes immutable', async () => {
    const { hub } = await testHub()
    const bytes = buildDemoModel()
    const { cid } = await new HubClient(hub.url).upload(bytes)
    const partial = await fetch(`${hub.url}/models/${cid}`, { headers: { range: 'bytes=10-19' } })
    expect(partial.status).toBe(206)
    expect(partial.headers.get('content-range')).toBe(`bytes 10-19/${bytes.length}`)
    expect(Buffer.from(await partial.arrayBuffer()).equals(Buffer.from(bytes.subarray(10, 20)))).toBe(true)
    const full = await fetch(`${hub.url}/models/${cid}`)
    expect(full.headers.get('etag')).toBe(`"${cid}"`)
    expect(full.headers.get('cache-control')).toContain('immutable')
    await full.arrayBuffer()
    expect((await fetch(`${hub.url}/models/${cid}`, { headers: { range: `bytes=${bytes.length}-` } })).status).toBe(416)
  })

  it('rejects a body that does not hash to x-expected-cid (400) and stores nothing', async () => {
    const { hub, files } = await testHub()
    const res = await post(hub.url, buildDemoModel(), { 'x-expected-cid': computeCid(buildStringModel()) })
    expect(res.status).toBe(400)
    expect((await errorOf(res)).code).toBe('MODEL_HASH_MISMATCH')
    const bad = await post(hub.url, buildDemoModel(), { 'x-expected-cid': 'not-a-cid' })
    expect([bad.status, (await errorOf(bad)).code]).toEqual([400, 'INVALID_CID'])
    expect(files()).toEqual([])
  })

  it('rejects truncated and garbage uploads with INVALID_MODEL, storing nothing', async () => {
    const { hub, files } = await testHub()
    const demo = buildDemoModel()
    await expect(new HubClient(hub.url).upload(demo.subarray(0, 1000))).rejects.toMatchObject({ name: 'HubError', code: 'INVALID_MODEL' })
    const garbage = await post(hub.url, new TextEncoder().encode('this is not an onnx file'))
    expect([garbage.status, (await errorOf(garbage)).code]).toEqual([400, 'INVALID_MODEL'])
    const empty = await post(hub.url, new Uint8Array())
    expect([empty.status, (await errorOf(empty)).code]).toEqual([400, 'INVALID_MODEL'])
    expect(files()).toEqual([])
  })

  it('refuses models over the limit with 413, whether the size is declared or streamed', async () => {
    const { hub, files } = await testHub(100_000)
    const declared = await post(hub.url, new Uint8Array(200_000))
    expect([declared.status, (await errorOf(declared)).code]).toEqual([413, 'MODEL_TOO_LARGE'])
    // No content-length: the hub counts while streaming and stops at the limit.
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 12; i++) controller.enqueue(new Uint8Array(10_000))
        controller.close()
      },
    })
    const streamed = await post(hub.url, chunks)
    expect([streamed.status, (await errorOf(streamed)).code]).toEqual([413, 'MODEL_TOO_LARGE'])
    await expect(new HubClient(hub.url).upload(sileroVadModelPath())).rejects.toMatchObject({ code: 'MODEL_TOO_LARGE' })
    expect(files()).toEqual([])
  })

  it('takes concurrent uploads of the same file: all succeed, one file on disk', async () => {
    const { hub, files } = await testHub()
    const bytes = buildStringModel()
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => new HubClient(hub.url).upload(bytes, { name: `copy ${i}` })))
    const cid = computeCid(bytes)
    expect(results.map((r) => r.cid)).toEqual(new Array(6).fill(cid))
    expect(files()).toEqual([`${cid}.json`, `${cid}.onnx`])
    expect(readFileSync(join(hubs[0]!.store.dir, `${cid}.onnx`)).equals(Buffer.from(bytes))).toBe(true)
  })

  it('keeps an earlier name when the same model is uploaded again without one', async () => {
    const { hub } = await testHub()
    const client = new HubClient(hub.url)
    const { cid } = await client.upload(buildDemoModel(), { name: 'demo', description: 'first' })
    expect((await client.upload(buildDemoModel())).metadata).toMatchObject({ name: 'demo', description: 'first' })
    expect((await client.upload(buildDemoModel(), { name: 'renamed' })).metadata.name).toBe('renamed')
    expect((await client.metadata(cid)).name).toBe('renamed')
  })

  it('the client refuses bytes that do not match their CID (file tampered on disk)', async () => {
    const { hub, store } = await testHub()
    const bytes = buildDemoModel()
    const { cid } = await new HubClient(hub.url).upload(bytes)
    const tampered = Uint8Array.from(bytes)
    tampered[tampered.length - 1]! ^= 1
    writeFileSync(store.modelPath(cid), tampered)
    const err = await new HubClient(hub.url).download(cid).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ModelHashMismatchError)
    expect(err).toMatchObject({ code: 'MODEL_HASH_MISMATCH', details: { expected: cid, actual: computeCid(tampered) } })
  })

  it('answers unknown models 404, malformed CIDs 400, unknown routes 404, all as { error: { code, message } }', async () => {
    const { hub } = await testHub()
    const unknown = computeCid(new Uint8Array([1]))
    for (const [path, status, code] of [
      [`/models/${unknown}`, 404, 'MODEL_NOT_FOUND'],
      [`/models/${unknown}/metadata`, 404, 'MODEL_NOT_FOUND'],
      ['/models/nope', 400, 'INVALID_CID'],
      ['/models/nope/metadata', 400, 'INVALID_CID'],
      ['/elsewhere', 404, 'NOT_FOUND'],
    ] as const) {
      const res = await fetch(`${hub.url}${path}`)
      expect([path, res.status, (await errorOf(res)).code]).toEqual([path, status, code])
    }
    const json = await fetch(`${hub.url}/models`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    expect([json.status, (await errorOf(json)).code]).toEqual([415, 'BAD_REQUEST'])
    const client = new HubClient(hub.url)
    await expect(client.download(unknown)).rejects.toMatchObject({ name: 'HubError', code: 'MODEL_NOT_FOUND', details: { status: 404 } })
    await expect(client.metadata('nope')).rejects.toMatchObject({ code: 'INVALID_CID' })
    await expect(new HubClient('http://127.0.0.1:1').list()).rejects.toMatchObject({ code: 'HUB_UNAVAILABLE' })
  })

  it('serves from any ModelStore (memory) with the same API', async () => {
    const store = new MemoryModelStore()
    const hub = await startHubServer({ store })
    try {
      const client = new HubClient(`${hub.url}/`)
      const { cid } = await client.upload(buildStringModel(), { name: 'strings' })
      expect(await store.has(cid)).toBe(true)
      expect(Buffer.from(await client.download(cid)).equals(Buffer.from(buildStringModel()))).toBe(true)
      expect((await client.list()).map((m) => m.name)).toEqual(['strings'])
      const res = await post(hub.url, buildDemoModel(), { 'x-expected-cid': cid })
      expect(res.status).toBe(400)
      expect(await store.has(computeCid(buildDemoModel()))).toBe(false)
    } finally {
      await hub.close()
    }
  })
})

