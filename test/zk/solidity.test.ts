/**
 * The generated Solidity verifier, compiled by the project's solc pipeline and deployed to the
 * chain's EVM (ethereumjs, with its BN254 precompiles): it accepts the proof of an inference and
 * refuses it for any other statement or with a flipped byte.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compileContracts } from '../../src/contracts/compile.js'
import { buildDemoModel } from '../../src/models/index.js'
import {
  MAX_CONTRACT_CODE_BYTES,
  prepareZkModel,
  publicSignals,
  quantizeInputVector,
  releaseZkWorkers,
  verifierCallArgs,
  type SolidityVerifier,
  type ZkModel,
  type ZkProofEnvelope,
} from '../../src/zk/index.js'
import { createHarness, deploy, read, type Harness } from '../contracts/evm-harness.js'
import { randomInputs } from './models.js'
import { encodeFunctionData, type Address } from 'viem'
import { createAddressFromString, hexToBytes } from '@ethereumjs/util'

let zk: ZkModel
let verifier: SolidityVerifier
let h: Harness
let address: Address
let envelope: ZkProofEnvelope

beforeAll(async () => {
  zk = await prepareZkModel(buildDemoModel())
  verifier = await zk.solidityVerifier()
  h = await createHarness(await compileContracts())
  address = await deploy(h, verifier.bytecode)
  envelope = (await zk.prove(quantizeInputVector(zk.model, randomInputs(1, 16, 5)[0]!))).envelope
}, 600_000)

afterAll(releaseZkWorkers)

const verify = (proof: Uint8Array, signals: readonly (string | bigint)[]) =>
  read(h, address, verifier.abi, 'verifyProof', verifierCallArgs(proof, signals) as never) as Promise<boolean>

describe('the Solidity verifier of the demo model', () => {
  it('is far below the 24 KB code limit', () => {
    expect(verifier.codeSize).toBeGreaterThan(500)
    expect(verifier.codeSize).toBeLessThan(MAX_CONTRACT_CODE_BYTES)
    expect(verifier.source).toMatch(/contract Groth16Verifier/)
  })

  it('verifies a proof on chain, through a contract call in the EVM', async () => {
    expect(await verify(envelope.proof, publicSignals(envelope.statement))).toBe(true)
    // Its gas: three public signals, four pairings (EIP-1108 prices).
    const data = encodeFunctionData({ abi: verifier.abi, functionName: 'verifyProof', args: verifierCallArgs(envelope.proof, publicSignals(envelope.statement)) } as never)
    await h.vm.stateManager.checkpoint()
    const result = await h.vm.evm.runCall({ to: createAddressFromString(address), data: hexToBytes(data), gasLimit: 1_000_000n })
    await h.vm.stateManager.revert()
    console.log(`on-chain Groth16 verification of the demo model: ${result.execResult.executionGasUsed} gas`)
    expect(result.execResult.executionGasUsed).toBeLessThan(300_000n)
  })

  it('refuses the proof for another model, input or output, and with a flipped byte', async () => {
    const signals = publicSignals(envelope.statement).map(BigInt)
    for (let i = 0; i < 3; i++) {
      const other = [...signals]
      other[i] = other[i]! + 1n
      expect(await verify(envelope.proof, other)).toBe(false)
    }
    for (const at of [5, 40, 70, 100, 150, 230]) {
      const flipped = envelope.proof.slice()
      flipped[at]! ^= 0x10
      expect(await verify(flipped, signals)).toBe(false)
    }
  })
})
