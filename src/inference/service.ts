/**
 * The inference node as an HTTP service (fastify), speaking the protocol of `./types.ts`:
 *
 *   POST /v1/infer   → 200 InferResponseBody | 4xx/5xx InferErrorBody
 *   GET  /v1/health  → { ok, address, models, modes, tee? }
 *   GET  /v1/metrics → { inferences }
 *
 * Every failure of a request, malformed JSON included, is answered with an `InferErrorBody`; nothing a
 * client sends can take the process down.
 */
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify'
import type { AddressInfo } from 'node:net'
import type { Address, Hex } from 'viem'
import type { ModelInferenceMode } from '../evm/types.js'
import type { TeeBackend } from '../tee/types.js'
import type { ZkBackend } from '../zk/prover-node.js'
import { HubClient } from '../hub/client.js'
import { InferenceEngine } from './engine.js'
import { InferenceRequestError } from './errors.js'
import { ModelCache } from './model-cache.js'
import { ModelRuntime } from './runtime.js'
import { createLlmEngine, registerLlmRoutes } from './llm-routes.js'
import type { InferErrorBody } from './types.js'
import { inferErrorToWire, inferRequestFromWire, inferResponseToWire } from './wire.js'
import type { PrivateModel } from '../private/local-model.js'
import { PrivateModelLoader } from '../private/loader.js'

/** Request bodies up to this size are read (a 65,536-element input is ~3 MiB of JSON). */
const BODY_LIMIT_BYTES = 32 * 1024 * 1024

export interface InferenceNodeOptions {
  /** The key the node registered in NodeRegistry; it signs every result. */
  privateKey: Hex
  /** Model hub the node downloads models from. */
  hubUrl: string
  /** Directory of the on-disk model cache (created if missing). */
  cacheDir: string
  host?: string
  /** 0 = any free port. */
  port?: number
  modes?: ModelInferenceMode[]
  /** An enclave backend: the node then also serves TEE mode, attesting each result (`--tee dev`). */
  tee?: TeeBackend
  /** A ZK prover: the node then also serves ZK mode (`--zk`); closed with the node. */
  zk?: ZkBackend
  /** Serve OPTIMISTIC mode with the canonical integer path (the node must bond stake in InferenceSettlement). */
  optimistic?: boolean
  /** Test-only fault injection: sign wrong outputs (see `InferenceEngineOptions.perturbOutputs`). */
  perturbOutputs?: boolean
  /** fastify's logger (off by default; tests and the CLI log on their own). */
  logger?: boolean
  /** Private models served from memory under their `private:0x…` ids; never fetched from or sent to the hub (src/private/). */
  privateModels?: readonly PrivateModel[]
}

/** How a TEE node's enclave is identified on chain. */
export interface TeeIdentity {
  kind: string
  /** PCR0, 0x-hex: NodeRegistry's allowlist must hold it. */
  measurement: Hex
  /** SPKI DER, 0x-hex: registered with `NodeRegistry.setEnclaveKey`. */
  enclaveKey: Hex
}

export interface InferenceNodeStats {
  /** Model executions since start. */
  inferences: number
  /** Models with a loaded session. */
  models: string[]
}

export interface InferenceNode {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  url: string
  /** The signing key's address. */
  address: Address
  /** Modes served. */
  modes: ModelInferenceMode[]
  /** TEE mode: what must be allowlisted (measurement) and registered (enclave key). */
  tee?: TeeIdentity
  stats(): InferenceNodeStats
  close(): Promise<void>
}

/**
 * Starts an inference node and resolves once it listens.
 *
 * @example
 * const node = await startInferenceNode({ privateKey, hubUrl: hub.url, cacheDir: '/tmp/models' })
 * const result = await new InferenceNodeClient(node.url).infer(request)
 * await node.close()
 */
export async function startInferenceNode(options: InferenceNodeOptions): Promise<InferenceNode> {
  const runtime = new ModelRuntime()
  const engine = new InferenceEngine({
    privateKey: options.privateKey,
    models: new PrivateModelLoader(options.privateModels ?? [], new ModelCache({ dir: options.cacheDir, source: new HubClient(options.hubUrl) })),
    runtime,
    ...(options.modes === undefined ? {} : { modes: options.modes }),
    ...(options.tee === undefined ? {} : { tee: options.tee }),
    ...(options.zk === undefined ? {} : { zk: options.zk }),
    perturbOutputs: options.perturbOutputs ?? false,
    optimistic: options.optimistic ?? false,
  })
  const tee = options.tee && { kind: options.tee.kind, measurement: options.tee.measurement, enclaveKey: options.tee.enclaveKey }
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: BODY_LIMIT_BYTES })
  installErrorHandlers(app)
  const llm = createLlmEngine(options, engine.modes)

  app.post('/v1/infer', async (req) => {
    const { binding, ...request } = inferRequestFromWire(req.body)
    return inferResponseToWire(await (llm.isLlmRequest(request) ? llm.infer(request, binding) : engine.infer(request, binding)))
  })
  app.get('/v1/health', async () => ({ ok: true, address: engine.address, models: runtime.models, modes: engine.modes, ...(tee ? { tee } : {}) }))
  app.get('/v1/metrics', async () => ({ inferences: runtime.executions }))
  registerLlmRoutes(app, llm)

  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 })
  const { address, port } = app.server.address() as AddressInfo
  const host = address.includes(':') ? `[${address}]` : address
  return {
    url: `http://${host}:${port}`,
    address: engine.address,
    modes: [...engine.modes],
    ...(tee ? { tee } : {}),
    stats: () => ({ inferences: runtime.executions, models: runtime.models }),
    close: async () => {
      await app.close()
      await runtime.close()
      await llm.close()
      await options.zk?.close()
    },
  }
}

function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | InferenceRequestError, req, reply) => {
    if (err instanceof InferenceRequestError) {
      if (err.status >= 500) req.log.error({ err }, 'inference failed')
      return reply.status(err.status).send(inferErrorToWire(err.code, err.shortMessage))
    }
    // fastify's own 4xx: malformed JSON, wrong content type, body too large.
    const status = err.statusCode
    if (status !== undefined && status >= 400 && status < 500) {
      return reply.status(status).send(inferErrorToWire('BAD_REQUEST', err.message))
    }
    req.log.error({ err }, 'unexpected error')
    return reply.status(500).send(inferErrorToWire('INFERENCE_FAILED', `internal error: ${err.message}`))
  })
  app.setNotFoundHandler((req, reply) => {
    const body: InferErrorBody = inferErrorToWire('BAD_REQUEST', `no route ${req.method} ${req.url}`)
    return reply.status(404).send(body)
  })
}
