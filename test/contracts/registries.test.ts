import { createAddressFromString } from '@ethereumjs/util'
import { decodeEventLog, encodeAbiParameters, keccak256, stringToHex, zeroAddress, bytesToHex, type Hex } from 'viem'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { compileContracts, type CompiledContracts } from '../../src/contracts/compile.js'
import { modelRegistryAbi, nodeRegistryAbi } from '../../src/contracts/system.js'
import { modelEntrySlot, readModelEntry } from '../../src/evm/registry-reader.js'
import { MODEL_REGISTRY_ADDRESS as MODELS, NODE_REGISTRY_ADDRESS as NODES } from '../../src/params.js'
import { ALICE, ALICE_KEY, BOB, BOB_KEY, createHarness, read, write, type Harness } from './evm-harness.js'

const CID = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'
const OTHER = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'

let compiled: CompiledContracts
let h: Harness

beforeAll(async () => {
  compiled = await compileContracts()
}, 180_000)

beforeEach(async () => {
  h = await createHarness(compiled)
})

const registerModel = (key: Hex, cid: string, modes: number, workUnits: bigint) =>
  write(h, key, MODELS, modelRegistryAbi, 'registerModel', [cid, 'mlp', modes, workUnits, '{"in":1}', '{"out":1}'])

describe('ModelRegistry', () => {
  it('registers a model and returns it through getModel, modelAt and the public mapping', async () => {
    const outcome = await registerModel(ALICE_KEY, CID, 0b101, 123_456n)
    const key = keccak256(stringToHex(CID))
    const event = decodeEventLog({ abi: modelRegistryAbi, ...outcome.logs[0]! } as never) as unknown as { eventName: string; args: Record<string, unknown> }
    expect(event).toEqual({ eventName: 'ModelRegistered', args: { key, cid: CID, owner: ALICE } })

    const model = await read(h, MODELS, modelRegistryAbi, 'getModel', [CID])
    expect(model).toEqual({
      owner: ALICE, modes: 5, isPrivate: false, workUnits: 123_456n, cid: CID, name: 'mlp',
      inputSchema: '{"in":1}', outputSchema: '{"out":1}', weightsCommitment: `0x${'00'.repeat(32)}`, pricePerInference: 0n,
    })
    expect(await read(h, MODELS, modelRegistryAbi, 'modelAt', [0n])).toEqual(model)
    expect(await read(h, MODELS, modelRegistryAbi, 'modelCount', [])).toBe(1n)
    expect(await read(h, MODELS, modelRegistryAbi, 'isRegistered', [CID])).toBe(true)
    expect(await read(h, MODELS, modelRegistryAbi, 'isRegistered', [OTHER])).toBe(false)
    expect(await read(h, MODELS, modelRegistryAbi, 'modelKey', [CID])).toBe(key)
    expect((await read(h, MODELS, modelRegistryAbi, 'models', [key]))[0]).toBe(ALICE)
  })

  it('rejects a duplicate, an empty cid, zero modes and unknown lookups', async () => {
    await registerModel(ALICE_KEY, CID, 1, 1n)
    await expect(registerModel(BOB_KEY, CID, 1, 1n)).rejects.toThrow(`ModelAlreadyRegistered(${CID})`)
    await expect(registerModel(ALICE_KEY, '', 1, 1n)).rejects.toThrow('EmptyCid()')
    await expect(registerModel(ALICE_KEY, OTHER, 0, 1n)).rejects.toThrow('InvalidModes(0)')
    await expect(read(h, MODELS, modelRegistryAbi, 'getModel', [OTHER])).rejects.toThrow(`ModelNotRegistered(${OTHER})`)
    await expect(read(h, MODELS, modelRegistryAbi, 'modelAt', [1n])).rejects.toThrow('IndexOutOfRange(1, 1)')
  })

  it('lets only the owner change modes, price, privacy and ownership', async () => {
    await registerModel(ALICE_KEY, CID, 1, 10n)
    await expect(write(h, BOB_KEY, MODELS, modelRegistryAbi, 'setPrice', [CID, 5n])).rejects.toThrow(`NotModelOwner(${CID}, ${BOB}, ${ALICE})`)
    await expect(write(h, ALICE_KEY, MODELS, modelRegistryAbi, 'setModes', [CID, 0])).rejects.toThrow('InvalidModes(0)')
    await expect(write(h, ALICE_KEY, MODELS, modelRegistryAbi, 'transferOwnership', [CID, zeroAddress])).rejects.toThrow('ZeroAddressOwner()')

    const commitment = keccak256(stringToHex('weights'))
    await write(h, ALICE_KEY, MODELS, modelRegistryAbi, 'setModes', [CID, 0b110])
    await write(h, ALICE_KEY, MODELS, modelRegistryAbi, 'setPrice', [CID, 7n])
    await write(h, ALICE_KEY, MODELS, modelRegistryAbi, 'setPrivacy', [CID, true, commitment])
    const moved = await write(h, ALICE_KEY, MODELS, modelRegistryAbi, 'transferOwnership', [CID, BOB])
    const event = decodeEventLog({ abi: modelRegistryAbi, ...moved.logs[0]! } as never) as unknown as { eventName: string; args: Record<string, unknown> }
    expect(event.eventName).toBe('ModelUpdated')
    expect(event.args).toMatchObject({ cid: CID, owner: BOB, modes: 6, isPrivate: true, weightsCommitment: commitment, pricePerInference: 7n })

    await expect(write(h, ALICE_KEY, MODELS, modelRegistryAbi, 'setPrice', [CID, 1n])).rejects.toThrow('NotModelOwner')
    await write(h, BOB_KEY, MODELS, modelRegistryAbi, 'setPrice', [CID, 9n])
    expect(await read(h, MODELS, modelRegistryAbi, 'getModel', [CID])).toMatchObject({ owner: BOB, modes: 6, isPrivate: true, pricePerInference: 9n, workUnits: 10n })
  })
})

