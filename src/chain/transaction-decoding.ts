/**
 * Decoding transactions and blocks the way this chain uses them: with one shared Common, the
 * sender's address and the encoding derived once, and the sender's key recovered on a worker
 * thread. Admission (JSON-RPC, gossip) and block import (sync, gossip, the block store) both decode
 * here, so a follower pays no more to decode a block's transactions than the producer paid to admit
 * them.
 */
import { createBlockFromBytesArray, Block } from '@ethereumjs/block'
import type { Common } from '@ethereumjs/common'
import { RLP } from '@ethereumjs/rlp'
import { createTxFromBlockBodyData, paramsTx, TransactionType, type TypedTransaction } from '@ethereumjs/tx'
import { Address, bigIntToUnpaddedBytes, concatBytes, SECP256K1_ORDER_DIV_2, setLengthLeft } from '@ethereumjs/util'
import { keccak256 } from '../crypto/native.js'
import { flushOffThreadRecoveries, recoverOffThread } from './sender-recovery.js'

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
 * each time, so no caller can change another's bytes), its calldata gas counted once
 * (`prefillDataFee`), and is then frozen as the library would have frozen it — frozen, it also
 * caches its public key and hash as usual.
 */
export function rememberDerived(tx: TypedTransaction): void {
  prefillDataFee(tx)
  let sender: Address | undefined
  // As the library derives it (`publicToAddress`): the last 20 bytes of keccak256(64-byte key).
  const derive = () => new Address(keccak256(tx.getSenderPublicKey()).slice(12))
  Object.defineProperty(tx, 'getSenderAddress', { value: () => (sender ??= derive()) })
  const encoded = tx.serialize()
  Object.defineProperty(tx, 'serialize', { value: () => encoded.slice() })
  Object.freeze(tx)
}

/**
 * The calldata part of a transaction's intrinsic gas, counted with numbers and left in the cache
 * the library consults first (`tx.cache.dataFee`, its own formula: zero and non-zero bytes, plus
 * EIP-3860 init-code words for a creation). The library counts it with a BigInt addition per
 * byte — ~0.2 ms for a transaction carrying a 256-number tensor, paid at admission and at import.
 * Access-list gas is added by the library on top, as before.
 */
function prefillDataFee(tx: TypedTransaction): void {
  const data = tx.data
  let zeros = 0
  for (let i = 0; i < data.length; i++) if (data[i] === 0) zeros++
  const common = tx.common
  let cost = BigInt(zeros) * common.param('txDataZeroGas') + BigInt(data.length - zeros) * common.param('txDataNonZeroGas')
  if (tx.to === undefined && common.isActivatedEIP(3860)) cost += common.param('initCodeWordGas') * BigInt(Math.ceil(data.length / 32))
  tx.cache.dataFee = { value: cost, hardfork: common.hardfork() }
}

/**
 * Recovers a typed transaction's sender key on the worker thread (`sender-recovery.ts`) and leaves it
 * in the library's cache; anything the worker does not handle is left to the library, which
 * recovers it on this thread when first asked. Calls made in one turn of the event loop go to the
 * worker as one batch.
 */
export async function recoverSenderKeyOffThread(tx: TypedTransaction): Promise<void> {
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

/**
 * A serialized block, as `createBlockFromRLP` decodes it (same checks, same errors), except that its
 * transactions are decoded like admitted ones (`decodingCommon`, `rememberDerived`): the library's
 * own path copies the Common and re-merges its parameters for every transaction (~170 µs each),
 * which made importing a block of 100 transactions cost ~17 ms more than admitting them did.
 *
 * @example
 * const block = decodeBlock(bundle.block, chain.common)
 */
export function decodeBlock(serialized: Uint8Array, common: Common): Block {
  if (common.isActivatedEIP(7934) && serialized.length > common.param('maxRlpBlockSize')) {
    throw new Error(`Block size exceeds limit: ${serialized.length} > ${common.param('maxRlpBlockSize')}`)
  }
  const values = RLP.decode(serialized)
  if (!Array.isArray(values)) throw new Error('Invalid serialized block input. Must be array')
  const [headerData, txsData, ...rest] = values
  if (txsData !== undefined && !Array.isArray(txsData)) throw new Error('Invalid serialized block input: transactions must be a list')
  // Header, uncles and withdrawals through the library, with no transactions; then the same block with its own.
  const shell = createBlockFromBytesArray([headerData, [], ...rest] as unknown as Parameters<typeof createBlockFromBytesArray>[0], { common, setHardfork: false })
  const transactions = (txsData ?? []).map((data) => {
    const tx = createTxFromBlockBodyData(data as Uint8Array | Uint8Array[], { common: decodingCommon(common), freeze: false })
    rememberDerived(tx)
    return tx
  })
  // The factories build blocks with this constructor too; there is none that takes decoded transactions.
  return new Block(shell.header, transactions, shell.uncleHeaders, shell.withdrawals, { common, setHardfork: false })
}

/** Recovers the senders of `txs` on the worker thread, in one batch, while this thread goes on. */
export async function recoverSendersOffThread(txs: readonly TypedTransaction[]): Promise<void> {
  const recovering = Promise.all(txs.map((tx) => (tx.cache.senderPubKey === undefined ? recoverSenderKeyOffThread(tx) : undefined)))
  flushOffThreadRecoveries()
  await recovering
}
