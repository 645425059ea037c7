/**
 * What the JSON-RPC layer needs from a node. The chain implements it (`src/chain/rpc-backend.ts`);
 * the RPC layer only parses, validates, formats and frames.
 */
import type { Block } from '@ethereumjs/block'
import type { TypedTransaction } from '@ethereumjs/tx'
import type { Hex } from 'viem'

/** ethereumjs' log tuple: [address, topics, data]. */
export type LogTuple = [address: Uint8Array, topics: Uint8Array[], data: Uint8Array]

export interface StoredReceipt {
  /** 1 success, 0 failure. */
  status: 0 | 1
  gasUsed: bigint
  cumulativeGasUsed: bigint
  logs: LogTuple[]
  /** 256-byte logs bloom. */
  bloom: Uint8Array
  contractAddress?: Uint8Array
  effectiveGasPrice: bigint
}

export interface TransactionLocation {
  block: Block
  index: number
}

/** An `eth_call` / `eth_estimateGas` request, already parsed. */
export interface CallRequest {
  from?: Hex
  to?: Hex
  gas?: bigint
  gasPrice?: bigint
  maxFeePerGas?: bigint
  maxPriorityFeePerGas?: bigint
  value?: bigint
  data?: Hex
  nonce?: bigint
}

export interface CallResult {
  returnValue: Uint8Array
  gasUsed: bigint
  /** Set when the call reverted or halted; `revertData` holds the raw revert bytes if it reverted. */
  error?: { message: string; revertData?: Uint8Array }
}

/** Block selector already resolved by the RPC layer to a number (`latest` → head, `pending` → head). */
export type BlockNumber = bigint

export interface RpcBackend {
  readonly chainId: bigint
  readonly clientVersion: string
  headNumber(): bigint
  blockByNumber(number: bigint): Promise<Block | undefined>
  blockByHash(hash: Uint8Array): Promise<Block | undefined>
  /** Receipts of a block, in transaction order. */
  receipts(block: Block): Promise<StoredReceipt[]>
  /** Where a mined transaction is; undefined if unknown. */
  transaction(hash: Uint8Array): Promise<TransactionLocation | undefined>
  /** A transaction still in the mempool. */
  pendingTransaction(hash: Uint8Array): TypedTransaction | undefined
  balance(address: Uint8Array, block: BlockNumber): Promise<bigint>
  nonce(address: Uint8Array, block: BlockNumber): Promise<bigint>
  /** Next nonce counting the sender's mempool transactions. */
  pendingNonce(address: Uint8Array): Promise<bigint>
  code(address: Uint8Array, block: BlockNumber): Promise<Uint8Array>
  storageAt(address: Uint8Array, slot: Uint8Array, block: BlockNumber): Promise<Uint8Array>
  call(request: CallRequest, block: BlockNumber): Promise<CallResult>
  /** Gas that makes the call succeed, or the failing call's result. */
  estimateGas(request: CallRequest, block: BlockNumber): Promise<{ gas: bigint } | { failure: CallResult }>
  /** Validates and queues a signed transaction; returns its hash. Throws a typed error with a code. */
  sendRawTransaction(raw: Uint8Array): Promise<Uint8Array>
  /** Suggested legacy gas price (base fee + tip). */
  gasPrice(): bigint
  maxPriorityFeePerGas(): bigint
  /** Called after every new head with the block and its receipts. Returns an unsubscribe function. */
  onNewBlock(listener: (block: Block, receipts: StoredReceipt[]) => void): () => void
}

/**
 * A JSON-RPC method: gets the raw `params` array, returns a JSON-serialisable result or throws
 * an `RpcError` (or any error, which becomes -32603). Modules add their own methods to a table.
 */
export type RpcMethodHandler = (params: unknown[]) => unknown | Promise<unknown>
export type RpcMethodTable = Record<string, RpcMethodHandler>
