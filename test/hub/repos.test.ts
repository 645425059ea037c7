/**
 * The repository API on a real hub over loopback, with ownership read from a real chain (full node
 * in process) and real EIP-712 signatures: the happy path, every kind of refused write (each
 * leaving the store exactly as it was), range downloads, concurrent uploads, private repositories.
 */
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { authHeaders, signHubRequest } from '../../src/hub/auth.js'
import { cidDigestHex, computeCid } from '../../src/hub/cid.js'
import { HubClient } from '../../src/hub/client.js'
import { multipartStream } from '../../src/hub/repo-client.js'
import { startHubServer } from '../../src/hub/server.js'
import { MemoryModelStore } from '../../src/hub/store.js'
import { buildDemoModel, buildStringModel } from '../../src/models/index.js'
import { DEFAULT_CHAIN_ID } from '../../src/params.js'
import { startRepoHub, startTestChain, type RepoTestChain, type RepoTestHub } from './repo-helpers.js'

let chain: RepoTestChain
let h: RepoTestHub
beforeAll(async () => {
  chain = await startTestChain()
  h = await startRepoHub(chain, { maxFileBytes: 1_000_000 })
  await chain.claim(chain.alice, 'demo')
  await chain.claim(chain.alice, 'secret')
  await h.client(chain.alice).createRepository({ name: 'demo', description: 'a tiny MLP', task: 'tabular-regression', license: 'apache-2.0', tags: ['demo', 'mlp'] })
  await h.client(chain.alice).createRepository({ name: 'secret', private: true })
}, 120_000)
afterAll(async () => {
  await h?.stop()
  await chain?.stop()
})

const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error

/** A hand-made signed upload, so that tests can lie about the body. */
async function rawUpload(options: { signCid: string; signSize: number; body: Uint8Array; signer?: typeof chain.alice; fileName?: string; version?: string; ttl?: number; repo?: string }) {
  const { signCid, signSize, body } = options
  const repo = options.repo ?? 'demo'
  const version = options.version ?? '1.00'
  const fileName = options.fileName ?? 'strings.onnx'
  const signed = await signHubRequest(options.signer ?? chain.alice, DEFAULT_CHAIN_ID, { action: 'upload-file', repository: repo, version, file: fileName, contentHash: cidDigestHex(signCid), size: BigInt(signSize) }, options.ttl)
  const headers: Record<string, string> = { ...authHeaders(signed), 'x-hub-content-cid': signCid, 'x-hub-content-size': String(signSize) }
  const send = (override: Record<string, string> = {}) => {
    const form = multipartStream(fileName, body.length, body)
    const init = { method: 'POST', headers: { ...headers, 'content-type': form.contentType, ...override }, body: form.body, duplex: 'half' }
    return fetch(`${h.hub.url}/repos/${repo}/versions/${version}/files`, init as RequestInit)
  }
  return { send, headers }
}

