/**
 * ZK mode on chain: the `ZkInferences` system contract's storage as the precompile reads and writes
 * it, and the statement hashes computed from chain tensors.
 *
 * The precompile cannot call a contract, so — like `registry-reader.ts` for ModelRegistry — it
 * reads the model's ZK setup from one storage word and writes the pending record's four words
 * directly. The layout is fixed by `src/contracts/ZkInferences.sol` (tests pin it against solc's
 * storage layout): `models` is slot 0, its first word packs (from the low-order end) `address
 * verifier; uint8 fractionBits; uint8 inputBits; uint8 outputBits`; `records` is slot 1, each entry
 * four words: modelKey, inputHash, outputHash, and (node, uint64 dueBlock, uint8 status, uint8 failure).
 */
import { createAddressFromString } from '@ethereumjs/util'
import { getAddress, hexToBytes, stringToBytes, type Address, type Hex } from 'viem'
import { keccak256 } from '../crypto/native.js'
import type { ModelInput, ModelOutput } from '../evm/types.js'
import { ZK_INFERENCES_ADDRESS } from '../params.js'
import { mappingSlot, word, wordToBigint as toBigint, type StorageReader, type StorageWriter } from '../evm/storage-slots.js'
import { ZkInputError } from './errors.js'
import { fromTensorNumber, quantizeDecimal } from './fixed-point.js'
import { offsetSigned, packedHash } from './poseidon.js'

/** The parameters of a model's ZK setup the chain needs to hash its inputs and outputs. */
export interface ZkModelEntry {
  /** False when the model has no ZK setup (no verifier registered). */
  registered: boolean
  verifier: Address
  fractionBits: number
  inputBits: number
  outputBits: number
}

export const ZkRecordStatus = { None: 0, Pending: 1, Verified: 2, Failed: 3 } as const
export const ZkFailure = { None: 0, InvalidProof: 1, Late: 2, Missing: 3 } as const

export interface ZkRecordEntry {
  modelKey: Hex
  inputHash: bigint
  outputHash: bigint
  node: Address
  dueBlock: bigint
  status: number
  failure: number
}

export type { StorageReader, StorageWriter } from '../evm/storage-slots.js'

const MODELS_SLOT = 0n
const RECORDS_SLOT = 1n
const contract = createAddressFromString(ZK_INFERENCES_ADDRESS)

/** keccak256(bytes(cid)), the key of a model in both registries. */
export function modelKey(cid: string): Hex {
  return `0x${Buffer.from(keccak256(stringToBytes(cid))).toString('hex')}`
}

export function zkModelSlot(cid: string): Uint8Array {
  return word(mappingSlot(hexToBytes(modelKey(cid)), MODELS_SLOT))
}

/** The four storage keys of `records[requestId]`. */
export function zkRecordSlots(requestId: Hex): Uint8Array[] {
  const base = mappingSlot(hexToBytes(requestId), RECORDS_SLOT)
  return [0n, 1n, 2n, 3n].map((i) => word(base + i))
}

/** Decodes the first word of a ZkModel (leading zeros may be stripped, as ethereumjs returns them). */
export function decodeZkModelWord(bytes: Uint8Array): ZkModelEntry {
  const v = toBigint(bytes)
  const verifier = v & ((1n << 160n) - 1n)
  return {
    registered: verifier !== 0n,
    verifier: getAddress(`0x${verifier.toString(16).padStart(40, '0')}`),
    fractionBits: Number((v >> 160n) & 0xffn),
    inputBits: Number((v >> 168n) & 0xffn),
    outputBits: Number((v >> 176n) & 0xffn),
  }
}

/**
 * A model's ZK setup as registered in ZkInferences.
 *
 * @example
 * const zk = await readZkModelEntry(vm.stateManager, cid)
 * if (!zk.registered) revert('ZK_NOT_REGISTERED')
 */
