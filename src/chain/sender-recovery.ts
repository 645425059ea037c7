/**
 * secp256k1 public-key recovery on a worker thread. Recovering a transaction's sender is the one
 * expensive step of admission (~85–140 µs natively on this machine, ~10% of the node's time under
 * a stream of transfers) and needs nothing from the chain, so it runs beside the event loop, which
 * meanwhile serves JSON-RPC and builds blocks. The worker only accelerates: whatever it cannot do
 * (it did not start, it failed, the signature is not one it handles) is left to the caller to do
 * on its own thread as before, so what is accepted or refused never depends on it.
 */
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

/** The worker: CommonJS, evaluated from this string, so it runs the same from sources and from dist. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const secp = require(workerData.secp256k1)
parentPort.on('message', ({ id, digest, signature, recovery }) => {
  try {
    parentPort.postMessage({ id, publicKey: secp.ecdsaRecover(signature, recovery, digest, false) })
  } catch {
    parentPort.postMessage({ id })
  }
})
`

interface Pending {
  resolve(publicKey: Uint8Array | undefined): void
}

class RecoveryWorker {
  private readonly pending = new Map<number, Pending>()
  private nextId = 0
  private broken = false

  constructor(private readonly worker: Worker) {
    worker.unref()
    worker.on('message', ({ id, publicKey }: { id: number; publicKey?: Uint8Array }) => {
      const waiting = this.pending.get(id)
      this.pending.delete(id)
      waiting?.resolve(publicKey)
    })
    const fail = () => {
      this.broken = true
      for (const waiting of this.pending.values()) waiting.resolve(undefined)
      this.pending.clear()
    }
    worker.on('error', fail)
    worker.on('exit', fail)
  }

  get usable(): boolean {
    return !this.broken
  }

  recover(digest: Uint8Array, signature: Uint8Array, recovery: number): Promise<Uint8Array | undefined> {
    const id = this.nextId++
    return new Promise((resolve) => {
      this.pending.set(id, { resolve })
      this.worker.postMessage({ id, digest, signature, recovery })
    })
  }
}

let shared: RecoveryWorker | undefined | null

function worker(): RecoveryWorker | undefined {
  if (shared === undefined) {
    try {
      const secp256k1 = createRequire(import.meta.url).resolve('secp256k1')
      shared = new RecoveryWorker(new Worker(WORKER_SOURCE, { eval: true, workerData: { secp256k1 } }))
    } catch {
      shared = null
    }
  }
  return shared?.usable ? shared : undefined
}

/**
 * The 65-byte uncompressed public key that signed `digest` (64-byte `r ‖ s`, recovery id 0 or 1),
 * recovered on the worker; undefined when the worker cannot say (the caller recovers it itself).
 */
export async function recoverOffThread(digest: Uint8Array, signature: Uint8Array, recovery: number): Promise<Uint8Array | undefined> {
  const recovering = worker()
  if (recovering === undefined) return undefined
  return recovering.recover(digest, signature, recovery)
}
