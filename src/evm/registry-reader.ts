/**
 * Reads a model's ModelRegistry entry straight from contract storage.
 *
 * The precompile needs a model's modes and work units on every call; reading one storage slot is
 * far cheaper than an EVM call into the registry, and it cannot re-enter the running EVM. The layout
 * is fixed by `src/contracts/ModelRegistry.sol`: `models` is slot 0, and the first slot of `Model`
 * packs (from the low-order end) `address owner; uint8 modes; bool isPrivate; uint64 workUnits`.
 */
import { createAddressFromString, type Address as EthjsAddress } from '@ethereumjs/util'
import { getAddress, stringToBytes, type Address } from 'viem'
import { keccak256 } from '../crypto/native.js'
import { InferchainError } from '../errors.js'
import type { ModelInferenceMode } from './types.js'
import { MODEL_REGISTRY_ADDRESS } from '../params.js'

/** The first storage word of a ModelRegistry entry, decoded. */
export interface ModelEntry {
  /** False when no model has this cid (the owner is zero: registering requires a non-zero owner). */
  registered: boolean
  owner: Address
  /** Bitmask of supported ModelInferenceModes: bit (1 << mode). */
  modes: number
  isPrivate: boolean
  /** Multiply-accumulates of one inference (drives the precompile's gas). */
  workUnits: bigint
}

/** The minimal state access the reader needs (ethereumjs's StateManagerInterface has it). */
export interface StorageReader {
  getStorage(address: EthjsAddress, key: Uint8Array): Promise<Uint8Array>
}

/** A storage word longer than 32 bytes: the caller passed something that is not a slot value. */
export class InvalidStorageWordError extends InferchainError {
  override readonly name = 'InvalidStorageWordError' as const
  constructor(length: number) {
    super('INVALID_STORAGE_WORD', `A storage word has at most 32 bytes, got ${length}`, { details: { length } })
  }
}

/** Slot index of `mapping(bytes32 => Model) models` in ModelRegistry. */
const MODELS_SLOT = 0n
const registryAddress = createAddressFromString(MODEL_REGISTRY_ADDRESS)

/**
 * Storage slot of the first word of `models[keccak256(bytes(cid))]`:
 * `keccak256(abi.encode(keccak256(bytes(cid)), uint256(0)))`.
 */
export function modelEntrySlot(cid: string): Uint8Array {
  const preimage = new Uint8Array(64)
  preimage.set(keccak256(stringToBytes(cid)), 0)
  preimage[63] = Number(MODELS_SLOT)
  return keccak256(preimage)
}

/**
 * Decodes the packed first word of a Model. Accepts a word with leading zeros stripped
 * (as ethereumjs's `getStorage` returns it), including the empty word of an unset slot.
 *
 * @throws InvalidStorageWordError if `word` is longer than 32 bytes
 */
export function decodeModelEntryWord(word: Uint8Array): ModelEntry {
  if (word.length > 32) throw new InvalidStorageWordError(word.length)
  let value = 0n
  for (const byte of word) value = (value << 8n) | BigInt(byte)
  const owner = value & ((1n << 160n) - 1n)
  return {
    registered: owner !== 0n,
    owner: getAddress(`0x${owner.toString(16).padStart(40, '0')}`),
    modes: Number((value >> 160n) & 0xffn),
    isPrivate: ((value >> 168n) & 0xffn) !== 0n,
    workUnits: (value >> 176n) & 0xffff_ffff_ffff_ffffn,
  }
}

/**
 * Reads the entry of `cid` from the ModelRegistry at MODEL_REGISTRY_ADDRESS.
 *
 * @example
 * const entry = await readModelEntry(vm.stateManager, cid)
 * if (!entry.registered || !supportsMode(entry, request.mode)) ...
 */
export async function readModelEntry(stateManager: StorageReader, cid: string): Promise<ModelEntry> {
  return decodeModelEntryWord(await stateManager.getStorage(registryAddress, modelEntrySlot(cid)))
}

/** Whether the entry's `modes` bitmask includes `mode`. */
export function supportsMode(entry: Pick<ModelEntry, 'modes'>, mode: ModelInferenceMode): boolean {
  return mode >= 0 && mode < 8 && (entry.modes & (1 << mode)) !== 0
}
