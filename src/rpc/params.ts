/**
 * Parameter schemas for the JSON-RPC methods (zod). `parse` turns a failure into a -32602 whose
 * message names the parameter and, inside objects, the field (`transaction.to: expected ...`).
 */
import { hexToBytes } from '@ethereumjs/util'
import type { Hex } from 'viem'
import { z } from 'zod'
import { invalidParams } from './errors.js'
import type { CallRequest } from './types.js'

/** A 20-byte address, any case (the checksum is not enforced, as geth does not). */
export const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 20-byte hex address')
/** A 32-byte hash. */
export const hash32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'expected a 32-byte hex hash')
/** Hex bytes: `0x` and an even number of hex digits. */
// An even length and hex digits, checked apart: a repeated group (`(..)*`) costs ~10 µs a kilobyte.
export const hexData = z.string().refine((v) => v.length % 2 === 0 && /^0x[0-9a-fA-F]*$/.test(v), 'expected 0x-prefixed hex bytes')
/** A hex quantity as the execution API defines it: no leading zeros, `0x0` for zero. */
export const quantity = z
  .string()
  .regex(/^0x(0|[1-9a-fA-F][0-9a-fA-F]*)$/, 'expected a hex quantity without leading zeros')
  .transform((v) => BigInt(v))
/** A count given as a hex quantity or a plain JSON number (eth_feeHistory's blockCount). */
export const countParam = z.union([quantity, z.number().int().nonnegative().transform(BigInt)], {
  error: 'expected a hex quantity or a non-negative integer',
})
/** A storage slot: up to 32 bytes of hex, leading zeros allowed (clients send both forms). */
export const storageSlot = z
  .string()
  .regex(/^0x[0-9a-fA-F]{1,64}$/, 'expected a storage slot of at most 32 bytes')
  .transform((v) => hexToBytes(`0x${v.slice(2).padStart(64, '0')}`))
/** `true` for full transaction objects, `false` (default) for hashes. */
export const fullTransactions = z.boolean({ error: 'expected a boolean' }).optional().transform((v) => v ?? false)

export const BLOCK_TAGS = ['latest', 'pending', 'earliest', 'safe', 'finalized'] as const
export type BlockTag = (typeof BLOCK_TAGS)[number]

/** A block as a method names it, before it is resolved against the chain. */
export type BlockSelector = { tag: BlockTag } | { number: bigint } | { hash: Hex }

const BLOCK_NUMBER = /^0x[0-9a-fA-F]{1,16}$/
const blockString = z
  .string()
  .refine((s) => (BLOCK_TAGS as readonly string[]).includes(s) || BLOCK_NUMBER.test(s), {
    error: `expected a hex block number or one of ${BLOCK_TAGS.join(', ')}`,
  })
  .transform((s): BlockSelector => ((BLOCK_TAGS as readonly string[]).includes(s) ? { tag: s as BlockTag } : { number: BigInt(s) }))

/** A block tag, a hex number, or an EIP-1898 object `{ blockHash }` / `{ blockNumber }`. */
export const blockSelector = z.union(
  [
    blockString,
    z.strictObject({ blockHash: hash32, requireCanonical: z.boolean().optional() }).transform((o): BlockSelector => ({ hash: o.blockHash as Hex })),
    z.strictObject({ blockNumber: z.string().regex(BLOCK_NUMBER) }).transform((o): BlockSelector => ({ number: BigInt(o.blockNumber) })),
  ],
  { error: `expected a block tag (${BLOCK_TAGS.join(', ')}), a hex block number, { blockHash } or { blockNumber }` },
)

