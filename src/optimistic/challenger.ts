/**
 * A challenger (`inferchain node --challenger`): watches the chain through JSON-RPC for OPTIMISTIC
 * results, re-runs each on the canonical integer path, and challenges the ones whose output differs
 * — the bond comes back with a share of the slash if the chain's re-execution agrees. It also keeps
 * honest claims moving: once a window has passed it finalizes the claim, which pays the node.
 *
 * It needs nothing a user's own process would not have: the chain's logs (every inference emits
 * `ModelInferenceEvent` with the full request and output), the models from the hub, and a funded key.
 */
import { encodeEventTopics, type Address, type Hex, type Log } from 'viem'
import { inferenceSettlementAbi, ClaimStatus } from '../contracts/system.js'
import { errorMessage } from '../errors.js'
import { decodeModelInferenceEventData, hashModelOutput, MODEL_INFERENCE_EVENT_TOPIC } from '../evm/abi.js'
import { ModelInferenceMode, type ModelInput, type ModelOutput } from '../evm/types.js'
import { INFERENCE_PRECOMPILE_ADDRESS, INFERENCE_SETTLEMENT_ADDRESS } from '../params.js'
import { challengeClaim, finalizeClaim } from '../sdk/settlement.js'
import type { WriteClients } from '../sdk/transact.js'
import { runCanonical } from './canonical.js'
import { CanonicalInputError } from './errors.js'
import type { CanonicalModelStore } from './model-store.js'

export interface ChallengerOptions {
  clients: WriteClients
  models: CanonicalModelStore
  /** How often to look for new blocks (ms). */
  pollMs?: number
  /** Finalize honest claims after their window (default true). */
  finalize?: boolean
  log?: (message: string) => void
}

export interface ChallengerStats {
  /** OPTIMISTIC results re-run. */
  checked: number
  /** Challenges sent. */
  challenged: number
  /** Challenges the chain found fraudulent. */
  won: number
  finalized: number
}

interface WatchedClaim {
  requestId: Hex
  modelCid: string
  input: ModelInput
  output: ModelOutput
  blockNumber: bigint
}

export class Challenger {
  readonly stats: ChallengerStats = { checked: 0, challenged: 0, won: 0, finalized: 0 }
  readonly #options: ChallengerOptions
  /** Honest claims waiting for their window to pass. */
  readonly #awaitingFinality = new Map<Hex, bigint>()
  #nextBlock: bigint | undefined
  #timer: NodeJS.Timeout | undefined
  #busy: Promise<void> = Promise.resolve()
  #stopped = false

  constructor(options: ChallengerOptions) {
    this.#options = options
  }

  get address(): Address {
    return this.#options.clients.walletClient.account!.address
  }

  start(): void {
    const tick = () => {
      this.#busy = this.#busy
        .then(() => this.poll())
        .catch((err: unknown) => this.#log(`challenger: ${errorMessage(err)}`))
        .then(() => {
          if (!this.#stopped) this.#timer = setTimeout(tick, this.#options.pollMs ?? 250)
        })
    }
    this.#timer = setTimeout(tick, 0)
  }

  async stop(): Promise<void> {
    this.#stopped = true
    if (this.#timer) clearTimeout(this.#timer)
    await this.#busy
  }

  /** One round: check the results of the blocks since the last round, then finalize what is due. */
  async poll(): Promise<void> {
    const publicClient = this.#options.clients.publicClient
    const head = await publicClient.getBlockNumber()
    const from = this.#nextBlock ?? head
    if (from <= head) {
      const logs = await publicClient.getLogs({ address: INFERENCE_PRECOMPILE_ADDRESS, fromBlock: from, toBlock: head })
      for (const log of logs) await this.#check(log)
      this.#nextBlock = head + 1n
    }
    if (this.#options.finalize !== false) await this.#finalizeDue(head)
  }

  async #check(log: Log): Promise<void> {
    const claim = decodeOptimisticResult(log)
    if (claim === undefined) return
    this.stats.checked++
    const model = await this.#options.models.load(claim.modelCid)
    let expected: ModelOutput | undefined
    try {
      expected = runCanonical(model, claim.input)
    } catch (err) {
      if (!(err instanceof CanonicalInputError)) throw err
    }
    if (expected !== undefined && hashModelOutput(expected) === hashModelOutput(claim.output)) {
      this.#awaitingFinality.set(claim.requestId, await this.#windowEnd(claim.requestId))
      return
    }
    await this.#challenge(claim)
  }

  async #challenge(claim: WatchedClaim): Promise<void> {
    const clients = this.#options.clients
    const [, , , node, windowEnd, status] = await this.#claim(claim.requestId)
    if (status !== ClaimStatus.Open) return
    this.#log(`challenger: result ${claim.requestId} of node ${node} differs from the canonical output; challenging (window ends at block ${windowEnd})`)
    this.stats.challenged++
    const hash = await challengeClaim(clients, { requestId: claim.requestId, modelCid: claim.modelCid, input: claim.input })
    const receipt = await clients.publicClient.getTransactionReceipt({ hash })
    const fraud = receipt.logs.some((l) => l.address.toLowerCase() === INFERENCE_SETTLEMENT_ADDRESS.toLowerCase() && l.topics[0] === FRAUD_TOPIC)
    if (fraud) this.stats.won++
    this.#log(`challenger: ${claim.requestId} ${fraud ? 'proven fraudulent, node slashed' : 'upheld, bond lost'} (tx ${hash})`)
  }

  async #finalizeDue(head: bigint): Promise<void> {
    for (const [requestId, windowEnd] of this.#awaitingFinality) {
      if (head <= windowEnd) continue
      this.#awaitingFinality.delete(requestId)
      const [, , , , , status] = await this.#claim(requestId)
      if (status !== ClaimStatus.Open) continue
      await finalizeClaim(this.#options.clients, requestId)
      this.stats.finalized++
    }
  }

  #claim(requestId: Hex) {
    return this.#options.clients.publicClient.readContract({ address: INFERENCE_SETTLEMENT_ADDRESS, abi: inferenceSettlementAbi, functionName: 'claims', args: [requestId] })
  }

  async #windowEnd(requestId: Hex): Promise<bigint> {
    return (await this.#claim(requestId))[4]
  }

  #log(message: string): void {
    this.#options.log?.(message)
  }
}

/** The OPTIMISTIC result a `ModelInferenceEvent` log carries, or undefined for other logs and modes. */
export function decodeOptimisticResult(log: Log): WatchedClaim | undefined {
  if (log.topics[0] !== MODEL_INFERENCE_EVENT_TOPIC) return undefined
  const { inferenceId, request, output } = decodeModelInferenceEventData(log.data)
  if (request.mode !== ModelInferenceMode.OPTIMISTIC) return undefined
  return { requestId: inferenceId as Hex, modelCid: request.modelCid, input: request.input, output, blockNumber: log.blockNumber ?? 0n }
}

const FRAUD_TOPIC = encodeEventTopics({ abi: inferenceSettlementAbi, eventName: 'ClaimFraudulent' })[0]
