/**
 * Resolving block selectors against the chain. Blocks are final once produced (one validator),
 * so `safe` and `finalized` are the head, and `pending` reads the head's state too.
 */
import type { Block } from '@ethereumjs/block'
import { headerNotFound } from './errors.js'
import { blockSelector, bytes, parse, type BlockSelector } from './params.js'
import type { RpcBackend } from './types.js'

/** Block lookups shared by the eth_* methods. */
export interface BlockResolver {
  /** The selector's block number; undefined when it names no block the node has. */
  numberOf(selector: BlockSelector | undefined): Promise<bigint | undefined>
  /** A raw block param (absent = `latest`) as a number for a state read; -32000 "header not found" if unknown. */
  stateBlock(param: unknown, name?: string): Promise<bigint>
  /** A raw block param as a block; undefined if the node does not have it. */
  block(param: unknown, name?: string): Promise<Block | undefined>
}

/**
 * @example
 * const blocks = createBlockResolver(backend)
 * const n = await blocks.stateBlock(params[1])
 */
export function createBlockResolver(backend: RpcBackend): BlockResolver {
  async function numberOf(selector: BlockSelector | undefined): Promise<bigint | undefined> {
    const head = backend.headNumber()
    if (selector === undefined) return head
    if ('tag' in selector) return selector.tag === 'earliest' ? 0n : head
    if ('number' in selector) return selector.number <= head ? selector.number : undefined
    return (await backend.blockByHash(bytes(selector.hash)))?.header.number
  }
  const selectorOf = (param: unknown, name: string) => (param === undefined || param === null ? undefined : parse(blockSelector, param, name))

  return {
    numberOf,
    async stateBlock(param, name = 'block') {
      const number = await numberOf(selectorOf(param, name))
      if (number === undefined) throw headerNotFound()
      return number
    },
    async block(param, name = 'block') {
      const selector = parse(blockSelector, param, name)
      if ('hash' in selector) return backend.blockByHash(bytes(selector.hash))
      const number = await numberOf(selector)
      return number === undefined ? undefined : backend.blockByNumber(number)
    },
  }
}
