/**
 * Serving content-addressed bytes over HTTP: immutable caching (the bytes under a CID never change),
 * the CID as ETag, and single `bytes=a-b` range requests answered with 206 (416 when unsatisfiable).
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { createReadStream } from 'node:fs'

/** Bytes to send: a file on disk (streamed) or bytes in memory. */
export interface ContentSource {
  cid: string
  size: number
  path?: string
  bytes?: Uint8Array
}

/**
 * Sends `source`, honouring a Range header.
 *
 * @example
 * return sendContent(req, reply, { cid, size, path: blobs.path(cid) })
 */
export function sendContent(req: FastifyRequest, reply: FastifyReply, source: ContentSource): FastifyReply {
  const { cid, size, path, bytes } = source
  reply
    .header('content-type', 'application/octet-stream')
    .header('accept-ranges', 'bytes')
    .header('etag', `"${cid}"`)
    .header('cache-control', 'public, max-age=31536000, immutable')
  const range = parseRange(req.headers.range, size)
  if (range === 'invalid') return reply.code(416).header('content-range', `bytes */${size}`).send()
  if (range) {
    reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${size}`).header('content-length', range.end - range.start + 1)
    return reply.send(path ? createReadStream(path, range) : Buffer.from(bytes!.subarray(range.start, range.end + 1)))
  }
  return reply.header('content-length', size).send(path ? createReadStream(path) : Buffer.from(bytes!))
}

/** A single `bytes=a-b` range (the only kind a download needs), clipped to the file. */
export function parseRange(value: string | undefined, size: number): { start: number; end: number } | 'invalid' | undefined {
  if (!value) return undefined
  const match = /^bytes=(\d*)-(\d*)$/.exec(value)
  if (!match || (match[1] === '' && match[2] === '')) return 'invalid'
  let start: number
  let end: number
  if (match[1] === '') {
    start = Math.max(0, size - Number(match[2]))
    end = size - 1
  } else {
    start = Number(match[1])
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1)
  }
  return start > end || start >= size ? 'invalid' : { start, end }
}
