/** Checks a raw transaction before it enters the mempool. */
import { createTxFromRLP, paramsTx, TransactionType, type TypedTransaction } from '@ethereumjs/tx'
import type { Common } from '@ethereumjs/common'
import { Address, bigIntToUnpaddedBytes, concatBytes, SECP256K1_ORDER_DIV_2, setLengthLeft, type Account } from '@ethereumjs/util'
import { keccak256 } from '../crypto/native.js'
import { errorMessage } from '../errors.js'
import { BLOCK_GAS_LIMIT, TX_GAS_LIMIT_CAP } from '../params.js'
import { TransactionRejectedError } from './errors.js'
import { recoverOffThread } from './sender-recovery.js'

/**
 * Every @ethereumjs/tx constructor copies the Common it is given and merges the transaction
 * parameters into the copy (`getCommon` + `updateParams`, ~7% of the node's CPU under load), and
 * the library has no option to share one. Transactions only read their Common, and every block of
 * this chain runs one hardfork, so decoding uses one copy, parameterised once, that hands out
 * itself instead of copies.
 */
const decodingCommons = new WeakMap<Common, Common>()

export function decodingCommon(common: Common): Common {
  let shared = decodingCommons.get(common)
  if (shared === undefined) {
    const pinned = common.copy()
    pinned.updateParams(paramsTx)
    pinned.copy = () => pinned
    // The constructors pass `paramsTx`, merged above; anything else would change a shared object.
    pinned.updateParams = (params) => {
      if (params !== paramsTx) throw new Error('the shared decoding Common takes no other parameters')
    }
    pinned.setHardfork = (hardfork) => {
      if (hardfork !== pinned.hardfork()) throw new Error(`the shared decoding Common stays on ${pinned.hardfork()}, not ${hardfork}`)
    }
    decodingCommons.set(common, pinned)
    shared = pinned
  }
  return shared
}

/**
 * On its way into a block a transaction is asked for its sender four times (admission, mempool,
 * executor, runTx), and each time @ethereumjs/tx hashes the recovered public key again (pure-JS
 * keccak, ~3% of the node's CPU); it is RLP-encoded three times (its hash, the transactions trie,
 * the stored block). Decoded unfrozen (`freeze: false`), the transaction gets a `getSenderAddress`
 * that hashes the key once, with the chain's keccak, and a `serialize` that encodes once (a copy
 * each time, so no caller can change another's bytes), and is then frozen as the library would
 * have frozen it — frozen, it also caches its public key and hash as usual.
 */
function remember(tx: TypedTransaction): void {
  let sender: Address | undefined
  // As the library derives it (`publicToAddress`): the last 20 bytes of keccak256(64-byte key).
  const derive = () => new Address(keccak256(tx.getSenderPublicKey()).slice(12))
  Object.defineProperty(tx, 'getSenderAddress', { value: () => (sender ??= derive()) })
  const encoded = tx.serialize()
  Object.defineProperty(tx, 'serialize', { value: () => encoded.slice() })
  Object.freeze(tx)
}

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

async function recoverSenderKeyOffThread(tx: TypedTransaction): Promise<void> {
  const { v, r, s } = tx
  // Typed transactions sign with a y-parity (0 or 1); legacy ones (EIP-155 v) are left to the library.
  if (tx.type === TransactionType.Legacy || v === undefined || r === undefined || s === undefined || (v !== 0n && v !== 1n)) return
  // A high s is refused by the library before any recovery: leave that refusal to it.
  if (s > SECP256K1_ORDER_DIV_2) return
  let digest: Uint8Array
  try {
    digest = tx.getMessageToVerifySignature()
  } catch {
    return
  }
  // What the library hands the chain's ecrecover (src/crypto/native.ts), which recovers exactly this.
  const signature = concatBytes(setLengthLeft(bigIntToUnpaddedBytes(r), 32), setLengthLeft(bigIntToUnpaddedBytes(s), 32))
  const publicKey = await recoverOffThread(digest, signature, Number(v))
  // The library's own cache of the recovered key (64 bytes, without the 0x04 prefix).
  if (publicKey !== undefined) tx.cache.senderPubKey = publicKey.subarray(1)
}

function decodeUnchecked(raw: Uint8Array, common: Common): TypedTransaction {
  try {
    return createTxFromRLP(raw, { common: decodingCommon(common), freeze: false })
  } catch (err) {
    throw new TransactionRejectedError('INVALID_TRANSACTION', `invalid transaction: ${errorMessage(err)}`)
  }
}

function checkDecoded(tx: TypedTransaction, common: Common): TypedTransaction {
  remember(tx)
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
