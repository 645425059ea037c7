/** Why a transaction was refused at the door (eth_sendRawTransaction). Codes are stable. */
import { InferchainError } from '../errors.js'

export type TransactionRejectionCode =
  | 'INVALID_TRANSACTION'
  | 'INVALID_SIGNATURE'
  | 'WRONG_CHAIN_ID'
  | 'NONCE_TOO_LOW'
  | 'NONCE_TOO_HIGH'
  | 'INSUFFICIENT_FUNDS'
  | 'INTRINSIC_GAS_TOO_LOW'
  | 'GAS_LIMIT_TOO_HIGH'
  | 'FEE_TOO_LOW'
  | 'REPLACEMENT_UNDERPRICED'
  | 'ALREADY_KNOWN'
  | 'MEMPOOL_FULL'

export class TransactionRejectedError extends InferchainError {
  override readonly name = 'TransactionRejectedError' as const
  declare readonly code: TransactionRejectionCode

  constructor(code: TransactionRejectionCode, message: string, details?: Record<string, unknown>) {
    super(code, message, { details })
  }
}

/** The node was given a sealer key that is not the one genesis names, or none when it must seal. */
export class SealerKeyError extends InferchainError {
  override readonly name = 'SealerKeyError' as const
  constructor(message: string, details?: Record<string, unknown>) {
    super('SEALER_KEY', message, { details })
  }
}
