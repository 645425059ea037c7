/**
 * Where the Solidity sources and the compile cache live on disk.
 *
 * The `.sol` files are not copied to `dist/`, so both `src/contracts/*.ts` and the built
 * `dist/src/contracts/*.js` read them from `<project root>/src/contracts`.
 */
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { InferchainError } from '../errors.js'

/** The project root (the directory holding package.json) could not be found. */
export class ProjectRootNotFoundError extends InferchainError {
  override readonly name = 'ProjectRootNotFoundError' as const
  constructor(start: string) {
    super('PROJECT_ROOT_NOT_FOUND', `No package.json above ${start}`, { details: { start } })
  }
}

/**
 * Walks up from this module's directory to the first directory holding package.json.
 *
 * @throws ProjectRootNotFoundError
 */
export function findProjectRoot(start: string = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir
    if (path.dirname(dir) === dir) throw new ProjectRootNotFoundError(start)
  }
}

/** `<root>/src/contracts`, the one place the Solidity sources are read from. */
export function contractsDir(root: string = findProjectRoot()): string {
  return path.join(root, 'src', 'contracts')
}

/** Every `.sol` file under `dir`, as sorted POSIX paths relative to it (solc source unit names). */
export async function listSolidityFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.sol'))
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort()
}

/**
 * The cached solc output for `key`, or undefined when there is none.
 * A truncated or corrupt file (a crash mid-write) counts as a miss: it is recompiled and overwritten.
 */
export async function readCachedOutput(cacheDir: string, key: string): Promise<unknown> {
  const file = path.join(cacheDir, `${key}.json`)
  if (!existsSync(file)) return undefined
  const text = await readFile(file, 'utf8')
  try {
    return JSON.parse(text) as unknown
  } catch (err) {
    if (err instanceof SyntaxError) return undefined
    throw err
  }
}

/**
 * Writes solc's output atomically (temp file + rename), so parallel processes (test workers)
 * never read a half-written file. An unwritable cache (read-only install) only costs speed, so it
 * warns instead of failing the compile.
 */
export async function writeCachedOutput(cacheDir: string, key: string, output: unknown): Promise<void> {
  const file = path.join(cacheDir, `${key}.json`)
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`
  try {
    await mkdir(cacheDir, { recursive: true })
    await writeFile(tmp, JSON.stringify(output))
    await rename(tmp, file)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code !== 'EACCES' && code !== 'EROFS' && code !== 'EPERM') throw err
    process.emitWarning(`solc cache not written (${code}): ${file}`, { code: 'INFERCHAIN_SOLC_CACHE' })
  }
}
