import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { TransactionRejectedError } from '../../src/chain/errors.js'
import { startP2pHost, type P2pHost } from '../../src/p2p/host.js'
import { request, serve } from '../../src/p2p/request.js'

let server: P2pHost
let client: P2pHost

beforeAll(async () => {
  server = await startP2pHost({ privateKey: await generateKeyPair('Ed25519') })
  client = await startP2pHost({ privateKey: await generateKeyPair('Ed25519') })
  await serve(server, '/test/echo/1', async (body) => body)
  await serve(server, '/test/refuse/1', async () => {
    throw new TransactionRejectedError('NONCE_TOO_LOW', 'nonce too low: next nonce 3, tx nonce 1', { next: 3n })
  })
  await serve(server, '/test/bug/1', async () => {
    throw new Error('something broke')
  })
  await serve(server, '/test/slow/1', () => new Promise(() => {}))
  await serve(server, '/test/small/1', async (body) => body, 1024)
  await client.dial(multiaddr(server.getMultiaddrs()[0]!.toString()))
})

afterAll(async () => {
  await client?.stop()
  await server?.stop()
})

describe('request/response over libp2p streams', () => {
  it('carries requests and answers of any size intact (an answer is cut into pieces and reassembled)', async () => {
    const small = Uint8Array.of(1, 2, 3)
    expect(await request(client, server.peerId, '/test/echo/1', small)).toEqual(small)
    expect(await request(client, server.peerId, '/test/echo/1', new Uint8Array())).toEqual(new Uint8Array())
    const large = new Uint8Array(900_000).map((_, i) => (i * 31) % 251)
    const echoed = await request(client, server.peerId, '/test/echo/1', large)
    expect(echoed.length).toBe(large.length)
    expect(Buffer.compare(echoed, large)).toBe(0)
  })

  it('brings a typed refusal back with its code and message, so a follower answers as the producer would', async () => {
    const err = await request(client, server.peerId, '/test/refuse/1', new Uint8Array()).catch((e: unknown) => e)
    expect(err).toMatchObject({ name: 'RemoteError', code: 'NONCE_TOO_LOW', shortMessage: 'nonce too low: next nonce 3, tx nonce 1', details: { next: '3' } })
  })

  it('reports an unexpected failure on the other side as P2P_REMOTE_FAILURE, and the server keeps serving', async () => {
    await expect(request(client, server.peerId, '/test/bug/1', new Uint8Array())).rejects.toMatchObject({ code: 'P2P_REMOTE_FAILURE', message: 'something broke' })
    expect(await request(client, server.peerId, '/test/echo/1', Uint8Array.of(9))).toEqual(Uint8Array.of(9))
  })

  it('refuses an oversized request, a protocol the peer does not speak, and gives up on a silent peer', async () => {
    await expect(request(client, server.peerId, '/test/small/1', new Uint8Array(4096))).rejects.toMatchObject({ code: 'P2P_BAD_MESSAGE' })
    await expect(request(client, server.peerId, '/test/unknown/1', new Uint8Array())).rejects.toMatchObject({ code: 'P2P_REQUEST_FAILED' })
    const started = Date.now()
    await expect(request(client, server.peerId, '/test/slow/1', new Uint8Array(), { timeoutMs: 300 })).rejects.toMatchObject({ code: 'P2P_REQUEST_FAILED' })
    expect(Date.now() - started).toBeLessThan(5_000)
  })
})
