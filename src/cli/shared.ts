/** Option parsing and output helpers shared by the subcommands. */
import { InvalidArgumentError } from 'commander'
import type { Hex } from 'viem'

export function parsePort(value: string): number {
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535')
  return port
}

export function parsePositiveInt(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number')
  return n
}

export function parseCount(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number, 0 or more')
  return n
}

export function parsePrivateKey(value: string): Hex {
  if (!/^0x[0-9a-fA-F]{64}$/.test(value)) throw new InvalidArgumentError('a private key is 0x followed by 64 hex digits')
  return value as Hex
}

/** `--private-key`, else $INFERCHAIN_PRIVATE_KEY, else (devnets only) dev account #0. */
export async function resolvePrivateKey(flag: Hex | undefined, fallbackToDev: boolean): Promise<Hex> {
  const fromEnv = process.env.INFERCHAIN_PRIVATE_KEY
  if (flag) return flag
  if (fromEnv) return parsePrivateKey(fromEnv)
  // Loaded only here: deriving keys from the mnemonic pulls in BIP-39 and HD wallets.
  if (fallbackToDev) return (await import('../chain/dev-accounts.js')).devAccounts(1)[0]!.privateKey
  throw new InvalidArgumentError('give --private-key or set INFERCHAIN_PRIVATE_KEY')
}

/** JSON with bigints as decimal strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))
}

/** Stops `stop` on SIGINT/SIGTERM, once. */
export function onShutdown(stop: () => Promise<void>): void {
  let stopping = false
  const handler = () => {
    if (stopping) return
    stopping = true
    stop().then(
      () => process.exit(0),
      (err) => {
        process.stderr.write(`shutdown failed: ${String(err)}\n`)
        process.exit(1)
      },
    )
  }
  process.once('SIGINT', handler)
  process.once('SIGTERM', handler)
}

export const DEFAULT_RPC_URL = 'http://127.0.0.1:8545'
export const DEFAULT_HUB_URL = 'http://127.0.0.1:8546'
