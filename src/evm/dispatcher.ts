/**
 * Sends inference requests to the inference nodes registered for a model, verifies what comes back
 * (signature by that registered node, hashes of our own input and of the output) and fails over to
 * the next node when one is down or slow. Deterministic request errors (bad tensor, ...) are not
 * retried elsewhere: every honest node would answer the same.
 */
import type { Hex } from 'viem'
import { errorMessage } from '../errors.js'
import { InferenceNodeClient } from '../inference/client.js'
import { InferenceNodeError } from '../inference/errors.js'
import { INFERENCE_NODE_TIMEOUT_MS } from '../params.js'
import { verifyVanillaResult } from '../verify/vanilla.js'
import type { InferenceResolution, ModelInferenceRequest } from './types.js'

export interface RegisteredNode {
  address: Hex
  endpoint: string
}

/** Which nodes serve a model (the chain reads NodeRegistry). */
export interface NodeDirectory {
  nodesFor(modelCid: string): Promise<RegisteredNode[]>
}

export interface DispatcherOptions {
  timeoutMs?: number
}

export class Dispatcher {
  private rotation = 0
  /** Requests sent to inference nodes, for metrics. */
  dispatched = 0

  constructor(
    private readonly directory: NodeDirectory,
    private readonly options: DispatcherOptions = {},
  ) {}

  async dispatch(request: ModelInferenceRequest, inputHash: Hex): Promise<InferenceResolution> {
    const nodes = await this.directory.nodesFor(request.modelCid)
    if (nodes.length === 0) {
      return { kind: 'error', code: 'NO_INFERENCE_NODE', reason: `no inference node is registered for model ${request.modelCid}` }
    }
    const start = this.rotation++ % nodes.length
    const failures: string[] = []
    let lastCode = 'NODE_UNAVAILABLE'
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[(start + i) % nodes.length]!
      try {
        this.dispatched++
        const result = await new InferenceNodeClient(node.endpoint).infer(request, {
          timeoutMs: this.options.timeoutMs ?? INFERENCE_NODE_TIMEOUT_MS,
        })
        verifyVanillaResult(result, { inputHash, signer: node.address })
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
}
