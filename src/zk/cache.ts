/**
 * The on-disk cache of ZK artifacts: one directory per content address (a circuit id, a setup id),
 * written in a temporary directory and renamed into place when complete, so a reader sees a whole
 * entry or none; a crash mid-write leaves only a temporary directory that is never read.
 *
 * Building an entry takes seconds to minutes, so concurrent builders of the same entry (test
 * workers, a node and a CLI) take a lock directory: the first builds, the others wait and read.
 */
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, existsSync } from 'node:fs'
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { findProjectRoot } from '../contracts/files.js'
import { createCidHasher } from '../hub/cid.js'

/** `$INFERCHAIN_ZK_CACHE`, else `<project root>/.cache/zk`. */
export function defaultZkCacheDir(): string {
  return process.env.INFERCHAIN_ZK_CACHE ?? path.join(findProjectRoot(), '.cache', 'zk')
}

/** A lock older than this is taken to be left by a crashed process. */
const STALE_LOCK_MS = 30 * 60_000
const POLL_MS = 250

/**
 * Returns `dir` once it exists: if it does not, runs `build(tmp)` to fill a fresh temporary
 * directory, then renames it to `dir`. Concurrent callers for the same `dir` build it once.
 *
 * @example
 * const dir = await cachedDirectory(path.join(cache, 'circuits', id), async (tmp) => compileInto(tmp))
 */
export async function cachedDirectory(dir: string, build: (tmp: string) => Promise<void>): Promise<string> {
  if (existsSync(dir)) return dir
  await mkdir(path.dirname(dir), { recursive: true })
  const lock = `${dir}.lock`
  if (!(await acquire(lock, dir))) return dir
  try {
    if (existsSync(dir)) return dir
    const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
    await mkdir(tmp, { recursive: true })
    try {
      await build(tmp)
      await rename(tmp, dir)
    } catch (err) {
      await rm(tmp, { recursive: true, force: true })
      throw err
    }
    return dir
  } finally {
    await rm(lock, { recursive: true, force: true })
  }
}

/** Takes the lock (true), or returns false once another holder has built `dir` meanwhile. */
async function acquire(lock: string, dir: string): Promise<boolean> {
  for (;;) {
    try {
      await mkdir(lock)
      await writeFile(path.join(lock, 'owner'), `${process.pid}\n`)
      return true
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    if (existsSync(dir)) return false
    const age = Date.now() - (await stat(lock).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs
    if (age > STALE_LOCK_MS) await rm(lock, { recursive: true, force: true })
    else await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
}

/** A file's sha256 (hex) and CID (as the hub names content), in one streamed read. */
export async function fileDigest(file: string): Promise<{ sha256: string; cid: string }> {
  const sha = createHash('sha256')
  const cid = createCidHasher()
  for await (const chunk of createReadStream(file)) {
    sha.update(chunk as Buffer)
    cid.update(chunk as Buffer)
  }
  return { sha256: sha.digest('hex'), cid: cid.digest() }
}

/** sha256 (hex) of bytes or text. */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex')
}

/** Reads a JSON file written by `writeJson`. */
export async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, 'utf8')) as T
}

/** Writes JSON with bigints as decimal strings. */
export async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFile(file, `${JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`)
}
