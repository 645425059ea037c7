/**
 * The VMs calls run on (`Chain.withCallVm`): each serves one call at a time, at most `max` exist at
 * once (the rest wait their turn), and a few idle ones are kept, caches warm, for the next calls.
 */
import type { Caches, MerkleStateManager } from '@ethereumjs/statemanager'
import type { Address } from '@ethereumjs/util'
import type { VM } from '@ethereumjs/vm'
import type { InferenceSession } from '../evm/session.js'

/** At most this many accounts, slots and codes a call read are read again after it (`ReadLog.warm`). */
const MAX_WARM_READS = 256

export interface CallVm {
  vm: VM
  /** Where this VM's precompile finds the session of the call it runs. */
  slot: { activeSession: InferenceSession | undefined }
  /** The state root its state manager is at (empty: not set yet). */
  root: Uint8Array
  reads: ReadLog
}

/**
 * Keeps a call VM's state caches warm. A call runs inside a checkpoint that is then reverted, and
 * the revert also drops every value the call merely *read* into the caches (ethereumjs records a
 * cache miss like a write), so every call would walk the tries again for the same accounts and
 * slots — the caller, the target, the model registry's entry. The log notes what a call reads
 * that is not cached; `warm` reads it again once the call is over, outside any checkpoint, where it
 * stays cached. Once warm, a call with the same reads leaves nothing to do.
 */
export class ReadLog {
  private readonly accounts = new Map<string, Address>()
  private readonly slots = new Map<string, { address: Address; key: Uint8Array }>()
  private readonly codes = new Map<string, Address>()
  private readonly read: Pick<MerkleStateManager, 'getAccount' | 'getStorage' | 'getCode'>

  /** Records, from now on, what `stateManager` reads past `caches` (its caches). */
  constructor(stateManager: MerkleStateManager, caches: Caches) {
    const read = {
      getAccount: stateManager.getAccount.bind(stateManager),
      getStorage: stateManager.getStorage.bind(stateManager),
      getCode: stateManager.getCode.bind(stateManager),
    }
    this.read = read
    stateManager.getAccount = (address) => {
      if (this.accounts.size < MAX_WARM_READS && caches.account?.get(address) === undefined) this.accounts.set(address.toString(), address)
      return read.getAccount(address)
    }
    stateManager.getStorage = (address, key) => {
      if (this.slots.size < MAX_WARM_READS && caches.storage?.get(address, key) === undefined) {
        this.slots.set(`${address.toString()}:${Buffer.from(key).toString('hex')}`, { address, key })
      }
      return read.getStorage(address, key)
    }
    stateManager.getCode = (address) => {
      if (this.codes.size < MAX_WARM_READS && caches.code?.get(address) === undefined) this.codes.set(address.toString(), address)
      return read.getCode(address)
    }
  }

  /** Reads again what was read past the caches since the last time. */
  async warm(): Promise<void> {
    if (this.accounts.size === 0 && this.slots.size === 0 && this.codes.size === 0) return
    const accounts = [...this.accounts.values()]
    const slots = [...this.slots.values()]
    const codes = [...this.codes.values()]
    this.accounts.clear()
    this.slots.clear()
    this.codes.clear()
    for (const address of accounts) await this.read.getAccount(address)
    for (const { address, key } of slots) await this.read.getStorage(address, key)
    for (const address of codes) await this.read.getCode(address)
  }
}

export class CallVmPool {
  private readonly idle: CallVm[] = []
  private inUse = 0
  private readonly waiting: Array<() => void> = []

  constructor(
    private readonly max: number,
    private readonly keepIdle = 4,
  ) {}

  async acquire(create: () => Promise<CallVm>): Promise<CallVm> {
    while (this.inUse >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve))
    this.inUse++
    try {
      return this.idle.pop() ?? (await create())
    } catch (err) {
      this.release(undefined, false)
      throw err
    }
  }

  /** Gives a VM back; one whose state may be inconsistent (`reusable` false) is dropped. */
  release(callVm: CallVm | undefined, reusable: boolean): void {
    this.inUse--
    if (callVm && reusable && this.idle.length < this.keepIdle) this.idle.push(callVm)
    this.waiting.shift()?.()
  }
}
