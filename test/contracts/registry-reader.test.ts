import { concatHex, hexToBytes, numberToHex, zeroAddress } from 'viem'
import { describe, expect, it } from 'vitest'
import { decodeModelEntryWord, InvalidStorageWordError, supportsMode } from '../../src/evm/registry-reader.js'
import { ModelInferenceMode } from '../../src/evm/types.js'

const OWNER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'

/** Packs the first Model slot the way Solidity does: workUnits | isPrivate | modes | owner (high to low). */
function pack(owner: string, modes: number, isPrivate: boolean, workUnits: bigint): Uint8Array {
  return hexToBytes(
    concatHex(['0x0000', numberToHex(workUnits, { size: 8 }), isPrivate ? '0x01' : '0x00', numberToHex(modes, { size: 1 }), owner as `0x${string}`]),
  )
}

describe('decodeModelEntryWord', () => {
  it('unpacks every field of a full 32-byte word', () => {
    const word = pack(OWNER, 0b101, true, 0x0102_0304_0506_0708n)
    expect(word.length).toBe(32)
    expect(decodeModelEntryWord(word)).toEqual({ registered: true, owner: OWNER, modes: 5, isPrivate: true, workUnits: 0x0102_0304_0506_0708n })
  })

  it('reads a word with leading zeros stripped the same as the padded one', () => {
    const word = pack(OWNER, 1, false, 0n)
    const stripped = word.slice(word.findIndex((b) => b !== 0))
    expect(stripped.length).toBeLessThan(32)
    expect(decodeModelEntryWord(stripped)).toEqual(decodeModelEntryWord(word))
  })

  it('reads an empty slot as not registered', () => {
    expect(decodeModelEntryWord(new Uint8Array())).toEqual({ registered: false, owner: zeroAddress, modes: 0, isPrivate: false, workUnits: 0n })
  })

  it('rejects a word longer than 32 bytes', () => {
    expect(() => decodeModelEntryWord(new Uint8Array(33))).toThrow(InvalidStorageWordError)
  })
})

describe('supportsMode', () => {
  it('tests the (1 << mode) bit', () => {
    const entry = { modes: 0b101 }
    expect(supportsMode(entry, ModelInferenceMode.VANILLA)).toBe(true)
    expect(supportsMode(entry, ModelInferenceMode.ZK)).toBe(false)
    expect(supportsMode(entry, ModelInferenceMode.TEE)).toBe(true)
    expect(supportsMode(entry, 9 as ModelInferenceMode)).toBe(false)
  })
})
