/**
 * The Solidity build step: compiles every `.sol` file under `<root>/src/contracts` with the bundled
 * solc, caches solc's JSON output by content hash, and hands out ABIs and bytecode.
 *
 * Compiling takes seconds and blocks the thread (solc-js is synchronous wasm), so the output is
 * cached on disk in `.cache/solc/` and a process compiles at most once: concurrent callers share one
 * promise.
 */
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import type { Abi, Hex } from 'viem'
import { InferchainError } from '../errors.js'
import { SOLC_EVM_VERSION } from '../params.js'
import { contractsDir, findProjectRoot, listSolidityFiles, readCachedOutput, writeCachedOutput } from './files.js'

/** The solc settings every contract of the chain is built with (they change the bytecode). */
export const SOLC_SETTINGS = {
  evmVersion: SOLC_EVM_VERSION,
  // Nested tensor structs (Number[] inside tensors inside requests) exhaust the legacy pipeline's stack.
  viaIR: true,
  optimizer: { enabled: true, runs: 200 },
  outputSelection: {
    '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object', 'storageLayout'] },
  },
} as const

/** One entry of solc's `storageLayout` output. */
export interface StorageLayoutEntry {
  label: string
  slot: string
  offset: number
  type: string
}

export interface StorageLayout {
  storage: StorageLayoutEntry[]
  types: Record<string, { label: string; numberOfBytes: string; encoding: string; members?: StorageLayoutEntry[] }> | null
}

export interface CompiledContract {
  name: string
  /** Source unit name, relative to `src/contracts` (e.g. `examples/DemoConsumer.sol`). */
  sourceName: string
  abi: Abi
  /** Creation code ('0x' for interfaces). */
  bytecode: Hex
  /** Runtime code, what genesis places at an address ('0x' for interfaces). */
  deployedBytecode: Hex
  storageLayout: StorageLayout
}

export interface CompiledContracts {
  solcVersion: string
  /** By contract name; names are unique across all sources. */
  contracts: Record<string, CompiledContract>
}

export type ContractErrorCode = 'CONTRACT_COMPILE_FAILED' | 'CONTRACT_NOT_FOUND'

/** solc rejected the sources; `details.errors` holds solc's formatted messages. */
export class ContractCompileError extends InferchainError {
  override readonly name = 'ContractCompileError' as const
  declare readonly code: 'CONTRACT_COMPILE_FAILED'
  readonly errors: string[]
  constructor(errors: string[], shortMessage = `Solidity compilation failed:\n${errors.join('\n')}`) {
    super('CONTRACT_COMPILE_FAILED', shortMessage, { details: { errors } })
    this.errors = errors
  }
}

/** No compiled contract has this name. */
export class ContractNotFoundError extends InferchainError {
  override readonly name = 'ContractNotFoundError' as const
  declare readonly code: 'CONTRACT_NOT_FOUND'
  constructor(contractName: string, available: string[]) {
    super('CONTRACT_NOT_FOUND', `No compiled contract named "${contractName}" (have: ${available.join(', ')})`, {
      details: { contractName, available },
    })
  }
}

const require = createRequire(import.meta.url)
/** The bundled compiler's version, without loading its ~8 MB wasm. */
const SOLC_VERSION: string = (require('solc/package.json') as { version: string }).version

const compiles = new Map<string, Promise<CompiledContracts>>()

/**
 * Compiles every contract of the project (cached on disk; one compile per process).
 *
 * @example
 * const compiled = await compileContracts()
 * const { abi, deployedBytecode } = getContract(compiled, 'ModelRegistry')
 */
export function compileContracts(options: { root?: string } = {}): Promise<CompiledContracts> {
  const root = options.root ?? findProjectRoot()
  let pending = compiles.get(root)
  if (!pending) {
    pending = compileProject(root)
    compiles.set(root, pending)
    // A failed compile (e.g. a syntax error being fixed) must not stick for the process's lifetime.
    pending.catch(() => compiles.delete(root))
  }
  return pending
}

async function compileProject(root: string): Promise<CompiledContracts> {
  const dir = contractsDir(root)
  const files = await listSolidityFiles(dir)
  const sources: Record<string, string> = {}
  for (const file of files) sources[file] = await readFile(path.join(dir, file), 'utf8')
  return compileSolidity(sources, { cacheDir: path.join(root, '.cache', 'solc'), importDir: dir })
}

