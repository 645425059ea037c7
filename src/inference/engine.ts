/**
 * What an inference node does with one request, independent of HTTP: check the mode, load the model,
 * run it, hash input and output canonically, sign — and in TEE mode have the enclave attest the
 * result bound to its request. The service wraps this in the wire protocol.
 */
import { bytesToHex, type Address, type Hex } from 'viem'
import { privateKeyToAddress } from 'viem/accounts'
import { hashModelInput, hashModelOutput } from '../evm/abi.js'
import { ModelInferenceMode, type ModelInferenceRequest, type ModelOutput, type SignedInferenceResult } from '../evm/types.js'
import type { TeeBackend } from '../tee/types.js'
import type { ZkBackend } from '../zk/prover-node.js'
import { CanonicalInputError, CanonicalModelError } from '../optimistic/errors.js'
import { loadCanonicalModel, runCanonical, type CanonicalModel } from '../optimistic/canonical.js'
import { signInferenceResult } from '../verify/vanilla.js'
import { InferenceRequestError } from './errors.js'
import type { LoadedModel, ModelRuntime } from './runtime.js'

/** Where the engine gets models from (the on-disk cache backed by the hub, in a node). */
export interface ModelLoader {
  /** The verified model; throws `InferenceRequestError('MODEL_NOT_FOUND')` for an unknown CID. */
  get(cid: string): Promise<LoadedModel>
}

/** Modes a node can serve: VANILLA always, TEE with an enclave backend, ZK with a prover, OPTIMISTIC when bonded. */
function implementedModes(options: InferenceEngineOptions): readonly ModelInferenceMode[] {
  return [
    ModelInferenceMode.VANILLA,
    ...(options.tee === undefined ? [] : [ModelInferenceMode.TEE]),
    ...(options.zk === undefined ? [] : [ModelInferenceMode.ZK]),
    ...(options.optimistic === true ? [ModelInferenceMode.OPTIMISTIC] : []),
  ]
}

/** The request a result answers: what a TEE attestation binds besides the result itself. */
export interface ResultBinding {
  /** keccak256(txHash ‖ callIndex) of the calling transaction's inference call. */
  requestId: Hex
  chainId: bigint
}

export interface InferenceEngineOptions {
  /** The node's registered signing key. */
  privateKey: Hex
  models: ModelLoader
  runtime: ModelRuntime
  /** Modes served (default VANILLA, plus TEE when `tee` is given and ZK when `zk` is). */
  modes?: readonly ModelInferenceMode[]
  /** The enclave that attests TEE results (`--tee dev`: the development enclave). */
  tee?: TeeBackend
  /** ZK mode (`--zk`): outputs from the quantized reference executor, proven afterwards (`src/zk/prover-node.ts`). */
  zk?: ZkBackend
  /**
   * OPTIMISTIC mode (`--optimistic`): outputs from the canonical integer path (`src/optimistic/canonical.ts`),
   * bonded by the node's stake in InferenceSettlement and open to challenges.
   */
  optimistic?: boolean
  /**
   * Fault injection for tests of fraud detection: sign a wrong output (first number + 1, or the first
   * string with "!" appended). The signature is valid; only the output is a lie. Never in production.
   */
  perturbOutputs?: boolean
}

/**
 * Serves inference requests and signs the results.
 *
 * @example
 * const engine = new InferenceEngine({ privateKey, models: cache, runtime: new ModelRuntime() })
 * const result = await engine.infer({ mode: ModelInferenceMode.VANILLA, modelCid, input })
 */
export class InferenceEngine {
  readonly address: Address
  readonly modes: readonly ModelInferenceMode[]
  readonly #options: InferenceEngineOptions
  readonly #canonical = new Map<string, CanonicalModel>()

  constructor(options: InferenceEngineOptions) {
    const implemented = implementedModes(options)
    const modes = options.modes ?? implemented
    const unimplemented = modes.filter((m) => !implemented.includes(m))
    if (unimplemented.length > 0) throw new RangeError(`inference modes not implemented by this node: ${unimplemented.join(', ')}`)
    this.#options = options
    this.modes = [...modes]
    this.address = privateKeyToAddress(options.privateKey)
  }

  /** The enclave backend, when this node serves TEE. */
  get tee(): TeeBackend | undefined {
    return this.#options.tee
  }

  /**
   * Runs one request end to end. Throws `InferenceRequestError` with a protocol code. A TEE request
   * needs `binding`: its result is attested for that request on that chain only.
   */
  async infer(request: ModelInferenceRequest, binding?: ResultBinding): Promise<SignedInferenceResult> {
    if (!this.modes.includes(request.mode)) {
      throw new InferenceRequestError('MODE_NOT_SUPPORTED', `mode ${request.mode} is not served by this node (serves ${this.modes.join(', ')})`, {
        details: { mode: request.mode, modes: this.modes },
      })
    }
    const tee = request.mode === ModelInferenceMode.TEE ? this.#options.tee : undefined
    if (request.mode === ModelInferenceMode.TEE && binding === undefined) {
      throw new InferenceRequestError('BAD_REQUEST', 'a TEE request must name the request it is for (binding: requestId, chainId)')
    }
    const model = await this.#options.models.get(request.modelCid)
    let output =
      request.mode === ModelInferenceMode.ZK && this.#options.zk
        ? await this.#options.zk.infer(model, request, hashModelInput(request.input))
        : request.mode === ModelInferenceMode.OPTIMISTIC
          ? this.#runCanonical(model, request)
          : await this.#options.runtime.run(model, request.input)
    if (this.#options.perturbOutputs === true) output = perturb(output)
    const fields = {
      modelCid: request.modelCid,
      mode: request.mode,
      inputHash: hashModelInput(request.input),
      outputHash: hashModelOutput(output),
    }
    const result: SignedInferenceResult = { ...fields, output, ...signInferenceResult(this.#options.privateKey, fields) }
    if (tee !== undefined && binding !== undefined) {
      result.attestation = bytesToHex(await tee.attest({ ...binding, modelCid: fields.modelCid, inputHash: fields.inputHash, outputHash: fields.outputHash }))
    }
    return result
  }

  /** OPTIMISTIC mode: the canonical integer output, which any challenger reproduces bit for bit. */
  #runCanonical(model: LoadedModel, request: ModelInferenceRequest): ModelOutput {
    try {
      let canonical = this.#canonical.get(model.cid)
      if (canonical === undefined) {
        canonical = loadCanonicalModel(model.bytes)
        this.#canonical.set(model.cid, canonical)
      }
      return runCanonical(canonical, request.input)
    } catch (err) {
      if (err instanceof CanonicalInputError) throw new InferenceRequestError(err.code, err.shortMessage, { cause: err })
      if (err instanceof CanonicalModelError) throw new InferenceRequestError('MODE_NOT_SUPPORTED', `model ${model.cid}: ${err.shortMessage}`, { cause: err })
      throw err
    }
  }
}

function perturb(output: ModelOutput): ModelOutput {
  const copy = structuredClone(output)
  const first = copy.numbers.find((t) => t.values.length > 0)?.values[0]
  if (first !== undefined) first.value += 1n
  else if (copy.strings[0]?.values.length) copy.strings[0].values[0] += '!'
  return copy
}
