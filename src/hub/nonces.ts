/**
 * The nonces signed hub requests have used. A nonce is spent once per signer; it is remembered until
 * its signature expires (after that the expiry refuses a replay anyway), in memory and in an
 * append-only log, so that a restarted hub still refuses replays of recent requests.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs'
import { HubError } from './errors.js'

export class NonceBook {
  private readonly spent = new Map<string, number>()

  /** `logPath` undefined: memory only (tests). */
  constructor(private readonly logPath?: string) {
    if (logPath) this.load(logPath)
  }

  /**
   * Spends `nonce` for `signer` (synchronously, so two concurrent replays cannot both pass).
   *
   * @throws HubError `NONCE_REUSED`
   */
  spend(signer: string, nonce: string, expiry: bigint, nowSeconds = Math.floor(Date.now() / 1000)): void {
    const key = `${signer.toLowerCase()}:${nonce.toLowerCase()}`
    const known = this.spent.get(key)
    if (known !== undefined && known >= nowSeconds) throw new HubError('NONCE_REUSED', `nonce ${nonce} was already used by ${signer}`, { details: { signer, nonce } })
    this.spent.set(key, Number(expiry))
    if (this.logPath) appendFileSync(this.logPath, `${key} ${expiry}\n`)
    if (this.spent.size % 1024 === 0) this.prune(nowSeconds)
  }

  get size(): number {
    return this.spent.size
  }

  private prune(nowSeconds: number): void {
    for (const [key, expiry] of this.spent) if (expiry < nowSeconds) this.spent.delete(key)
  }

  /** Reads the log, keeps the unexpired entries and rewrites it compacted. */
  private load(path: string): void {
    let text = ''
    try {
      text = readFileSync(path, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
    const now = Math.floor(Date.now() / 1000)
    for (const line of text.split('\n')) {
      const [key, expiry] = line.split(' ')
      if (key && expiry && Number(expiry) >= now) this.spent.set(key, Number(expiry))
    }
    writeFileSync(path, [...this.spent].map(([k, e]) => `${k} ${e}\n`).join(''))
  }
}
