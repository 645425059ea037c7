/**
 * Genesis: funded accounts and system contracts, written into an empty state; the block that
 * commits to it. Deterministic for the same spec, so every node derives the same genesis hash.
 */
import { createBlock, type Block } from '@ethereumjs/block'
import type { Common } from '@ethereumjs/common'
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import { Account, createAddressFromString, hexToBytes } from '@ethereumjs/util'
import type { Address, Hex } from 'viem'
import { BLOCK_GAS_LIMIT, GENESIS_BASE_FEE } from '../params.js'

export interface GenesisSpec {
  chainId: number
  /** The only address allowed to seal blocks (proof of authority, see seal.ts); genesis's coinbase. */
  sealer: Address
  accounts: Array<{ address: Address; balance: bigint }>
  contracts: Array<{ address: Address; code: Hex; storage?: Array<[slot: Hex, value: Hex]> }>
  /**
   * Chain configuration, not state: the root certificates (DER, 0x-hex) TEE attestations must chain
   * to. Production pins the vendor's (`AWS_NITRO_ROOT_G1_DER`), devnets the development root; none
   * means no TEE record verifies.
   */
  teeTrustedRoots?: Hex[]
}

/** Writes the genesis state into `stateManager` (expected empty) and returns the genesis block. */
export async function writeGenesis(spec: GenesisSpec, stateManager: MerkleStateManager, common: Common): Promise<Block> {
  await stateManager.checkpoint()
  for (const { address, balance } of spec.accounts) {
    await stateManager.putAccount(createAddressFromString(address), new Account(0n, balance))
  }
  for (const { address, code, storage } of spec.contracts) {
    const addr = createAddressFromString(address)
    await stateManager.putAccount(addr, new Account(1n, 0n))
    await stateManager.putCode(addr, hexToBytes(code))
    for (const [slot, value] of storage ?? []) await stateManager.putStorage(addr, hexToBytes(slot), hexToBytes(value))
  }
  await stateManager.commit()
  const stateRoot = await stateManager.getStateRoot()
  return createBlock(
    { header: { number: 0n, timestamp: 0n, gasLimit: BLOCK_GAS_LIMIT, baseFeePerGas: GENESIS_BASE_FEE, stateRoot, coinbase: createAddressFromString(spec.sealer) } },
    { common, setHardfork: false },
  )
}