describe('registry-reader on the real contract storage', () => {
  it('computes the slot Solidity uses for models[keccak256(cid)]', () => {
    const expected = keccak256(encodeAbiParameters([{ type: 'bytes32' }, { type: 'uint256' }], [keccak256(stringToHex(CID)), 0n]))
    expect(bytesToHex(modelEntrySlot(CID))).toBe(expected)
  })

  it('decodes owner, modes, workUnits and isPrivate written by ModelRegistry', async () => {
    const workUnits = 2n ** 64n - 3n // every byte of the uint64 is set: catches a wrong shift or mask
    await registerModel(ALICE_KEY, CID, 0b011, workUnits)
    expect(await readModelEntry(h.vm.stateManager, CID)).toEqual({ registered: true, owner: ALICE, modes: 3, isPrivate: false, workUnits })

    await write(h, ALICE_KEY, MODELS, modelRegistryAbi, 'setPrivacy', [CID, true, keccak256('0x01')])
    expect(await readModelEntry(h.vm.stateManager, CID)).toMatchObject({ isPrivate: true, modes: 3, workUnits })
  })

  it('reads an unregistered cid as not registered', async () => {
    const raw = await h.vm.stateManager.getStorage(createAddressFromString(MODELS), modelEntrySlot(OTHER))
    expect(raw.length).toBe(0)
    expect(await readModelEntry(h.vm.stateManager, OTHER)).toEqual({ registered: false, owner: zeroAddress, modes: 0, isPrivate: false, workUnits: 0n })
  })
})

