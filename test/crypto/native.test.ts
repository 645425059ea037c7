import { describe, expect, it } from 'vitest'
import { getAddress, keccak256 as viemKeccak, toHex } from 'viem'
import { checksumAddress, keccak256 } from '../../src/crypto/native.js'
import { seededRandom } from '../../src/models/random.js'

describe('native crypto', () => {
  it('hashes like viem and checksums addresses exactly as EIP-55 (viem getAddress) does', () => {
    const random = seededRandom(3)
    for (let i = 0; i < 200; i++) {
      const bytes = Uint8Array.from({ length: 20 }, () => Math.floor(random() * 256))
      expect(checksumAddress(bytes)).toBe(getAddress(toHex(bytes)))
      expect(toHex(keccak256(bytes))).toBe(viemKeccak(bytes))
    }
  })
})
