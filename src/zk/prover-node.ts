/**
 * ZK mode in an inference node (`inferchain inference-node --zk`): answers ZK requests with the
 * quantized reference executor, at once, and proves them afterwards.
 *
 * Answering: the model is prepared for ZK (`prepareZkModel`, cached) with the parameters its owner
 * registered in ZkInferences — its keys fetched from the hub by the CIDs ModelRegistry records
 * (`artifacts.ts`) when the local cache lacks them — and the node serves it only if its
 * preparation states the same weights commitment and verification key as registered: a node with
 * other keys could never produce a proof that verifies. Each answered input is remembered by
 * (model, input hash), on disk (`prover-state.ts`), before the answer leaves.
 *
 * Proving: the node follows the chain (`inference_getRecordsByBlock`, block by block, optionally
 * `confirmations` behind the head); for every ZK record it signed that is still pending it looks
 * up the remembered input, proves, and sends `ZkInferences.submitProof` from its own account —
 * whichever request the record came from, also a result a full node reused from its cache. Proofs
 * run one at a time (they use every core). The next block to look at is on disk too: a restarted
 * node resumes there (at most `ZK_PROOF_DEADLINE_BLOCKS` back, older records are past their
 * deadline) and proves what it answered before it stopped.
 */
import path from 'node:path'
import { createPublicClient, createWalletClient, http, type Address, type Hex, type PublicClient } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { zkInferencesAbi } from '../contracts/system.js'
import { errorMessage } from '../errors.js'
import { ModelInferenceMode, type ModelInferenceRequest, type ModelOutput } from '../evm/types.js'
import { HubClient } from '../hub/client.js'
import { InferenceRequestError } from '../inference/errors.js'
import type { LoadedModel } from '../inference/runtime.js'
import { ZK_INFERENCES_ADDRESS, ZK_PROOF_DEADLINE_BLOCKS } from '../params.js'
import { inferchainChain } from '../sdk/chain.js'
import { readZkArtifacts } from './artifacts.js'
import { defaultZkCacheDir } from './cache.js'
import { ZkInputError, ZkModelError } from './errors.js'
import { modelKey, ZkRecordStatus } from './onchain.js'
import { ProverState } from './prover-state.js'
import { prepareZkModel } from './prepare.js'
import type { ZkModel } from './zk-model.js'
import { releaseZkWorkers } from './workers.js'

/** What the inference engine asks of a ZK backend. */
export interface ZkBackend {
  /** The quantized reference output for a ZK request; `InferenceRequestError` for what it refuses. */
  infer(model: LoadedModel, request: ModelInferenceRequest, inputHash: Hex): Promise<ModelOutput>
  close(): Promise<void>
}

export interface ZkProverNodeOptions {
  privateKey: Hex
  rpcUrl: string
  /** ZK artifact cache (default: `defaultZkCacheDir()`); the node's answered inputs live under `provers/<address>/` in it. */
  cacheDir?: string
  /** Hub to fetch registered ZK artifacts from (and models to prove after a restart). */
  hubUrl?: string
  /** Prove a record only once its block is this many blocks deep (default `$INFERCHAIN_ZK_CONFIRMATIONS` or 0). */
  confirmations?: number
  /** Answered inputs kept (on disk and in memory), newest first out last (default 10,000). */
  rememberedInputs?: number
  /** How often the chain is polled for new blocks (ms). */
  pollMs?: number
  /** Progress and outcome lines (proved, submitted, failed). */
  log?: (line: string) => void
}

export interface ZkProverStats {
  proved: number
  submitted: number
  /** Records this node signed but could not prove (input unknown, e.g. after a restart). */
  unprovable: number
  failures: number
  /** Seconds of the last proof. */
  lastProveSeconds?: number
}

export class ZkProverNode implements ZkBackend {
  readonly address: Address
  readonly stats: ZkProverStats = { proved: 0, submitted: 0, unprovable: 0, failures: 0 }
  readonly #options: ZkProverNodeOptions
  readonly #client: PublicClient
  readonly #models = new Map<string, Promise<ZkModel>>()
  /** Answered inputs and the next block to look at, kept on disk across restarts. */
  readonly #state: ProverState
  readonly #loaded: Promise<void>
  readonly #confirmations: bigint
  #timer: NodeJS.Timeout | undefined
  #nextBlock: bigint | undefined
  #busy: Promise<void> = Promise.resolve()
  #closed = false

