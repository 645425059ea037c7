/**
 * Who may run a model: the precompile's check of the owner's allowlist, read straight from
 * ModelRegistry's storage (a precompile cannot call a contract). Producing and replaying a block
 * read the same state, so followers decide every call exactly as the producer did.
 *
 * Layout (solc's storage layout of ModelRegistry.sol, pinned by test/private/access.test.ts):
 *   slot 6  mapping(bytes32 key => bool)                        _callersRestricted
 *   slot 7  mapping(bytes32 key => mapping(address => bool))    _allowedCallers
 * A call is allowed when the model is unrestricted, or when the contract calling the precompile or
 * the transaction's sender is on the list (an allowed account may use any contract; an allowed
 * contract may be used by anyone).
 */
import { createAddressFromString } from '@ethereumjs/util'
import { getAddress, hexToBytes, pad, stringToBytes, type Address } from 'viem'
import { keccak256 } from '../crypto/native.js'
import { mappingSlot, word, wordToBigint, type StorageReader } from '../evm/storage-slots.js'
import { INFERENCE_GAS_ACCESS_CHECK, MODEL_REGISTRY_ADDRESS } from '../params.js'
import { ModelAccessRefusal } from './errors.js'

export const CALLERS_RESTRICTED_SLOT = 6n
export const ALLOWED_CALLERS_SLOT = 7n
const registry = createAddressFromString(MODEL_REGISTRY_ADDRESS)

export interface AccessCheck {
  /** Gas the check costs the call (0 for an unrestricted model: the flag's read is in the base gas). */
  gas: bigint
}

/** Who is calling: the precompile's immediate caller (a contract, or an account calling it directly) and the transaction's sender. */
export interface ModelCaller {
  caller: Address | undefined
  origin: Address | undefined
}

/**
 * Checks that the caller or the transaction's sender may run `cid`.
 *
 * @throws ModelAccessRefusal NOT_ALLOWED
 * @example
 * const { gas } = await checkModelAccess(evm.stateManager, cid, { caller: precompileCaller(evm), origin: transactionOrigin(evm) })
 */
export async function checkModelAccess(state: StorageReader, cid: string, who: ModelCaller): Promise<AccessCheck> {
  const key = keccak256(stringToBytes(cid))
  if (wordToBigint(await state.getStorage(registry, word(mappingSlot(key, CALLERS_RESTRICTED_SLOT)))) === 0n) return { gas: 0n }
  const candidates = [...new Set([who.caller, who.origin].filter((a): a is Address => a !== undefined).map((a) => a.toLowerCase() as Address))]
  for (const candidate of candidates) {
    if (await isAllowed(state, key, candidate)) return { gas: INFERENCE_GAS_ACCESS_CHECK }
  }
  // Checksummed, as clients print addresses (ethereumjs hands them over in lower case).
  const caller = who.caller && getAddress(who.caller)
  const origin = who.origin && getAddress(who.origin)
  const from = origin === undefined || origin === caller ? '' : ` (transaction from ${origin})`
  throw new ModelAccessRefusal(`caller ${caller ?? origin ?? 'unknown'}${from} is not on the allowlist of model ${cid}`, { cid, caller, origin })
}

async function isAllowed(state: StorageReader, key: Uint8Array, who: Address): Promise<boolean> {
  const inner = mappingSlot(key, ALLOWED_CALLERS_SLOT)
  const slot = mappingSlot(hexToBytes(pad(who)), inner)
  return wordToBigint(await state.getStorage(registry, word(slot))) !== 0n
}
