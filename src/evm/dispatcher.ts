/**
 * Sends inference requests to the inference nodes registered for a model (and for the requested
 * mode), verifies what comes back (signature by that registered node, hashes of our own input and
 * of the output; for TEE, the whole attestation exactly as importers will check it) and fails over
 * to the next node when one is down, slow or its evidence does not verify. Deterministic request
 * errors (bad tensor, ...) are not retried elsewhere: every honest node would answer the same.
 */
import type { Hex } from 'viem'
import { errorMessage } from '../errors.js'
import { InferenceNodeClient, type ResultBinding } from '../inference/client.js'
import { InferenceNodeError } from '../inference/errors.js'
import { INFERENCE_NODE_TIMEOUT_MS } from '../params.js'
import { defaultVerifiers } from '../verify/index.js'
import type { RecordVerifier, VerificationContext } from '../verify/types.js'
import { verifyVanillaResult } from '../verify/vanilla.js'
import { NO_TX_HASH } from './session.js'
import { ModelInferenceMode, type InferenceResolution, type ModelInferenceRequest, type SignedInferenceResult } from './types.js'

export interface RegisteredNode {
  address: Hex
  endpoint: string
}

/** Which nodes serve a model (the chain reads NodeRegistry). */
export interface NodeDirectory {
  /** Nodes serving `modelCid`; with `mode`, only those registered for that mode. */
  nodesFor(modelCid: string, mode?: ModelInferenceMode): Promise<RegisteredNode[]>
  /**
   * The chain as record verifiers see it for the next block (registry as of the head). Needed for
   * modes whose evidence is more than a signature (TEE): without it such results are not used.
   */
  verificationContext?(): VerificationContext
}

export interface DispatcherOptions {
  timeoutMs?: number
  /** Verifiers of evidence beyond VANILLA's signature, by mode (default: the importer's). */
  verifiers?: Map<ModelInferenceMode, RecordVerifier>
}

export class Dispatcher {
  private rotation = 0
  /** Requests sent to inference nodes, for metrics. */
  dispatched = 0
  /** One client per endpoint: a client is stateless, and building one per request was measurable. */
  private readonly clients = new Map<string, InferenceNodeClient>()

  constructor(
    private readonly directory: NodeDirectory,
    private readonly options: DispatcherOptions = {},
  ) {}

  /**
   * Gets a verified result for `request`. `binding` (request id, chain id) is what a TEE result
   * must be attested for; VANILLA results do not depend on it.
   */
  async dispatch(request: ModelInferenceRequest, inputHash: Hex, binding?: ResultBinding): Promise<InferenceResolution> {
    const vanilla = request.mode === ModelInferenceMode.VANILLA
    const nodes = vanilla ? await this.directory.nodesFor(request.modelCid) : await this.directory.nodesFor(request.modelCid, request.mode)
    if (nodes.length === 0) {
      const inMode = vanilla ? '' : ` in mode ${ModelInferenceMode[request.mode] ?? request.mode}`
      return { kind: 'error', code: 'NO_INFERENCE_NODE', reason: `no inference node is registered for model ${request.modelCid}${inMode}` }
    }
    const start = this.rotation++ % nodes.length
    const failures: string[] = []
    let lastCode = 'NODE_UNAVAILABLE'
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[(start + i) % nodes.length]!
      try {
        this.dispatched++
        const result = await this.clientFor(node.endpoint).infer(request, {
          timeoutMs: this.options.timeoutMs ?? INFERENCE_NODE_TIMEOUT_MS,
          ...(vanilla ? {} : { binding }),
        })
        verifyVanillaResult(result, { inputHash, signer: node.address })
        if (!vanilla) await this.verifyEvidence(result, binding)
        return { kind: 'result', result }
      } catch (err) {
        if (err instanceof InferenceNodeError && !err.isNodeFault) {
          return { kind: 'error', code: err.code, reason: err.shortMessage }
        }
        lastCode = err instanceof InferenceNodeError && err.code === 'NODE_TIMEOUT' ? 'NODE_TIMEOUT' : 'NODE_UNAVAILABLE'
        failures.push(`${node.endpoint}: ${errorMessage(err)}`)
      }
    }
    const what = lastCode === 'NODE_TIMEOUT' ? 'timed out' : 'failed'
    return { kind: 'error', code: lastCode, reason: `every inference node for ${request.modelCid} ${what} (${failures.join('; ')})` }
  }

  private clientFor(endpoint: string): InferenceNodeClient {
    let client = this.clients.get(endpoint)
    if (client === undefined) {
      // Endpoints come from NodeRegistry and change rarely; a bound keeps a churning registry from growing it.
      if (this.clients.size >= MAX_CLIENTS) this.clients.delete(this.clients.keys().next().value as string)
      client = new InferenceNodeClient(endpoint)
      this.clients.set(endpoint, client)
    }
    return client
  }

  /** Checks a result's evidence with the importers' own verifier, so only results they accept are used. */
  private async verifyEvidence(result: SignedInferenceResult, binding: ResultBinding | undefined): Promise<void> {
    const verifier = (this.options.verifiers ?? DEFAULT_VERIFIERS).get(result.mode)
    const context = this.directory.verificationContext?.()
    if (verifier === undefined || context === undefined || binding === undefined) {
      throw new InferenceNodeError('BAD_RESPONSE', `results in mode ${result.mode} cannot be verified here`)
    }
    const outcome = await verifier.verify(
      { requestId: binding.requestId, txHash: NO_TX_HASH, callIndex: 0, status: 'ok', ...result },
      { ...context, chainId: binding.chainId },
    )
    // Evidence importers would reject is the node's fault: the next node may do better.
    if (outcome.status === 'rejected') throw new InferenceNodeError('BAD_RESPONSE', `evidence rejected: ${outcome.reason}`)
  }
}

const DEFAULT_VERIFIERS = defaultVerifiers()
const MAX_CLIENTS = 1024

