/** Shared set-up for chain tests: a real Chain on a temp LevelDB with the dev genesis. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createFeeMarket1559Tx, type FeeMarket1559Tx } from '@ethereumjs/tx'
import { hexToBytes } from '@ethereumjs/util'
import type { Common } from '@ethereumjs/common'
import type { Hex } from 'viem'
import { devAccounts } from '../../src/chain/dev-accounts.js'
import { devGenesis } from '../../src/chain/dev-genesis.js'
import type { GenesisSpec } from '../../src/chain/genesis.js'
import { DEFAULT_CHAIN_ID } from '../../src/params.js'

export const ACCOUNTS = devAccounts(3)

let genesisPromise: Promise<GenesisSpec> | undefined
export function testGenesis(): Promise<GenesisSpec> {
  genesisPromise ??= devGenesis(DEFAULT_CHAIN_ID)
  return genesisPromise
}

export function tempDir(prefix = 'inferchain-test-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

export function signedTransfer(
  common: Common,
  options: { from?: number; to: Hex; value?: bigint; nonce: bigint; maxFeePerGas?: bigint; tip?: bigint; gasLimit?: bigint; data?: Hex },
): FeeMarket1559Tx {
  return createFeeMarket1559Tx(
    {
      nonce: options.nonce,
      to: options.to,
      value: options.value ?? 1n,
      data: options.data,
      gasLimit: options.gasLimit ?? 21_000n,
      maxFeePerGas: options.maxFeePerGas ?? 10n ** 10n,
      maxPriorityFeePerGas: options.tip ?? 10n ** 9n,
      chainId: common.chainId(),
    },
    { common },
  ).sign(hexToBytes(ACCOUNTS[options.from ?? 0]!.privateKey))
}
