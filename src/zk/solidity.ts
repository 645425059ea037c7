/**
 * The per-circuit Solidity verifier: snarkjs renders its Groth16 template with the circuit's
 * verification key (constants only, so the contract is small and its bytecode is a function of
 * the key), and the project's solc pipeline compiles it. It exposes
 * `verifyProof(uint[2] pA, uint[2][2] pB, uint[2] pC, uint[3] pubSignals) view returns (bool)`
 * — the public signals in `PUBLIC_SIGNAL_NAMES` order, the proof words as `proof-codec.ts` lays them out.
 */
import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import type { Abi, Hex } from 'viem'
import { zKey } from 'snarkjs'
import { compileSolidity, getContract } from '../contracts/compile.js'
import { ZkModelError, ZkToolchainError } from './errors.js'
import type { CircuitSetup } from './setup.js'

/** EIP-170: the most runtime code a contract may have. */
export const MAX_CONTRACT_CODE_BYTES = 24_576
/** The contract name snarkjs's template declares. */
export const VERIFIER_CONTRACT = 'Groth16Verifier'

export interface SolidityVerifier {
  source: string
  abi: Abi
  /** Creation code. */
  bytecode: Hex
  deployedBytecode: Hex
  /** Runtime code size in bytes (≤ MAX_CONTRACT_CODE_BYTES). */
  codeSize: number
}

const require = createRequire(import.meta.url)

/**
 * The verifier contract of a circuit setup, rendered once into its setup directory and compiled
 * (solc's output is cached like every contract's).
 *
 * @throws ZkModelError `ZK_MODEL_TOO_LARGE` when the runtime code exceeds EIP-170's limit
 * @example
 * const { bytecode, abi } = await solidityVerifier(setup, { solcCacheDir })
 */
export async function solidityVerifier(setup: CircuitSetup, options: { solcCacheDir?: string } = {}): Promise<SolidityVerifier> {
  const file = path.join(setup.dir, `${VERIFIER_CONTRACT}.sol`)
  let source: string
  if (existsSync(file)) {
    source = await readFile(file, 'utf8')
  } else {
    const template = await readFile(path.join(path.dirname(require.resolve('snarkjs')), '..', 'templates', 'verifier_groth16.sol.ejs'), 'utf8')
    source = await zKey.exportSolidityVerifier(setup.zkeyFile, { groth16: template })
    await writeFile(file, source)
  }
  let compiled
  try {
    compiled = await compileSolidity({ [`${VERIFIER_CONTRACT}.sol`]: source }, { cacheDir: options.solcCacheDir })
  } catch (cause) {
    throw new ZkToolchainError('ZK_SETUP_FAILED', `the generated verifier does not compile: ${(cause as Error).message}`, { cause })
  }
  const contract = getContract(compiled, VERIFIER_CONTRACT)
  const codeSize = (contract.deployedBytecode.length - 2) / 2
  if (codeSize > MAX_CONTRACT_CODE_BYTES) {
    throw new ZkModelError('ZK_MODEL_TOO_LARGE', `the verifier contract has ${codeSize} bytes of code; EIP-170 allows ${MAX_CONTRACT_CODE_BYTES}`, { codeSize })
  }
  return { source, abi: contract.abi, bytecode: contract.bytecode, deployedBytecode: contract.deployedBytecode, codeSize }
}

/**
 * The `verifyProof` arguments for a 256-byte proof and the statement's public signals.
 *
 * @example
 * await read(h, verifier, abi, 'verifyProof', verifierCallArgs(envelope.proof, publicSignals(statement)))
 */
export function verifierCallArgs(
  proof: Uint8Array,
  signals: readonly (string | bigint)[],
): [[bigint, bigint], [[bigint, bigint], [bigint, bigint]], [bigint, bigint], bigint[]] {
  const w = Array.from({ length: 8 }, (_, i) => BigInt(`0x${Buffer.from(proof.subarray(i * 32, i * 32 + 32)).toString('hex')}`))
  return [
    [w[0]!, w[1]!],
    [
      [w[2]!, w[3]!],
      [w[4]!, w[5]!],
    ],
    [w[6]!, w[7]!],
    signals.map((s) => BigInt(s)),
  ]
}
