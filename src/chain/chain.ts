/**
 * The chain: state on a Merkle-Patricia trie in LevelDB, blocks in the BlockStore, one VM with the
 * inference precompile. All VM and state access is serialised through one queue.
 */
import { Block, createBlock, createBlockHeader } from '@ethereumjs/block'
import type { Common } from '@ethereumjs/common'
import { createMPT } from '@ethereumjs/mpt'
import { Caches, MerkleStateManager } from '@ethereumjs/statemanager'
import type { TypedTransaction } from '@ethereumjs/tx'
import { hexToBytes, ValueEncoding, type Address as EthAddress } from '@ethereumjs/util'
import { Bloom, createVM, encodeReceipt, type VM } from '@ethereumjs/vm'
import type { Hex } from 'viem'
import { addressOfPublicKey, publicKeyOf } from '../crypto/native.js'
import { createInferencePrecompile } from '../evm/precompile.js'
import { trackMessageCallers } from '../private/caller.js'
import type { CanonicalModelStore } from '../optimistic/model-store.js'
import { createReexecutionPrecompile } from '../optimistic/reexecution-precompile.js'
import { decodeRecords, encodeRecords, recordsCommitment } from '../evm/record-codec.js'
import type { InferenceRecord } from '../evm/records.js'
import type { InferenceSession, InferenceSessionSource } from '../evm/session.js'
import { BLOCK_GAS_LIMIT } from '../params.js'
import type { StoredReceipt } from '../rpc/types.js'
import { BlockStore } from './block-store.js'
import { CallVmPool, ReadLog } from './call-vms.js'
import { createChainCommon } from './common.js'
import { ChainDatabase, LevelTrieDB } from './database.js'
import { SealerKeyError } from './errors.js'
import { executeTransactions, type ExecutionOutcome } from './executor.js'
import { orderedTrieRoot } from './ordered-trie.js'
import { RecentTrieNodes } from './recent-trie-nodes.js'
import { writeGenesis, type GenesisSpec } from './genesis.js'
import { SEAL_ATTACHMENT, sealBlock } from './seal.js'
import { SerialQueue } from './serial-queue.js'
import { trustedRoot, type TrustedRoot } from '../tee/roots.js'

export const RECORDS_ATTACHMENT = 'records'
/** Trie nodes kept in memory (LRU) so reads of hot state do not go to LevelDB. */
const TRIE_NODE_CACHE = 100_000
/** Calls run on VMs of their own (`withCallVm`): at most this many at once, the others wait. */
export const MAX_CALL_VMS = 32
/** Call VMs read a head's state afresh after every block: a smaller node cache each. */
const CALL_VM_TRIE_NODE_CACHE = 10_000

export interface ChainOptions {
  dataDir: string
  genesis: GenesisSpec
  /** The sealer's private key (the address genesis names): needed to produce blocks, not to import them. */
  sealerKey?: Hex
  /**
   * Where this node gets models to re-execute in OPTIMISTIC disputes (the one time validators compute);
   * without it a block settling a dispute cannot be produced or imported here.
   */
  canonicalModels?: CanonicalModelStore
}

export interface ProducedBlock {
  block: Block
  seal: Uint8Array
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
  private readonly callVms = new CallVmPool(MAX_CALL_VMS)
  private canonicalModels: CanonicalModelStore | undefined
  /** Chain configuration: the roots TEE attestations must chain to (`GenesisSpec.teeTrustedRoots`). */
  teeTrustedRoots: readonly TrustedRoot[] = []
  private envCache?: { head: Block; timestamp: bigint; env: Block }

  private constructor(
    readonly common: Common,
    readonly store: BlockStore,
    private readonly db: ChainDatabase,
    private readonly stateManager: MerkleStateManager,
    private headBlock: Block,
    readonly genesisHash: Uint8Array,
    /** The one address allowed to seal blocks: genesis's coinbase. Also the fee recipient. */
    readonly sealer: EthAddress,
    private readonly sealerKey: Uint8Array | undefined,
  ) {}

