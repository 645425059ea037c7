/**
 * An in-memory `RpcBackend` for the RPC tests: real ethereumjs blocks (`createBlock`) holding real
 * signed transactions, receipts with real blooms, and block announcements, so that everything the
 * RPC layer formats is a real object. State is one value per account (reads record the block the
 * RPC layer resolved, so tests can check tag resolution).
 */
import { createBlock, type Block } from '@ethereumjs/block'
import { createCustomCommon, Hardfork, Mainnet, type Common } from '@ethereumjs/common'
import { createTxFromRLP, type TypedTransaction } from '@ethereumjs/tx'
import { bytesToHex, hexToBytes } from '@ethereumjs/util'
import { Bloom } from '@ethereumjs/vm'
import type { Hex } from 'viem'
import { InferchainError } from '../../src/errors.js'
import { effectiveGasPrice } from '../../src/rpc/format.js'
import type { BlockNumber, CallRequest, CallResult, LogTuple, RpcBackend, StoredReceipt, TransactionLocation } from '../../src/rpc/types.js'

export class NonceTooLowError extends InferchainError {
  override readonly name = 'NonceTooLowError' as const
  constructor(expected: bigint, got: bigint) {
    super('NONCE_TOO_LOW', `nonce too low: next nonce ${expected}, tx nonce ${got}`, { details: { expected, got } })
  }
}

export class InvalidTransactionError extends InferchainError {
  override readonly name = 'InvalidTransactionError' as const
  constructor(cause: unknown) {
    super('INVALID_TRANSACTION', 'invalid transaction', { cause })
  }
}

/** What a test says about one transaction it mines; the rest of the receipt is derived. */
export interface MinedTx {
  tx: TypedTransaction
  status?: 0 | 1
  gasUsed?: bigint
  logs?: LogTuple[]
  contractAddress?: Hex
}

export const BLOCK_GAS_LIMIT = 30_000_000n
export const INITIAL_BASE_FEE = 1_000_000_000n

export function testCommon(chainId = 1337n): Common {
  return createCustomCommon({ chainId: Number(chainId) }, Mainnet, { hardfork: Hardfork.Osaka })
}

export class MemoryBackend implements RpcBackend {
  readonly clientVersion = 'inferchain-test/v0.0.0'
  readonly common: Common
  readonly chainId: bigint
  readonly pending = new Map<string, TypedTransaction>()
  /** Account state at the head; reads at any block see it (tests check the block separately). */
  readonly balances = new Map<string, bigint>()
  readonly nonces = new Map<string, bigint>()
  readonly codes = new Map<string, Uint8Array>()
  /** Every state read, with the block number the RPC layer asked for. */
  readonly stateReads: Array<{ what: string; block: bigint }> = []
  callHandler: (request: CallRequest, block: bigint) => CallResult = () => ({ returnValue: new Uint8Array(), gasUsed: 21_000n })
  private readonly chain: Block[] = []
  private readonly byHash = new Map<string, Block>()
  private readonly receiptsByBlock = new Map<string, StoredReceipt[]>()
  private readonly locations = new Map<string, TransactionLocation>()
  private readonly listeners = new Set<(block: Block, receipts: StoredReceipt[]) => void>()

  constructor(chainId = 1337n) {
    this.common = testCommon(chainId)
    this.chainId = chainId
    this.mine([], { timestamp: 1_700_000_000n })
  }

  /** Builds the next block from `entries` with cumulative gas, blooms and base fee, and announces it. */
  mine(entries: MinedTx[], options: { timestamp?: bigint; gasLimit?: bigint } = {}): { block: Block; receipts: StoredReceipt[] } {
    const parent = this.chain.at(-1)
    const baseFee = parent ? parent.header.calcNextBaseFee() : INITIAL_BASE_FEE
    let cumulative = 0n
    const blockBloom = new Bloom(undefined, this.common)
    const receipts = entries.map((entry): StoredReceipt => {
      const gasUsed = entry.gasUsed ?? 21_000n
      cumulative += gasUsed
      const bloom = new Bloom(undefined, this.common)
      for (const [address, topics] of entry.logs ?? []) {
        bloom.add(address)
        topics.forEach((t) => bloom.add(t))
      }
      blockBloom.or(bloom)
      return {
        status: entry.status ?? 1,
        gasUsed,
        cumulativeGasUsed: cumulative,
        logs: entry.logs ?? [],
        bloom: bloom.bitvector,
        contractAddress: entry.contractAddress ? hexToBytes(entry.contractAddress) : undefined,
        effectiveGasPrice: effectiveGasPrice(entry.tx, baseFee),
      }
    })
    const block = createBlock(
      {
        header: {
          number: parent ? parent.header.number + 1n : 0n,
          parentHash: parent?.hash(),
          timestamp: options.timestamp ?? (parent ? parent.header.timestamp + 2n : 0n),
          gasLimit: options.gasLimit ?? BLOCK_GAS_LIMIT,
          gasUsed: cumulative,
          baseFeePerGas: baseFee,
          logsBloom: blockBloom.bitvector,
          coinbase: '0x00000000000000000000000000000000000000c0',
        },
        transactions: entries.map((e) => e.tx),
        withdrawals: [],
      },
      { common: this.common, setHardfork: false },
    )
    this.chain.push(block)
    this.byHash.set(bytesToHex(block.hash()), block)
    this.receiptsByBlock.set(bytesToHex(block.hash()), receipts)
    block.transactions.forEach((tx, index) => {
      this.locations.set(bytesToHex(tx.hash()), { block, index })
      this.pending.delete(bytesToHex(tx.hash()))
      const sender = tx.getSenderAddress().toString()
      this.nonces.set(sender, tx.nonce + 1n)
    })
    for (const listener of this.listeners) listener(block, receipts)
    return { block, receipts }
  }

