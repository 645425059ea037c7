/**
 * The hub's content-addressed artifacts (`PUT|GET /artifacts/:cid`): bytes are stored only under
 * the CID they hash to, nothing stays behind from a refused or broken upload, and downloads are
 * checked against the CID on the client.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { connect } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { downloadArtifact } from '../../src/hub/artifact-client.js'
import { computeCid } from '../../src/hub/cid.js'
import { HubClient } from '../../src/hub/client.js'
import { HubError } from '../../src/hub/errors.js'
import { startHubServer, type HubServer } from '../../src/hub/server.js'
import { DiskModelStore } from '../../src/hub/store.js'
import { tempDir } from './helpers.js'

const LIMIT = 64 * 1024
const tmp = tempDir('inferchain-artifacts-test-')
const artifactsDir = join(tmp.dir, 'hub', 'artifacts')
let hub: HubServer
let client: HubClient

beforeAll(async () => {
  hub = await startHubServer({ store: new DiskModelStore(join(tmp.dir, 'hub')), port: 0, maxArtifactBytes: LIMIT })
  client = new HubClient(hub.url)
})
afterAll(async () => {
  await hub?.close()
  tmp.remove()
})

/** Every file in the artifacts directory, temp files included. */
const stored = () => readdirSync(artifactsDir).sort()
const bytesOf = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff)

async function refused(response: Response, status: number, code: string): Promise<void> {
  expect(response.status).toBe(status)
  expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code)
}

describe('hub artifacts', () => {
  it('stores bytes and files under their CID and serves them back, verified, with ranges', async () => {
    const bytes = bytesOf(40_000)
    const cid = computeCid(bytes)
    expect(await client.uploadArtifact(bytes)).toEqual({ cid, size: bytes.length })
    const file = join(tmp.dir, 'source.bin')
    writeFileSync(file, bytesOf(1000, 7))
    expect((await client.uploadArtifact(file)).cid).toBe(computeCid(bytesOf(1000, 7)))
    // Uploading again is harmless: same bytes, same name.
    expect((await client.uploadArtifact(bytes)).cid).toBe(cid)
    expect(stored()).toEqual([cid, computeCid(bytesOf(1000, 7))].sort())

    const dest = join(tmp.dir, 'downloaded.bin')
    expect(await client.downloadArtifact(cid, dest)).toEqual({ size: bytes.length })
    expect(new Uint8Array(readFileSync(dest))).toEqual(bytes)
    const part = await fetch(`${hub.url}/artifacts/${cid}`, { headers: { range: 'bytes=10-19' } })
    expect(part.status).toBe(206)
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(bytes.subarray(10, 20))
    // The model API is untouched: artifacts are not models.
    expect((await client.health()).models).toBe(0)
  })

  it('refuses bytes that hash to another CID, storing nothing', async () => {
    const before = stored()
    const put = await fetch(`${hub.url}/artifacts/${computeCid(bytesOf(500, 1))}`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: bytesOf(500, 2) })
    await refused(put, 400, 'MODEL_HASH_MISMATCH')
    expect(stored()).toEqual(before)
  })

  it('refuses oversize uploads, declared or streamed, storing nothing', async () => {
    const before = stored()
    const big = bytesOf(LIMIT + 1)
    // Declared too large: refused before the body is read.
    const declared = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${hub.url}/artifacts/${computeCid(big)}`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream', 'content-length': String(big.length) } }, (res) => {
        let body = ''
        res.on('data', (c: Buffer) => (body += c.toString()))
        res.on('end', () => resolve({ status: res.statusCode!, body }))
      })
      req.on('error', reject)
      req.end(big)
    })
    expect(declared.status).toBe(413)
    expect(JSON.parse(declared.body).error.code).toBe('FILE_TOO_LARGE')
    // No length declared (chunked): cut off at the limit while streaming.
    const streamed = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${hub.url}/artifacts/${computeCid(big)}`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' } }, (res) => {
        let body = ''
        res.on('data', (c: Buffer) => (body += c.toString()))
        res.on('end', () => resolve({ status: res.statusCode!, body }))
      })
      req.on('error', reject)
      for (let at = 0; at < big.length; at += 8192) req.write(big.subarray(at, at + 8192))
      req.end()
    })
    expect(streamed.status).toBe(413)
    expect(JSON.parse(streamed.body).error.code).toBe('FILE_TOO_LARGE')
    expect(stored()).toEqual(before)
  })

  it('a connection dropped mid-body leaves nothing behind', async () => {
    const before = stored()
    const bytes = bytesOf(30_000, 9)
    const url = new URL(hub.url)
    const socket = connect(Number(url.port), url.hostname)
    await new Promise((resolve) => socket.once('connect', resolve))
    socket.write(`PUT /artifacts/${computeCid(bytes)} HTTP/1.1\r\nhost: ${url.host}\r\ncontent-type: application/octet-stream\r\ncontent-length: ${bytes.length}\r\n\r\n`)
    socket.write(bytes.subarray(0, 10_000))
    await new Promise((r) => setTimeout(r, 200))
    socket.destroy()
    await new Promise((r) => setTimeout(r, 300))
    expect(stored()).toEqual(before)
  })

  it('answers INVALID_CID and FILE_NOT_FOUND', async () => {
    await refused(await fetch(`${hub.url}/artifacts/not-a-cid`), 400, 'INVALID_CID')
    await refused(await fetch(`${hub.url}/artifacts/${computeCid(bytesOf(3, 3))}`), 404, 'FILE_NOT_FOUND')
    await expect(client.downloadArtifact(computeCid(bytesOf(3, 3)), join(tmp.dir, 'x'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' })
  })

  it('a client refuses served bytes that do not hash to the CID, leaving no file', async () => {
    const bytes = bytesOf(2000, 5)
    const cid = computeCid(bytes)
    // A hub whose disk holds other bytes under the CID (corruption, or a dishonest hub).
    writeFileSync(join(artifactsDir, cid), bytesOf(2000, 6))
    const dest = join(tmp.dir, 'corrupt.bin')
    const err = await downloadArtifact(hub.url, cid, dest).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'MODEL_HASH_MISMATCH' })
    expect(existsSync(dest)).toBe(false)
    expect(readdirSync(tmp.dir).filter((n) => n.includes('.download-'))).toEqual([])
    // And more bytes than the caller allows are refused too.
    writeFileSync(join(artifactsDir, cid), bytes)
    expect(await downloadArtifact(hub.url, cid, dest, { maxBytes: 1000 }).catch((e: unknown) => e)).toBeInstanceOf(HubError)
    expect(existsSync(dest)).toBe(false)
  })
})
