/**
 * Inference fees: the price of one call from ModelRegistry, and the transfer the precompile makes from
 * the calling transaction's sender to whoever is owed it (the serving node, or InferenceSettlement,
 * which holds OPTIMISTIC fees until the claim is settled).
 *
 * The price is read straight from ModelRegistry's storage (layout pinned by
 * test/evm/fees.test.ts): `_modePriceSet` (slot 3) says whether the mode has a price of its own in
 * `_modePrices` (slot 2); otherwise the model's `pricePerInference` (word 6 of its `models` entry).
 */
import type { EVMInterface } from '@ethereumjs/evm'
import { Account, createAddressFromString } from '@ethereumjs/util'
import { stringToBytes, type Address } from 'viem'
import { keccak256 } from '../crypto/native.js'
import { MODEL_REGISTRY_ADDRESS } from '../params.js'
import { modelEntrySlot } from './registry-reader.js'
import { mappingSlot, word, wordToBigint, type StorageReader } from './storage-slots.js'
import type { ModelInferenceMode } from './types.js'

const MODE_PRICES_SLOT = 2n
const MODE_PRICE_SET_SLOT = 3n
/** Word of `pricePerInference` inside a `Model` entry. */
const PRICE_PER_INFERENCE_WORD = 6n
const registry = createAddressFromString(MODEL_REGISTRY_ADDRESS)

/** What one inference of `cid` in `mode` costs the calling transaction, in wei. */
export async function readInferencePrice(state: StorageReader, cid: string, mode: ModelInferenceMode): Promise<bigint> {
  const key = keccak256(stringToBytes(cid))
  const mask = wordToBigint(await state.getStorage(registry, word(mappingSlot(key, MODE_PRICE_SET_SLOT))))
  if ((mask & (1n << BigInt(mode))) !== 0n) {
    const inner = mappingSlot(key, MODE_PRICES_SLOT)
    return wordToBigint(await state.getStorage(registry, word(mappingSlot(word(BigInt(mode)), inner))))
  }
  const base = wordToBigint(modelEntrySlot(cid))
  return wordToBigint(await state.getStorage(registry, word(base + PRICE_PER_INFERENCE_WORD)))
}

/** The sender of the transaction whose call is running (`tx.origin`): who pays inference fees. */
export function transactionOrigin(evm: EVMInterface): Address | undefined {
  const origin = (evm as unknown as { _tx?: { origin?: { toString(): string } } })._tx?.origin
  return origin === undefined ? undefined : (origin.toString() as Address)
}

/** The fee cannot be paid: the transaction's sender has less than the price left. */
export class FeeRefusal {
  readonly code = 'INSUFFICIENT_FEE_FUNDS'
  constructor(readonly message: string) {}
}

/** Checks that `payer` can pay `amount` (before dispatch, so a call that cannot pay costs no inference). */
export async function assertCanPay(evm: EVMInterface, payer: Address | undefined, amount: bigint): Promise<void> {
  if (amount === 0n) return
  const balance = payer === undefined ? 0n : ((await evm.stateManager.getAccount(createAddressFromString(payer)))?.balance ?? 0n)
  if (balance < amount) throw new FeeRefusal(`the transaction's sender ${payer ?? '(none)'} has ${balance} wei, the inference costs ${amount}`)
}

/** Moves `amount` wei from `from` to `to` inside the running transaction (reverted with it). */
export async function transferFee(evm: EVMInterface, from: Address | undefined, to: Address, amount: bigint): Promise<void> {
  if (amount === 0n) return
  await assertCanPay(evm, from, amount)
  const state = evm.stateManager
  const fromAddress = createAddressFromString(from!)
  const payer = (await state.getAccount(fromAddress))!
  payer.balance -= amount
  await state.putAccount(fromAddress, payer)
  const toAddress = createAddressFromString(to)
  const payee = (await state.getAccount(toAddress)) ?? new Account()
  payee.balance += amount
  await state.putAccount(toAddress, payee)
}
