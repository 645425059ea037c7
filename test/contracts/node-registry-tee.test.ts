/**
 * NodeRegistry's TEE part: the admin (set in genesis storage) keeps the allowlist of enclave
 * measurements; nodes register their enclave key; routing filters by mode.
 */
import { createAddressFromString, hexToBytes } from '@ethereumjs/util'
import { decodeEventLog, type Hex } from 'viem'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { compileContracts, type CompiledContracts } from '../../src/contracts/compile.js'
import { nodeRegistryAbi, nodeRegistryAdminStorage } from '../../src/contracts/system.js'
import { NODE_REGISTRY_ADDRESS as NODES } from '../../src/params.js'
import { ALICE, ALICE_KEY, BOB, BOB_KEY, createHarness, read, write, type Harness } from './evm-harness.js'

const CID = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'
const PCR_A: Hex = `0x${'a1'.repeat(48)}`
const PCR_B: Hex = `0x${'b2'.repeat(48)}`
const PCR_C: Hex = `0x${'c3'.repeat(32)}`

let compiled: CompiledContracts
let h: Harness

beforeAll(async () => {
  compiled = await compileContracts()
}, 180_000)

beforeEach(async () => {
  h = await createHarness(compiled)
  // What devGenesis does: Alice is the admin.
  for (const [slot, value] of nodeRegistryAdminStorage(compiled, ALICE)) {
    await h.vm.stateManager.putStorage(createAddressFromString(NODES), hexToBytes(slot), hexToBytes(value))
  }
})

