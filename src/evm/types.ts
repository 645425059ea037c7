/**
 * Types shared by the precompile, the inference providers, inference nodes and the SDK.
 * They mirror the Solidity structs of `OGInference.sol` one to one.
 */
import type { Hex } from 'viem'

/** Published values first; later modes are appended so the published numbers never change. */
export enum ModelInferenceMode {
  VANILLA = 0,
  ZK = 1,
  TEE = 2,
  /** Bonded by the node's stake, challengeable for a window of blocks (InferenceSettlement). */
  OPTIMISTIC = 3,
}

/** `1.5 == { value: 15n, decimals: 1n }` */
export interface TensorNumber {
  value: bigint
  decimals: bigint
}

/** Row-major values with their shape. */
export interface NumberTensor {
  name: string
  values: TensorNumber[]
  shape: number[]
}

export interface StringTensor {
  name: string
  values: string[]
}

export interface JsonScalar {
  name: string
  value: string
}

export interface ModelInput {
  numbers: NumberTensor[]
  strings: StringTensor[]
}

export interface ModelOutput {
  numbers: NumberTensor[]
  strings: StringTensor[]
  jsons: JsonScalar[]
  isSimulationResult: boolean
}

export interface ModelInferenceRequest {
  mode: ModelInferenceMode
  modelCid: string
  input: ModelInput
}

/**
 * A result an inference node returned and signed. `inputHash`/`outputHash` are keccak256 of the
 * canonical ABI encodings (see `src/evm/abi.ts`), so every party recomputes them identically.
 */
export interface SignedInferenceResult {
  modelCid: string
  mode: ModelInferenceMode
  inputHash: Hex
  outputHash: Hex
  output: ModelOutput
  /** Address of the key that signed (the inference node's registered key). */
  node: Hex
  /** 65-byte secp256k1 signature (r, s, v) over `vanillaDigest(...)`. */
  signature: Hex
  /** TEE mode: the enclave's attestation document (COSE_Sign1, 0x-hex) binding this result to its request. */
  attestation?: Hex
}

/** What the precompile gets back from its provider for one call. */
export type InferenceResolution =
  | { kind: 'result'; result: SignedInferenceResult }
  /** The request is not known yet: return an empty output flagged `is_simulation_result`. */
  | { kind: 'simulated' }
  /** Revert the call with this reason (no node, timeout, bad tensor, ...). */
  | { kind: 'error'; code: string; reason: string }
  /** A real execution met a request that was not precomputed (its inputs changed since simulation). */
  | { kind: 'missing' }

/** Where the precompile is inside the chain when it runs (for records and request ids). */
export interface InferenceCallContext {
  /** 0-based index of this inference call within its transaction. */
  callIndex: number
  /** keccak256(txHash ‖ callIndex): TEE results are bound to it, so they are looked up by it too. */
  requestId: Hex
}

/**
 * The precompile's only source of results. It never dispatches to the network itself: producing,
 * simulating and replaying are different providers behind this one interface.
 */
export interface InferenceProvider {
  resolve(
    request: ModelInferenceRequest,
    inputHash: Hex,
    context: InferenceCallContext,
  ): InferenceResolution | Promise<InferenceResolution>
}
