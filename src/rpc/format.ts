/**
 * ethereumjs blocks, transactions, receipts and logs in the execution-API JSON shapes that viem,
 * ethers and wallets parse. Every quantity is a hex string; nothing here returns a bigint.
 */
import type { Block } from '@ethereumjs/block'
import type { TypedTransaction } from '@ethereumjs/tx'
import { bytesToHex } from '@ethereumjs/util'
import type { LogTuple, StoredReceipt } from './types.js'

/** A quantity as the execution API writes it (`0x0`, `0x1a`, never leading zeros). */
export const hexQuantity = (n: bigint | number): string => `0x${n.toString(16)}`

/** The header fields of a block (what `newHeads` pushes), fork fields only where the fork is active. */
export function formatHeader(block: Block): Record<string, unknown> {
  const h = block.header
  const json: Record<string, unknown> = {
    number: hexQuantity(h.number),
    hash: bytesToHex(block.hash()),
    parentHash: bytesToHex(h.parentHash),
    nonce: bytesToHex(h.nonce),
    sha3Uncles: bytesToHex(h.uncleHash),
    logsBloom: bytesToHex(h.logsBloom),
    transactionsRoot: bytesToHex(h.transactionsTrie),
    stateRoot: bytesToHex(h.stateRoot),
    receiptsRoot: bytesToHex(h.receiptTrie),
    miner: h.coinbase.toString(),
    difficulty: hexQuantity(h.difficulty),
    // Proof-of-authority from block 0: no work was ever summed.
    totalDifficulty: '0x0',
    extraData: bytesToHex(h.extraData),
    gasLimit: hexQuantity(h.gasLimit),
    gasUsed: hexQuantity(h.gasUsed),
    timestamp: hexQuantity(h.timestamp),
    mixHash: bytesToHex(h.mixHash),
  }
  if (h.baseFeePerGas !== undefined) json.baseFeePerGas = hexQuantity(h.baseFeePerGas)
  if (h.withdrawalsRoot !== undefined) json.withdrawalsRoot = bytesToHex(h.withdrawalsRoot)
  if (h.blobGasUsed !== undefined) json.blobGasUsed = hexQuantity(h.blobGasUsed)
  if (h.excessBlobGas !== undefined) json.excessBlobGas = hexQuantity(h.excessBlobGas)
  if (h.parentBeaconBlockRoot !== undefined) json.parentBeaconBlockRoot = bytesToHex(h.parentBeaconBlockRoot)
  if (h.requestsHash !== undefined) json.requestsHash = bytesToHex(h.requestsHash)
  return json
}

/** `eth_getBlockBy*`: the header plus `size`, `uncles`, `withdrawals` and the transactions. */
export function formatBlock(block: Block, fullTransactions: boolean): Record<string, unknown> {
  const json = formatHeader(block)
  json.size = hexQuantity(block.serialize().length)
  json.transactions = block.transactions.map((tx, i) => (fullTransactions ? formatTransaction(tx, { block, index: i }) : bytesToHex(tx.hash())))
  json.uncles = block.uncleHeaders.map((u) => bytesToHex(u.hash()))
  if (block.withdrawals !== undefined) json.withdrawals = block.withdrawals.map((w) => w.toJSON())
  return json
}

/** What a transaction costs per gas once included: `min(maxFee, baseFee + tip)`. */
export function effectiveGasPrice(tx: TypedTransaction, baseFee: bigint): bigint {
  if (!('maxFeePerGas' in tx)) return tx.gasPrice
  const tipRoom = tx.maxFeePerGas - baseFee
  return baseFee + (tx.maxPriorityFeePerGas < tipRoom ? tx.maxPriorityFeePerGas : tipRoom)
}

/** Legacy transactions carry the chain id in `v` (EIP-155) or not at all. */
function legacyChainId(v: bigint | undefined): string | undefined {
  return v !== undefined && v >= 35n ? hexQuantity((v - 35n) / 2n) : undefined
}

/**
 * A transaction object; `location` is where it was mined (absent while pending, which makes
 * `blockHash`/`blockNumber`/`transactionIndex` null and `gasPrice` the fee cap, as geth does).
 */
