/**
 * ZK mode in an inference node (`inferchain inference-node --zk`): answers ZK requests with the
 * quantized reference executor, at once, and proves them afterwards.
 *
 * Answering: the model is prepared for ZK (`prepareZkModel`, cached) with the parameters its owner
 * registered in ZkInferences, and the node serves it only if its own preparation states the same
 * weights commitment and verification key as registered — a node with other keys could never
 * produce a proof that verifies. Each answered input is remembered by (model, input hash).
 *
 * Proving: the node follows the chain (`inference_getRecordsByBlock`, block by block); for every ZK
 * record it signed it looks up the remembered input, proves, and sends `ZkInferences.submitProof`
 * from its own account — whichever request the record came from, also a result a full node reused
 * from its cache. Proofs run one at a time (they use every core).
 */
import { createPublicClient, createWalletClient, http, type Address, type Hex, type PublicClient } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { zkInferencesAbi } from '../contracts/system.js'
import { errorMessage } from '../errors.js'
import { ModelInferenceMode, type ModelInferenceRequest, type ModelOutput } from '../evm/types.js'
import { InferenceRequestError } from '../inference/errors.js'
import type { LoadedModel } from '../inference/runtime.js'
import { ZK_INFERENCES_ADDRESS } from '../params.js'
import { inferchainChain } from '../sdk/chain.js'
import { ZkInputError, ZkModelError } from './errors.js'
import { modelKey } from './onchain.js'
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
  /** ZK artifact cache (default: the project's `.cache/zk`). */
  cacheDir?: string
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

const REMEMBERED_INPUTS = 10_000

export class ZkProverNode implements ZkBackend {
  readonly address: Address
  readonly stats: ZkProverStats = { proved: 0, submitted: 0, unprovable: 0, failures: 0 }
  readonly #options: ZkProverNodeOptions
  readonly #client: PublicClient
  readonly #models = new Map<string, Promise<ZkModel>>()
  /** `${cid}|${inputHash}` → quantized input, in insertion order (oldest first out). */
  readonly #inputs = new Map<string, { zk: ZkModel; input: bigint[] }>()
  #timer: NodeJS.Timeout | undefined
  #nextBlock: bigint | undefined
  #busy: Promise<void> = Promise.resolve()
  #closed = false

  constructor(options: ZkProverNodeOptions) {
    this.#options = options
    this.address = privateKeyToAccount(options.privateKey).address
    this.#client = createPublicClient({ transport: http(options.rpcUrl, { timeout: 60_000 }) }) as PublicClient
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
    const key = `${model.cid}|${inputHash.toLowerCase()}`
    this.#inputs.delete(key)
    this.#inputs.set(key, { zk, input })
    if (this.#inputs.size > REMEMBERED_INPUTS) this.#inputs.delete(this.#inputs.keys().next().value!)
    return zk.toModelOutput(zk.infer(input).output)
  }

  async close(): Promise<void> {
    this.#closed = true
    if (this.#timer) clearTimeout(this.#timer)
    await this.#busy
    await releaseZkWorkers()
  }

  /** The model prepared with its registered parameters, checked against the registration. */
  #prepared(model: LoadedModel): Promise<ZkModel> {
    let pending = this.#models.get(model.cid)
    if (!pending) {
      pending = this.#prepare(model)
      this.#models.set(model.cid, pending)
      pending.catch(() => this.#models.delete(model.cid))
    }
    return pending
  }

  async #prepare(model: LoadedModel): Promise<ZkModel> {
    const [verifier, fractionBits, inputBits, , commitment, verificationKeyHash] = await this.#client.readContract({
      address: ZK_INFERENCES_ADDRESS,
      abi: zkInferencesAbi,
      functionName: 'models',
      args: [modelKey(model.cid)],
    })
    if (BigInt(verifier) === 0n) throw new InferenceRequestError('MODE_NOT_SUPPORTED', `model ${model.cid} has no ZK setup on chain`)
    this.#log(`zk: preparing ${model.cid} (F=${fractionBits}, inputBits=${inputBits}) ...`)
    let zk: ZkModel
    try {
      zk = await prepareZkModel(model.bytes, { quantization: { fractionBits, inputBits }, ...(this.#options.cacheDir ? { cacheDir: this.#options.cacheDir } : {}) })
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
    const head = await this.#client.getBlockNumber({ cacheTime: 0 })
    if (this.#nextBlock === undefined) this.#nextBlock = head + 1n
    for (; this.#nextBlock <= head && !this.#closed; this.#nextBlock++) {
      const records = (await this.#client.request({
        method: 'inference_getRecordsByBlock' as never,
        params: [`0x${this.#nextBlock.toString(16)}`] as never,
      })) as Array<{ requestId: Hex; modelCid: string; mode: string; inputHash: Hex; status: string; node: Hex | null }> | null
      for (const r of records ?? []) {
        if (r.mode !== ModelInferenceMode[ModelInferenceMode.ZK] || r.status !== 'ok' || r.node?.toLowerCase() !== this.address.toLowerCase()) continue
        await this.#prove(r)
      }
    }
  }

  async #prove(record: { requestId: Hex; modelCid: string; inputHash: Hex }): Promise<void> {
    const known = this.#inputs.get(`${record.modelCid}|${record.inputHash.toLowerCase()}`)
    if (!known) {
      this.stats.unprovable++
      this.#log(`zk: record ${record.requestId}: input unknown to this node, cannot prove`)
      return
    }
    try {
      const { envelope, timings } = await known.zk.prove(known.input)
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

  #log(line: string): void {
    this.#options.log?.(line)
  }
}
