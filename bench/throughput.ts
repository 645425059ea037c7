/**
 * (b) Value-transfer throughput: the node through JSON-RPC vs. a bare @ethereumjs/vm runTx loop on
 * the same hardfork, in the same run. Both run in a fresh process of their own and are timed after
 * the same untimed warm-up, so their JITs are equally warm; the bare loop runs once before and once
 * after the node, and the ratio is against the mean of the two, which cancels load that drifts
 * steadily during the run (both runs are printed).
 *
 * `node dist/bench/throughput.js bare-vm <count>` is the bare loop's process: it prints
 * its transfers per second.
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
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { spawnCli } from '../src/cli/child.js'
import { findProjectRoot } from '../src/contracts/files.js'
import { rpc } from './rpc.js'
import { BLOCK_GAS_LIMIT, DEFAULT_CHAIN_ID, GENESIS_BASE_FEE } from '../src/params.js'

export interface ThroughputResult {
  transactions: number
  /** The mean of the two bare-VM runs. */
  bareVmTxPerSec: number
  /** Bare-VM runs before and after the node's. */
  bareVmRuns: number[]
  nodeTxPerSec: number
  /** Requests kept in flight by the client. */
  inFlight: number
  /** Transactions run untimed first, by both. */
  warmup: number
}

/**
 * Requests the client keeps in flight: transaction k goes out as soon as transaction k − 16 is
 * answered, so the node always has work and nonces never run more than 16 ahead of the oldest
 * unanswered one (the mempool refuses gaps over 64).
 */
const IN_FLIGHT = 16
/** Transactions run first, untimed, by the bare VM and by the node alike: both are timed with their JIT warm. */
const WARMUP = 500

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
async function bareVmLoop(common: Common, txs: FeeMarket1559Tx[], key: Hex): Promise<number> {
  const vm = await createVM({ common, stateManager: new MerkleStateManager({ caches: new Caches(), common }) })
  await vm.stateManager.putAccount(createAddressFromPrivateKey(hexToBytes(key)), new Account(0n, 10n ** 24n))
  const block = createBlock({ header: { number: 1n, gasLimit: BLOCK_GAS_LIMIT, baseFeePerGas: GENESIS_BASE_FEE, timestamp: 1n } }, { common })
  // One checkpoint for the whole run, as the node has one per block.
  await vm.stateManager.checkpoint()
  const run = (tx: FeeMarket1559Tx) => runTx(vm, { tx, block, skipBlockGasLimitValidation: true, skipHardForkValidation: true })
  for (const tx of txs.slice(0, WARMUP)) await run(tx)
  const timed = txs.slice(WARMUP)
  const started = performance.now()
  for (const tx of timed) await run(tx)
  await vm.stateManager.commit()
  return timed.length / ((performance.now() - started) / 1000)
}


/** The node as users run it: its own process (`inferchain node`), the client here. */
async function node(dataDir: string, txs: FeeMarket1559Tx[]): Promise<number> {
  const full = await spawnCli<{ rpcUrl: string }>(['node', '--json', '--data-dir', dataDir, '--rpc-port', '0', '--p2p-port', '0', '--block-time', '100'], {
    entry: join(findProjectRoot(), 'dist/src/cli/index.js'),
  })
  const url = full.ready.rpcUrl
  /** Sends `batch` and waits until the last of them is mined. */
  const mine = async (batch: FeeMarket1559Tx[]) => {
    const raw = batch.map((tx) => bytesToHex(tx.serialize()))
    const answers: Array<Promise<unknown>> = []
    for (let k = 0; k < raw.length; k++) {
      if (k >= IN_FLIGHT) await answers[k - IN_FLIGHT]
      const answer = rpc(url, 'eth_sendRawTransaction', [raw[k]!])
      answer.catch(() => {}) // awaited below; a refusal fails the benchmark there, not as an unhandled rejection
      answers.push(answer)
    }
    await Promise.all(answers)
    const last = bytesToHex(batch.at(-1)!.hash())
    while ((await rpc(url, 'eth_getTransactionReceipt', [last])) === null) await new Promise((r) => setTimeout(r, 5))
  }
  try {
    await mine(txs.slice(0, WARMUP))
    const timed = txs.slice(WARMUP)
    const started = performance.now()
    await mine(timed)
    return timed.length / ((performance.now() - started) / 1000)
  } finally {
    await full.stop()
  }
}

const SENDER = () => devAccounts(4)[3]!.privateKey

/** The bare loop in a fresh process, as the node runs in one. */
async function bareVm(count: number): Promise<number> {
  const { stdout } = await promisify(execFile)(process.execPath, [fileURLToPath(import.meta.url), 'bare-vm', String(count)], { maxBuffer: 1 << 20 })
  return Number(stdout.trim().split('\n').at(-1))
}

export async function benchThroughput(dataDir: string, count = 2_000): Promise<ThroughputResult> {
  const common = createChainCommon(DEFAULT_CHAIN_ID)
  const before = await bareVm(count)
  const nodeTxPerSec = await node(dataDir, transfers(common, SENDER(), WARMUP + count))
  const after = await bareVm(count)
  return { transactions: count, bareVmTxPerSec: (before + after) / 2, bareVmRuns: [before, after], nodeTxPerSec, inFlight: IN_FLIGHT, warmup: WARMUP }
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === 'bare-vm') {
  const common = createChainCommon(DEFAULT_CHAIN_ID)
  const count = Number(process.argv[3])
  process.stdout.write(`${await bareVmLoop(common, transfers(common, SENDER(), WARMUP + count), SENDER())}\n`)
}
