/** Parameter parsing for JSON-RPC methods (zod): a bad parameter is a -32602 naming the parameter. */
import { z } from 'zod'
import { hexToBytes } from '@ethereumjs/util'
import type { Hex } from 'viem'
import { invalidParams } from './errors.js'
import type { CallRequest } from './types.js'

export const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 20-byte address')
export const hash32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'expected a 32-byte hash')
export const data = z.string().regex(/^0x([0-9a-fA-F]{2})*$/, 'expected hex data')
export const quantity = z
  .string()
  .regex(/^0x(0|[1-9a-fA-F][0-9a-fA-F]*)$/, 'expected a hex quantity')
  .transform((v) => BigInt(v))
/** Some clients send leading zeros in storage slots and block numbers: accepted where harmless. */
const looseQuantity = z.string().regex(/^0x[0-9a-fA-F]+$/, 'expected a hex quantity').transform((v) => BigInt(v))

export type BlockSelector = { tag: 'latest' | 'pending' | 'earliest' | 'safe' | 'finalized' } | { number: bigint } | { hash: Hex }

export const blockSelector = z.union([
  z.enum(['latest', 'pending', 'earliest', 'safe', 'finalized']).transform((tag): BlockSelector => ({ tag })),
  looseQuantity.transform((number): BlockSelector => ({ number })),
  z.object({ blockHash: hash32 }).transform((o): BlockSelector => ({ hash: o.blockHash as Hex })),
  z.object({ blockNumber: looseQuantity }).transform((o): BlockSelector => ({ number: o.blockNumber })),
])

export const callRequest = z
  .object({
    from: address.optional(),
    to: address.nullish(),
    gas: quantity.optional(),
    gasPrice: quantity.optional(),
    maxFeePerGas: quantity.optional(),
    maxPriorityFeePerGas: quantity.optional(),
    value: quantity.optional(),
    data: data.optional(),
    input: data.optional(),
    nonce: quantity.optional(),
  })
  .passthrough()
  .transform(
    (r): CallRequest => ({
      from: r.from as Hex | undefined,
      to: (r.to ?? undefined) as Hex | undefined,
      gas: r.gas,
      gasPrice: r.gasPrice,
      maxFeePerGas: r.maxFeePerGas,
      maxPriorityFeePerGas: r.maxPriorityFeePerGas,
      value: r.value,
      data: (r.input ?? r.data) as Hex | undefined,
      nonce: r.nonce,
    }),
  )

const topic = z.union([hash32, z.null(), z.array(z.union([hash32, z.null()]))])
export const logFilter = z.object({
  fromBlock: blockSelector.optional(),
  toBlock: blockSelector.optional(),
  blockHash: hash32.optional(),
  address: z.union([address, z.array(address)]).optional(),
  topics: z.array(topic).max(4).optional(),
})

/** Parses positional params; `names` label them in errors. Missing optional ones may be undefined. */
export function parse<T>(schema: z.ZodType<T>, value: unknown, name: string): T {
  const result = schema.safeParse(value)
  if (!result.success) throw invalidParams(`${name}: ${result.error.issues[0]?.message ?? 'invalid'}`)
  return result.data
}

export function bytes(hex: string): Uint8Array {
  return hexToBytes(hex as Hex)
}
