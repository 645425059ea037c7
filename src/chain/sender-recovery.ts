/**
 * secp256k1 public-key recovery on a worker thread. Recovering a transaction's sender is the one
 * expensive step of admission (~85–140 µs natively on this machine, ~10% of the node's time under
 * a stream of transfers) and needs nothing from the chain, so it runs beside the event loop, which
 * meanwhile serves JSON-RPC and builds blocks. The worker only accelerates: whatever it cannot do
 * (it did not start, it failed, the signature is not one it handles) is left to the caller to do
 * on its own thread as before, so what is accepted or refused never depends on it.
 *
 * It pays where a core is free. On a saturated machine it gains little: waking the worker can then
 * cost the event loop its core for a while (`postMessage` was seen taking milliseconds at load 4 on
 * 2 cores), which is why requests are batched per turn of the event loop.
 */
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

/** Bytes per request: digest (32), r ‖ s (64), recovery id (1). Per answer: ok flag (1), key (65). */
const REQUEST_BYTES = 97
const ANSWER_BYTES = 66

/**
 * The worker: CommonJS, evaluated from this string, so it runs the same from sources and from
 * dist. Requests come in batches, packed in one transferred buffer; answers go back the same way.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const secp = require(workerData.secp256k1)
parentPort.on('message', (requests) => {
  const input = new Uint8Array(requests)
  const count = input.length / ${REQUEST_BYTES}
  const answers = new ArrayBuffer(count * ${ANSWER_BYTES})
  const output = new Uint8Array(answers)
  for (let i = 0; i < count; i++) {
    const at = i * ${REQUEST_BYTES}
    try {
      const key = secp.ecdsaRecover(input.subarray(at + 32, at + 96), input[at + 96], input.subarray(at, at + 32), false)
      output[i * ${ANSWER_BYTES}] = 1
      output.set(key, i * ${ANSWER_BYTES} + 1)
    } catch {}
  }
  parentPort.postMessage(answers, [answers])
})
`

type Answer = (publicKey: Uint8Array | undefined) => void

/**
 * Requests made during one turn of the event loop (several JSON-RPC requests are often read in one)
 * go to the worker as one message: posting costs a thread wake-up, which batching shares out.
 */
class RecoveryWorker {
  /** Batches sent, oldest first, each with the answers it waits for, in order. */
  private readonly inFlight: Answer[][] = []
  private queued: Array<{ request: Uint8Array; answer: Answer }> = []
  private broken = false

  constructor(private readonly worker: Worker) {
    worker.unref()
    worker.on('message', (answers: ArrayBuffer) => {
      const waiting = this.inFlight.shift() ?? []
      const output = new Uint8Array(answers)
      waiting.forEach((answer, i) => answer(output[i * ANSWER_BYTES] === 1 ? output.slice(i * ANSWER_BYTES + 1, (i + 1) * ANSWER_BYTES) : undefined))
    })
    const fail = () => {
      this.broken = true
      for (const batch of this.inFlight) for (const answer of batch) answer(undefined)
      this.inFlight.length = 0
    }
    worker.on('error', fail)
    worker.on('exit', fail)
  }

  get usable(): boolean {
    return !this.broken
  }

  recover(digest: Uint8Array, signature: Uint8Array, recovery: number): Promise<Uint8Array | undefined> {
    return new Promise((answer) => {
      const request = new Uint8Array(REQUEST_BYTES)
      request.set(digest, 0)
      request.set(signature, 32)
      request[96] = recovery
      if (this.queued.length === 0) setImmediate(() => this.send())
      this.queued.push({ request, answer })
    })
  }

  /**
   * Posts what is queued now instead of at the end of this turn of the event loop: a caller that
   * queued a whole batch and then works on through promise callbacks (which run before
   * `setImmediate`) would otherwise leave the worker idle until it is done.
   */
  flush(): void {
    if (this.queued.length > 0) this.send()
  }

  private send(): void {
    if (this.queued.length === 0) return
    const batch = this.queued
    this.queued = []
    if (this.broken) return batch.forEach(({ answer }) => answer(undefined))
    const packed = new ArrayBuffer(batch.length * REQUEST_BYTES)
    const view = new Uint8Array(packed)
    batch.forEach(({ request }, i) => view.set(request, i * REQUEST_BYTES))
    this.inFlight.push(batch.map(({ answer }) => answer))
    this.worker.postMessage(packed, [packed])
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
  if (recovering === undefined || digest.length !== 32 || signature.length !== 64 || (recovery !== 0 && recovery !== 1)) return undefined
  return recovering.recover(digest, signature, recovery)
}

/** Sends the recoveries queued in this turn of the event loop to the worker now (see `RecoveryWorker.flush`). */
export function flushOffThreadRecoveries(): void {
  shared?.flush()
}
