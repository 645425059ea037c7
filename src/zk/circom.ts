/**
 * Compiles emitted circuits with circom 2 (the `circom2` package: the Rust compiler built to
 * WebAssembly, run under WASI). It runs as a child process: the compiler calls `exit`, holds
 * its memory until then, and would block this thread for the whole compile.
 *
 * The WASI file system sees only real directories (no symlinks), so circomlib's few needed files
 * are copied next to the main file. Results are cached by circuit id (`cache.ts`).
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import type { EmittedCircuit } from './circuit.js'
import { cachedDirectory, readJson, writeJson } from './cache.js'
import { ZkToolchainError } from './errors.js'

const require = createRequire(import.meta.url)

/** circomlib files the emitted circuits include, directly or through each other. */
const CIRCOMLIB_FILES = ['poseidon.circom', 'poseidon_constants.circom', 'bitify.circom', 'comparators.circom', 'aliascheck.circom', 'compconstant.circom', 'binsum.circom']

/** What a compiled circuit directory holds. */
export interface CompiledCircuit {
  circuitId: string
  dir: string
  r1csFile: string
  /** The witness calculator (circom's wasm). */
  wasmFile: string
  symFile: string
  info: CircuitInfo
}

/** The r1cs header: sizes that decide the setup's power and the proof's public signals. */
export interface CircuitInfo {
  constraints: number
  wires: number
  publicOutputs: number
  publicInputs: number
  privateInputs: number
  /** Wall time of the compile that made this entry (seconds). */
  compileSeconds: number
}

/**
 * The compiled circuit, from the cache or compiled now (`--O2`: linear constraints substituted away).
 *
 * @throws ZkToolchainError `ZK_COMPILE_FAILED` with the compiler's output
 * @example
 * const compiled = await compileCircuit(emitCircuit(poseidon, model), { cacheDir })
 * compiled.info.constraints // 2,9xx for the demo model
 */
export async function compileCircuit(circuit: EmittedCircuit, options: { cacheDir: string }): Promise<CompiledCircuit> {
  const dir = await cachedDirectory(circuitCacheDir(options.cacheDir, circuit.circuitId), async (tmp) => {
    await writeFile(path.join(tmp, 'model.circom'), circuit.source)
    await mkdir(path.join(tmp, 'circomlib'))
    const libDir = path.join(path.dirname(require.resolve('circomlib/package.json')), 'circuits')
    for (const file of CIRCOMLIB_FILES) await copyFile(path.join(libDir, file), path.join(tmp, 'circomlib', file))
    const started = performance.now()
    await runCircom(tmp, ['model.circom', '--r1cs', '--wasm', '--sym', '--O2', '-o', '.'])
    // circom writes its witness calculator as CommonJS `.js`; the project's "type": "module" would claim it.
    await writeFile(path.join(tmp, 'model_js', 'package.json'), '{ "type": "commonjs" }\n')
    const header = readR1csHeader(await readFile(path.join(tmp, 'model.r1cs')))
    const info: CircuitInfo = { ...header, compileSeconds: Math.round((performance.now() - started) / 100) / 10 }
    await writeJson(path.join(tmp, 'circuit.json'), { circuitId: circuit.circuitId, weights: circuit.weights, ...info })
  })
  const info = await readJson<CircuitInfo>(path.join(dir, 'circuit.json'))
  const compiled: CompiledCircuit = {
    circuitId: circuit.circuitId,
    dir,
    r1csFile: path.join(dir, 'model.r1cs'),
    wasmFile: path.join(dir, 'model_js', 'model.wasm'),
    symFile: path.join(dir, 'model.sym'),
    info,
  }
  for (const file of [compiled.r1csFile, compiled.wasmFile]) {
    if (!existsSync(file)) throw new ZkToolchainError('ZK_ARTIFACT_INVALID', `compiled circuit ${circuit.circuitId} lacks ${path.basename(file)}; delete ${dir}`)
  }
  return compiled
}

/** The cache entry of a compiled circuit (also filled from the hub, `artifacts.ts`). */
export function circuitCacheDir(cacheDir: string, circuitId: string): string {
  return path.join(cacheDir, 'circuits', circuitId)
}

function runCircom(cwd: string, args: string[]): Promise<void> {
  const cli = require.resolve('circom2/cli.js')
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000)
    }
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    child.on('error', (cause) => reject(new ZkToolchainError('ZK_COMPILE_FAILED', `could not start circom: ${cause.message}`, { cause })))
    child.on('close', (code) => {
      // circom colours its messages; a log wants plain text.
      const plain = output.replace(/\u001b\[[0-9;]*m/g, '')
      if (code === 0 && !/previous errors were found/.test(plain)) resolve()
      else reject(new ZkToolchainError('ZK_COMPILE_FAILED', `circom failed (exit ${code}): ${lastLines(plain, 12)}`, { details: { output: plain } }))
    })
  })
}

function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join('\n')
}

/**
 * Reads the header section of an r1cs file (iden3 binary format: "r1cs", version, sections of
 * (type u32, size u64); section 1 = field size, prime, nWires, nPubOut, nPubIn, nPrvIn, nLabels u64, nConstraints).
 */
export function readR1csHeader(bytes: Uint8Array): Omit<CircuitInfo, 'compileSeconds'> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (new TextDecoder().decode(bytes.subarray(0, 4)) !== 'r1cs') throw new ZkToolchainError('ZK_ARTIFACT_INVALID', 'not an r1cs file')
  const sections = view.getUint32(8, true)
  let at = 12
  for (let s = 0; s < sections; s++) {
    const type = view.getUint32(at, true)
    const size = Number(view.getBigUint64(at + 4, true))
    if (type === 1) {
      const fieldSize = view.getUint32(at + 12, true)
      let p = at + 16 + fieldSize
      const u32 = () => {
        const v = view.getUint32(p, true)
        p += 4
        return v
      }
      const wires = u32()
      const publicOutputs = u32()
      const publicInputs = u32()
      const privateInputs = u32()
      p += 8 // labels
      return { wires, publicOutputs, publicInputs, privateInputs, constraints: u32() }
    }
    at += 12 + size
  }
  throw new ZkToolchainError('ZK_ARTIFACT_INVALID', 'r1cs file has no header section')
}