  constructor(options: ZkProverNodeOptions) {
    this.#options = options
    this.address = privateKeyToAccount(options.privateKey).address
    this.#client = createPublicClient({ transport: http(options.rpcUrl, { timeout: 60_000 }) }) as PublicClient
    this.#state = new ProverState(path.join(options.cacheDir ?? defaultZkCacheDir(), 'provers', this.address.toLowerCase()), { limit: options.rememberedInputs })
    this.#loaded = this.#state.load()
    this.#loaded.catch(() => undefined) // reported by the first poll or answer that awaits it
    this.#confirmations = BigInt(options.confirmations ?? Number(process.env.INFERCHAIN_ZK_CONFIRMATIONS ?? 0))
  }

  /** Starts following the chain from its current head. */
  start(): void {
    if (this.#timer) return
    const tick = () => {
      this.#busy = this.#busy.then(() => this.#poll()).catch((err) => this.#log(`zk: polling failed: ${errorMessage(err)}`))
      void this.#busy.then(() => {
        if (!this.#closed) this.#timer = setTimeout(tick, this.#options.pollMs ?? 250)
      })
    }
    this.#timer = setTimeout(tick, 0)
  }

  async infer(model: LoadedModel, request: ModelInferenceRequest, inputHash: Hex): Promise<ModelOutput> {
    const zk = await this.#prepared(model)
    let input: bigint[]
    try {
      input = zk.quantizeInput(request.input)
    } catch (err) {
      if (err instanceof ZkInputError) throw new InferenceRequestError('BAD_TENSOR_VALUE', err.shortMessage)
      throw err
    }
    await this.#loaded
    // On disk before the answer leaves: the record may land on chain even if this node stops now.
    await this.#state.remember(model.cid, inputHash, input)
    return zk.toModelOutput(zk.infer(input).output)
  }

