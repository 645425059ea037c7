/**
 * The development enclave's image measurement, computed the way a Nitro image's PCRs are meant to
 * be: reproducibly, from what runs, so anyone can rebuild the code and get the value on the allowlist.
 *
 *   PCR2 (application) = SHA-384 of the sorted manifest "<path>\0<sha384 of file>\n" over every
 *                        `.js` file of the built inference node (`dist/src/inference`) and of the
 *                        enclave code itself (`dist/src/tee`), paths relative and POSIX;
 *   PCR1 (runtime)     = SHA-384 of "node=<version>\nonnxruntime-node=<version>\n";
 *   PCR0 (image)       = SHA-384("inferchain-dev-enclave-image-v1\0" ‖ PCR1 ‖ PCR2) — the value
 *                        NodeRegistry's allowlist holds.
 *
 * Only executable files count (no `.d.ts`, no source maps), and nothing depends on the checkout's
 * location or file times.
 */
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { findProjectRoot } from '../contracts/files.js'
import { TeeError } from './errors.js'

const IMAGE_DOMAIN = 'inferchain-dev-enclave-image-v1\0'

export interface EnclaveImage {
  /** The image measurement (allowlisted). */
  pcr0: Uint8Array
  /** Runtime versions. */
  pcr1: Uint8Array
  /** Application code. */
  pcr2: Uint8Array
  /** How many files PCR2 covers. */
  files: number
  runtime: Record<string, string>
}

export interface MeasureOptions {
  /** Directories whose `.js` files are the enclave's code (default: the built inference node and tee code). */
  codeDirs?: string[]
  /** Runtime versions (default: this process's Node and the installed onnxruntime-node). */
  runtime?: Record<string, string>
}

/**
 * Measures the inference node's code and runtime.
 *
 * @throws TeeError MEASUREMENT_UNAVAILABLE when a code directory is missing (run `npm run build`)
 * @example
 * const { pcr0 } = measureEnclaveImage() // what `NodeRegistry.addTeeMeasurement` must allow
 */
export function measureEnclaveImage(options: MeasureOptions = {}): EnclaveImage {
  const root = findProjectRoot()
  const codeDirs = options.codeDirs ?? [path.join(root, 'dist', 'src', 'inference'), path.join(root, 'dist', 'src', 'tee')]
  const lines: string[] = []
  for (const dir of codeDirs) {
    if (!existsSync(dir)) {
      throw new TeeError('MEASUREMENT_UNAVAILABLE', `cannot measure the enclave image: ${dir} does not exist (run \`npm run build\`)`, { details: { dir } })
    }
    const label = path.relative(root, dir).split(path.sep).join('/')
    for (const file of listJs(dir)) {
      const digest = createHash('sha384').update(readFileSync(path.join(dir, file))).digest('hex')
      lines.push(`${label}/${file}\0${digest}\n`)
    }
  }
  lines.sort()
  const runtime = options.runtime ?? defaultRuntime()
  const pcr2 = sha384(lines.join(''))
  const pcr1 = sha384(Object.keys(runtime).sort().map((k) => `${k}=${runtime[k]}\n`).join(''))
  const pcr0 = createHash('sha384').update(IMAGE_DOMAIN).update(pcr1).update(pcr2).digest()
  return { pcr0: new Uint8Array(pcr0), pcr1, pcr2, files: lines.length, runtime }
}

function defaultRuntime(): Record<string, string> {
  const require = createRequire(import.meta.url)
  const ort = (require('onnxruntime-node/package.json') as { version: string }).version
  return { node: process.version, 'onnxruntime-node': ort }
}

/** `.js` files under `dir`, as sorted POSIX paths relative to it. */
function listJs(dir: string, prefix = ''): string[] {
  const out: string[] = []
  for (const name of readdirSync(path.join(dir, prefix)).sort()) {
    const rel = prefix ? `${prefix}/${name}` : name
    if (statSync(path.join(dir, rel)).isDirectory()) out.push(...listJs(dir, rel))
    else if (name.endsWith('.js')) out.push(rel)
  }
  return out
}

function sha384(text: string): Uint8Array {
  return new Uint8Array(createHash('sha384').update(text).digest())
}