describe('NodeRegistry', () => {
  const nodesFor = (cid: string) => read(h, NODES, nodeRegistryAbi, 'nodesForModel', [cid])

  it('registers a node and reads it back', async () => {
    const outcome = await write(h, ALICE_KEY, NODES, nodeRegistryAbi, 'register', ['http://127.0.0.1:7001', 0b001, [CID, OTHER]])
    const event = decodeEventLog({ abi: nodeRegistryAbi, ...outcome.logs[0]! } as never) as unknown as { eventName: string; args: Record<string, unknown> }
    expect(event).toEqual({ eventName: 'NodeRegistered', args: { node: ALICE, endpoint: 'http://127.0.0.1:7001', modes: 1 } })
    expect(await read(h, NODES, nodeRegistryAbi, 'getNode', [ALICE])).toEqual({
      endpoint: 'http://127.0.0.1:7001', modes: 1, active: true, registeredAt: 1n, models: [CID, OTHER],
    })
    expect(await nodesFor(CID)).toEqual([[ALICE], ['http://127.0.0.1:7001']])
    expect(await read(h, NODES, nodeRegistryAbi, 'isServing', [ALICE, OTHER])).toBe(true)
    expect(await read(h, NODES, nodeRegistryAbi, 'isServing', [BOB, OTHER])).toBe(false)
    expect(await read(h, NODES, nodeRegistryAbi, 'nodeCount', [])).toBe(1n)
    expect(await read(h, NODES, nodeRegistryAbi, 'nodeAt', [0n])).toBe(ALICE)
    await expect(write(h, ALICE_KEY, NODES, nodeRegistryAbi, 'register', ['http://x', 1, []])).rejects.toThrow(`NodeAlreadyRegistered(${ALICE})`)
    await expect(write(h, BOB_KEY, NODES, nodeRegistryAbi, 'register', ['', 1, []])).rejects.toThrow('EmptyEndpoint()')
    await expect(write(h, BOB_KEY, NODES, nodeRegistryAbi, 'register', ['http://b', 1, [CID, CID]])).rejects.toThrow(`ModelAlreadyServed(${CID})`)
  })

  it('keeps per-model server lists consistent through swap-and-pop removals', async () => {
    await write(h, ALICE_KEY, NODES, nodeRegistryAbi, 'register', ['http://a', 1, [CID]])
    await write(h, BOB_KEY, NODES, nodeRegistryAbi, 'register', ['http://b', 5, [CID, OTHER]])
    expect(await nodesFor(CID)).toEqual([[ALICE, BOB], ['http://a', 'http://b']])

    // Removing the first entry moves the last one into its place.
    await write(h, ALICE_KEY, NODES, nodeRegistryAbi, 'removeModel', [CID])
    expect(await nodesFor(CID)).toEqual([[BOB], ['http://b']])
    await expect(write(h, ALICE_KEY, NODES, nodeRegistryAbi, 'removeModel', [CID])).rejects.toThrow(`ModelNotServed(${CID})`)

    await write(h, BOB_KEY, NODES, nodeRegistryAbi, 'removeModel', [CID])
    expect((await read(h, NODES, nodeRegistryAbi, 'getNode', [BOB])).models).toEqual([OTHER])
    await write(h, BOB_KEY, NODES, nodeRegistryAbi, 'addModel', [CID])
    await write(h, ALICE_KEY, NODES, nodeRegistryAbi, 'addModel', [CID])
    expect(await nodesFor(CID)).toEqual([[BOB, ALICE], ['http://b', 'http://a']])

    await write(h, BOB_KEY, NODES, nodeRegistryAbi, 'update', ['http://b2', 2, [OTHER]])
    expect(await nodesFor(CID)).toEqual([[ALICE], ['http://a']])
    expect(await nodesFor(OTHER)).toEqual([[BOB], ['http://b2']])
    expect(await read(h, NODES, nodeRegistryAbi, 'getNode', [BOB])).toMatchObject({ endpoint: 'http://b2', modes: 2, models: [OTHER] })
  })

  it('deregister stops routing but keeps the record; register re-activates', async () => {
    await write(h, ALICE_KEY, NODES, nodeRegistryAbi, 'register', ['http://a', 1, [CID]])
    await write(h, ALICE_KEY, NODES, nodeRegistryAbi, 'deregister', [])
    expect(await nodesFor(CID)).toEqual([[], []])
    expect(await read(h, NODES, nodeRegistryAbi, 'isServing', [ALICE, CID])).toBe(false)
    expect(await read(h, NODES, nodeRegistryAbi, 'getNode', [ALICE])).toMatchObject({ active: false, models: [CID] })
    await expect(write(h, ALICE_KEY, NODES, nodeRegistryAbi, 'addModel', [OTHER])).rejects.toThrow(`NodeNotActive(${ALICE})`)

    await write(h, ALICE_KEY, NODES, nodeRegistryAbi, 'register', ['http://a2', 1, [OTHER]])
    expect(await nodesFor(CID)).toEqual([[], []])
    expect(await nodesFor(OTHER)).toEqual([[ALICE], ['http://a2']])
    expect(await read(h, NODES, nodeRegistryAbi, 'getNode', [ALICE])).toMatchObject({ active: true, models: [OTHER] })
    expect(await read(h, NODES, nodeRegistryAbi, 'nodeCount', [])).toBe(1n)
  })
})
