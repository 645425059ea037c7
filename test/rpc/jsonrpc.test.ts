/** JSON-RPC framing over real HTTP: error codes, batches, notifications, body limits, CORS. */
import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { handleBody } from '../../src/rpc/jsonrpc.js'
import { startTestNode, type TestNode } from './fixtures.js'

let node: TestNode
beforeAll(async () => {
  node = await startTestNode({ maxBodyBytes: 64 * 1024 })
})
afterAll(() => node?.close())

async function post(body: string): Promise<{ status: number; json: unknown; text: string }> {
  const res = await fetch(node.server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  const text = await res.text()
  return { status: res.status, text, json: text ? JSON.parse(text) : undefined }
}

describe('JSON-RPC framing', () => {
  it('answers malformed JSON with -32700 and id null', async () => {
    const { status, json } = await post('{"jsonrpc":"2.0","id":1,"method":')
    expect(status).toBe(200)
    expect(json).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } })
  })

  it('answers non-objects and requests without a method with -32600', async () => {
    expect((await post('42')).json).toMatchObject({ id: null, error: { code: -32600 } })
    expect((await post('"eth_chainId"')).json).toMatchObject({ id: null, error: { code: -32600 } })
    expect((await post('{"jsonrpc":"2.0","id":7}')).json).toMatchObject({ id: 7, error: { code: -32600, message: expect.stringContaining('method') } })
    expect((await post('{"jsonrpc":"1.0","id":7,"method":"eth_chainId"}')).json).toMatchObject({ id: 7, error: { code: -32600 } })
    expect((await post('{"jsonrpc":"2.0","id":{"x":1},"method":"eth_chainId"}')).json).toMatchObject({ id: null, error: { code: -32600 } })
  })

  it('answers an empty batch with one -32600 error', async () => {
    const { json } = await post('[]')
    expect(json).toMatchObject({ id: null, error: { code: -32600, message: expect.stringContaining('empty batch') } })
  })

  it('answers unknown methods (and prototype names) with -32601', async () => {
    expect((await node.rpc('eth_fillTransaction', [{}])).error).toMatchObject({ code: -32601, message: 'the method eth_fillTransaction does not exist/is not available' })
    expect((await node.rpc('toString')).error?.code).toBe(-32601)
    expect((await node.rpc('__proto__')).error?.code).toBe(-32601)
  })

  it('answers a mixed batch in request order, skipping notifications', async () => {
    const batch = [
      { jsonrpc: '2.0', id: 'a', method: 'eth_blockNumber' },
      { jsonrpc: '2.0', method: 'eth_chainId' }, // notification
      { jsonrpc: '2.0', id: 2, method: 'eth_nope' },
      7,
      { jsonrpc: '2.0', id: 3, method: 'eth_getBalance', params: ['0x12', 'latest'] },
      { jsonrpc: '2.0', id: 4, method: 'eth_chainId', params: [] },
    ]
    const { json } = await post(JSON.stringify(batch))
    expect(json).toEqual([
      { jsonrpc: '2.0', id: 'a', result: '0x4' },
      { jsonrpc: '2.0', id: 2, error: { code: -32601, message: 'the method eth_nope does not exist/is not available' } },
      { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'invalid request: expected a request object' } },
      { jsonrpc: '2.0', id: 3, error: { code: -32602, message: expect.stringContaining('address') } },
      { jsonrpc: '2.0', id: 4, result: '0x539' },
    ])
  })

  it('sends nothing for a lone notification or a batch of notifications', async () => {
    const single = await post('{"jsonrpc":"2.0","method":"eth_chainId"}')
    expect(single.status).toBe(204)
    expect(single.text).toBe('')
    const batch = await post('[{"jsonrpc":"2.0","method":"eth_chainId"},{"jsonrpc":"2.0","method":"eth_nope"}]')
    expect(batch.text).toBe('')
  })

  it('refuses named params with -32602', async () => {
    expect((await post('{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":{"address":"0x"}}')).json).toMatchObject({ error: { code: -32602 } })
  })

  it('refuses a body over the limit with 413 and a -32600 error', async () => {
    const big = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'web3_sha3', params: [`0x${'ab'.repeat(40_000)}`] })
    const { status, json } = await post(big)
    expect(status).toBe(413)
    expect(json).toMatchObject({ id: null, error: { code: -32600, message: expect.stringContaining('larger than 65536') } })
    // The server still answers afterwards.
    expect((await node.rpc('eth_chainId')).result).toBe('0x539')
  })

  it('stops reading a chunked body (no content-length) once it passes the limit', async () => {
    const url = new URL(node.server.url)
    const answer = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, method: 'POST', path: '/', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        let body = ''
        res.on('data', (chunk: Buffer) => (body += chunk.toString()))
        res.on('end', () => resolve({ status: res.statusCode, body }))
      })
      req.on('error', reject)
      for (let i = 0; i < 100; i++) req.write('x'.repeat(1024))
      req.end()
    })
    expect(answer.status).toBe(413)
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: -32600 } })
  })

  it('answers CORS preflight and sets CORS headers on responses; GET / is a health document', async () => {
    const pre = await fetch(node.server.url, { method: 'OPTIONS', headers: { origin: 'http://dapp.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } })
    expect(pre.status).toBe(204)
    expect(pre.headers.get('access-control-allow-origin')).toBe('*')
    expect(pre.headers.get('access-control-allow-headers')).toBe('content-type')
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST')
    const health = await fetch(node.server.url)
    expect(health.headers.get('access-control-allow-origin')).toBe('*')
    expect(await health.json()).toEqual({ ok: true, client: 'inferchain-test/v0.0.0', chainId: '0x539', head: '0x4' })
    expect((await fetch(`${node.server.url}/nope`)).status).toBe(404)
  })
})

describe('mounted HTTP routes', () => {
  it('serves routes by method and prefix before JSON-RPC, and reports a crashing one as 500', async () => {
    node.server.addRoute({ method: 'GET', prefix: '/explorer', handler: (req, res) => void res.writeHead(200, { 'content-type': 'text/plain' }).end(`explorer ${req.url}`) })
    node.server.addRoute({ method: '*', prefix: '/crash', handler: async () => Promise.reject(new Error('route broke')) })
    const page = await fetch(`${node.server.url}/explorer/block/1`)
    expect(await page.text()).toBe('explorer /explorer/block/1')
    expect((await fetch(`${node.server.url}/explorer`, { method: 'POST' })).status).toBe(404) // GET only
    const before = node.internalErrors.length
    const crash = await fetch(`${node.server.url}/crash`, { method: 'POST' })
    expect(crash.status).toBe(500)
    expect(node.internalErrors.slice(before).map((e) => (e as Error).message)).toEqual(['route broke'])
  })
})

describe('handleBody (transport-free)', () => {
  it('never throws and turns handler failures into -32603 / -32000 with data.code', async () => {
    const failures: string[] = []
    class Refused extends Error {
      readonly code = 'REFUSED'
      readonly shortMessage = 'refused for a reason'
    }
    const methods = {
      sync_throw: () => {
        throw new Error('boom')
      },
      big: () => 1n,
      typed: async () => {
        throw new Refused('x')
      },
      nothing: () => undefined,
    }
    const answer = await handleBody(methods, JSON.stringify(['sync_throw', 'big', 'typed', 'nothing'].map((method, id) => ({ jsonrpc: '2.0', id, method }))), {
      onInternalError: (_err, method) => failures.push(method),
    })
    expect(JSON.parse(answer!)).toEqual([
      { jsonrpc: '2.0', id: 0, error: { code: -32603, message: 'internal error: boom' } },
      { jsonrpc: '2.0', id: 1, error: { code: -32603, message: expect.stringContaining('not serialisable') } },
      { jsonrpc: '2.0', id: 2, error: { code: -32000, message: 'refused for a reason', data: { code: 'REFUSED' } } },
      { jsonrpc: '2.0', id: 3, result: null },
    ])
    expect(failures).toEqual(['sync_throw', 'big'])
  })

  it('runs batch entries concurrently but answers in order', async () => {
    const started: number[] = []
    const slow = (ms: number, value: number) => async () => {
      started.push(value)
      await new Promise((r) => setTimeout(r, ms))
      return value
    }
    const t0 = Date.now()
    const answer = await handleBody({ a: slow(80, 1), b: slow(10, 2), c: slow(40, 3) }, JSON.stringify(['a', 'b', 'c'].map((method, id) => ({ jsonrpc: '2.0', id, method }))))
    expect(Date.now() - t0).toBeLessThan(125) // concurrent: ~80 ms, not 130 ms
    expect((JSON.parse(answer!) as Array<{ result: number }>).map((r) => r.result)).toEqual([1, 2, 3])
  })
})
