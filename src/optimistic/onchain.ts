/**
 * OPTIMISTIC mode on chain: InferenceSettlement's storage as the inference precompile reads and
 * writes it. Like ZK records (src/zk/onchain.ts), a claim is opened by writing storage directly, so
 * producing and replaying a block write the same words. The layout is fixed by
 * `src/contracts/InferenceSettlement.sol` (test/optimistic/onchain.test.ts pins it against solc's
 * storage layout): `claims` is slot 0, six words per entry — modelKey, inputHash, outputHash,
 * (node | uint64 windowEnd << 160 | uint8 status << 224), payer, fee; `stakes` is slot 1, three words
 * per entry — amount, unbonding, (uint64 unbondableAt | uint64 openClaims << 64); the chain parameters
 * `challengeWindow` and `minStake` are slots 2 and 3.
 */
import { createAddressFromString, type Address as EthjsAddress } from '@ethereumjs/util'
import { hexToBytes, type Address, type Hex } from 'viem'
import { addressField, mappingSlot, word, wordToBigint, type StorageReader, type StorageWriter } from '../evm/storage-slots.js'
import { modelKey } from '../zk/onchain.js'
import { INFERENCE_SETTLEMENT_ADDRESS } from '../params.js'
import { ClaimStatus } from '../contracts/system.js'

const CLAIMS_SLOT = 0n
const STAKES_SLOT = 1n
const CHALLENGE_WINDOW_SLOT = 2n
const MIN_STAKE_SLOT = 3n
const UINT64 = (1n << 64n) - 1n

export const settlementAddress: EthjsAddress = createAddressFromString(INFERENCE_SETTLEMENT_ADDRESS)

export interface OptimisticClaim {
  modelKey: Hex
  inputHash: Hex
  outputHash: Hex
  node: Address
  windowEnd: bigint
  status: number
  payer: Address
  fee: bigint
}

export interface NodeStake {
  amount: bigint
  unbonding: bigint
  unbondableAt: bigint
  openClaims: bigint
}

/** The storage keys of `claims[requestId]`, words 0..5. */
export function claimSlots(requestId: Hex): Uint8Array[] {
  const base = mappingSlot(hexToBytes(requestId), CLAIMS_SLOT)
  return [0n, 1n, 2n, 3n, 4n, 5n].map((i) => word(base + i))
}

/** The storage keys of `_stakes[node]`, words 0..2. */
export function stakeSlots(node: Address): Uint8Array[] {
  const base = mappingSlot(word(BigInt(node)), STAKES_SLOT)
  return [0n, 1n, 2n].map((i) => word(base + i))
}

/** The two parameters the precompile needs: the challenge window (blocks) and the minimum bonded stake (wei). */
export async function readClaimParams(state: StorageReader): Promise<{ challengeWindow: bigint; minStake: bigint }> {
  const [window, minStake] = await Promise.all([
    state.getStorage(settlementAddress, word(CHALLENGE_WINDOW_SLOT)),
    state.getStorage(settlementAddress, word(MIN_STAKE_SLOT)),
  ])
  return { challengeWindow: wordToBigint(window), minStake: wordToBigint(minStake) }
}

export async function readStake(state: StorageReader, node: Address): Promise<NodeStake> {
  const [amount, unbonding, packed] = (await Promise.all(stakeSlots(node).map((slot) => state.getStorage(settlementAddress, slot)))).map(wordToBigint)
  return { amount: amount!, unbonding: unbonding!, unbondableAt: packed! & UINT64, openClaims: (packed! >> 64n) & UINT64 }
}

/** What backs new claims: the stake not on its way out. */
export function bondedStake(stake: NodeStake): bigint {
  return stake.amount - stake.unbonding
}

/** Opens the claim of an OPTIMISTIC result and counts it against the node's stake (which it locks). */
export async function openClaim(
  state: StorageWriter,
  requestId: Hex,
  claim: { modelCid: string; inputHash: Hex; outputHash: Hex; node: Address; windowEnd: bigint; payer: Address; fee: bigint },
): Promise<void> {
  const slots = claimSlots(requestId)
  const packed = BigInt(claim.node) | (claim.windowEnd << 160n) | (BigInt(ClaimStatus.Open) << 224n)
  const words = [hexToBytes(modelKey(claim.modelCid)), hexToBytes(claim.inputHash), hexToBytes(claim.outputHash), word(packed), word(BigInt(claim.payer)), word(claim.fee)]
  for (let i = 0; i < words.length; i++) await state.putStorage(settlementAddress, slots[i]!, words[i]!)
  const stakeWord = stakeSlots(claim.node)[2]!
  const current = wordToBigint(await state.getStorage(settlementAddress, stakeWord))
  await state.putStorage(settlementAddress, stakeWord, word(current + (1n << 64n)))
}

/** Reads `claims[requestId]` (status None when there is none). */
export async function readClaim(state: StorageReader, requestId: Hex): Promise<OptimisticClaim> {
  const [key, input, output, packed, payer, fee] = (await Promise.all(claimSlots(requestId).map((slot) => state.getStorage(settlementAddress, slot)))).map(wordToBigint)
  const hex32 = (v: bigint): Hex => `0x${v.toString(16).padStart(64, '0')}`
  return {
    modelKey: hex32(key!),
    inputHash: hex32(input!),
    outputHash: hex32(output!),
    node: addressField(packed!),
    windowEnd: (packed! >> 160n) & UINT64,
    status: Number((packed! >> 224n) & 0xffn),
    payer: addressField(payer!),
    fee: fee!,
  }
}
