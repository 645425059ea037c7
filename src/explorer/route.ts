/**
 * The explorer every full node serves at `/explorer`: a static page (src/explorer/static) that reads
 * the node's own JSON-RPC. Only the files listed here are served, so no path reaches the disk.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { findProjectRoot } from '../contracts/files.js'
import type { HttpRoute } from '../rpc/server.js'

const FILES: Record<string, { file: string; type: string }> = {
  '/explorer': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/explorer/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/explorer/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/explorer/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
}

export function explorerRoute(): HttpRoute {
  const dir = join(findProjectRoot(), 'src', 'explorer', 'static')
  return {
    method: 'GET',
    prefix: '/explorer',
    handler: async (req, res) => {
      const entry = FILES[(req.url ?? '').split('?')[0]!]
      if (!entry) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
        return
      }
      const body = await readFile(join(dir, entry.file))
      res.writeHead(200, { 'content-type': entry.type, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' }).end(body)
    },
  }
}
