/** ethereumjs blocks, transactions and receipts in the JSON shapes viem and ethers expect. */
import type { Block } from '@ethereumjs/block'
import type { TypedTransaction } from '@ethereumjs/tx'
import { bytesToHex } from '@ethereumjs/util'
import type { LogTuple, StoredReceipt } from './types.js'

export const hexQuantity = (n: bigint | number) => `0x${n.toString(16)}`

export function formatBlock(block: Block, fullTransactions: boolean) {
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
    totalDifficulty: '0x0',
    extraData: bytesToHex(h.extraData),
    size: hexQuantity(block.serialize().length),
    gasLimit: hexQuantity(h.gasLimit),
    gasUsed: hexQuantity(h.gasUsed),
    timestamp: hexQuantity(h.timestamp),
    mixHash: bytesToHex(h.mixHash),
    transactions: block.transactions.map((tx, i) => (fullTransactions ? formatTransaction(tx, block, i) : bytesToHex(tx.hash()))),
    uncles: [],
  }
  if (h.baseFeePerGas !== undefined) json.baseFeePerGas = hexQuantity(h.baseFeePerGas)
  if (h.withdrawalsRoot !== undefined) {
    json.withdrawalsRoot = bytesToHex(h.withdrawalsRoot)
    json.withdrawals = []
  }
  if (h.blobGasUsed !== undefined) json.blobGasUsed = hexQuantity(h.blobGasUsed)
  if (h.excessBlobGas !== undefined) json.excessBlobGas = hexQuantity(h.excessBlobGas)
  if (h.parentBeaconBlockRoot !== undefined) json.parentBeaconBlockRoot = bytesToHex(h.parentBeaconBlockRoot)
  if (h.requestsHash !== undefined) json.requestsHash = bytesToHex(h.requestsHash)
  return json
}

export function formatTransaction(tx: TypedTransaction, block?: Block, index?: number) {
  const json = tx.toJSON() as Record<string, unknown>
  const baseFee = block?.header.baseFeePerGas ?? 0n
  const out: Record<string, unknown> = {
    ...json,
    type: hexQuantity(tx.type),
    hash: bytesToHex(tx.hash()),
    from: tx.getSenderAddress().toString(),
    to: tx.to?.toString() ?? null,
    input: json.data ?? '0x',
    blockHash: block ? bytesToHex(block.hash()) : null,
    blockNumber: block ? hexQuantity(block.header.number) : null,
    transactionIndex: index !== undefined ? hexQuantity(index) : null,
  }
  delete out.data
  if ('maxFeePerGas' in tx) {
    out.gasPrice = hexQuantity(block ? effectivePrice(tx.maxFeePerGas, tx.maxPriorityFeePerGas, baseFee) : tx.maxFeePerGas)
    out.yParity = out.v
  }
  if (json.accessList === undefined && tx.type !== 0) out.accessList = []
  return out
}

function effectivePrice(maxFee: bigint, tip: bigint, baseFee: bigint): bigint {
  return baseFee + (tip < maxFee - baseFee ? tip : maxFee - baseFee)
}

export function formatLog(log: LogTuple, block: Block, txIndex: number, logIndex: number) {
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

/** Index of the first log of each receipt, counted across the block. */
export function firstLogIndexes(receipts: StoredReceipt[]): number[] {
  const starts: number[] = []
  let n = 0
  for (const r of receipts) {
    starts.push(n)
    n += r.logs.length
  }
  return starts
}

export function formatReceipt(receipt: StoredReceipt, block: Block, index: number, firstLogIndex: number) {
  const tx = block.transactions[index]!
  return {
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
}