describe('repositories', () => {
  it('create repo → version → upload → list → download by content ID; the model is served to inference nodes by CID', async () => {
    const alice = h.client(chain.alice)
    const repo = await alice.getRepository('demo')
    expect(repo).toMatchObject({ name: 'demo', owner: chain.alice.address, description: 'a tiny MLP', task: 'tabular-regression', license: 'apache-2.0', tags: ['demo', 'mlp'], private: false })
    expect(repo.versions.map((v) => v.version)).toEqual(['1.00'])
    expect((await alice.createVersion('demo')).version).toBe('1.01')
    expect((await alice.createVersion('demo', '2.00')).version).toBe('2.00')
    const bytes = buildDemoModel()
    const progress: number[] = []
    const { file, created } = await alice.upload('demo', '2.00', bytes, { fileName: 'model.onnx', onProgress: (sent) => progress.push(sent) })
    expect(created).toBe(true)
    expect(file).toMatchObject({ name: 'model.onnx', cid: computeCid(bytes), size: bytes.length })
    expect(progress.at(-1)).toBe(bytes.length)
    const readme = new TextEncoder().encode('# demo\n')
    await alice.upload('demo', '2.00', readme, { fileName: 'README.md' })
    expect((await alice.listFiles('demo')).map((f) => f.name)).toEqual(['README.md', 'model.onnx'])
    expect(await alice.listFiles('demo', '1.00')).toEqual([])
    expect(Buffer.from(await h.client().download(file.cid)).equals(Buffer.from(bytes))).toBe(true)
    expect(Buffer.from(await h.client().download(computeCid(readme))).toString()).toBe('# demo\n')
    // A public ONNX file is a model: metadata and bytes where full and inference nodes look.
    expect(await new HubClient(h.hub.url).metadata(file.cid)).toMatchObject({ cid: file.cid, workUnits: 676 })
    expect((await h.client().listRepositories()).map((r) => r.name)).toEqual(['demo'])
    // The same bytes again: accepted, nothing new.
    expect((await alice.upload('demo', '2.00', bytes, { fileName: 'model.onnx' })).created).toBe(false)
  })

  it('serves byte ranges of a file by content ID', async () => {
    const bytes = buildDemoModel()
    const cid = computeCid(bytes)
    await h.client(chain.alice).upload('demo', '1.00', bytes, { fileName: 'model.onnx' })
    const partial = await fetch(`${h.hub.url}/files/${cid}`, { headers: { range: 'bytes=100-199' } })
    expect(partial.status).toBe(206)
    expect(partial.headers.get('content-range')).toBe(`bytes 100-199/${bytes.length}`)
    expect(Buffer.from(await partial.arrayBuffer()).equals(Buffer.from(bytes.subarray(100, 200)))).toBe(true)
    const suffix = await fetch(`${h.hub.url}/files/${cid}`, { headers: { range: 'bytes=-10' } })
    expect(Buffer.from(await suffix.arrayBuffer()).equals(Buffer.from(bytes.subarray(-10)))).toBe(true)
    expect((await fetch(`${h.hub.url}/files/${cid}`, { headers: { range: `bytes=${bytes.length}-` } })).status).toBe(416)
    const missing = await fetch(`${h.hub.url}/files/${computeCid(new Uint8Array([7]))}`)
    expect([missing.status, (await errorOf(missing)).code]).toEqual([404, 'FILE_NOT_FOUND'])
  })

  describe('refused writes leave nothing behind', () => {
    const model = buildStringModel()
    const cid = computeCid(model)
    let before: string[]
    const expectRefused = async (res: Response, status: number, code: string) => {
      const error = await errorOf(res)
      expect([res.status, error.code], error.message).toEqual([status, code])
      expect(h.snapshot()).toEqual(before)
      expect(h.temps()).toEqual([])
      expect((await h.client().listFiles('demo', '1.00')).map((f) => f.cid)).not.toContain(cid)
    }
    beforeAll(() => {
      before = h.snapshot()
    })

    it('bad signature (signed by another key than x-hub-signer names)', async () => {
      const forged = await rawUpload({ signCid: cid, signSize: model.length, body: model, signer: chain.bob })
      await expectRefused(await forged.send({ 'x-hub-signer': chain.alice.address }), 401, 'BAD_SIGNATURE')
      await expectRefused(await forged.send({ 'x-hub-signature': `0x${'11'.repeat(65)}` }), 401, 'BAD_SIGNATURE')
      const unsigned = await fetch(`${h.hub.url}/repos`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'demo2' }) })
      await expectRefused(unsigned, 401, 'UNAUTHORIZED')
    })

    it('wrong owner (Bob signs for Alice\'s repository; Bob cannot create a name Alice owns on chain)', async () => {
      await expectRefused(await (await rawUpload({ signCid: cid, signSize: model.length, body: model, signer: chain.bob })).send(), 403, 'NOT_REPOSITORY_OWNER')
      await expect(h.client(chain.bob).createVersion('demo')).rejects.toMatchObject({ code: 'NOT_REPOSITORY_OWNER', details: { status: 403 } })
      await expect(h.client(chain.bob).createRepository({ name: 'unclaimed' })).rejects.toMatchObject({ code: 'REPOSITORY_NOT_REGISTERED' })
      expect(h.snapshot()).toEqual(before)
    })

    it('expired signature', async () => {
      await expectRefused(await (await rawUpload({ signCid: cid, signSize: model.length, body: model, ttl: -5 })).send(), 401, 'SIGNATURE_EXPIRED')
    })

    it('replayed nonce (the same signed request twice; also after a restart of the hub)', async () => {
      const body = JSON.stringify({ version: '3.00' })
      const signed = await signHubRequest(chain.alice, DEFAULT_CHAIN_ID, { action: 'create-version', repository: 'secret', version: '3.00', contentHash: (await import('../../src/hub/cid.js')).sha256Hex(body) })
      const post = () => fetch(`${h.hub.url}/repos/secret/versions`, { method: 'POST', headers: { ...authHeaders(signed), 'content-type': 'application/json' }, body })
      expect((await post()).status).toBe(201)
      before = h.snapshot()
      await expectRefused(await post(), 401, 'NONCE_REUSED')
      await h.restart()
      await expectRefused(await post(), 401, 'NONCE_REUSED')
    })

    it('truncated upload: fewer bytes than signed, and a connection dropped mid-file', async () => {
      const half = model.subarray(0, Math.floor(model.length / 2))
      await expectRefused(await (await rawUpload({ signCid: cid, signSize: model.length, body: half })).send(), 400, 'UPLOAD_TRUNCATED')
      // A client that goes away in the middle of the file part.
      const { headers } = await rawUpload({ signCid: cid, signSize: model.length, body: model })
      const form = multipartStream('strings.onnx', model.length, model)
      const url = new URL(h.hub.url)
      const socket = connect(Number(url.port), url.hostname)
      await new Promise((resolve) => socket.once('connect', resolve))
      const head = Object.entries({ ...headers, 'content-length': String(form.length), host: url.host }).map(([k, v]) => `${k}: ${v}`).join('\r\n')
      socket.write(`POST /repos/demo/versions/1.00/files HTTP/1.1\r\n${head}\r\ncontent-type: ${form.contentType}\r\n\r\n`)
      const reader = form.body.getReader()
      socket.write((await reader.read()).value!) // the part's headers
      socket.write(half)
      await new Promise((r) => setTimeout(r, 200))
      socket.destroy()
      await new Promise((r) => setTimeout(r, 300))
      expect(h.snapshot()).toEqual(before)
      expect(h.temps()).toEqual([])
    })

    it('oversize upload: declared over the limit, or longer than signed', async () => {
      const big = new Uint8Array(1_000_001)
      await expectRefused(await (await rawUpload({ signCid: computeCid(big), signSize: big.length, body: big, fileName: 'big.bin' })).send(), 413, 'FILE_TOO_LARGE')
      const padded = new Uint8Array(model.length + 5000)
      padded.set(model)
      await expectRefused(await (await rawUpload({ signCid: cid, signSize: model.length, body: padded })).send(), 400, 'UPLOAD_SIZE_MISMATCH')
    })

    it('hash mismatch: other bytes of the signed size', async () => {
      const corrupted = Uint8Array.from(model)
      corrupted[corrupted.length - 3]! ^= 0xff
      await expectRefused(await (await rawUpload({ signCid: cid, signSize: model.length, body: corrupted })).send(), 400, 'MODEL_HASH_MISMATCH')
    })

    it('a public .onnx file that is not a model, and other bytes under a published name', async () => {
      const text = new TextEncoder().encode('not onnx')
      await expectRefused(await (await rawUpload({ signCid: computeCid(text), signSize: text.length, body: text, fileName: 'fake.onnx' })).send(), 400, 'INVALID_MODEL')
      await expectRefused(await (await rawUpload({ signCid: cid, signSize: model.length, body: model, fileName: 'model.onnx' })).send(), 409, 'FILE_EXISTS')
    })
  })

  it('concurrent uploads of one file all succeed and store it once; different bytes under one name: one wins', async () => {
    const alice = h.client(chain.alice)
    const version = (await alice.createVersion('demo')).version
    const bytes = buildStringModel()
    const results = await Promise.all(Array.from({ length: 6 }, () => alice.upload('demo', version, bytes, { fileName: 'strings.onnx' })))
    expect(results.filter((r) => r.created)).toHaveLength(1)
    expect(new Set(results.map((r) => r.file.cid))).toEqual(new Set([computeCid(bytes)]))
    expect(await alice.listFiles('demo', version)).toEqual([results.find((r) => r.created)!.file])
    expect(h.snapshot().filter((p) => p.startsWith(computeCid(bytes)))).toEqual([`${computeCid(bytes)}.json:${(h.snapshot().find((p) => p.startsWith(`${computeCid(bytes)}.json`)) ?? '').split(':')[1]}`, `${computeCid(bytes)}.onnx:${bytes.length}`])
    expect(h.temps()).toEqual([])

    const contenders = Array.from({ length: 4 }, (_, i) => new TextEncoder().encode(`config ${i}\n`.repeat(1000)))
    const outcomes = await Promise.allSettled(contenders.map((b) => alice.upload('demo', version, b, { fileName: 'config.txt' })))
    const won = outcomes.filter((o) => o.status === 'fulfilled')
    expect(won).toHaveLength(1)
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toMatchObject({ code: 'FILE_EXISTS' })
    const blobs = h.snapshot().filter((p) => p.startsWith('repositories/blobs/'))
    const stored = contenders.map(computeCid).filter((c) => blobs.some((p) => p.includes(c)))
    expect(stored).toEqual([(won[0] as PromiseFulfilledResult<{ file: { cid: string } }>).value.file.cid])
  })

  it('private repositories: reads need the owner\'s signature; their models stay off /models', async () => {
    const secret = new TextEncoder().encode('weights-only-alice-may-read')
    const alice = h.client(chain.alice)
    await alice.upload('secret', '1.00', secret, { fileName: 'notes.txt' })
    expect((await alice.listFiles('secret', '1.00')).map((f) => f.name)).toEqual(['notes.txt'])
    expect(Buffer.from(await alice.download(computeCid(secret), 'secret')).toString()).toBe('weights-only-alice-may-read')
    for (const path of ['/repos/secret', '/repos/secret/versions/1.00/files', `/files/${computeCid(secret)}`]) {
      const res = await fetch(`${h.hub.url}${path}`)
      expect([path, res.status, (await errorOf(res)).code]).toEqual([path, 401, 'UNAUTHORIZED'])
    }
    await expect(h.client(chain.bob).getRepository('secret')).rejects.toMatchObject({ code: 'NOT_REPOSITORY_OWNER' })
    await expect(h.client(chain.bob).download(computeCid(secret), 'secret')).rejects.toMatchObject({ code: 'NOT_REPOSITORY_OWNER' })
    expect((await h.client().listRepositories()).map((r) => r.name)).not.toContain('secret')
    // A private model never lands where anyone may fetch models by CID.
    const pm = await alice.upload('secret', '1.00', buildPrivateModel(), { fileName: 'model.onnx' })
    expect((await fetch(`${h.hub.url}/models/${pm.file.cid}`)).status).toBe(404)
    expect((await fetch(`${h.hub.url}/files/${pm.file.cid}`)).status).toBe(401)
  })

  it('answers bad names, unknown repositories and versions with typed errors', async () => {
    for (const [path, status, code] of [
      ['/repos/Bad_Name', 400, 'INVALID_NAME'],
      ['/repos/nope', 404, 'REPOSITORY_NOT_FOUND'],
      ['/repos/demo/versions/1.0/files', 400, 'INVALID_NAME'],
      ['/repos/demo/versions/9.99/files', 404, 'VERSION_NOT_FOUND'],
      ['/files/nope', 400, 'INVALID_CID'],
    ] as const) {
      const res = await fetch(`${h.hub.url}${path}`)
      expect([path, res.status, (await errorOf(res)).code]).toEqual([path, status, code])
    }
    await expect(h.client(chain.alice).createVersion('demo', '1.00')).rejects.toMatchObject({ code: 'VERSION_EXISTS' })
    await expect(h.client(chain.alice).createVersion('demo', '0.50')).rejects.toMatchObject({ code: 'BAD_REQUEST' })
    await expect(h.client(chain.alice).createRepository({ name: 'demo' })).rejects.toMatchObject({ code: 'REPOSITORY_EXISTS' })
    const bad = await fetch(`${h.hub.url}/repos`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name": "x", "tags": "not-a-list"}' })
    expect([bad.status, (await errorOf(bad)).code]).toEqual([400, 'BAD_REQUEST'])
    const notJson = await fetch(`${h.hub.url}/repos`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' })
    expect([notJson.status, (await errorOf(notJson)).code]).toEqual([400, 'BAD_REQUEST'])
  })

  it('documents the API as OpenAPI 3 at /openapi.json', async () => {
    const spec = (await (await fetch(`${h.hub.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, unknown> } }>> }
    expect(spec.openapi).toMatch(/^3\./)
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/models', '/models/{cid}', '/repos', '/repos/{repo}', '/repos/{repo}/versions', '/repos/{repo}/versions/{version}/files', '/files/{cid}', '/auth/domain']),
    )
    expect(Object.keys(spec.paths['/repos/{repo}/versions/{version}/files']!.post!.requestBody!.content)).toEqual(['multipart/form-data'])
    expect(JSON.stringify(spec.paths['/repos']!.post!.requestBody)).toContain('"license"')
  })

  it('a hub without a chain keeps the CID API and says repositories are disabled', async () => {
    const plain = await startHubServer({ store: new MemoryModelStore() })
    try {
      const res = await fetch(`${plain.url}/repos`)
      expect([res.status, (await errorOf(res)).code]).toEqual([503, 'REPOSITORIES_DISABLED'])
      expect((await new HubClient(plain.url).upload(buildDemoModel())).cid).toBe(computeCid(buildDemoModel()))
    } finally {
      await plain.close()
    }
  })
})

/** Bytes only the private repository holds (private files are stored as they are, not parsed). */
function buildPrivateModel(): Uint8Array {
  const copy = Uint8Array.from(buildDemoModel())
  copy[copy.length - 40]! ^= 0x01
  return copy
}
