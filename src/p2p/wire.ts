/**
 * What inferchain nodes say to each other over libp2p: protocol ids and topics (scoped by chain id,
 * so nodes of different chains never mix), and the codecs of their messages. Blocks travel as their
 * RLP with the encoded inference records the header commits to and the sealer's seal; small control
 * messages are JSON,
 * validated on arrival like any untrusted input.
 */
import { RLP } from '@ethereumjs/rlp'
import { z } from 'zod'
import { P2pError } from './errors.js'

export function protocols(chainId: bigint) {
  const base = `/inferchain/${chainId}`
  return {
    /** Request: empty. Answer: `Status`. */
    status: `${base}/status/1`,
    /** Request: `BlocksRequest`. Answer: RLP list of bundles. */
    blocks: `${base}/blocks/1`,
    /** Request: a raw signed transaction. Answer: its hash (only the producer answers). */
    transaction: `${base}/tx/1`,
    /** Request: a 20-byte address. Answer: the producer's pending nonce as a decimal string. */
    pendingNonce: `${base}/pending-nonce/1`,
    /** Gossip topic of new blocks (a bundle each). */
    blocksTopic: `${base}/blocks`,
    /** Gossip topic of raw transactions for the producer's mempool. */
    transactionsTopic: `${base}/txs`,
  }
}

export type Protocols = ReturnType<typeof protocols>

const hex = z.string().regex(/^0x[0-9a-f]*$/)
const quantity = z.string().regex(/^[0-9]+$/)

const statusSchema = z.object({
  chainId: quantity,
  genesisHash: hex,
  head: quantity,
  headHash: hex,
  role: z.enum(['producer', 'follower']),
  /** The producer's: its peer id signed by the sealer key (see `producerClaim`). */
  producerClaim: hex.optional(),
  /** Multiaddrs (with /p2p/<id>) of this node and the peers it is connected to: how nodes find each other. */
  peers: z.array(z.string().max(512)).max(64),
})

export type Status = z.infer<typeof statusSchema>

const blocksRequestSchema = z.union([
  z.object({ from: quantity, count: z.number().int().min(1).max(1024) }),
  z.object({ hash: hex }),
])

export type BlocksRequest = z.infer<typeof blocksRequestSchema>

/** A block as it travels: its RLP, its encoded inference records (empty when none) and its seal. */
export interface BlockBundle {
  block: Uint8Array
  records: Uint8Array
  seal: Uint8Array
}

export const encodeJson = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value))

export function decodeStatus(bytes: Uint8Array): Status {
  return parseJson(statusSchema, bytes, 'status')
}

export function decodeBlocksRequest(bytes: Uint8Array): BlocksRequest {
  return parseJson(blocksRequestSchema, bytes, 'blocks request')
}

export function encodeBundles(bundles: BlockBundle[]): Uint8Array {
  return RLP.encode(bundles.map((b) => [b.block, b.records, b.seal]))
}

export function decodeBundles(bytes: Uint8Array): BlockBundle[] {
  let decoded: unknown
  try {
    decoded = RLP.decode(bytes)
  } catch (err) {
    throw new P2pError('P2P_BAD_MESSAGE', 'block bundles are not RLP', { cause: err })
  }
  if (!Array.isArray(decoded)) throw new P2pError('P2P_BAD_MESSAGE', 'block bundles are not an RLP list')
  return decoded.map((item: unknown) => {
    if (!Array.isArray(item) || item.length !== 3 || !item.every((part) => part instanceof Uint8Array)) {
      throw new P2pError('P2P_BAD_MESSAGE', 'a block bundle is not [block, records, seal]')
    }
    return { block: item[0] as Uint8Array, records: item[1] as Uint8Array, seal: item[2] as Uint8Array }
  })
}

export function encodeBundle(bundle: BlockBundle): Uint8Array {
  return encodeBundles([bundle])
}

export function decodeBundle(bytes: Uint8Array): BlockBundle {
  const bundles = decodeBundles(bytes)
  if (bundles.length !== 1) throw new P2pError('P2P_BAD_MESSAGE', `expected one block bundle, got ${bundles.length}`)
  return bundles[0]!
}

function parseJson<T>(schema: z.ZodType<T>, bytes: Uint8Array, what: string): T {
  let value: unknown
  try {
    value = JSON.parse(new TextDecoder().decode(bytes))
  } catch (err) {
    throw new P2pError('P2P_BAD_MESSAGE', `${what} is not JSON`, { cause: err })
  }
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw new P2pError('P2P_BAD_MESSAGE', `${what} is malformed: ${parsed.error.issues[0]?.message ?? 'invalid'}`)
  return parsed.data
}