export function formatTransaction(tx: TypedTransaction, location?: { block: Block; index: number }): Record<string, unknown> {
  const { gasLimit, data, ...fields } = tx.toJSON() as Record<string, unknown>
  const block = location?.block
  const json: Record<string, unknown> = {
    ...fields,
    hash: bytesToHex(tx.hash()),
    from: tx.getSenderAddress().toString(),
    to: tx.to?.toString() ?? null,
    gas: gasLimit,
    input: data,
    blockHash: block ? bytesToHex(block.hash()) : null,
    blockNumber: block ? hexQuantity(block.header.number) : null,
    transactionIndex: location ? hexQuantity(location.index) : null,
  }
  if (tx.type === 0) {
    json.chainId = legacyChainId(tx.v)
    delete json.yParity
  } else {
    json.yParity = json.v
    json.accessList ??= []
  }
  if ('maxFeePerGas' in tx) json.gasPrice = hexQuantity(block ? effectiveGasPrice(tx, block.header.baseFeePerGas ?? 0n) : tx.maxFeePerGas)
  // JSON drops undefined fields anyway; removing them keeps `toEqual` comparisons honest.
  for (const key of Object.keys(json)) if (json[key] === undefined) delete json[key]
  return json
}

/** A log with its position: `logIndex` counts across the whole block. */
export function formatLog(log: LogTuple, block: Block, txIndex: number, logIndex: number): Record<string, unknown> {
  const [address, topics, data] = log
  return {
    address: bytesToHex(address),
    topics: topics.map((t) => bytesToHex(t)),
    data: bytesToHex(data),
    blockNumber: hexQuantity(block.header.number),
    blockHash: bytesToHex(block.hash()),
    blockTimestamp: hexQuantity(block.header.timestamp),
    transactionHash: bytesToHex(block.transactions[txIndex]!.hash()),
    transactionIndex: hexQuantity(txIndex),
    logIndex: hexQuantity(logIndex),
    removed: false,
  }
}

/** Index (within the block) of the first log of each receipt. */
export function firstLogIndexes(receipts: StoredReceipt[]): number[] {
  const starts: number[] = []
  let next = 0
  for (const receipt of receipts) {
    starts.push(next)
    next += receipt.logs.length
  }
  return starts
}

/** Every log of a block that `keep` accepts, formatted, in block order. */
export function blockLogs(block: Block, receipts: StoredReceipt[], keep: (log: LogTuple) => boolean = () => true): Record<string, unknown>[] {
  const logs: Record<string, unknown>[] = []
  let logIndex = 0
  receipts.forEach((receipt, txIndex) => {
    for (const log of receipt.logs) {
      if (keep(log)) logs.push(formatLog(log, block, txIndex, logIndex))
      logIndex++
    }
  })
  return logs
}

/** The receipt of the `index`-th transaction of `block`. */
export function formatReceipt(receipt: StoredReceipt, block: Block, index: number, firstLogIndex: number): Record<string, unknown> {
  const tx = block.transactions[index]!
  const json: Record<string, unknown> = {
    transactionHash: bytesToHex(tx.hash()),
    transactionIndex: hexQuantity(index),
    blockHash: bytesToHex(block.hash()),
    blockNumber: hexQuantity(block.header.number),
    from: tx.getSenderAddress().toString(),
    to: tx.to?.toString() ?? null,
    cumulativeGasUsed: hexQuantity(receipt.cumulativeGasUsed),
    gasUsed: hexQuantity(receipt.gasUsed),
    effectiveGasPrice: hexQuantity(receipt.effectiveGasPrice),
    contractAddress: receipt.contractAddress ? bytesToHex(receipt.contractAddress) : null,
    logs: receipt.logs.map((log, i) => formatLog(log, block, index, firstLogIndex + i)),
    logsBloom: bytesToHex(receipt.bloom),
    type: hexQuantity(tx.type),
    status: hexQuantity(receipt.status),
  }
  if ('blobVersionedHashes' in tx && block.header.excessBlobGas !== undefined) {
    json.blobGasUsed = hexQuantity(BigInt(tx.blobVersionedHashes.length) * block.common.param('blobGasPerBlob'))
    json.blobGasPrice = hexQuantity(block.header.getBlobGasPrice())
  }
  return json
}

/** All receipts of a block (`eth_getBlockReceipts`). */
export function formatBlockReceipts(block: Block, receipts: StoredReceipt[]): Record<string, unknown>[] {
  const starts = firstLogIndexes(receipts)
  return receipts.map((receipt, i) => formatReceipt(receipt, block, i, starts[i]!))
}
