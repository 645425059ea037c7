/**
 * Request/response over libp2p streams: one stream per request. The requester writes its request and
 * closes its side; the responder reads to the end, answers with one frame and closes. A frame is a
 * status byte (0 = ok, 1 = error) and a body; an error body is JSON `{ code, message }` so typed
 * refusals (a producer's `NONCE_TOO_LOW`) cross the network with their codes intact.
 */
import type { Libp2p, PeerId, Stream } from '@libp2p/interface'
import { errorMessage, InferchainError } from '../errors.js'
import { P2pError, RemoteError } from './errors.js'

const OK = 0
const ERROR = 1
/** Writes are cut into pieces this big so the muxer's send buffer is never flooded. */
const WRITE_CHUNK = 64 * 1024

export interface RequestOptions {
  timeoutMs?: number
  /** Largest answer accepted; a peer sending more is cut off. */
  maxResponseBytes?: number
}

export type RequestHandler = (body: Uint8Array, peer: PeerId) => Promise<Uint8Array>

/** Sends `body` to `peer` on `protocol` and returns the answer's body, or throws its error. */
export async function request(host: Libp2p, peer: PeerId, protocol: string, body: Uint8Array, options: RequestOptions = {}): Promise<Uint8Array> {
  const signal = AbortSignal.timeout(options.timeoutMs ?? 10_000)
  let stream: Stream
  try {
    stream = await host.dialProtocol(peer, protocol, { signal })
  } catch (err) {
    throw new P2pError('P2P_REQUEST_FAILED', `cannot open ${protocol} to ${peer}: ${errorMessage(err)}`, { cause: err })
  }
  const abort = () => stream.abort(new Error(`${protocol} to ${peer} timed out`))
  signal.addEventListener('abort', abort, { once: true })
  let frame: Uint8Array
  try {
    await write(stream, body)
    await stream.close({ signal })
    frame = await readAll(stream, options.maxResponseBytes ?? 64 * 1024 * 1024)
  } catch (err) {
    throw new P2pError('P2P_REQUEST_FAILED', `${protocol} to ${peer} failed: ${errorMessage(err)}`, { cause: err })
  } finally {
    signal.removeEventListener('abort', abort)
  }
  return openFrame(frame, protocol, peer)
}

/** Answers requests on `protocol` with `handler`; whatever it throws goes back as an error frame. */
export async function serve(host: Libp2p, protocol: string, handler: RequestHandler, maxRequestBytes = 1024 * 1024): Promise<void> {
  await host.handle(protocol, async (stream, connection) => {
    let reply: Uint8Array
    try {
      const body = await readAll(stream, maxRequestBytes)
      reply = frame(OK, await handler(body, connection.remotePeer))
    } catch (err) {
      reply = errorFrame(err)
    }
    try {
      await write(stream, reply)
      await stream.close()
    } catch (err) {
      // The requester went away (timeout, shutdown): nothing is lost, the request had no effect on us
      // beyond what the handler already did, and it may retry.
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    }
  })
}

function errorFrame(err: unknown): Uint8Array {
  const body =
    err instanceof InferchainError
      ? { code: err.code, message: err.shortMessage, details: err.details }
      : { code: 'P2P_REMOTE_FAILURE', message: errorMessage(err) }
  return frame(ERROR, new TextEncoder().encode(JSON.stringify(body, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))))
}

function frame(status: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 1)
  out[0] = status
  out.set(body, 1)
  return out
}

function openFrame(frame: Uint8Array, protocol: string, peer: PeerId): Uint8Array {
  if (frame.length === 0) throw new P2pError('P2P_BAD_MESSAGE', `${peer} closed ${protocol} without an answer`)
  const body = frame.subarray(1)
  if (frame[0] === OK) return body
  if (frame[0] !== ERROR) throw new P2pError('P2P_BAD_MESSAGE', `${peer} answered ${protocol} with unknown status ${frame[0]}`)
  let parsed: { code?: unknown; message?: unknown; details?: unknown }
  try {
    parsed = JSON.parse(new TextDecoder().decode(body)) as typeof parsed
  } catch (err) {
    throw new P2pError('P2P_BAD_MESSAGE', `${peer} answered ${protocol} with an undecodable error`, { cause: err })
  }
  const details = typeof parsed.details === 'object' && parsed.details !== null ? (parsed.details as Record<string, unknown>) : undefined
  throw new RemoteError(String(parsed.code ?? 'P2P_REMOTE_FAILURE'), String(parsed.message ?? 'remote failure'), details)
}

async function write(stream: Stream, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length; at += WRITE_CHUNK) {
    if (!stream.send(bytes.subarray(at, at + WRITE_CHUNK))) await stream.onDrain()
  }
}

async function readAll(stream: Stream, maxBytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  let length = 0
  for await (const chunk of stream) {
    const bytes = chunk instanceof Uint8Array ? chunk : chunk.subarray()
    length += bytes.length
    if (length > maxBytes) throw new P2pError('P2P_BAD_MESSAGE', `message over ${maxBytes} bytes`)
    chunks.push(bytes)
  }
  const all = Buffer.concat(chunks, length)
  return new Uint8Array(all.buffer, all.byteOffset, all.byteLength)
}
