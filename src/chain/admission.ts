/** Checks a raw transaction before it enters the mempool. */
import { createTxFromRLP, type TypedTransaction } from '@ethereumjs/tx'
import type { Common } from '@ethereumjs/common'
import type { Account } from '@ethereumjs/util'
import { errorMessage } from '../errors.js'
import { BLOCK_GAS_LIMIT, TX_GAS_LIMIT_CAP } from '../params.js'
import { TransactionRejectedError } from './errors.js'
import { decodingCommon, recoverSenderKeyOffThread, rememberDerived } from './transaction-decoding.js'

export function decodeTransaction(raw: Uint8Array, common: Common): TypedTransaction {
  return checkDecoded(decodeUnchecked(raw, common), common)
}

/**
 * `decodeTransaction` with the sender's key of a typed transaction recovered on a worker thread
 * (`sender-recovery.ts`) while the event loop serves other requests: what JSON-RPC admission uses.
 * The checks and their outcome are `decodeTransaction`'s: the worker only fills the key the library
 * would recover itself, and anything it does not handle is recovered here, as before.
 */
export async function admitTransaction(raw: Uint8Array, common: Common): Promise<TypedTransaction> {
  const tx = decodeUnchecked(raw, common)
  await recoverSenderKeyOffThread(tx)
  return checkDecoded(tx, common)
}

function decodeUnchecked(raw: Uint8Array, common: Common): TypedTransaction {
  try {
    return createTxFromRLP(raw, { common: decodingCommon(common), freeze: false })
  } catch (err) {
    throw new TransactionRejectedError('INVALID_TRANSACTION', `invalid transaction: ${errorMessage(err)}`)
  }
}

function checkDecoded(tx: TypedTransaction, common: Common): TypedTransaction {
  rememberDerived(tx)
  if (!tx.isSigned() || !tx.verifySignature()) {
    throw new TransactionRejectedError('INVALID_SIGNATURE', 'invalid transaction: bad or missing signature')
  }
  const intrinsic = tx.getIntrinsicGas()
  if (tx.gasLimit < intrinsic) {
    throw new TransactionRejectedError('INTRINSIC_GAS_TOO_LOW', `intrinsic gas too low: have ${tx.gasLimit}, want ${intrinsic}`)
  }
  const problems = tx.getValidationErrors()
  if (problems.length > 0) throw new TransactionRejectedError('INVALID_TRANSACTION', `invalid transaction: ${problems.join(', ')}`)
  const chainId = (tx as { chainId?: bigint }).chainId
  if (chainId !== undefined && chainId !== common.chainId()) {
    throw new TransactionRejectedError('WRONG_CHAIN_ID', `wrong chain id ${chainId}, this chain is ${common.chainId()}`)
  }
  return tx
}

/** Checks that depend on the sender's account. */
export function checkAffordable(tx: TypedTransaction, account: Account | undefined): void {
  const cap = TX_GAS_LIMIT_CAP < BLOCK_GAS_LIMIT ? TX_GAS_LIMIT_CAP : BLOCK_GAS_LIMIT
  if (tx.gasLimit > cap) {
    throw new TransactionRejectedError('GAS_LIMIT_TOO_HIGH', `gas limit ${tx.gasLimit} exceeds the per-transaction cap ${cap}`)
  }
  const balance = account?.balance ?? 0n
  const cost = tx.getUpfrontCost()
  if (balance < cost) {
    throw new TransactionRejectedError('INSUFFICIENT_FUNDS', `insufficient funds for gas * price + value: balance ${balance}, cost ${cost}`)
  }
}
