/**
 * The `eth_*` methods over an `RpcBackend`: parameters are validated (-32602 naming the bad one),
 * blocks resolved through the head, results formatted as the execution API defines them.
 * eth_fillTransaction is deliberately absent: viem falls back to local filling on -32601.
 */
import { bytesToHex } from '@ethereumjs/util'
import { createBlockResolver } from '../blocks.js'
import { executionReverted, headerNotFound, invalidParams, serverError, type RpcError } from '../errors.js'
import { formatBlock, formatBlockReceipts, firstLogIndexes, formatReceipt, formatTransaction, hexQuantity } from '../format.js'
import { address, blockSelector, bytes, callRequest, countParam, fullTransactions, hash32, hexData, logFilter, parse, quantity, rewardPercentiles, storageSlot } from '../params.js'
import type { CallResult, RpcBackend, RpcMethodTable } from '../types.js'
import { feeHistory, MAX_FEE_HISTORY_BLOCKS } from './fee-history.js'
import { createLogQuery } from './logs.js'

const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000'

/** A failed call as geth answers it: code 3 with the data for a revert, -32000 for a halt. */
function callFailure(error: NonNullable<CallResult['error']>, haltPrefix = ''): RpcError {
  return error.revertData !== undefined ? executionReverted(error.revertData) : serverError(`${haltPrefix}${error.message}`)
}

/** State and block overrides change what a call sees; silently ignoring them would answer wrongly. */
function refuseOverrides(params: unknown[]): void {
  if (params[2] != null) throw invalidParams('stateOverrides: not supported by this node')
  if (params[3] != null) throw invalidParams('blockOverrides: not supported by this node')
}

/**
 * @example
 * const methods = { ...createEthMethods(backend), ...createNetMethods(backend), ...createWeb3Methods(backend) }
 */
