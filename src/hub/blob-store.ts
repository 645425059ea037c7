/**
 * Repository files that are not public models (private repositories' files, non-ONNX files), one
 * file per CID: `<dir>/<cid>`. Uploads are staged in the same directory and renamed in once
 * verified, so a CID never names a partial file, and two uploads of one file write the same bytes.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { open, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { isValidCid } from './cid.js'
import { HubError } from './errors.js'
import type { UploadStaging } from './store.js'

export class BlobStore implements UploadStaging {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true })
  }

  path(cid: string): string {
    if (!isValidCid(cid)) throw new HubError('INVALID_CID', `not a content ID: ${cid.slice(0, 100)}`)
    return join(this.dir, cid)
  }

  /** The size of blob `cid`, undefined if it is not stored. */
  async size(cid: string): Promise<number | undefined> {
    return stat(this.path(cid)).then(
      (s) => s.size,
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined
        throw err
      },
    )
  }

  tempPath(): string {
    return join(this.dir, `.upload-${randomBytes(8).toString('hex')}`)
  }

  async adopt(tempFile: string, cid: string): Promise<void> {
    // Flushed before the rename, so that a crash never publishes a hollow file under the CID.
    const file = await open(tempFile, 'r+')
    try {
      await file.sync()
    } finally {
      await file.close()
    }
    await rename(tempFile, this.path(cid))
  }

  async discard(tempFile: string): Promise<void> {
    await rm(tempFile, { force: true })
  }
}
