/**
 * Errors of the ZK mode, one class per moment they can happen, each with a stable `code`:
 *   - `ZkModelError`: at registration for ZK mode — the model cannot become a circuit (an operator
 *     outside the supported subset, a graph that is not a chain of layers, too many constraints for
 *     the universal setup, values too wide for the field). Raised before anything expensive runs.
 *   - `ZkInputError`: at inference — an input that the quantized model cannot take (wrong size,
 *     outside the input range the circuit was built for). Deterministic: every node refuses it alike.
 *   - `ZkToolchainError`: the circom compiler or snarkjs failed, or an artifact on disk does not
 *     match its content address.
 *   - `ZkVerificationError`: a proof that does not prove what it is checked against; the code says why.
 */
import { InferchainError } from '../errors.js'

export type ZkModelErrorCode =
  /** An ONNX operator (or an attribute value of one) the circuit compiler does not support. */
  | 'ZK_UNSUPPORTED_OP'
  /** The graph is not a single-input single-output chain of supported layers. */
  | 'ZK_UNSUPPORTED_GRAPH'
  /** The circuit would need more constraints than the universal setup (powers of tau) supports. */
  | 'ZK_MODEL_TOO_LARGE'
  /** An intermediate value could exceed what the scalar field represents safely. */
  | 'ZK_VALUE_RANGE'
  /** Quantization parameters out of their documented range. */
  | 'ZK_BAD_PARAMS'

/**
 * The model cannot be registered for ZK mode.
 *
 * @example
 * throw new ZkModelError('ZK_UNSUPPORTED_OP', 'operator Softmax (node softmax_3) is not supported in ZK mode', { op: 'Softmax' })
 */
export class ZkModelError extends InferchainError {
  override readonly name = 'ZkModelError' as const
  declare readonly code: ZkModelErrorCode
  constructor(code: ZkModelErrorCode, shortMessage: string, details?: Record<string, unknown>) {
    super(code, shortMessage, { details })
  }
}

/** An input the quantized model refuses (`ZK_BAD_INPUT`); `details` names the tensor and the value. */
export class ZkInputError extends InferchainError {
  override readonly name = 'ZkInputError' as const
  declare readonly code: 'ZK_BAD_INPUT'
  constructor(shortMessage: string, details?: Record<string, unknown>) {
    super('ZK_BAD_INPUT', shortMessage, { details })
  }
}

export type ZkToolchainErrorCode =
  | 'ZK_COMPILE_FAILED'
  | 'ZK_SETUP_FAILED'
  | 'ZK_PROVE_FAILED'
  /** The universal setup file is missing or its hash is not the pinned one. */
  | 'ZK_PTAU_INVALID'
  /** A cached or downloaded artifact does not match its content address, or is unreadable. */
  | 'ZK_ARTIFACT_INVALID'

/** The proving toolchain failed; `details` carries the tool's output where there is one. */
export class ZkToolchainError extends InferchainError {
  override readonly name = 'ZkToolchainError' as const
  declare readonly code: ZkToolchainErrorCode
  constructor(code: ZkToolchainErrorCode, shortMessage: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(code, shortMessage, options)
  }
}

export type ZkVerificationErrorCode =
  /** Not 256 bytes, a coordinate outside the base field, or a point not on the curve / subgroup. */
  | 'MALFORMED_PROOF'
  /** The proof is about another model (its weights commitment is not the registered one). */
  | 'MODEL_MISMATCH'
  /** The proof is about another input. */
  | 'INPUT_MISMATCH'
  /** The proof is about another output than the one claimed. */
  | 'OUTPUT_MISMATCH'
  /** Well-formed and about the right statement, but the pairing check fails. */
  | 'INVALID_PROOF'

/**
 * A proof that must be rejected; `code` says which check failed.
 *
 * @example
 * try { await verifyZkProof(vk, expected, proof) } catch (e) { if (e instanceof ZkVerificationError) reject(e.code) }
 */
export class ZkVerificationError extends InferchainError {
  override readonly name = 'ZkVerificationError' as const
  declare readonly code: ZkVerificationErrorCode
  constructor(code: ZkVerificationErrorCode, shortMessage: string, details?: Record<string, unknown>) {
    super(code, shortMessage, { details })
  }
}
