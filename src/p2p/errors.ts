/** Failures of the peer-to-peer layer, with stable codes. */
import { InferchainError } from '../errors.js'

export type P2pErrorCode =
  /** A peer sent bytes that do not decode as the protocol's message. */
  | 'P2P_BAD_MESSAGE'
  /** A request could not be completed (dial, stream, timeout). */
  | 'P2P_REQUEST_FAILED'
  /** The peer runs another chain (chain id or genesis differ). */
  | 'P2P_WRONG_CHAIN'
  /** A follower has no route to the block producer for a request only the producer can answer. */
  | 'P2P_NO_PRODUCER'
  /** The node's persisted peer key is unreadable. */
  | 'P2P_BAD_PEER_KEY'

export class P2pError extends InferchainError {
  override readonly name = 'P2pError' as const
  constructor(code: P2pErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(code, message, options)
  }
}

/**
 * A typed refusal the remote peer answered with (e.g. the producer's `NONCE_TOO_LOW` for a forwarded
 * transaction), re-raised with the peer's own code and message so a client of this node sees
 * exactly what a client of the producer would.
 */
export class RemoteError extends InferchainError {
  override readonly name = 'RemoteError' as const
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(code, message, { details })
  }
}