/**
 * Compiles the given sources (unit name → Solidity text) with SOLC_SETTINGS.
 * With `cacheDir`, solc's output is read from / written to `<cacheDir>/<sha256>.json`.
 * With `importDir`, imports not among `sources` are read from there.
 *
 * @throws ContractCompileError if solc reports any error
 */
export async function compileSolidity(
  sources: Record<string, string>,
  options: { cacheDir?: string; importDir?: string } = {},
): Promise<CompiledContracts> {
  const input = standardInput(sources)
  const key = createHash('sha256').update(JSON.stringify({ solc: SOLC_VERSION, input })).digest('hex')
  let output = options.cacheDir ? ((await readCachedOutput(options.cacheDir, key)) as SolcOutput | undefined) : undefined
  if (!output) {
    output = await runSolc(input, options.importDir)
    const errors = (output.errors ?? []).filter((e) => e.severity === 'error').map((e) => e.formattedMessage)
    if (errors.length > 0) throw new ContractCompileError(errors)
    if (options.cacheDir) await writeCachedOutput(options.cacheDir, key, output)
  }
  return toCompiledContracts(output)
}

/**
 * The contract called `name`.
 *
 * @throws ContractNotFoundError
 */
export function getContract(compiled: CompiledContracts, name: string): CompiledContract {
  const contract = compiled.contracts[name]
  if (!contract) throw new ContractNotFoundError(name, Object.keys(compiled.contracts).sort())
  return contract
}

/** The parts of solc's standard JSON output this module reads. */
export interface SolcOutput {
  errors?: { severity: 'error' | 'warning' | 'info'; formattedMessage: string }[]
  contracts?: Record<
    string,
    Record<
      string,
      {
        abi: Abi
        evm: { bytecode: { object: string }; deployedBytecode: { object: string } }
        storageLayout: StorageLayout
      }
    >
  >
}

function standardInput(sources: Record<string, string>) {
  const sorted = Object.keys(sources).sort()
  return {
    language: 'Solidity',
    sources: Object.fromEntries(sorted.map((name) => [name, { content: sources[name] }])),
    settings: SOLC_SETTINGS,
  }
}

async function runSolc(input: ReturnType<typeof standardInput>, importDir: string | undefined): Promise<SolcOutput> {
  const { default: solc } = (await import('solc')) as { default: { compile(input: string, callbacks: object): string } }
  const readImport = (unitName: string) => resolveImport(importDir, unitName)
  return JSON.parse(solc.compile(JSON.stringify(input), { import: readImport })) as SolcOutput
}

/** solc's import callback: synchronous by contract, so it reads with readFileSync. */
function resolveImport(importDir: string | undefined, unitName: string): { contents: string } | { error: string } {
  if (!importDir) return { error: `import "${unitName}" is not among the sources` }
  const file = path.resolve(importDir, unitName)
  if (!file.startsWith(importDir + path.sep)) return { error: `import "${unitName}" leaves ${importDir}` }
  if (!existsSync(file)) return { error: `import "${unitName}" not found in ${importDir}` }
  return { contents: readFileSync(file, 'utf8') }
}

function toCompiledContracts(output: SolcOutput): CompiledContracts {
  const contracts: Record<string, CompiledContract> = {}
  for (const [sourceName, units] of Object.entries(output.contracts ?? {})) {
    for (const [name, unit] of Object.entries(units)) {
      const other = contracts[name]
      if (other) {
        throw new ContractCompileError([`contract name "${name}" is declared in both ${other.sourceName} and ${sourceName}`])
      }
      contracts[name] = {
        name,
        sourceName,
        abi: unit.abi,
        bytecode: toHex(name, unit.evm.bytecode.object),
        deployedBytecode: toHex(name, unit.evm.deployedBytecode.object),
        storageLayout: unit.storageLayout,
      }
    }
  }
  return { solcVersion: SOLC_VERSION, contracts }
}

function toHex(name: string, object: string): Hex {
  // Unlinked external library calls leave `__$…$__` placeholders; the chain's contracts use internal libraries only.
  if (!/^([0-9a-f]{2})*$/i.test(object)) {
    throw new ContractCompileError([`${name} needs library linking (bytecode has placeholders); make library functions internal`])
  }
  return `0x${object}`
}
