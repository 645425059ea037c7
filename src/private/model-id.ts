/**
 * Private model ids: `private:0x<64 hex digits>`, the 32-byte Poseidon commitment to the model's
 * quantized weights (`src/zk/statement.ts` `modelCommitment`, the first public signal of every ZK
 * proof for the model). The `private:` prefix cannot begin a hub CID (base32, no colon), so the two
 * never collide, and ModelRegistry treats any id with this prefix as private whether or not its owner
 * has flagged it yet (`mayServe`).
 */
import { PrivateModelError } from './errors.js'

export const PRIVATE_MODEL_PREFIX = 'private:'
const ID = /^private:0x[0-9a-f]{64}$/

/** The id of the model committed to by `commitment` (a BN254 field element). */
export function privateModelId(commitment: bigint): string {
  if (commitment < 0n || commitment >= 1n << 256n) throw new PrivateModelError('BAD_PRIVATE_MODEL_ID', `commitment ${commitment} is not a 256-bit value`)
  return `${PRIVATE_MODEL_PREFIX}0x${commitment.toString(16).padStart(64, '0')}`
}

/** Whether `id` names a private model (prefix only: what the chain's contracts check too). */
export function isPrivateModelId(id: string): boolean {
  return id.startsWith(PRIVATE_MODEL_PREFIX)
}

/**
 * The commitment an id names, as the bytes32 ModelRegistry keeps (`weightsCommitment`).
 *
 * @throws PrivateModelError BAD_PRIVATE_MODEL_ID
 */
export function commitmentOfId(id: string): `0x${string}` {
  if (!ID.test(id)) throw new PrivateModelError('BAD_PRIVATE_MODEL_ID', `"${id.slice(0, 80)}" is not a private model id (private:0x + 64 lowercase hex digits)`)
  return id.slice(PRIVATE_MODEL_PREFIX.length) as `0x${string}`
}
