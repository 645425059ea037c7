/**
 * What a ZK inference node must not forget across a restart: the quantized inputs it answered
 * (a record on chain holds only their hash, and a proof needs the input itself) and the next block
 * it has to look at for records to prove.
 *
 * Inputs are one JSON line each, appended before the answer leaves the node, so a killed node
 * loses none (no fsync per answer: a power cut may lose the last few); the file is bounded: past `2 × limit` lines it is rewritten
 * with the newest `limit` entries (to a temp file, renamed in, so a crash leaves the old or the new
 * file whole). A torn last line from a crash is skipped when loading.
 */
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'

interface InputLine {
  cid: string
  inputHash: string
  /** Quantized input values, as decimal strings. */
  input: string[]
}

export class ProverState {
  readonly dir: string
  readonly #limit: number
  /** `${cid}|${inputHash}` → entry, oldest first. */
  readonly #inputs = new Map<string, { cid: string; input: bigint[] }>()
  #lines = 0
  #nextBlock: bigint | undefined
  /** Appends and rewrites run one at a time, in order. */
  #writes: Promise<unknown> = Promise.resolve()

  /** @param dir one directory per node (its address), e.g. `<zk cache>/provers/<address>` */
  constructor(dir: string, options: { limit?: number } = {}) {
    this.dir = dir
    this.#limit = options.limit ?? 10_000
  }

  get #inputsFile(): string {
    return path.join(this.dir, 'inputs.jsonl')
  }

  get #stateFile(): string {
    return path.join(this.dir, 'state.json')
  }

  /** Reads what an earlier run left (nothing, on a first start). */
  async load(): Promise<void> {
    await mkdir(this.dir, { recursive: true })
    const text = await readFile(this.#inputsFile, 'utf8').catch(missing(''))
    for (const line of text.split('\n')) {
      if (!line) continue
      this.#lines++
      try {
        const entry = JSON.parse(line) as InputLine
        this.#put(entry.cid, entry.inputHash, entry.input.map(BigInt))
      } catch {
        // A line torn by a crash mid-append: that answer's input is lost, the others are not.
      }
    }
    const state = await readFile(this.#stateFile, 'utf8').catch(missing(undefined))
    if (state) this.#nextBlock = BigInt((JSON.parse(state) as { nextBlock: string }).nextBlock)
  }

  /** The next block the node had not finished looking at when it stopped (undefined: never ran). */
  get nextBlock(): bigint | undefined {
    return this.#nextBlock
  }

  async setNextBlock(block: bigint): Promise<void> {
    this.#nextBlock = block
    await this.#serial(async () => {
      const tmp = `${this.#stateFile}.tmp`
      await writeFile(tmp, `${JSON.stringify({ nextBlock: block.toString() })}\n`)
      await rename(tmp, this.#stateFile)
    })
  }

  /** Remembers an answered input; resolves once it is on disk. */
  async remember(cid: string, inputHash: string, input: readonly bigint[]): Promise<void> {
    const key = this.#put(cid, inputHash, input)
    if (!key) return
    const line: InputLine = { cid, inputHash: inputHash.toLowerCase(), input: input.map(String) }
    await this.#serial(async () => {
      await appendFile(this.#inputsFile, `${JSON.stringify(line)}\n`)
      this.#lines++
      if (this.#lines > 2 * this.#limit) await this.#compact()
    })
  }

  /** The input answered for (cid, inputHash), if this node still knows it. */
  get(cid: string, inputHash: string): { cid: string; input: bigint[] } | undefined {
    return this.#inputs.get(`${cid}|${inputHash.toLowerCase()}`)
  }

  get size(): number {
    return this.#inputs.size
  }

  /** Waits for pending writes. */
  async flush(): Promise<void> {
    await this.#writes
  }

  /** Adds to the map (newest last, bounded); returns the key, or undefined if it was known already. */
  #put(cid: string, inputHash: string, input: readonly bigint[]): string | undefined {
    const key = `${cid}|${inputHash.toLowerCase()}`
    const known = this.#inputs.has(key)
    this.#inputs.delete(key)
    this.#inputs.set(key, { cid, input: [...input] })
    if (this.#inputs.size > this.#limit) this.#inputs.delete(this.#inputs.keys().next().value!)
    return known ? undefined : key
  }

  async #compact(): Promise<void> {
    const lines = [...this.#inputs].map(([key, e]) => JSON.stringify({ cid: e.cid, inputHash: key.slice(key.indexOf('|') + 1), input: e.input.map(String) } satisfies InputLine))
    const tmp = `${this.#inputsFile}.tmp`
    await writeFile(tmp, lines.length ? `${lines.join('\n')}\n` : '')
    await rename(tmp, this.#inputsFile)
    this.#lines = lines.length
  }

  #serial(run: () => Promise<void>): Promise<void> {
    const next = this.#writes.then(run, run)
    this.#writes = next.catch(() => undefined)
    return next
  }
}

function missing<T>(value: T): (err: NodeJS.ErrnoException) => T {
  return (err) => {
    if (err.code === 'ENOENT') return value
    throw err
  }
}