export function createEthMethods(backend: RpcBackend): RpcMethodTable {
  const blocks = createBlockResolver(backend)
  const getLogs = createLogQuery(backend, blocks)
  const blockByHash = (param: unknown) => backend.blockByHash(bytes(parse(hash32, param, 'blockHash')))
  const txHash = (param: unknown) => bytes(parse(hash32, param, 'transactionHash'))
  const who = (param: unknown) => bytes(parse(address, param, 'address'))

  return {
    eth_chainId: () => hexQuantity(backend.chainId),
    eth_blockNumber: () => hexQuantity(backend.headNumber()),
    eth_accounts: () => [],
    eth_syncing: () => false,
    eth_mining: () => true,
    eth_hashrate: () => '0x0',
    eth_coinbase: () => ZERO_ADDRESS,
    eth_gasPrice: () => hexQuantity(backend.gasPrice()),
    eth_maxPriorityFeePerGas: () => hexQuantity(backend.maxPriorityFeePerGas()),
    eth_blobBaseFee: async () => {
      const head = await backend.blockByNumber(backend.headNumber())
      return hexQuantity(head?.header.excessBlobGas !== undefined ? head.header.calcNextBlobGasPrice(head.common) : 0n)
    },

    eth_getBalance: async ([account, block]) => hexQuantity(await backend.balance(who(account), await blocks.stateBlock(block))),
    eth_getCode: async ([account, block]) => bytesToHex(await backend.code(who(account), await blocks.stateBlock(block))),
    eth_getStorageAt: async ([account, slot, block]) => {
      const key = parse(storageSlot, slot, 'slot')
      return bytesToHex(await backend.storageAt(who(account), key, await blocks.stateBlock(block)))
    },
    eth_getTransactionCount: async ([account, block]) => {
      const addr = who(account)
      const selector = block == null ? undefined : parse(blockSelector, block, 'block')
      if (selector && 'tag' in selector && selector.tag === 'pending') return hexQuantity(await backend.pendingNonce(addr))
      const number = await blocks.numberOf(selector)
      if (number === undefined) throw headerNotFound()
      return hexQuantity(await backend.nonce(addr, number))
    },

    eth_call: async (params) => {
      refuseOverrides(params)
      const request = parse(callRequest, params[0], 'transaction')
      const result = await backend.call(request, await blocks.stateBlock(params[1]))
      if (result.error) throw callFailure(result.error)
      return bytesToHex(result.returnValue)
    },
    eth_estimateGas: async (params) => {
      refuseOverrides(params)
      const request = parse(callRequest, params[0], 'transaction')
      const outcome = await backend.estimateGas(request, await blocks.stateBlock(params[1]))
      if ('gas' in outcome) return hexQuantity(outcome.gas)
      const error = outcome.failure.error ?? { message: 'the call fails at every gas limit' }
      throw callFailure(error, 'gas required exceeds allowance: ')
    },
    eth_sendRawTransaction: async ([raw]) => bytesToHex(await backend.sendRawTransaction(bytes(parse(hexData, raw, 'transaction')))),

    eth_getBlockByNumber: async ([block, full]) => {
      const found = await blocks.block(block)
      return found ? formatBlock(found, parse(fullTransactions, full, 'fullTransactions')) : null
    },
    eth_getBlockByHash: async ([hash, full]) => {
      const found = await blockByHash(hash)
      return found ? formatBlock(found, parse(fullTransactions, full, 'fullTransactions')) : null
    },
    eth_getBlockTransactionCountByNumber: async ([block]) => {
      const found = await blocks.block(block)
      return found ? hexQuantity(found.transactions.length) : null
    },
    eth_getBlockTransactionCountByHash: async ([hash]) => {
      const found = await blockByHash(hash)
      return found ? hexQuantity(found.transactions.length) : null
    },
    eth_getUncleCountByBlockNumber: async ([block]) => ((await blocks.block(block)) ? '0x0' : null),
    eth_getUncleCountByBlockHash: async ([hash]) => ((await blockByHash(hash)) ? '0x0' : null),
    eth_getTransactionByBlockNumberAndIndex: async ([block, index]) => {
      const i = parse(quantity, index, 'index')
      const found = await blocks.block(block)
      const tx = found?.transactions[Number(i)]
      return found && tx ? formatTransaction(tx, { block: found, index: Number(i) }) : null
    },
    eth_getTransactionByBlockHashAndIndex: async ([hash, index]) => {
      const i = parse(quantity, index, 'index')
      const found = await blockByHash(hash)
      const tx = found?.transactions[Number(i)]
      return found && tx ? formatTransaction(tx, { block: found, index: Number(i) }) : null
    },

    eth_getTransactionByHash: async ([hash]) => {
      const key = txHash(hash)
      const location = await backend.transaction(key)
      if (location) return formatTransaction(location.block.transactions[location.index]!, location)
      const pending = backend.pendingTransaction(key)
      return pending ? formatTransaction(pending) : null
    },
    eth_getTransactionReceipt: async ([hash]) => {
      const location = await backend.transaction(txHash(hash))
      if (!location) return null
      const receipts = await backend.receipts(location.block)
      const receipt = receipts[location.index]
      if (!receipt) throw new Error(`receipt ${location.index} of block ${location.block.header.number} is missing from the store`)
      return formatReceipt(receipt, location.block, location.index, firstLogIndexes(receipts)[location.index]!)
    },
    eth_getBlockReceipts: async ([block]) => {
      const found = await blocks.block(block)
      return found ? formatBlockReceipts(found, await backend.receipts(found)) : null
    },

    eth_getLogs: async ([filter]) => getLogs(parse(logFilter, filter ?? {}, 'filter')),
    eth_feeHistory: async ([count, newest, percentiles]) => {
      const blockCount = parse(countParam, count, 'blockCount')
      if (blockCount > MAX_FEE_HISTORY_BLOCKS) throw invalidParams(`blockCount: at most ${MAX_FEE_HISTORY_BLOCKS}`)
      const ps = parse(rewardPercentiles, percentiles, 'rewardPercentiles')
      const last = await blocks.numberOf(parse(blockSelector, newest, 'newestBlock'))
      if (last === undefined) throw headerNotFound()
      return feeHistory(backend, blockCount, last, ps)
    },
  }
}