/** An `eth_call` / `eth_estimateGas` transaction object; `input` and `data` are both accepted. */
export const callRequest = z
  .object({
    from: address.optional(),
    to: address.nullish(),
    gas: quantity.optional(),
    gasPrice: quantity.optional(),
    maxFeePerGas: quantity.optional(),
    maxPriorityFeePerGas: quantity.optional(),
    value: quantity.optional(),
    data: hexData.optional(),
    input: hexData.optional(),
    nonce: quantity.optional(),
  })
  .refine((r) => r.data === undefined || r.input === undefined || r.data.toLowerCase() === r.input.toLowerCase(), {
    error: 'both "data" and "input" are set and differ',
    path: ['input'],
  })
  .refine((r) => r.gasPrice === undefined || (r.maxFeePerGas === undefined && r.maxPriorityFeePerGas === undefined), {
    error: 'both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified',
    path: ['gasPrice'],
  })
  .transform(
    (r): CallRequest => ({
      from: r.from?.toLowerCase() as Hex | undefined,
      to: r.to?.toLowerCase() as Hex | undefined,
      gas: r.gas,
      gasPrice: r.gasPrice,
      maxFeePerGas: r.maxFeePerGas,
      maxPriorityFeePerGas: r.maxPriorityFeePerGas,
      value: r.value,
      data: (r.input ?? r.data) as Hex | undefined,
      nonce: r.nonce,
    }),
  )

/** One topic position: null (any), a hash, or an OR-list in which a null also means any. */
const topicPosition = z
  .union([z.null(), hash32, z.array(z.union([hash32, z.null()]))], { error: 'expected null, a 32-byte topic or an array of them' })
  .transform((t): string[] | null => {
    if (t === null) return null
    const alternatives = Array.isArray(t) ? t : [t]
    if (alternatives.length === 0 || alternatives.includes(null)) return null
    return (alternatives as string[]).map((x) => x.toLowerCase())
  })

/** A log filter after validation: addresses lowercased, each topic position null (any) or a set. */
export interface LogFilter {
  fromBlock?: BlockSelector
  toBlock?: BlockSelector
  blockHash?: Hex
  /** Empty: any address. */
  addresses: Hex[]
  topics: (Hex[] | null)[]
}

/** `eth_getLogs` / `eth_subscribe('logs')` filter. */
export const logFilter = z
  .object({
    fromBlock: blockSelector.optional(),
    toBlock: blockSelector.optional(),
    blockHash: hash32.optional(),
    address: z.union([address, z.array(address)], { error: 'expected an address or an array of addresses' }).nullish(),
    topics: z.array(topicPosition).max(4, 'at most 4 topic positions').nullish(),
  })
  .refine((f) => f.blockHash === undefined || (f.fromBlock === undefined && f.toBlock === undefined), {
    error: 'cannot specify both blockHash and fromBlock/toBlock',
    path: ['blockHash'],
  })
  .transform(
    (f): LogFilter => ({
      fromBlock: f.fromBlock,
      toBlock: f.toBlock,
      blockHash: f.blockHash?.toLowerCase() as Hex | undefined,
      addresses: (f.address == null ? [] : Array.isArray(f.address) ? f.address : [f.address]).map((a) => a.toLowerCase() as Hex),
      topics: (f.topics ?? []) as (Hex[] | null)[],
    }),
  )

/** eth_feeHistory's reward percentiles: 0..100, monotonically increasing. */
export const rewardPercentiles = z
  .array(z.number().min(0).max(100), { error: 'expected an array of numbers from 0 to 100' })
  .refine((ps) => ps.every((p, i) => i === 0 || p >= ps[i - 1]!), { error: 'percentiles must be monotonically increasing' })
  .nullish()
  .transform((ps) => ps ?? [])

/**
 * Parses one positional parameter; a failure is a -32602 naming `name` and the failing field.
 *
 * @example
 * const who = parse(address, params[0], 'address')
 */
export function parse<T>(schema: z.ZodType<T>, value: unknown, name: string): T {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const issue = result.error.issues[0]
  const where = [name, ...(issue?.path ?? [])].join('.')
  throw invalidParams(`${where}: ${issue?.message ?? 'invalid'}`)
}

/**
 * Hex (already validated by its schema) to bytes, by Node's decoder: ethereumjs's `hexToBytes`
 * checks every character with a regular expression again (~2% of the node's CPU under a stream of
 * `eth_sendRawTransaction`). The copy gives the bytes their own buffer, never the shared pool.
 */
export function bytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex.slice(2), 'hex'))
}
