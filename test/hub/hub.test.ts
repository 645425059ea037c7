import { readdirSync, writeFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { computeCid, createCidHasher, isValidCid } from '../../src/hub/cid.js'
import { HubClient } from '../../src/hub/client.js'
import { readModelMetadata } from '../../src/hub/metadata.js'
import { startHubServer, type HubServer } from '../../src/hub/server.js'
import { DiskModelStore } from '../../src/hub/store.js'
import { buildDemoModel, buildStringModel } from '../../src/models/index.js'
import { tempDir } from '../chain/helpers.js'

const tmp = tempDir('inferchain-hub-')
let hub: HubServer
let store: DiskModelStore
const onnxFiles = () => readdirSync(store.dir).filter((f) => f.endsWith('.onnx'))
const leftovers = () => readdirSync(store.dir).filter((f) => f.startsWith('.upload-'))

beforeAll(async () => {
  store = new DiskModelStore(tmp.dir)
  hub = await startHubServer({ store, port: 0, maxModelBytes: 1_000_000 })
})
afterAll(async () => {
  await hub.close()
  tmp.remove()
})

describe('CIDs', () => {
  it('are CIDv1 raw sha2-256, equal to multiformats computing it independently, streamed or not', async () => {
    const bytes = buildDemoModel()
    const reference = CID.create(1, raw.code, await sha256.digest(bytes)).toString()
    expect(computeCid(bytes)).toBe(reference)
    const hasher = createCidHasher()
    hasher.update(bytes.subarray(0, 100))
    hasher.update(bytes.subarray(100))
    expect(hasher.digest()).toBe(reference)
    expect(reference.startsWith('bafkrei')).toBe(true)
    expect(isValidCid(reference)).toBe(true)
    expect(isValidCid('QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG')).toBe(false)
    expect(isValidCid('not a cid')).toBe(false)
  })
})

describe('metadata', () => {
  it('reads inputs, outputs, operators and work units from the graph', () => {
    const m = readModelMetadata(buildDemoModel(), { name: 'demo' })
    expect(m).toMatchObject({ name: 'demo', opsetVersion: 17, operators: ['Gemm', 'Relu'], workUnits: 676 })
    expect(m.inputs).toEqual([{ name: 'input', type: 'float32', shape: [1, 16] }])
    expect(readModelMetadata(buildStringModel()).inputs).toEqual([{ name: 'text', type: 'string', shape: [-1] }])
    expect(() => readModelMetadata(new Uint8Array([9, 9, 9]))).toThrowError(expect.objectContaining({ code: 'INVALID_MODEL' }))
  })
})

describe('hub server', () => {
  it('round-trips a model by CID, with metadata, list and range requests', async () => {
    const client = new HubClient(hub.url)
    const bytes = buildDemoModel()
    const progress: number[] = []
    const { cid, metadata } = await client.upload(bytes, { name: 'demo mlp', onProgress: (sent) => progress.push(sent) })
    expect(cid).toBe(computeCid(bytes))
    expect(metadata.name).toBe('demo mlp')
    expect(progress.at(-1)).toBe(bytes.length)
    expect(Buffer.from(await client.download(cid)).equals(Buffer.from(bytes))).toBe(true)
    expect((await client.metadata(cid)).workUnits).toBe(676)
    expect((await client.list()).map((m) => m.cid)).toContain(cid)
    const partial = await fetch(`${hub.url}/models/${cid}`, { headers: { range: 'bytes=10-19' } })
    expect(partial.status).toBe(206)
    expect(Buffer.from(await partial.arrayBuffer()).equals(Buffer.from(bytes.subarray(10, 20)))).toBe(true)
  })

  it('rejects a body that does not hash to the expected CID, and keeps nothing', async () => {
    const before = onnxFiles().length
    const res = await fetch(`${hub.url}/models`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'x-expected-cid': computeCid(buildStringModel()) },
      body: buildDemoModel(),
    })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('MODEL_HASH_MISMATCH')
    expect(onnxFiles().length).toBe(before)
    expect(leftovers()).toEqual([])
  })

  it('rejects truncated or garbage uploads and oversized ones, keeping nothing', async () => {
    const before = onnxFiles().length
    const truncated = buildDemoModel().subarray(0, 1000)
    await expect(new HubClient(hub.url).upload(truncated)).rejects.toMatchObject({ code: 'INVALID_MODEL' })
    const big = await fetch(`${hub.url}/models`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(2_000_000) })
    expect(big.status).toBe(413)
    expect(onnxFiles().length).toBe(before)
    expect(leftovers()).toEqual([])
  })

  it('takes concurrent uploads of the same file safely: one file on disk', async () => {
    const bytes = buildStringModel()
    const results = await Promise.all(Array.from({ length: 6 }, () => new HubClient(hub.url).upload(bytes)))
    expect(new Set(results.map((r) => r.cid)).size).toBe(1)
    expect(onnxFiles().filter((f) => f.startsWith(results[0]!.cid))).toHaveLength(1)
    expect(leftovers()).toEqual([])
  })

  it('the client refuses bytes that do not match the CID (tampered on disk)', async () => {
    const bytes = buildDemoModel()
    const cid = computeCid(bytes)
    const tampered = Uint8Array.from(bytes)
    tampered[tampered.length - 1] ^= 1
    writeFileSync(store.modelPath(cid), tampered)
    await expect(new HubClient(hub.url).download(cid)).rejects.toMatchObject({ code: 'MODEL_HASH_MISMATCH' })
    writeFileSync(store.modelPath(cid), bytes)
  })

  it('answers unknown and malformed CIDs with 404 and 400', async () => {
    expect((await fetch(`${hub.url}/models/${computeCid(new Uint8Array([1]))}`)).status).toBe(404)
    expect((await fetch(`${hub.url}/models/nope`)).status).toBe(400)
  })
})
