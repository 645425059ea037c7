import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { ModelInferenceMode, type ModelInferenceRequest } from '../../src/evm/types.js'
import { InferenceNodeClient } from '../../src/inference/client.js'
import { InferenceNodeError } from '../../src/inference/errors.js'

const request: ModelInferenceRequest = { mode: ModelInferenceMode.VANILLA, modelCid: 'bafkreiexample', input: { numbers: [], strings: [] } }

const servers: Server[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections()
    await new Promise((resolve) => s.close(resolve))
  }
})

/** A real HTTP server on loopback that answers every request with `handler`. */
async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler)
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

async function failure(promise: Promise<unknown>): Promise<InferenceNodeError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(InferenceNodeError)
  return err as InferenceNodeError
}

describe('InferenceNodeClient transport failures', () => {
  it('NODE_UNREACHABLE when nothing listens', async () => {
    const url = await serve(() => undefined)
    const [server] = servers.splice(0)
    await new Promise((resolve) => server!.close(resolve))
    const err = await failure(new InferenceNodeClient(url).infer(request))
    expect(err.code).toBe('NODE_UNREACHABLE')
    expect(err.isNodeFault).toBe(true)
  })

  it('NODE_TIMEOUT when the node never answers', async () => {
    const url = await serve(() => undefined)
    const started = Date.now()
    const err = await failure(new InferenceNodeClient(url).infer(request, { timeoutMs: 200 }))
    expect(err.code).toBe('NODE_TIMEOUT')
    expect(err.isNodeFault).toBe(true)
    expect(Date.now() - started).toBeLessThan(2_000)
  })

  it("ABORTED when the caller's signal fires", async () => {
    const url = await serve(() => undefined)
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 50)
    const err = await failure(new InferenceNodeClient(url).infer(request, { signal: controller.signal, timeoutMs: 5_000 }))
    expect(err.code).toBe('ABORTED')
    expect(err.isNodeFault).toBe(false)
  })

  it('BAD_RESPONSE for non-protocol answers, the node code for protocol errors', async () => {
    const garbage = await serve((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"result": 1}'))
    expect((await failure(new InferenceNodeClient(garbage).infer(request))).code).toBe('BAD_RESPONSE')
    const html = await serve((_req, res) => res.writeHead(502).end('<html>bad gateway</html>'))
    const proxyErr = await failure(new InferenceNodeClient(html).infer(request))
    expect([proxyErr.code, proxyErr.status, proxyErr.isNodeFault]).toEqual(['BAD_RESPONSE', 502, true])
    const refusing = await serve((_req, res) =>
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'BAD_TENSOR_SHAPE', message: 'nope' } })),
    )
    const refusal = await failure(new InferenceNodeClient(refusing).infer(request))
    expect([refusal.code, refusal.status, refusal.isNodeFault]).toEqual(['BAD_TENSOR_SHAPE', 400, false])
  })
})
