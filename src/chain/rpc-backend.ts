/** The chain as the JSON-RPC layer sees it (`RpcBackend`). */
import type { Block } from '@ethereumjs/block'
import type { TypedTransaction } from '@ethereumjs/tx'
import { Address, bytesToHex } from '@ethereumjs/util'
import type { Hex } from 'viem'
import { PrecomputedProvider } from '../evm/providers.js'
import { InferenceSession } from '../evm/session.js'
import type { BlockNumber, CallRequest, CallResult, RpcBackend, StoredReceipt, TransactionLocation } from '../rpc/types.js'
import { defaultCallGas, runMessageCall } from './call.js'
import type { Chain } from './chain.js'
import type { InferencePipeline } from './pipeline.js'
import type { BlockProducer } from './producer.js'

/** How a follower passes transactions on to the block producer (the p2p network). */
export interface TransactionRelay {
  sendRawTransaction(raw: Uint8Array): Promise<Uint8Array>
  /** The producer's pending nonce, or undefined when it cannot be asked. */
  pendingNonce(address: Uint8Array): Promise<bigint | undefined>
}

/** Suggested priority fee (1 gwei), as geth suggests on an idle chain. */
const SUGGESTED_TIP = 1_000_000_000n

export class ChainRpcBackend implements RpcBackend {
  readonly clientVersion: string

  constructor(
    private readonly chain: Chain,
    private readonly producer: BlockProducer,
    private readonly pipeline: InferencePipeline,
    version: string,
    /** A follower relays transactions to the producer instead of queueing them. */
    private readonly relay?: TransactionRelay,
  ) {
    this.clientVersion = `inferchain/v${version}/node-${process.version}`
  }

  get chainId(): bigint {
    return this.chain.chainId
  }

  headNumber(): bigint {
    return this.chain.head.header.number
  }

  blockByNumber(number: bigint): Promise<Block | undefined> {
    return this.chain.store.blockByNumber(number)
  }

  blockByHash(hash: Uint8Array): Promise<Block | undefined> {
    return this.chain.store.blockByHash(hash)
  }

  receipts(block: Block): Promise<StoredReceipt[]> {
    return this.chain.store.receipts(block.hash())
  }

  transaction(hash: Uint8Array): Promise<TransactionLocation | undefined> {
    return this.chain.store.transaction(hash)
  }

  pendingTransaction(hash: Uint8Array): TypedTransaction | undefined {
    return this.producer.mempool.get(bytesToHex(hash) as Hex)?.tx
  }

  balance(address: Uint8Array, block: BlockNumber): Promise<bigint> {
    return this.account(address, block, (a) => a?.balance ?? 0n)
  }

  nonce(address: Uint8Array, block: BlockNumber): Promise<bigint> {
    return this.account(address, block, (a) => a?.nonce ?? 0n)
  }

  async pendingNonce(address: Uint8Array): Promise<bigint> {
    const accountNonce = await this.nonce(address, this.headNumber())
    // A follower's view lags the producer's mempool: ask the producer, which orders the nonces.
    if (this.relay) return (await this.relay.pendingNonce(address)) ?? accountNonce
    return this.producer.pendingNonce(bytesToHex(address) as Hex, accountNonce)
  }

  code(address: Uint8Array, block: BlockNumber): Promise<Uint8Array> {
    return this.readState(block, (vm) => vm.stateManager.getCode(new Address(address)))
  }

  async storageAt(address: Uint8Array, slot: Uint8Array, block: BlockNumber): Promise<Uint8Array> {
    const value = await this.readState(block, (vm) => vm.stateManager.getStorage(new Address(address), slot))
    const padded = new Uint8Array(32)
    padded.set(value, 32 - value.length)
    return padded
  }

  /** eth_call: one run that gets the inferences it needs as it makes them (see InferencePipeline.call). */
  async call(request: CallRequest, block: BlockNumber): Promise<CallResult> {
    const gas = request.gas ?? defaultCallGas(this.chain.common)
    return this.pipeline.call(request, (vm, env) => runMessageCall(vm, env, request, gas), block)
  }

  async estimateGas(request: CallRequest, block: BlockNumber): Promise<{ gas: bigint } | { failure: CallResult }> {
    const cap = request.gas ?? defaultCallGas(this.chain.common)
    const { book } = await this.pipeline.prepare((vm, env) => runMessageCall(vm, env, request, cap), { atBlock: block })
    const provider = new PrecomputedProvider(book, true)
    const first = await this.runPrepared(request, cap, block, provider)
    if (first.error) return { failure: first }
    // The 63/64 rule and refunds make the needed limit exceed gasUsed: search the smallest that works.
    // Most calls need exactly what they used (no 63/64 forwarding, no refund lift): one probe tells.
    if (first.gasUsed < cap && !(await this.runPrepared(request, first.gasUsed, block, provider)).error) return { gas: first.gasUsed }
    let low = first.gasUsed - 1n
    let high = cap
    const quick = (first.gasUsed * 64n) / 63n + 2_300n
    if (quick < high && !(await this.runPrepared(request, quick, block, provider)).error) high = quick
    // Like geth, stop within 2% of the minimum: each probe is a full EVM run, and contracts that
    // build large tensors cost hundreds of milliseconds per run.
    while (high - low > 1n && (high - low) * 50n > high) {
      const mid = (low + high) / 2n
      if ((await this.runPrepared(request, mid, block, provider)).error) low = mid
      else high = mid
    }
    return { gas: high }
  }

  async sendRawTransaction(raw: Uint8Array): Promise<Uint8Array> {
    if (this.relay) return this.relay.sendRawTransaction(raw)
    const hash = await this.producer.submit(raw)
    return Buffer.from(hash.slice(2), 'hex')
  }

  gasPrice(): bigint {
    return (this.chain.nextBlockEnv().header.baseFeePerGas ?? 0n) + SUGGESTED_TIP
  }

  maxPriorityFeePerGas(): bigint {
    return SUGGESTED_TIP
  }

  onNewBlock(listener: (block: Block, receipts: StoredReceipt[]) => void): () => void {
    return this.chain.onNewBlock((block, receipts) => listener(block, receipts))
  }

  private runPrepared(request: CallRequest, gas: bigint, block: BlockNumber, provider: PrecomputedProvider): Promise<CallResult> {
    return this.chain.exclusive(() =>
      this.chain.withStateAt(block, async (vm) => {
        this.chain.activeSession = new InferenceSession(provider)
        try {
          return await runMessageCall(vm, this.chain.nextBlockEnv(), request, gas)
        } finally {
          this.chain.activeSession = undefined
        }
      }),
    )
  }

  private readState<T>(block: BlockNumber, read: Parameters<Chain['withStateAt']>[1] extends (vm: infer V) => unknown ? (vm: V) => Promise<T> : never): Promise<T> {
    return this.chain.exclusive(() => this.chain.readStateAt(block, read))
  }

  private account<T>(address: Uint8Array, block: BlockNumber, pick: (a: { balance: bigint; nonce: bigint } | undefined) => T): Promise<T> {
    return this.readState(block, async (vm) => pick(await vm.stateManager.getAccount(new Address(address))))
  }
}
