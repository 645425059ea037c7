import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { computeCid } from '../../src/hub/cid.js'
import { HubClient } from '../../src/hub/client.js'
import { startHubServer } from '../../src/hub/server.js'
import { DiskModelStore } from '../../src/hub/store.js'
import { InferenceRequestError } from '../../src/inference/errors.js'
import { ModelCache, type ModelSource } from '../../src/inference/model-cache.js'
import { identityModel, sqrtModel } from './fixtures.js'

const dir = mkdtempSync(join(tmpdir(), 'inferchain-cache-'))
let hub: { url: string; close(): Promise<void> }
let cid: string
let otherCid: string

beforeAll(async () => {
  hub = await startHubServer({ store: new DiskModelStore(join(dir, 'hub')), port: 0 })
  cid = (await new HubClient(hub.url).upload(sqrtModel(), { name: 'sqrt' })).cid
  otherCid = (await new HubClient(hub.url).upload(identityModel(['int8']), { name: 'identity' })).cid
})
afterAll(async () => {
  await hub?.close()
  rmSync(dir, { recursive: true, force: true })
})

async function code(promise: Promise<unknown>): Promise<[string, number]> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(InferenceRequestError)
  return [(err as InferenceRequestError).code, (err as InferenceRequestError).status]
}

describe('ModelCache', () => {
  it('shares one download among concurrent requests and keeps the file on disk', async () => {
    const cacheDir = join(dir, 'shared')
    const cache = new ModelCache({ dir: cacheDir, source: new HubClient(hub.url) })
    const loaded = await Promise.all(Array.from({ length: 5 }, () => cache.get(cid)))
    expect(cache.downloads).toBe(1)
    expect(new Set(loaded).size).toBe(1)
    expect(loaded[0]!.metadata.cid).toBe(cid)
    expect(loaded[0]!.metadata.inputs.map((i) => i.name)).toEqual(['x'])
    expect(readdirSync(cacheDir)).toEqual([`${cid}.onnx`])

    const restarted = new ModelCache({ dir: cacheDir, source: new HubClient(hub.url) })
    await restarted.get(cid)
    expect(restarted.downloads).toBe(0)
  })

  it('re-downloads a cache file whose bytes do not match its CID', async () => {
    const cacheDir = join(dir, 'tampered')
    await new ModelCache({ dir: cacheDir, source: new HubClient(hub.url) }).get(cid)
    writeFileSync(join(cacheDir, `${cid}.onnx`), identityModel(['int8']))
    const cache = new ModelCache({ dir: cacheDir, source: new HubClient(hub.url) })
    const model = await cache.get(cid)
    expect(cache.downloads).toBe(1)
    expect(model.metadata.inputs.map((i) => i.name)).toEqual(['x'])
  })

  it('never accepts bytes whose CID is not the one requested', async () => {
    const real = new HubClient(hub.url)
    // A hub that answers with another model's (genuine) bytes.
    const lying: ModelSource = { download: () => real.download(otherCid) }
    const cache = new ModelCache({ dir: join(dir, 'lying'), source: lying })
    expect(await code(cache.get(cid))).toEqual(['INFERENCE_FAILED', 502])
    expect(existsSync(join(dir, 'lying', `${cid}.onnx`))).toBe(false)
  })

  it('maps unknown models, bad CIDs and an unreachable hub', async () => {
    const cache = new ModelCache({ dir: join(dir, 'errors'), source: new HubClient(hub.url) })
    const unknown = computeCid(new TextEncoder().encode('not uploaded'))
    expect(await code(cache.get(unknown))).toEqual(['MODEL_NOT_FOUND', 404])
    expect(await code(cache.get('../escape'))).toEqual(['MODEL_NOT_FOUND', 404])
    expect(await code(cache.get(cid.toUpperCase()))).toEqual(['MODEL_NOT_FOUND', 404])
    const down = new ModelCache({ dir: join(dir, 'down'), source: new HubClient('http://127.0.0.1:1') })
    expect(await code(down.get(cid))).toEqual(['INFERENCE_FAILED', 503])
    // failures are not cached: the same cache succeeds once the model is reachable
    await expect(cache.get(cid)).resolves.toMatchObject({ cid })
  })
})
