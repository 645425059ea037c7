/**
 * The chain: state on a Merkle-Patricia trie in LevelDB, blocks in the BlockStore, one VM with the
 * inference precompile. All VM and state access is serialised through one queue.
 */
import { Block, createBlock, createBlockHeader, genTransactionsTrieRoot } from '@ethereumjs/block'
import type { Common } from '@ethereumjs/common'
import { createMPT } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { Caches, MerkleStateManager } from '@ethereumjs/statemanager'
import type { TypedTransaction } from '@ethereumjs/tx'
import { createAddressFromString, hexToBytes, ValueEncoding, type Address as EthAddress } from '@ethereumjs/util'
import { Bloom, createVM, encodeReceipt, type VM } from '@ethereumjs/vm'
import type { Hex } from 'viem'
import { createInferencePrecompile } from '../evm/precompile.js'
import { decodeRecords, encodeRecords, recordsCommitment } from '../evm/record-codec.js'
import type { InferenceRecord } from '../evm/records.js'
import type { InferenceSession } from '../evm/session.js'
import { BLOCK_GAS_LIMIT } from '../params.js'
import type { StoredReceipt } from '../rpc/types.js'
import { BlockStore } from './block-store.js'
import { createChainCommon } from './common.js'
import { ChainDatabase, LevelTrieDB } from './database.js'
import { executeTransactions, type ExecutionOutcome } from './executor.js'
import { writeGenesis, type GenesisSpec } from './genesis.js'
import { SerialQueue } from './serial-queue.js'

export const RECORDS_ATTACHMENT = 'records'
/** Trie nodes kept in memory (LRU) so reads of hot state do not go to LevelDB. */
const TRIE_NODE_CACHE = 100_000

export interface ChainOptions {
  dataDir: string
  genesis: GenesisSpec
  /** Fee recipient of produced blocks. */
  coinbase?: Hex
}

export interface ProducedBlock {
  block: Block
  receipts: StoredReceipt[]
  records: InferenceRecord[]
  outcome: ExecutionOutcome
}

type NewBlockListener = (block: Block, receipts: StoredReceipt[], records: InferenceRecord[]) => void

export class Chain {
  /** The session the precompile reads; set by the executor around each run. */
  activeSession: InferenceSession | undefined
  private readonly queue = new SerialQueue()
  private readonly listeners = new Set<NewBlockListener>()
  private vm!: VM
  private historical?: { root: Uint8Array; vm: VM }
  private envCache?: { head: Block; timestamp: bigint; env: Block }

  private constructor(
    readonly common: Common,
    readonly store: BlockStore,
    private readonly db: ChainDatabase,
    private readonly stateManager: MerkleStateManager,
    private headBlock: Block,
    readonly genesisHash: Uint8Array,
    private readonly coinbase: EthAddress,
  ) {}

  static async open(options: ChainOptions): Promise<Chain> {
    const common = createChainCommon(options.genesis.chainId)
    const db = await ChainDatabase.open(options.dataDir)
    const stateManager = await createStateManager(db, common)
    const store = new BlockStore(db, common)
    let head: Block
    let genesisHash: Uint8Array
    const headHash = await store.headHash()
    if (headHash === undefined) {
      head = await writeGenesis(options.genesis, stateManager, common)
      await store.commit(head, [])
      genesisHash = head.hash()
    } else {
      head = (await store.blockByHash(headHash))!
      genesisHash = (await store.hashByNumber(0n))!
      await stateManager.setStateRoot(head.header.stateRoot)
    }
    const coinbase = createAddressFromString(options.coinbase ?? '0x0000000000000000000000000000000000000000')
    const chain = new Chain(common, store, db, stateManager, head, genesisHash, coinbase)
    chain.vm = await chain.createVm(stateManager)
    return chain
  }

  get head(): Block {
    return this.headBlock
  }

  get chainId(): bigint {
    return this.common.chainId()
  }

