import { readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { computeCid } from '../../src/hub/cid.js'
import { readModelMetadata } from '../../src/hub/metadata.js'
import { DiskModelStore, MemoryModelStore, uploadStagingFor } from '../../src/hub/store.js'
import type { ModelStore } from '../../src/hub/types.js'
import { buildDemoModel, buildStringModel } from '../../src/models/index.js'
import { tempDir } from './helpers.js'

const cleanups: Array<() => void> = []
afterEach(() => cleanups.splice(0).forEach((f) => f()))

function diskStore(): DiskModelStore {
  const tmp = tempDir()
  cleanups.push(tmp.remove)
  return new DiskModelStore(tmp.dir)
}

describe.each([
  ['DiskModelStore', diskStore],
  ['MemoryModelStore', () => new MemoryModelStore()],
] as Array<[string, () => ModelStore]>)('%s', (_name, create) => {
  it('stores bytes under their CID, idempotently, with metadata and a sorted list', async () => {
    const store = create()
    const demo = buildDemoModel()
    const unknown = computeCid(new Uint8Array([1]))
    expect(await store.has(unknown)).toBe(false)
    expect(await store.get(unknown)).toBeUndefined()
    expect(await store.getMetadata(unknown)).toBeUndefined()

    const cid = await store.put(demo)
    expect(cid).toBe(computeCid(demo))
    expect(await store.put(demo)).toBe(cid)
    expect(await store.has(cid)).toBe(true)
    expect(Buffer.from((await store.get(cid))!).equals(Buffer.from(demo))).toBe(true)

    const metadata = readModelMetadata(demo, { name: 'demo' })
    await store.putMetadata(metadata)
    const other = buildStringModel()
    await store.put(other)
    await store.putMetadata(readModelMetadata(other))
    expect(await store.getMetadata(cid)).toEqual(metadata)
    const listed = (await store.list()).map((m) => m.cid)
    expect(listed).toEqual([cid, computeCid(other)].sort())
  })

  it('answers a malformed CID with "not found", never a path outside the store', async () => {
    const store = create()
    expect(await store.has('../../etc/passwd')).toBe(false)
    expect(await store.get('../x')).toBeUndefined()
    expect(await store.getMetadata('nope')).toBeUndefined()
  })

  it('stages uploads and adopts them only under their CID', async () => {
    const store = create()
    const staging = uploadStagingFor(store)
    const bytes = buildStringModel()
    const temp = staging.tempPath()
    writeFileSync(temp, bytes)
    await staging.adopt(temp, computeCid(bytes))
    expect(await store.has(computeCid(bytes))).toBe(true)
    const dropped = staging.tempPath()
    writeFileSync(dropped, bytes)
    await staging.discard(dropped)
    await staging.discard(dropped) // twice: no error
  })
})

describe('DiskModelStore on disk', () => {
  it('keeps <cid>.onnx and <cid>.json and no temp file', async () => {
    const store = diskStore()
    const cid = await store.put(buildDemoModel())
    await store.putMetadata(readModelMetadata(buildDemoModel()))
    expect(readdirSync(store.dir).sort()).toEqual([`${cid}.json`, `${cid}.onnx`])
    expect(store.modelPath(cid)).toBe(join(store.dir, `${cid}.onnx`))
  })

  it('refuses to make a path from something that is not a CID (INVALID_CID)', () => {
    const store = diskStore()
    expect(() => store.modelPath('../../etc/passwd')).toThrowError(expect.objectContaining({ code: 'INVALID_CID' }))
    expect(() => store.metadataPath('x')).toThrowError(expect.objectContaining({ code: 'INVALID_CID' }))
  })

  it('derives lost metadata again from the stored model (a crash between the two renames)', async () => {
    const store = diskStore()
    const bytes = buildDemoModel()
    const cid = await store.put(bytes)
    expect((await store.list()).map((m) => m.cid)).toEqual([cid])
    expect(await store.getMetadata(cid)).toEqual(readModelMetadata(bytes))
    expect(readdirSync(store.dir)).toContain(`${cid}.json`)
    rmSync(store.metadataPath(cid))
    expect((await store.getMetadata(cid))?.workUnits).toBe(676)
  })

  it('ignores stray files (temp uploads, foreign names) when listing', async () => {
    const store = diskStore()
    writeFileSync(join(store.dir, '.upload-0123'), 'partial')
    writeFileSync(join(store.dir, 'notes.onnx'), 'x')
    const cid = await store.put(buildStringModel())
    expect((await store.list()).map((m) => m.cid)).toEqual([cid])
  })
})
