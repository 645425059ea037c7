/** The `eth_*` methods over an `RpcBackend`. */
import type { Block } from '@ethereumjs/block'
import { bytesToHex } from '@ethereumjs/util'
import { z } from 'zod'
import type { Hex } from 'viem'
import { executionReverted, headerNotFound, invalidParams, RpcError } from '../errors.js'
import { firstLogIndexes, formatBlock, formatLog, formatReceipt, formatTransaction, hexQuantity } from '../format.js'
import { address, blockSelector, bytes, callRequest, data, hash32, logFilter, parse, quantity, type BlockSelector } from '../params.js'
import type { RpcBackend, RpcMethodTable, StoredReceipt } from '../types.js'
import { createLogQuery } from './logs.js'

export const MAX_FEE_HISTORY_BLOCKS = 1024

export function createEthMethods(backend: RpcBackend): RpcMethodTable {
  /** A selector as a block number; undefined when it names no known block. */
  async function numberOf(selector: BlockSelector | undefined): Promise<bigint | undefined> {
    if (selector === undefined) return backend.headNumber()
    if ('tag' in selector) return selector.tag === 'earliest' ? 0n : backend.headNumber()
    if ('number' in selector) return selector.number <= backend.headNumber() ? selector.number : undefined
    return (await backend.blockByHash(bytes(selector.hash)))?.header.number
  }
  async function stateBlock(param: unknown): Promise<bigint> {
    const number = await numberOf(param === undefined ? undefined : parse(blockSelector, param, 'block'))
    if (number === undefined) throw headerNotFound()
    return number
  }
  async function blockBySelector(param: unknown): Promise<Block | undefined> {
    const number = await numberOf(parse(blockSelector, param, 'block'))
    return number === undefined ? undefined : backend.blockByNumber(number)
  }
  const full = (param: unknown) => parse(z.boolean().optional(), param, 'fullTransactions') ?? false

  return {
    eth_chainId: () => hexQuantity(backend.chainId),
    eth_blockNumber: () => hexQuantity(backend.headNumber()),
    eth_accounts: () => [],
    eth_syncing: () => false,
    eth_mining: () => true,
    eth_hashrate: () => '0x0',
    eth_coinbase: () => '0x0000000000000000000000000000000000000000',
    eth_gasPrice: () => hexQuantity(backend.gasPrice()),
    eth_maxPriorityFeePerGas: () => hexQuantity(backend.maxPriorityFeePerGas()),

    eth_getBalance: async ([who, block]) => hexQuantity(await backend.balance(bytes(parse(address, who, 'address')), await stateBlock(block))),
    eth_getCode: async ([who, block]) => bytesToHex(await backend.code(bytes(parse(address, who, 'address')), await stateBlock(block))),
    eth_getStorageAt: async ([who, slot, block]) => {
      const key = parse(z.string().regex(/^0x[0-9a-fA-F]{1,64}$/, 'expected a storage slot'), slot, 'slot')
      const padded = bytes(`0x${key.slice(2).padStart(64, '0')}`)
      return bytesToHex(await backend.storageAt(bytes(parse(address, who, 'address')), padded, await stateBlock(block)))
    },
    eth_getTransactionCount: async ([who, block]) => {
      const addr = bytes(parse(address, who, 'address'))
      const selector = block === undefined ? undefined : parse(blockSelector, block, 'block')
      if (selector && 'tag' in selector && selector.tag === 'pending') return hexQuantity(await backend.pendingNonce(addr))
      return hexQuantity(await backend.nonce(addr, await stateBlock(block)))
    },

    eth_call: async ([request, block]) => {
      const result = await backend.call(parse(callRequest, request, 'transaction'), await stateBlock(block))
      if (result.error) throw result.error.revertData !== undefined ? executionReverted(result.error.revertData) : new RpcError(-32000, result.error.message)
      return bytesToHex(result.returnValue)
    },
    eth_estimateGas: async ([request, block]) => {
      const outcome = await backend.estimateGas(parse(callRequest, request, 'transaction'), await stateBlock(block))
      if ('gas' in outcome) return hexQuantity(outcome.gas)
      const error = outcome.failure.error!
      throw error.revertData !== undefined ? executionReverted(error.revertData) : new RpcError(-32000, `gas required exceeds allowance (${error.message})`)
    },
    eth_sendRawTransaction: async ([raw]) => bytesToHex(await backend.sendRawTransaction(bytes(parse(data, raw, 'transaction')))),

    eth_getBlockByNumber: async ([block, fullTx]) => {
      const found = await blockBySelector(block)
      return found ? formatBlock(found, full(fullTx)) : null
    },
    eth_getBlockByHash: async ([hash, fullTx]) => {
      const found = await backend.blockByHash(bytes(parse(hash32, hash, 'blockHash')))
      return found ? formatBlock(found, full(fullTx)) : null
    },
    eth_getBlockTransactionCountByNumber: async ([block]) => {
      const found = await blockBySelector(block)
      return found ? hexQuantity(found.transactions.length) : null
    },
    eth_getBlockTransactionCountByHash: async ([hash]) => {
      const found = await backend.blockByHash(bytes(parse(hash32, hash, 'blockHash')))
      return found ? hexQuantity(found.transactions.length) : null
    },
    eth_getTransactionByBlockNumberAndIndex: async ([block, index]) => {
      const found = await blockBySelector(block)
      const i = Number(parse(quantity, index, 'index'))
      const tx = found?.transactions[i]
      return tx ? formatTransaction(tx, found, i) : null
    },
    eth_getTransactionByHash: async ([hash]) => {
      const key = bytes(parse(hash32, hash, 'transactionHash'))
      const location = await backend.transaction(key)
      if (location) return formatTransaction(location.block.transactions[location.index]!, location.block, location.index)
      const pending = backend.pendingTransaction(key)
      return pending ? formatTransaction(pending) : null
    },
    eth_getTransactionReceipt: async ([hash]) => {
      const location = await backend.transaction(bytes(parse(hash32, hash, 'transactionHash')))
      if (!location) return null
      const receipts = await backend.receipts(location.block)
      return formatReceipt(receipts[location.index]!, location.block, location.index, firstLogIndexes(receipts)[location.index]!)
    },
    eth_getBlockReceipts: async ([block]) => {
      const found = await blockBySelector(block)
      if (!found) return null
      const receipts = await backend.receipts(found)
      const starts = firstLogIndexes(receipts)
      return receipts.map((r, i) => formatReceipt(r, found, i, starts[i]!))
    },
    eth_getLogs: async ([filter]) => createLogQuery(backend, numberOf)(parse(logFilter, filter ?? {}, 'filter')),
    eth_feeHistory: async ([count, newest, percentiles]) => {
      const blocks = Number(parse(quantity.or(z.number().int().transform(BigInt)), count, 'blockCount'))
      if (blocks < 1 || blocks > MAX_FEE_HISTORY_BLOCKS) throw invalidParams(`blockCount must be 1..${MAX_FEE_HISTORY_BLOCKS}`)
      const last = await numberOf(parse(blockSelector, newest, 'newestBlock'))
      if (last === undefined) throw headerNotFound()
      const ps = parse(z.array(z.number().min(0).max(100)).optional(), percentiles, 'rewardPercentiles') ?? []
      return feeHistory(backend, blocks, last, ps)
    },
  }
}