  static async open(options: ChainOptions): Promise<Chain> {
    const common = createChainCommon(options.genesis.chainId)
    const db = await ChainDatabase.open(options.dataDir)
    const stateManager = await createStateManager(db, common)
    const store = new BlockStore(db, common)
    let head: Block
    let genesis: Block
    const headHash = await store.headHash()
    if (headHash === undefined) {
      head = genesis = await writeGenesis(options.genesis, stateManager, common)
      await store.commit(head, [])
    } else {
      head = (await store.blockByHash(headHash))!
      genesis = (await store.blockByNumber(0n))!
      await stateManager.setStateRoot(head.header.stateRoot)
    }
    const sealer = genesis.header.coinbase
    const sealerKey = options.sealerKey && hexToBytes(options.sealerKey)
    if (sealerKey && !equalBytes(addressOfPublicKey(publicKeyOf(sealerKey)), sealer.bytes)) {
      await db.close()
      throw new SealerKeyError(`the sealer key is not the key of this chain's sealer ${sealer}`, { sealer: sealer.toString() })
    }
    const chain = new Chain(common, store, db, stateManager, head, genesis.hash(), sealer, sealerKey)
    chain.canonicalModels = options.canonicalModels
    chain.vm = await chain.createVm(stateManager)
    chain.teeTrustedRoots = (options.genesis.teeTrustedRoots ?? []).map((der) => trustedRoot(hexToBytes(der)))
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
          coinbase: this.sealer,
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
    if (!this.sealerKey) throw new SealerKeyError('this node has no sealer key: it can import blocks but not produce them')
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
    const seal = sealBlock(block, this.sealerKey)
    await this.adopt(block, seal, receipts, records, encodedRecords)
    return { block, seal, receipts, records, outcome }
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

  /** Stores an executed block with its seal, receipts and records, makes it the head and tells listeners. */
  async adopt(block: Block, seal: Uint8Array, receipts: StoredReceipt[], records: InferenceRecord[], encodedRecords: Uint8Array): Promise<void> {
    await this.store.commit(
      block,
      receipts,
      { [SEAL_ATTACHMENT]: seal, ...(records.length > 0 ? { [RECORDS_ATTACHMENT]: encodedRecords } : {}) },
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

  /**
   * Runs `task` on a VM of its own over the committed state after block `number`, outside the
   * queue: the task may wait mid-run (an eth_call waiting for an inference node) without holding
   * up block production or other requests. Committed state is only ever added to (trie nodes are
   * addressed by hash and never deleted), so blocks committed meanwhile leave its view intact. The
   * task's state changes are always rolled back; the task sets `slot.activeSession` for the
   * precompile of this VM.
   */
  async withCallVm<T>(number: bigint, task: (vm: VM, slot: { activeSession: InferenceSession | undefined }) => Promise<T>): Promise<T> {
    const root = number === this.headBlock.header.number ? this.headBlock.header.stateRoot : (await this.store.blockByNumber(number))?.header.stateRoot
    if (root === undefined) throw new Error(`block ${number} not found`)
    const callVm = await this.callVms.acquire(async () => {
      const slot: { activeSession: InferenceSession | undefined } = { activeSession: undefined }
      const stateManager = await createStateManager(this.db, this.common, CALL_VM_TRIE_NODE_CACHE)
      return { vm: await this.createVm(stateManager, slot), slot, root: new Uint8Array(), reads: new ReadLog(stateManager, cachesOf.get(stateManager)!) }
    })
    const stateManager = callVm.vm.stateManager
    let outcome: { value: T } | { error: unknown }
    try {
      if (!equalBytes(callVm.root, root)) {
        await stateManager.setStateRoot(root)
        callVm.root = root
      }
      await stateManager.checkpoint()
      try {
        outcome = { value: await task(callVm.vm, callVm.slot) }
      } catch (error) {
        outcome = { error }
      } finally {
        callVm.slot.activeSession = undefined
        await stateManager.revert()
      }
    } catch (err) {
      // Its state is unknown (a root, checkpoint or revert failed): the VM is not used again.
      this.callVms.release(callVm, false)
      throw err
    }
    // Warming the caches for the next call happens after this one has its answer.
    void callVm.reads
      .warm()
      .then(() => forgetReads(stateManager))
      .then(
        () => this.callVms.release(callVm, true),
        () => this.callVms.release(callVm, false),
      )
    if ('error' in outcome) throw outcome.error
    return outcome.value
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
    const vm = await this.vmAt(number)
    try {
      return await task(vm)
    } finally {
      forgetReads(vm.stateManager)
    }
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

  private async createVm(stateManager: MerkleStateManager, sessions: InferenceSessionSource = this): Promise<VM> {
    const vm = await createVM({
      common: this.common,
      stateManager,
      blockchain: this.blockHashSource(),
      evmOpts: { customPrecompiles: [createInferencePrecompile(sessions), createReexecutionPrecompile(sessions, this.canonicalModels)] },
    })
    // The inference precompile checks a restricted model's allowlist against its caller (src/private/caller.ts).
    trackMessageCallers(vm.evm)
    return vm
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

/** The caches of each state manager this module creates (ethereumjs keeps them protected). */
const cachesOf = new WeakMap<object, Caches>()

/**
 * ethereumjs's state caches record a cache miss like a write when no checkpoint is open: the next
 * commit at depth 0 — every block — then puts each account read since into the trie again, one
 * LevelDB batch per account, though nothing changed (with a stream of transfers, one extra trie
 * write per transaction: its recipient, read at admission). A read-only task's misses are not
 * writes: forget them, keeping the values cached. Nothing writes at depth 0 outside a checkpoint
 * (blocks and genesis commit theirs, which flushes), so the caches hold no other depth-0 entries.
 */
function forgetReads(stateManager: object): void {
  const caches = cachesOf.get(stateManager)
  caches?.account?.flush()
  caches?.storage?.flush()
  caches?.code?.flush()
}

/** One RecentTrieNodes per database: every state manager over it reads what the head's wrote. */
const trieNodesOf = new WeakMap<ChainDatabase, RecentTrieNodes>()

async function createStateManager(db: ChainDatabase, common: Common, cacheSize = TRIE_NODE_CACHE): Promise<MerkleStateManager> {
  let nodes = trieNodesOf.get(db)
  if (nodes === undefined) {
    nodes = new RecentTrieNodes(new LevelTrieDB(db.state))
    trieNodesOf.set(db, nodes)
  }
  // `common` gives the trie the native keccak (its customCrypto) for node and key hashing.
  const trie = await createMPT({ db: nodes, useKeyHashing: true, valueEncoding: ValueEncoding.Bytes, common, cacheSize })
  const caches = new Caches()
  const stateManager = new MerkleStateManager({ trie, caches, common })
  cachesOf.set(stateManager, caches)
  return stateManager
}

/** The header fields a block's execution determines besides the state root. */
export async function deriveRoots(outcome: ExecutionOutcome, _common?: Common) {
  const bloom = new Bloom()
  for (const e of outcome.executed) bloom.or(e.result.bloom)
  return {
    transactionsTrie: orderedTrieRoot(outcome.executed.map((e) => e.tx.serialize())),
    receiptTrie: orderedTrieRoot(outcome.executed.map((e) => encodeReceipt(e.result.receipt, e.tx.type))),
    logsBloom: bloom.bitvector,
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}