  async close(): Promise<void> {
    this.#closed = true
    if (this.#timer) clearTimeout(this.#timer)
    await this.#busy
    await this.#state.flush()
    await releaseZkWorkers()
  }

  /** The model prepared with its registered parameters, checked against the registration. */
  #prepared(model: Pick<LoadedModel, 'cid' | 'bytes'>): Promise<ZkModel> {
    let pending = this.#models.get(model.cid)
    if (!pending) {
      pending = this.#prepare(model)
      this.#models.set(model.cid, pending)
      pending.catch(() => this.#models.delete(model.cid))
    }
    return pending
  }

  async #prepare(model: Pick<LoadedModel, 'cid' | 'bytes'>): Promise<ZkModel> {
    const [verifier, fractionBits, inputBits, , commitment, verificationKeyHash] = await this.#client.readContract({
      address: ZK_INFERENCES_ADDRESS,
      abi: zkInferencesAbi,
      functionName: 'models',
      args: [modelKey(model.cid)],
    })
    if (BigInt(verifier) === 0n) throw new InferenceRequestError('MODE_NOT_SUPPORTED', `model ${model.cid} has no ZK setup on chain`)
    this.#log(`zk: preparing ${model.cid} (F=${fractionBits}, inputBits=${inputBits}) ...`)
    const artifacts = this.#options.hubUrl ? await readZkArtifacts(this.#client, model.cid) : undefined
    let zk: ZkModel
    try {
      zk = await prepareZkModel(model.bytes, {
        quantization: { fractionBits, inputBits },
        ...(this.#options.cacheDir ? { cacheDir: this.#options.cacheDir } : {}),
        // Missing cache entries come from the hub, checked against the registered key hash.
        ...(artifacts ? { artifacts: { hubUrl: this.#options.hubUrl!, artifacts, verificationKeyHash } } : {}),
      })
    } catch (err) {
      if (err instanceof ZkModelError) throw new InferenceRequestError('MODE_NOT_SUPPORTED', `model ${model.cid} cannot be proven: ${err.shortMessage}`)
      throw err
    }
    const descriptor = zk.descriptor()
    if (descriptor.modelCommitment !== commitment || `0x${descriptor.verificationKeySha256}` !== verificationKeyHash) {
      throw new InferenceRequestError(
        'MODE_NOT_SUPPORTED',
        `this node's ZK keys for ${model.cid} are not the registered ones (commitment ${descriptor.modelCommitment}, key ${descriptor.verificationKeySha256})`,
      )
    }
    this.#log(`zk: ${model.cid} ready (${descriptor.constraints} constraints)`)
    return zk
  }

  async #poll(): Promise<void> {
    await this.#loaded
    const latest = await this.#client.getBlockNumber({ cacheTime: 0 })
    if (this.#nextBlock === undefined) {
      // Resume where the last run stopped, but no further back than a record can still be proven.
      const resumed = this.#state.nextBlock
      const oldest = latest > ZK_PROOF_DEADLINE_BLOCKS ? latest - ZK_PROOF_DEADLINE_BLOCKS : 0n
      this.#nextBlock = resumed === undefined ? latest + 1n : resumed > oldest ? resumed : oldest
      if (resumed !== undefined) this.#log(`zk: resuming at block ${this.#nextBlock} with ${this.#state.size} remembered inputs`)
      else await this.#state.setNextBlock(this.#nextBlock)
    }
    const head = latest - this.#confirmations
    for (; this.#nextBlock <= head && !this.#closed; this.#nextBlock++) {
      const records = (await this.#client.request({
        method: 'inference_getRecordsByBlock' as never,
        params: [`0x${this.#nextBlock.toString(16)}`] as never,
      })) as Array<{ requestId: Hex; modelCid: string; mode: string; inputHash: Hex; status: string; node: Hex | null }> | null
      for (const r of records ?? []) {
        if (r.mode !== ModelInferenceMode[ModelInferenceMode.ZK] || r.status !== 'ok' || r.node?.toLowerCase() !== this.address.toLowerCase()) continue
        await this.#prove(r)
      }
      await this.#state.setNextBlock(this.#nextBlock + 1n)
    }
  }

  async #prove(record: { requestId: Hex; modelCid: string; inputHash: Hex }): Promise<void> {
    const known = this.#state.get(record.modelCid, record.inputHash)
    if (!known) {
      this.stats.unprovable++
      this.#log(`zk: record ${record.requestId}: input unknown to this node, cannot prove`)
      return
    }
    try {
      // After a restart the record may be proven already (or past its deadline): no proof is owed then.
      const [status] = await this.#client.readContract({ address: ZK_INFERENCES_ADDRESS, abi: zkInferencesAbi, functionName: 'statusOf', args: [record.requestId] })
      if (status !== ZkRecordStatus.Pending) return
      const zk = await this.#modelFor(record.modelCid)
      const { envelope, timings } = await zk.prove(known.input)
      this.stats.proved++
      this.stats.lastProveSeconds = timings.witnessSeconds + timings.proveSeconds
      const words = Array.from({ length: 8 }, (_, i) => BigInt(`0x${Buffer.from(envelope.proof.subarray(i * 32, i * 32 + 32)).toString('hex')}`))
      const chain = inferchainChain(this.#options.rpcUrl, await this.#client.getChainId())
      const account = privateKeyToAccount(this.#options.privateKey)
      const wallet = createWalletClient({ chain, account, transport: http(this.#options.rpcUrl, { timeout: 60_000 }) })
      const hash = await wallet.writeContract({
        address: ZK_INFERENCES_ADDRESS,
        abi: zkInferencesAbi,
        functionName: 'submitProof',
        args: [record.requestId, words as unknown as readonly [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint]],
        chain,
        account,
        gas: 1_000_000n,
      })
      this.stats.submitted++
      this.#log(`zk: record ${record.requestId} proved in ${this.stats.lastProveSeconds.toFixed(2)} s, proof sent (${hash})`)
    } catch (err) {
      this.stats.failures++
      this.#log(`zk: record ${record.requestId}: ${errorMessage(err)}`)
    }
  }

  /** The prepared model: the one answered with, or (after a restart) prepared again from the hub's copy. */
  async #modelFor(cid: string): Promise<ZkModel> {
    const prepared = this.#models.get(cid)
    if (prepared) return prepared
    if (!this.#options.hubUrl) throw new InferenceRequestError('MODE_NOT_SUPPORTED', `model ${cid} is not loaded and this node has no hub to fetch it from`)
    return this.#prepared({ cid, bytes: await new HubClient(this.#options.hubUrl).download(cid) })
  }

  #log(line: string): void {
    this.#options.log?.(line)
  }
}
