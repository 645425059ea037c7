/**
 * Proof of authority with one sealer. The chain's genesis names the sealer (its `coinbase`); the
 * sealer signs the hash of every block it makes, and the 65-byte seal (`r ‖ s ‖ recovery`) travels
 * and is stored beside the block, the way a beacon block wraps an execution payload. The block hash
 * covers every header field — the records commitment and state root included — so the seal binds
 * them all. A follower accepts only blocks sealed by the genesis sealer: anyone can build a block that
 * replays correctly, only the producer may extend the chain.
 */
import type { Block } from '@ethereumjs/block'
import { bytesToHex, concatBytes, equalsBytes } from '@ethereumjs/util'
import { addressOfPublicKey, keccak256, recoverPublicKey, signDigest } from '../crypto/native.js'
import { errorMessage } from '../errors.js'

export const SEAL_LENGTH = 65
export const SEAL_ATTACHMENT = 'seal'

export function sealBlock(block: Block, sealerKey: Uint8Array): Uint8Array {
  const { signature, recovery } = signDigest(block.hash(), sealerKey)
  return concatBytes(signature, Uint8Array.of(recovery))
}

/** Why `block` with `seal` is not sealed by `sealer` (20-byte address), or undefined if it is. */
export function sealProblem(block: Block, seal: Uint8Array, sealer: Uint8Array): string | undefined {
  if (seal.length !== SEAL_LENGTH) return `the seal is ${seal.length} bytes, not ${SEAL_LENGTH}`
  if (!equalsBytes(block.header.coinbase.bytes, sealer)) return `coinbase ${block.header.coinbase} is not the sealer ${bytesToHex(sealer)}`
  const recovery = seal[64]!
  if (recovery > 1) return `the seal's recovery id ${recovery} is not 0 or 1`
  let signer: Uint8Array
  try {
    signer = addressOfPublicKey(recoverPublicKey(block.hash(), seal.subarray(0, 64), recovery))
  } catch (err) {
    return `the seal is not a valid signature: ${errorMessage(err)}`
  }
  if (!equalsBytes(signer, sealer)) return `sealed by ${bytesToHex(signer)}, not by the chain's sealer ${bytesToHex(sealer)}`
  return undefined
}

/**
 * The producer's proof, for its network status, that a libp2p peer id speaks for the sealer: a
 * seal over `keccak256("inferchain producer <chain id> <peer id>")`. Followers send transactions
 * only to a peer that shows one, so a peer merely claiming to be the producer cannot swallow them.
 */
export function producerClaim(chainId: bigint, peerId: string, sealerKey: Uint8Array): Uint8Array {
  const { signature, recovery } = signDigest(producerClaimDigest(chainId, peerId), sealerKey)
  return concatBytes(signature, Uint8Array.of(recovery))
}

export function isProducerClaimValid(chainId: bigint, peerId: string, claim: Uint8Array, sealer: Uint8Array): boolean {
  if (claim.length !== SEAL_LENGTH || claim[64]! > 1) return false
  try {
    return equalsBytes(addressOfPublicKey(recoverPublicKey(producerClaimDigest(chainId, peerId), claim.subarray(0, 64), claim[64]!)), sealer)
  } catch {
    return false // not a signature at all: no claim
  }
}

function producerClaimDigest(chainId: bigint, peerId: string): Uint8Array {
  return keccak256(new TextEncoder().encode(`inferchain producer ${chainId} ${peerId}`))
}
