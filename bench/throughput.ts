/**
 * (b) Value-transfer throughput: the node through JSON-RPC vs. a bare @ethereumjs/vm runTx loop on
 * the same hardfork, in the same process and run.
 */
import { createFeeMarket1559Tx, type FeeMarket1559Tx } from '@ethereumjs/tx'
import { Account, createAddressFromPrivateKey, hexToBytes } from '@ethereumjs/util'
import { createVM, runTx } from '@ethereumjs/vm'
import { Caches, MerkleStateManager } from '@ethereumjs/statemanager'
import { createBlock } from '@ethereumjs/block'
import type { Common } from '@ethereumjs/common'
import { bytesToHex, type Hex } from 'viem'
import { createChainCommon } from '../src/chain/common.js'
import { devAccounts } from '../src/chain/dev-accounts.js'
import { join } from 'node:path'
import { spawnCli } from '../src/cli/child.js'
import { findProjectRoot } from '../src/contracts/files.js'
import { rpc } from './rpc.js'
import { BLOCK_GAS_LIMIT, DEFAULT_CHAIN_ID, GENESIS_BASE_FEE } from '../src/params.js'

export interface ThroughputResult {
  transactions: number
  bareVmTxPerSec: number
  nodeTxPerSec: number
}

/** Signed EIP-1559 transfers from `key`, nonces 0…count-1, each to a new account. */
export function transfers(common: Common, key: Hex, count: number): FeeMarket1559Tx[] {
  const secret = hexToBytes(key)
  return Array.from({ length: count }, (_, i) =>
    createFeeMarket1559Tx(
      {
        nonce: BigInt(i),
        // A new recipient every time: the expensive case (account creation).
        to: `0x${(0x1000000 + i).toString(16).padStart(40, '0')}` as Hex,
        value: 1n,
        gasLimit: 21_000n,
        maxFeePerGas: 100n * 10n ** 9n,
        maxPriorityFeePerGas: 10n ** 9n,
        chainId: common.chainId(),
      },
      { common },
    ).sign(secret),
  )
}

/** The baseline gets the node's own speed-ups (state caches, native crypto via Common), in memory. */
async function bareVm(common: Common, txs: FeeMarket1559Tx[], key: Hex): Promise<number> {
  const vm = await createVM({ common, stateManager: new MerkleStateManager({ caches: new Caches(), common }) })
  await vm.stateManager.putAccount(createAddressFromPrivateKey(hexToBytes(key)), new Account(0n, 10n ** 24n))
  const block = createBlock({ header: { number: 1n, gasLimit: BLOCK_GAS_LIMIT, baseFeePerGas: GENESIS_BASE_FEE, timestamp: 1n } }, { common })
  const started = performance.now()
  // One checkpoint for the whole run, as the node has one per block.
  await vm.stateManager.checkpoint()
  for (const tx of txs) await runTx(vm, { tx, block, skipBlockGasLimitValidation: true, skipHardForkValidation: true })
  await vm.stateManager.commit()
  return txs.length / ((performance.now() - started) / 1000)
}


/** The node as users run it: its own process (`inferchain node`), the client here. */
async function node(dataDir: string, txs: FeeMarket1559Tx[]): Promise<number> {
  const full = await spawnCli<{ rpcUrl: string }>(['node', '--json', '--data-dir', dataDir, '--rpc-port', '0', '--p2p-port', '0', '--block-time', '100'], {
    entry: join(findProjectRoot(), 'dist/src/cli/index.js'),
  })
  const url = full.ready.rpcUrl
  const raw = txs.map((tx) => bytesToHex(tx.serialize()))
  try {
    const started = performance.now()
    const concurrency = 16
    for (let i = 0; i < raw.length; i += concurrency) {
      await Promise.all(raw.slice(i, i + concurrency).map((r) => rpc(url, 'eth_sendRawTransaction', [r])))
    }
    const last = bytesToHex(txs.at(-1)!.hash())
    while ((await rpc(url, 'eth_getTransactionReceipt', [last])) === null) await new Promise((r) => setTimeout(r, 5))
    return txs.length / ((performance.now() - started) / 1000)
  } finally {
    await full.stop()
  }
}

export async function benchThroughput(dataDir: string, count = 2_000): Promise<ThroughputResult> {
  const common = createChainCommon(DEFAULT_CHAIN_ID)
  const key = devAccounts(4)[3]!.privateKey
  // Separate objects for each run: a transaction caches its recovered sender.
  const bareVmTxPerSec = await bareVm(common, transfers(common, key, count), key)
  const txs = transfers(common, key, count)
  const nodeTxPerSec = await node(dataDir, txs)
  return { transactions: count, bareVmTxPerSec, nodeTxPerSec }
}