  headNumber(): bigint {
    return this.chain.at(-1)!.header.number
  }
  async blockByNumber(number: bigint): Promise<Block | undefined> {
    return this.chain[Number(number)]
  }
  async blockByHash(hash: Uint8Array): Promise<Block | undefined> {
    return this.byHash.get(bytesToHex(hash))
  }
  async receipts(block: Block): Promise<StoredReceipt[]> {
    return this.receiptsByBlock.get(bytesToHex(block.hash())) ?? []
  }
  async transaction(hash: Uint8Array): Promise<TransactionLocation | undefined> {
    return this.locations.get(bytesToHex(hash))
  }
  pendingTransaction(hash: Uint8Array): TypedTransaction | undefined {
    return this.pending.get(bytesToHex(hash))
  }

  private read<T>(what: string, block: BlockNumber, value: T): T {
    if (block > this.headNumber()) throw new Error(`the RPC layer asked for state at ${block}, above the head`)
    this.stateReads.push({ what, block })
    return value
  }
  async balance(address: Uint8Array, block: BlockNumber): Promise<bigint> {
    return this.read('balance', block, this.balances.get(bytesToHex(address)) ?? 0n)
  }
  async nonce(address: Uint8Array, block: BlockNumber): Promise<bigint> {
    return this.read('nonce', block, this.nonces.get(bytesToHex(address)) ?? 0n)
  }
  async pendingNonce(address: Uint8Array): Promise<bigint> {
    const mined = this.nonces.get(bytesToHex(address)) ?? 0n
    const queued = [...this.pending.values()].filter((tx) => tx.getSenderAddress().toString() === bytesToHex(address)).length
    return mined + BigInt(queued)
  }
  async code(address: Uint8Array, block: BlockNumber): Promise<Uint8Array> {
    return this.read('code', block, this.codes.get(bytesToHex(address)) ?? new Uint8Array())
  }
  async storageAt(_address: Uint8Array, slot: Uint8Array, block: BlockNumber): Promise<Uint8Array> {
    // The slot echoed back: lets tests see how the RPC layer padded it.
    return this.read('storage', block, slot)
  }
  async call(request: CallRequest, block: BlockNumber): Promise<CallResult> {
    return this.read('call', block, this.callHandler(request, block))
  }
  async estimateGas(request: CallRequest, block: BlockNumber): Promise<{ gas: bigint } | { failure: CallResult }> {
    const result = await this.call(request, block)
    return result.error ? { failure: result } : { gas: result.gasUsed }
  }
  async sendRawTransaction(raw: Uint8Array): Promise<Uint8Array> {
    let tx: TypedTransaction
    try {
      tx = createTxFromRLP(raw, { common: this.common })
    } catch (err) {
      throw new InvalidTransactionError(err)
    }
    const expected = await this.pendingNonce(tx.getSenderAddress().bytes)
    if (tx.nonce < expected) throw new NonceTooLowError(expected, tx.nonce)
    this.pending.set(bytesToHex(tx.hash()), tx)
    return tx.hash()
  }
  gasPrice(): bigint {
    return this.chain.at(-1)!.header.calcNextBaseFee() + this.maxPriorityFeePerGas()
  }
  maxPriorityFeePerGas(): bigint {
    return 1_000_000_000n
  }
  onNewBlock(listener: (block: Block, receipts: StoredReceipt[]) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
  get listenerCount(): number {
    return this.listeners.size
  }
}
