/** The byte encoding of inference records: what the header's commitment is taken over. */
import { describe, expect, it } from 'vitest'
import { decodeRecords, encodeRecords, recordsCommitment } from '../../src/evm/record-codec.js'
import type { InferenceRecord } from '../../src/evm/records.js'
import { ModelInferenceMode } from '../../src/evm/types.js'

const record = (strings: string[], values: bigint[]): InferenceRecord => ({
  requestId: `0x${'11'.repeat(32)}`,
  txHash: `0x${'22'.repeat(32)}`,
  callIndex: 0,
  modelCid: 'bafkreiexample',
  mode: ModelInferenceMode.VANILLA,
  inputHash: `0x${'33'.repeat(32)}`,
  status: 'ok',
  output: { numbers: [{ name: 'y', values: values.map((value) => ({ value, decimals: 6n })), shape: [values.length] }], strings: [{ name: 's', values: strings }], jsons: [], isSimulationResult: false },
  outputHash: `0x${'44'.repeat(32)}`,
  node: `0x${'55'.repeat(20)}`,
  signature: `0x${'66'.repeat(65)}`,
})

/** The encoding as first written (a replacer): blocks already on chains keep their bytes. */
const reference = (records: InferenceRecord[]) => new TextEncoder().encode(JSON.stringify(records, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)))

describe('record codec', () => {
  it('writes the bytes it always wrote for records whose strings do not look like bigints', () => {
    const records = [record(['cat', 'n', '12', 'abcn', '1e5n', ''], [0n, -1n, 10n ** 40n, -(2n ** 255n)]), { ...record([], [3n]), attestation: '0xabcd' as const, llm: 'chat' as const }]
    const bytes = encodeRecords(records)
    expect(Buffer.from(bytes).equals(Buffer.from(reference(records)))).toBe(true)
    expect(decodeRecords(bytes)).toEqual(records)
  })

  it('drops undefined fields as JSON does, so absent and undefined encode alike', () => {
    const withUndefined = { ...record([], [1n]), attestation: undefined }
    expect(Buffer.from(encodeRecords([withUndefined])).equals(Buffer.from(encodeRecords([record([], [1n])])))).toBe(true)
  })

  it('gives back strings that look like bigints as strings (an LLM may answer "12n")', () => {
    const tricky = ['12n', '-7n', '0n', '12nn', '-3nnn', '5']
    const records = [record(tricky, [12n, -7n])]
    const decoded = decodeRecords(encodeRecords(records))
    expect(decoded).toEqual(records)
    expect(decoded[0]!.output!.strings[0]!.values).toEqual(tricky)
    expect(decoded[0]!.output!.numbers[0]!.values.map((v) => v.value)).toEqual([12n, -7n])
    // Encoding is a function of the records: equal records, equal bytes, equal commitment.
    expect(recordsCommitment(encodeRecords(decoded), 1)).toEqual(recordsCommitment(encodeRecords(records), 1))
  })

  it('commits to nothing for a block without records', () => {
    expect(recordsCommitment(encodeRecords([]), 0)).toEqual(new Uint8Array())
    expect(recordsCommitment(encodeRecords([record([], [1n])]), 1)).toHaveLength(32)
  })
})