  /** Runs `task` with exclusive access to the VM and state. */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.queue.run(task)
  }

  onNewBlock(listener: NewBlockListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** A header-only block describing the next block's context (number, time, base fee). */
  nextBlockEnv(timestamp = BigInt(Math.floor(Date.now() / 1000))): Block {
    // Calls ask for it several times per request: reuse it while head and second are the same.
    const cached = this.envCache
    if (cached && cached.head === this.headBlock && cached.timestamp === timestamp) return cached.env
    const env = this.buildEnv(timestamp)
    this.envCache = { head: this.headBlock, timestamp, env }
    return env
  }

  private buildEnv(timestamp: bigint): Block {
    const parent = this.headBlock.header
    return createBlock(
      {
        header: {
          number: parent.number + 1n,
          parentHash: this.headBlock.hash(),
          timestamp: timestamp > parent.timestamp ? timestamp : parent.timestamp + 1n,
          gasLimit: BLOCK_GAS_LIMIT,
          baseFeePerGas: parent.calcNextBaseFee(),
          coinbase: this.coinbase,
        },
      },
      { common: this.common, setHardfork: false },
    )
  }

  /**
   * Executes `candidates` on the head state and commits what succeeded as the next block.
   * Must be called inside `exclusive`.
   */
  async produceBlock(candidates: TypedTransaction[], session: (tx: TypedTransaction) => InferenceSession): Promise<ProducedBlock> {
    const env = this.nextBlockEnv()
    const { outcome, stateRoot } = await this.executeOnHead(env, candidates, session, async () => true)
    const records = outcome.executed.flatMap((e) => e.records)
    const encodedRecords = encodeRecords(records)
    const transactions = outcome.executed.map((e) => e.tx)
    const derived = await deriveRoots(outcome, this.common)
    const header = createBlockHeader(
      {
        ...env.header.toJSON(),
        stateRoot,
        transactionsTrie: derived.transactionsTrie,
        receiptTrie: derived.receiptTrie,
        logsBloom: derived.logsBloom,
        gasUsed: outcome.gasUsed,
        extraData: recordsCommitment(encodedRecords, records.length),
      },
      { common: this.common, setHardfork: false },
    )
    // The executed transaction objects go in as they are (createBlock would rebuild each one).
    const block = new Block(header, transactions, [], [], { common: this.common })
    const receipts = outcome.executed.map((e) => e.receipt)
    await this.adopt(block, receipts, records, encodedRecords)
    return { block, receipts, records, outcome }
  }

  /**
   * Executes `txs` on the head state inside a checkpoint; `accept` sees the outcome and the state
   * root and decides: true commits, false (or a throw) rolls everything back. Must be called inside
   * `exclusive`.
   */
  async executeOnHead(
    env: Block,
    txs: TypedTransaction[],
    session: (tx: TypedTransaction) => InferenceSession,
    accept: (outcome: ExecutionOutcome, stateRoot: Uint8Array) => Promise<boolean>,
  ): Promise<{ outcome: ExecutionOutcome; stateRoot: Uint8Array; accepted: boolean }> {
    const parentRoot = this.headBlock.header.stateRoot
    await this.stateManager.checkpoint()
    try {
      const outcome = await executeTransactions(this.vm, env, txs, { session, activate: (s) => (this.activeSession = s) })
      // Computing the root flushes the caches into the trie: past this point only a reset to the
      // parent root (which also clears the caches) undoes the execution reliably.
      const stateRoot = await this.stateManager.getStateRoot()
      const accepted = await accept(outcome, stateRoot)
      if (accepted) await this.stateManager.commit()
      else await this.resetState(parentRoot)
      return { outcome, stateRoot, accepted }
    } catch (err) {
      await this.resetState(parentRoot)
      throw err
    }
  }

  private async resetState(root: Uint8Array): Promise<void> {
    await this.stateManager.revert()
    await this.stateManager.setStateRoot(root)
  }

  /** Stores an executed block with its receipts and records, makes it the head and tells listeners. */
  async adopt(block: Block, receipts: StoredReceipt[], records: InferenceRecord[], encodedRecords: Uint8Array): Promise<void> {
    await this.store.commit(
      block,
      receipts,
      records.length > 0 ? { [RECORDS_ATTACHMENT]: encodedRecords } : {},
      records.map((r) => ({ kind: RECORDS_ATTACHMENT, key: hexToBytes(r.requestId) })),
    )
    this.headBlock = block
    for (const listener of this.listeners) listener(block, receipts, records)
  }

  /**
   * Runs `task` with a VM whose state is the one after block `number` (the head's own VM for the
   * head). The task's state changes are always rolled back. Must be called inside `exclusive`.
   */
  async withStateAt<T>(number: bigint, task: (vm: VM) => Promise<T>): Promise<T> {
    const vm = await this.vmAt(number)
    await vm.stateManager.checkpoint()
    try {
      return await task(vm)
    } finally {
      await vm.stateManager.revert()
    }
  }

  /** The inference records committed by a block (empty for blocks without inference). */
  async recordsOf(blockHash: Uint8Array): Promise<InferenceRecord[]> {
    const encoded = await this.store.attachment(RECORDS_ATTACHMENT, blockHash)
    return encoded ? decodeRecords(encoded) : []
  }

  /** A record by its request id, with the block that holds it. */
  async recordById(requestId: Hex): Promise<{ record: InferenceRecord; block: Block } | undefined> {
    const blockHash = await this.store.blockHashByPointer(RECORDS_ATTACHMENT, hexToBytes(requestId))
    const block = blockHash && (await this.store.blockByHash(blockHash))
    if (!block) return undefined
    const record = (await this.recordsOf(blockHash)).find((r) => r.requestId === requestId)
    return record && { record, block }
  }

  /**
   * Runs a read-only `task` against the state after block `number` without a checkpoint (reads do
   * not change state; skipping the checkpoint keeps the caches warm). Must be called inside `exclusive`.
   */
  async readStateAt<T>(number: bigint, task: (vm: VM) => Promise<T>): Promise<T> {
    return task(await this.vmAt(number))
  }

  async close(): Promise<void> {
    await this.queue.run(async () => this.db.close())
  }

  private async vmAt(number: bigint): Promise<VM> {
    if (number === this.headBlock.header.number) return this.vm
    const block = await this.store.blockByNumber(number)
    if (!block) throw new Error(`block ${number} not found`)
    if (this.historical === undefined || !equalBytes(this.historical.root, block.header.stateRoot)) {
      const stateManager = await createStateManager(this.db, this.common)
      await stateManager.setStateRoot(block.header.stateRoot)
      this.historical = { root: block.header.stateRoot, vm: await this.createVm(stateManager) }
    }
    return this.historical.vm
  }

  private createVm(stateManager: MerkleStateManager): Promise<VM> {
    return createVM({
      common: this.common,
      stateManager,
      blockchain: this.blockHashSource(),
      evmOpts: { customPrecompiles: [createInferencePrecompile(this)] },
    })
  }

  /** What BLOCKHASH needs: block hashes by number. */
  private blockHashSource() {
    const store = this.store
    const source = {
      async getBlock(number: number) {
        const hash = await store.hashByNumber(BigInt(number))
        return { hash: () => hash ?? new Uint8Array(32) }
      },
      async putBlock() {},
      shallowCopy: () => source,
    }
    return source
  }
}

async function createStateManager(db: ChainDatabase, common: Common): Promise<MerkleStateManager> {
  // `common` gives the trie the native keccak (its customCrypto) for node and key hashing.
  const trie = await createMPT({ db: new LevelTrieDB(db.state), useKeyHashing: true, valueEncoding: ValueEncoding.Bytes, common, cacheSize: TRIE_NODE_CACHE })
  return new MerkleStateManager({ trie, caches: new Caches(), common })
}

/** The header fields a block's execution determines besides the state root. */
export async function deriveRoots(outcome: ExecutionOutcome, common: Common) {
  const transactions = outcome.executed.map((e) => e.tx)
  const receipts = await createMPT({ common })
  for (const [index, e] of outcome.executed.entries()) {
    await receipts.put(RLP.encode(index), encodeReceipt(e.result.receipt, e.tx.type))
  }
  const bloom = new Bloom()
  for (const e of outcome.executed) bloom.or(e.result.bloom)
  return {
    transactionsTrie: await genTransactionsTrieRoot(transactions, await createMPT({ common })),
    receiptTrie: receipts.root(),
    logsBloom: bloom.bitvector,
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}