async function feeHistory(backend: RpcBackend, count: number, newest: bigint, percentiles: number[]) {
  const first = newest - BigInt(count) + 1n < 0n ? 0n : newest - BigInt(count) + 1n
  const baseFees: string[] = []
  const ratios: number[] = []
  const rewards: string[][] = []
  let lastBlock: Block | undefined
  for (let n = first; n <= newest; n++) {
    const block = (await backend.blockByNumber(n))!
    lastBlock = block
    const baseFee = block.header.baseFeePerGas ?? 0n
    baseFees.push(hexQuantity(baseFee))
    ratios.push(Number(block.header.gasUsed) / Number(block.header.gasLimit))
    if (percentiles.length > 0) rewards.push(blockRewards(block, await backend.receipts(block), baseFee, percentiles))
  }
  baseFees.push(hexQuantity(lastBlock!.header.calcNextBaseFee()))
  return {
    oldestBlock: hexQuantity(first),
    baseFeePerGas: baseFees,
    gasUsedRatio: ratios,
    ...(percentiles.length > 0 ? { reward: rewards } : {}),
    baseFeePerBlobGas: baseFees.map(() => '0x0'),
    blobGasUsedRatio: ratios.map(() => 0),
  }
}

/** Effective tips at gas-weighted percentiles, as geth computes them. */
function blockRewards(block: Block, receipts: StoredReceipt[], baseFee: bigint, percentiles: number[]): string[] {
  if (block.transactions.length === 0) return percentiles.map(() => '0x0')
  const tips = block.transactions
    .map((tx, i) => ({ tip: receipts[i]!.effectiveGasPrice - baseFee, gas: receipts[i]!.gasUsed }))
    .sort((a, b) => (a.tip < b.tip ? -1 : a.tip > b.tip ? 1 : 0))
  const total = tips.reduce((s, t) => s + t.gas, 0n)
  return percentiles.map((p) => {
    const threshold = (total * BigInt(Math.round(p * 100))) / 10_000n
    let sum = 0n
    for (const t of tips) {
      sum += t.gas
      if (sum >= threshold) return hexQuantity(t.tip)
    }
    return hexQuantity(tips.at(-1)!.tip)
  })
}

export type { Hex }
export { formatLog }
