/** Shared material for the TEE tests: the genuine Nitro document, a dev enclave, typed-error checks. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createHash } from 'node:crypto'
import { expect } from 'vitest'
import type { Hex } from 'viem'
import { findProjectRoot } from '../../src/contracts/files.js'
import { TeeError, type TeeBinding, type TeeErrorCode } from '../../src/tee/index.js'

export const NITRO_DOCUMENT = new Uint8Array(
  Buffer.from(readFileSync(join(findProjectRoot(), 'test/fixtures/tee/nitro-attestation-2024-09-06.b64'), 'utf8').trim(), 'base64'),
)
/** The genuine document's own `timestamp` (2024-09-06T04:33:12.729Z). */
export const NITRO_TIMESTAMP_MS = 1725597192729

/** A fixed image measurement, so unit tests do not depend on a build of dist/. */
export const TEST_IMAGE = {
  pcr0: new Uint8Array(createHash('sha384').update('test image').digest()),
  pcr1: new Uint8Array(createHash('sha384').update('test runtime').digest()),
  pcr2: new Uint8Array(createHash('sha384').update('test code').digest()),
}

export const BINDING: TeeBinding = {
  chainId: 424_242n,
  requestId: `0x${'a1'.repeat(32)}` as Hex,
  modelCid: 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy',
  inputHash: `0x${'b2'.repeat(32)}` as Hex,
  outputHash: `0x${'c3'.repeat(32)}` as Hex,
}

export function flip(bytes: Uint8Array, index: number, mask = 0x01): Uint8Array {
  const copy = Uint8Array.from(bytes)
  copy[index]! ^= mask
  return copy
}

/** Runs `fn` and returns the TeeError it threw; fails if it returned or threw anything else. */
export function teeErrorOf(fn: () => unknown): TeeError {
  try {
    fn()
  } catch (err) {
    if (err instanceof TeeError) return err
    throw new Error(`expected a TeeError, got ${String(err)}`, { cause: err })
  }
  throw new Error('expected a TeeError, nothing was thrown')
}

export function expectTeeError(fn: () => unknown, code: TeeErrorCode | readonly TeeErrorCode[]): TeeError {
  const err = teeErrorOf(fn)
  expect(typeof code === 'string' ? [code] : code).toContain(err.code)
  return err
}

/** Where `part` sits in `whole` (first occurrence). */
export function offsetOf(whole: Uint8Array, part: Uint8Array): number {
  const at = Buffer.from(whole.buffer, whole.byteOffset, whole.byteLength).indexOf(Buffer.from(part.buffer, part.byteOffset, part.byteLength))
  if (at < 0) throw new Error('part not found')
  return at
}
