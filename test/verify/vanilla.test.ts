import { describe, expect, it } from 'vitest'
import { encodeAbiParameters, hexToBytes, keccak256, recoverAddress, toHex, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { hashModelInput, hashModelOutput } from '../../src/evm/abi.js'
import { ModelInferenceMode, type ModelInput, type ModelOutput, type SignedInferenceResult } from '../../src/evm/types.js'
import {
  VanillaVerificationError,
  recoverInferenceSigner,
  signInferenceResult,
  vanillaDigest,
  verifyVanillaResult,
} from '../../src/verify/vanilla.js'

const KEY: Hex = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
const ADDRESS = privateKeyToAccount(KEY).address
const CID = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'

const input: ModelInput = { numbers: [{ name: 'x', values: [{ value: 15n, decimals: 1n }], shape: [1] }], strings: [] }
const output: ModelOutput = {
  numbers: [{ name: 'y', values: [{ value: 123n, decimals: 8n }, { value: -7n, decimals: 8n }], shape: [2] }],
  strings: [{ name: 'label', values: ['cat'] }],
  jsons: [],
  isSimulationResult: false,
}

function signed(mode = ModelInferenceMode.VANILLA): SignedInferenceResult {
  const fields = { modelCid: CID, mode, inputHash: hashModelInput(input), outputHash: hashModelOutput(output) }
  return { ...fields, output, ...signInferenceResult(KEY, fields) }
}

function expectCode(fn: () => unknown, code: string) {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(VanillaVerificationError)
    expect((err as VanillaVerificationError).code).toBe(code)
    return
  }
  throw new Error(`expected ${code}, nothing was thrown`)
}

describe('vanillaDigest', () => {
  it('is keccak256 of the documented abi.encode', () => {
    const fields = { modelCid: CID, mode: ModelInferenceMode.TEE, inputHash: keccak256('0x01'), outputHash: keccak256('0x02') }
    const expected = keccak256(
      encodeAbiParameters(
        [{ type: 'string' }, { type: 'string' }, { type: 'uint8' }, { type: 'bytes32' }, { type: 'bytes32' }],
        ['inferchain.inference.v1', CID, 2, fields.inputHash, fields.outputHash],
      ),
    )
    expect(vanillaDigest(fields)).toBe(expected)
    expect(vanillaDigest({ ...fields, mode: ModelInferenceMode.VANILLA })).not.toBe(expected)
  })
})

describe('signInferenceResult', () => {
  it('produces a 65-byte r||s||v signature that viem recovers to the node address', async () => {
    const result = signed()
    expect(result.node).toBe(ADDRESS)
    expect(hexToBytes(result.signature)).toHaveLength(65)
    expect([27, 28]).toContain(hexToBytes(result.signature)[64])
    const viemSigner = await recoverAddress({ hash: vanillaDigest(result), signature: result.signature })
    expect(viemSigner).toBe(ADDRESS)
    expect(recoverInferenceSigner(result)).toBe(ADDRESS)
    expect(verifyVanillaResult(result, { inputHash: hashModelInput(input), signer: ADDRESS })).toBe(ADDRESS)
  })

  it('agrees with viem over many digests (both recovery ids)', async () => {
    const vs = new Set<number>()
    for (let i = 0; i < 20; i++) {
      const fields = { modelCid: CID, mode: ModelInferenceMode.VANILLA, inputHash: keccak256(toHex(i)), outputHash: keccak256(toHex(i + 1000)) }
      const { signature } = signInferenceResult(KEY, fields)
      vs.add(hexToBytes(signature)[64]!)
      expect(await recoverAddress({ hash: vanillaDigest(fields), signature })).toBe(ADDRESS)
      expect(recoverInferenceSigner({ ...fields, signature })).toBe(ADDRESS)
    }
    expect(vs).toEqual(new Set([27, 28]))
  })
})

describe('verifyVanillaResult', () => {
  it('rejects a result whose output value changed (hash no longer matches)', () => {
    const result = signed()
    const tampered = structuredClone(result)
    tampered.output.numbers[0]!.values[0]!.value += 1n
    expectCode(() => verifyVanillaResult(tampered), 'OUTPUT_HASH_MISMATCH')
  })

  it('rejects a changed output whose hash was recomputed (signature no longer matches)', () => {
    const tampered = structuredClone(signed())
    tampered.output.numbers[0]!.values[0]!.value += 1n
    tampered.outputHash = hashModelOutput(tampered.output)
    expect(recoverInferenceSigner(tampered)).not.toBe(ADDRESS)
    expectCode(() => verifyVanillaResult(tampered), 'BAD_SIGNATURE')
  })

  it('rejects a changed mode or model (they are signed too)', () => {
    expectCode(() => verifyVanillaResult({ ...signed(), mode: ModelInferenceMode.TEE }), 'BAD_SIGNATURE')
    expectCode(() => verifyVanillaResult({ ...signed(), modelCid: CID + 'x' }), 'BAD_SIGNATURE')
  })

  it('rejects an unexpected input hash or signer', () => {
    expectCode(() => verifyVanillaResult(signed(), { inputHash: keccak256('0x00') }), 'INPUT_HASH_MISMATCH')
    const other = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d').address
    expectCode(() => verifyVanillaResult(signed(), { signer: other }), 'BAD_SIGNATURE')
    expectCode(() => verifyVanillaResult({ ...signed(), node: other }), 'BAD_SIGNATURE')
  })

  it('rejects malformed, wrong-v and high-s signatures', () => {
    const result = signed()
    expectCode(() => verifyVanillaResult({ ...result, signature: '0x1234' }), 'BAD_SIGNATURE')
    const bytes = hexToBytes(result.signature)
    const badV = bytes.slice()
    badV[64] = 1
    expectCode(() => verifyVanillaResult({ ...result, signature: toHex(badV) }), 'BAD_SIGNATURE')
    const zero = new Uint8Array(65)
    zero[64] = 27
    expectCode(() => verifyVanillaResult({ ...result, signature: toHex(zero) }), 'BAD_SIGNATURE')
    // The high-s twin (s' = n - s, flipped v) is a valid ECDSA signature of the same key: refused anyway.
    const s = BigInt(toHex(bytes.subarray(32, 64)))
    const twin = bytes.slice()
    twin.set(hexToBytes(toHex(secp256k1.Point.CURVE().n - s, { size: 32 })), 32)
    twin[64] = bytes[64] === 27 ? 28 : 27
    expectCode(() => verifyVanillaResult({ ...result, signature: toHex(twin) }), 'BAD_SIGNATURE')
  })
})