export async function readZkModelEntry(state: StorageReader, cid: string): Promise<ZkModelEntry> {
  return decodeZkModelWord(await state.getStorage(contract, zkModelSlot(cid)))
}

/** Writes a pending record: what its proof must state, who owes it, and by which block. */
export async function writeZkRecord(
  state: StorageWriter,
  requestId: Hex,
  record: { modelCid: string; inputHash: bigint; outputHash: bigint; node: Address; dueBlock: bigint },
): Promise<void> {
  const [s0, s1, s2, s3] = zkRecordSlots(requestId) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array]
  const packed = BigInt(record.node) | (record.dueBlock << 160n) | (BigInt(ZkRecordStatus.Pending) << 224n)
  await state.putStorage(contract, s0, hexToBytes(modelKey(record.modelCid)))
  await state.putStorage(contract, s1, word(record.inputHash))
  await state.putStorage(contract, s2, word(record.outputHash))
  await state.putStorage(contract, s3, word(packed))
}

/** Reads `records[requestId]` (status None when there is none). */
export async function readZkRecord(state: StorageReader, requestId: Hex): Promise<ZkRecordEntry> {
  const [s0, s1, s2, s3] = await Promise.all(zkRecordSlots(requestId).map((slot) => state.getStorage(contract, slot)))
  const packed = toBigint(s3!)
  return {
    modelKey: `0x${toBigint(s0!).toString(16).padStart(64, '0')}`,
    inputHash: toBigint(s1!),
    outputHash: toBigint(s2!),
    node: getAddress(`0x${(packed & ((1n << 160n) - 1n)).toString(16).padStart(40, '0')}`),
    dueBlock: (packed >> 160n) & 0xffff_ffff_ffff_ffffn,
    status: Number((packed >> 224n) & 0xffn),
    failure: Number((packed >> 232n) & 0xffn),
  }
}

/**
 * The input hash a proof must state, from a chain request: the values of its one number tensor, in
 * order, quantized exactly (`quantizeDecimal`) and packed at `inputBits`. The same as
 * `inputHash(model, quantizeModelInput(model, input))` for a well-formed request.
 *
 * @throws ZkInputError for string tensors, several tensors, or a value outside the input range
 */
export function chainInputHash(entry: Pick<ZkModelEntry, 'fractionBits' | 'inputBits'>, input: ModelInput): bigint {
  if (input.strings.length > 0 || input.numbers.length !== 1) throw new ZkInputError('a ZK request takes exactly one number tensor')
  const limit = 1n << BigInt(entry.inputBits - 1)
  const q = input.numbers[0]!.values.map((v, index) => {
    if (v.decimals > 77n || v.decimals < -77n) throw new ZkInputError(`input value ${index} has |decimals| above 77`)
    const x = quantizeDecimal(v.value, v.decimals, entry.fractionBits)
    if (x < -limit || x >= limit) {
      const range = 2 ** (entry.inputBits - 1 - entry.fractionBits)
      throw new ZkInputError(`input value ${index} is outside the model's ZK input range [-${range}, ${range})`, { index })
    }
    return x
  })
  return packedHash('input', offsetSigned(q, entry.inputBits), entry.inputBits)
}

/**
 * The output hash a proof must state for a chain output, or undefined when the output is not an
 * exact ZK output (one number tensor, every value q · 5^F with F decimals, q within `outputBits`).
 */
export function chainOutputHash(entry: Pick<ZkModelEntry, 'fractionBits' | 'outputBits'>, output: ModelOutput): bigint | undefined {
  if (output.strings.length > 0 || output.jsons.length > 0 || output.numbers.length !== 1) return undefined
  const limit = 1n << BigInt(entry.outputBits - 1)
  const q: bigint[] = []
  for (const v of output.numbers[0]!.values) {
    const x = fromTensorNumber(v, entry.fractionBits)
    if (x === undefined || x < -limit || x >= limit) return undefined
    q.push(x)
  }
  return packedHash('output', offsetSigned(q, entry.outputBits), entry.outputBits)
}
