/**
 * A minimal keep-alive HTTP client for the dispatcher's hot path. `fetch` (undici) costs ~0.5–1 ms
 * per request on loopback; `node:http` with a pooled agent costs a fraction of that. What remains
 * per request is kept small too: URLs are parsed once (cached), and the deadline is one timer
 * instead of an `AbortSignal` per request (`AbortSignal.timeout` + `AbortSignal.any` + the
 * request's abort listener were ~50 µs of each call).
 */
import { Agent, request, type RequestOptions } from 'node:http'
import { urlToHttpOptions } from 'node:url'

const agent = new Agent({ keepAlive: true, maxSockets: 64 })

export interface HttpAnswer {
  status: number
  text: string
}

export interface HttpRequestInit {
  method: string
  body?: string
  /** Deadline for the whole exchange, connection to last byte; it rejects with `HttpDeadlineError('TIMEOUT')`. */
  timeoutMs?: number
  /** The caller's cancellation; it rejects with `HttpDeadlineError('ABORTED')`. */
  signal?: AbortSignal
}

export type HttpDeadlineCode = 'TIMEOUT' | 'ABORTED'

/** The exchange was cut short on our side: the deadline passed or the caller aborted. */
export class HttpDeadlineError extends Error {
  override readonly name = 'HttpDeadlineError' as const
  constructor(readonly code: HttpDeadlineCode) {
    super(code === 'TIMEOUT' ? 'the HTTP exchange did not finish in time' : 'the HTTP exchange was aborted')
  }
}

const TARGET_CACHE_LIMIT = 1024
const targets = new Map<string, RequestOptions>()

/** `url` as request options, parsed once per URL (a node talks to a handful of endpoints). */
function targetOf(url: string): RequestOptions {
  let target = targets.get(url)
  if (target === undefined) {
    target = urlToHttpOptions(new URL(url))
    if (targets.size >= TARGET_CACHE_LIMIT) targets.delete(targets.keys().next().value as string)
    targets.set(url, target)
  }
  return target
}

export function httpRequest(url: string, init: HttpRequestInit): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    if (init.signal?.aborted === true) return reject(new HttpDeadlineError('ABORTED'))
    const body = init.body === undefined ? undefined : Buffer.from(init.body)
    let timer: NodeJS.Timeout | undefined
    const settle = () => {
      if (timer !== undefined) clearTimeout(timer)
      init.signal?.removeEventListener('abort', onAbort)
    }
    const req = request(
      {
        ...targetOf(url),
        method: init.method,
        agent,
        headers: body ? { 'content-type': 'application/json', 'content-length': body.length } : {},
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => {
          settle()
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') })
        })
        res.on('error', (err) => {
          settle()
          reject(err)
        })
      },
    )
    // Reject first: destroying may also surface a socket error, and the first verdict stands.
    const cut = (code: HttpDeadlineCode) => {
      const err = new HttpDeadlineError(code)
      settle()
      reject(err)
      req.destroy(err)
    }
    function onAbort(): void {
      cut('ABORTED')
    }
    // Unref'd like `AbortSignal.timeout`'s timer: the deadline alone never keeps a process alive.
    if (init.timeoutMs !== undefined) timer = setTimeout(() => cut('TIMEOUT'), init.timeoutMs).unref()
    init.signal?.addEventListener('abort', onAbort, { once: true })
    req.on('error', (err) => {
      settle()
      reject(err)
    })
    req.end(body)
  })
}
