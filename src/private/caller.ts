/**
 * The account that called the precompile (`msg.sender` of its frame). ethereumjs hands a precompile
 * its input, gas and EVM but not the message, so every EVM the chain builds records the caller of
 * each message as it starts (`beforeMessage`, emitted synchronously right before a frame runs —
 * the precompile's own frame included). The VM is used by one writer at a time (DESIGN §8), so the
 * latest message when the precompile runs is the one that called it.
 */
import type { Address } from 'viem'

interface MessageLike {
  caller?: { toString(): string }
}
interface EvmEvents {
  events?: { on(topic: 'beforeMessage', listener: (message: MessageLike) => void): unknown }
}

const latestCaller = new WeakMap<object, Address>()
const tracked = new WeakSet<object>()

/**
 * Records, for `evm`, the caller of every message it runs. Call once per EVM, when it is built,
 * before it runs anything (src/chain/chain.ts does): producers and followers then see the same caller.
 *
 * @example
 * const vm = await createVM({ ... }); trackMessageCallers(vm.evm)
 */
export function trackMessageCallers(evm: object): void {
  if (tracked.has(evm)) return
  const events = (evm as EvmEvents).events
  if (events === undefined) return
  tracked.add(evm)
  events.on('beforeMessage', (message) => {
    if (message.caller !== undefined) latestCaller.set(evm, message.caller.toString() as Address)
  })
}

/** The caller of the running precompile frame, or undefined on an EVM that is not tracked. */
export function precompileCaller(evm: object): Address | undefined {
  return tracked.has(evm) ? latestCaller.get(evm) : undefined
}