describe('NodeRegistry TEE allowlist', () => {
  it('reads the admin genesis wrote', async () => {
    expect(await read(h, NODES, nodeRegistryAbi, 'admin', [])).toBe(ALICE)
  })

  it('lets the admin add and remove measurements (swap-and-pop), and nobody else', async () => {
    const added = await write(h, ALICE_KEY, NODES, nodeRegistryAbi, 'addTeeMeasurement', [PCR_A])
    expect(decodeEventLog({ abi: nodeRegistryAbi, ...added.logs[0]! } as never)).toMatchObject({ eventName: 'TeeMeasurementAdded', args: { measurement: PCR_A } })
    await write(h, ALICE_KEY, NODES, nodeRegistryAbi, 'addTeeMeasurement', [PCR_B])
    await write(h, ALICE_KEY, NODES, nodeRegistryAbi, 'addTeeMeasurement', [PCR_C])
    expect(await read(h, NODES, nodeRegistryAbi, 'teeMeasurements', [])).toEqual([PCR_A, PCR_B, PCR_C])
    expect(await read(h, NODES, nodeRegistryAbi, 'isTeeMeasurementAllowed', [PCR_B])).toBe(true)

    await expect(write(h, BOB_KEY, NODES, nodeRegistryAbi, 'addTeeMeasurement', [PCR_A])).rejects.toThrow(`NotAdmin(${BOB})`)
    await expect(write(h, BOB_KEY, NODES, nodeRegistryAbi, 'removeTeeMeasurement', [PCR_A])).rejects.toThrow(`NotAdmin(${BOB})`)
    await expect(write(h, ALICE_KEY, NODES, nodeRegistryAbi, 'addTeeMeasurement', [PCR_A])).rejects.toThrow(`MeasurementAlreadyAllowed(${PCR_A})`)
    await expect(write(h, ALICE_KEY, NODES, nodeRegistryAbi, 'addTeeMeasurement', ['0x1234'])).rejects.toThrow('InvalidMeasurement(2)')

    const removed = await write(h, ALICE_KEY, NODES, nodeRegistryAbi, 'removeTeeMeasurement', [PCR_A])
    expect(decodeEventLog({ abi: nodeRegistryAbi, ...removed.logs[0]! } as never)).toMatchObject({ eventName: 'TeeMeasurementRemoved' })
    expect(await read(h, NODES, nodeRegistryAbi, 'teeMeasurements', [])).toEqual([PCR_C, PCR_B])
    expect(await read(h, NODES, nodeRegistryAbi, 'isTeeMeasurementAllowed', [PCR_A])).toBe(false)
    expect(await read(h, NODES, nodeRegistryAbi, 'isTeeMeasurementAllowed', [PCR_C])).toBe(true)
    await expect(write(h, ALICE_KEY, NODES, nodeRegistryAbi, 'removeTeeMeasurement', [PCR_A])).rejects.toThrow(`MeasurementNotAllowed(${PCR_A})`)
  })

  it('hands the admin role over; without an admin nobody may change the allowlist', async () => {
    await expect(write(h, BOB_KEY, NODES, nodeRegistryAbi, 'transferAdmin', [BOB])).rejects.toThrow(`NotAdmin(${BOB})`)
    await write(h, ALICE_KEY, NODES, nodeRegistryAbi, 'transferAdmin', [BOB])
    expect(await read(h, NODES, nodeRegistryAbi, 'admin', [])).toBe(BOB)
    await expect(write(h, ALICE_KEY, NODES, nodeRegistryAbi, 'addTeeMeasurement', [PCR_A])).rejects.toThrow(`NotAdmin(${ALICE})`)
    await write(h, BOB_KEY, NODES, nodeRegistryAbi, 'addTeeMeasurement', [PCR_A])
    const bare = await createHarness(compiled)
    await expect(write(bare, ALICE_KEY, NODES, nodeRegistryAbi, 'addTeeMeasurement', [PCR_A])).rejects.toThrow(`NotAdmin(${ALICE})`)
  })

  it('keeps each node\'s enclave key, one node per key, and routes by mode', async () => {
    const key: Hex = `0x3076${'11'.repeat(118)}`
    expect(await read(h, NODES, nodeRegistryAbi, 'enclaveKeyOf', [ALICE])).toBe('0x')
    await expect(write(h, ALICE_KEY, NODES, nodeRegistryAbi, 'setEnclaveKey', ['0x'])).rejects.toThrow('EmptyEnclaveKey()')
    await write(h, ALICE_KEY, NODES, nodeRegistryAbi, 'setEnclaveKey', [key])
    expect(await read(h, NODES, nodeRegistryAbi, 'enclaveKeyOf', [ALICE])).toBe(key)
    // One enclave, one node: Bob cannot claim Alice's enclave until she moves to another key.
    await expect(write(h, BOB_KEY, NODES, nodeRegistryAbi, 'setEnclaveKey', [key])).rejects.toThrow(`EnclaveKeyTaken(${ALICE})`)
    await write(h, ALICE_KEY, NODES, nodeRegistryAbi, 'setEnclaveKey', [key]) // idempotent for its owner
    const other: Hex = `0x3076${'22'.repeat(118)}`
    await write(h, ALICE_KEY, NODES, nodeRegistryAbi, 'setEnclaveKey', [other])
    await write(h, BOB_KEY, NODES, nodeRegistryAbi, 'setEnclaveKey', [key])
    expect(await read(h, NODES, nodeRegistryAbi, 'enclaveKeyOf', [BOB])).toBe(key)
    await write(h, ALICE_KEY, NODES, nodeRegistryAbi, 'setEnclaveKey', [`0x3076${'33'.repeat(118)}`])

    await write(h, ALICE_KEY, NODES, nodeRegistryAbi, 'register', ['http://a', 0b101, [CID]]) // VANILLA + TEE
    await write(h, BOB_KEY, NODES, nodeRegistryAbi, 'register', ['http://b', 0b001, [CID]]) // VANILLA
    expect(await read(h, NODES, nodeRegistryAbi, 'nodesForModelAndMode', [CID, 2])).toEqual([[ALICE], ['http://a']])
    expect(await read(h, NODES, nodeRegistryAbi, 'enclaveKeyOf', [ALICE])).toBe(`0x3076${'33'.repeat(118)}`)
    expect(await read(h, NODES, nodeRegistryAbi, 'nodesForModelAndMode', [CID, 0])).toEqual([[ALICE, BOB], ['http://a', 'http://b']])
    expect(await read(h, NODES, nodeRegistryAbi, 'nodesForModelAndMode', [CID, 1])).toEqual([[], []])
    expect(await read(h, NODES, nodeRegistryAbi, 'nodesForModelAndMode', [CID, 200])).toEqual([[], []])
  })
})
