/**
 * Private models against the real system contracts in an ethereumjs VM: ids and commitments, who may
 * serve a private id (NodeRegistry asks ModelRegistry), and the precompile's allowlist check reading
 * ModelRegistry's storage at the slots solc lays out.
 */
import { createAccount, createAddressFromString } from '@ethereumjs/util'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { encodeFunctionData, type Abi } from 'viem'
import { privateKeyToAddress } from 'viem/accounts'
import { beforeAll, describe, expect, it } from 'vitest'
import { compileContracts, getContract, type CompiledContracts } from '../../src/contracts/compile.js'
import { modelRegistryAbi, nodeRegistryAbi } from '../../src/contracts/system.js'
import { computeCid } from '../../src/hub/cid.js'
import { buildDemoModel, buildMlpModel, buildStringModel } from '../../src/models/index.js'
import { MODEL_REGISTRY_ADDRESS, NODE_REGISTRY_ADDRESS, INFERENCE_GAS_ACCESS_CHECK } from '../../src/params.js'
import { ALLOWED_CALLERS_SLOT, CALLERS_RESTRICTED_SLOT, checkModelAccess } from '../../src/private/access.js'
import { ModelAccessRefusal, PrivateModelError } from '../../src/private/errors.js'
import { loadPrivateModel, privateModelFromBytes } from '../../src/private/local-model.js'
import { PrivateModelLoader } from '../../src/private/loader.js'
import { commitmentOfId, isPrivateModelId, privateModelId } from '../../src/private/model-id.js'
import { importOnnxNetwork } from '../../src/zk/onnx-import.js'
import { quantizeNetwork } from '../../src/zk/quantize.js'
import { modelCommitment } from '../../src/zk/statement.js'
import { tempDir } from '../chain/helpers.js'
import { ALICE, ALICE_KEY, BOB, BOB_KEY, createHarness, read, sendTx, write, type Harness } from '../contracts/evm-harness.js'

const CAROL_KEY = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a' as const
const CAROL = privateKeyToAddress(CAROL_KEY)

let compiled: CompiledContracts
beforeAll(async () => {
  compiled = await compileContracts()
}, 180_000)

describe('private model ids', () => {
  it('are private:0x + the ZK weights commitment, distinct from hub CIDs', () => {
    const bytes = buildMlpModel({ inputSize: 16, hiddenSize: 32, outputSize: 4, seed: 77 })
    const model = privateModelFromBytes(bytes, 'secret')
    const commitment = modelCommitment(quantizeNetwork(importOnnxNetwork(bytes)))
    expect(model.cid).toBe(privateModelId(commitment))
    expect(model.cid).toMatch(/^private:0x[0-9a-f]{64}$/)
    expect(model.commitment).toBe(`0x${commitment.toString(16).padStart(64, '0')}`)
    expect(commitmentOfId(model.cid)).toBe(model.commitment)
    expect(isPrivateModelId(model.cid)).toBe(true)
    expect(isPrivateModelId(computeCid(bytes))).toBe(false)
    // Public metadata names the private id, never the file's content address.
    expect(model.metadata.cid).toBe(model.cid)
    expect(JSON.stringify(model.metadata)).not.toContain(computeCid(bytes))
    expect(model.metadata.inputs).toEqual([{ name: 'input', type: 'float32', shape: [1, 16] }])
    // Other weights, another id.
    expect(privateModelFromBytes(buildDemoModel()).cid).not.toBe(model.cid)
  })

  it('refuses what has no weights commitment, and malformed ids, with codes', async () => {
    expect(() => privateModelFromBytes(new TextEncoder().encode('not onnx'))).toThrow(expect.objectContaining({ code: 'PRIVATE_MODEL_UNREADABLE' }))
    expect(() => privateModelFromBytes(buildStringModel())).toThrow(expect.objectContaining({ code: 'PRIVATE_MODEL_UNSUPPORTED' }))
    await expect(loadPrivateModel('/nonexistent/model.onnx')).rejects.toMatchObject({ code: 'PRIVATE_MODEL_UNREADABLE' })
    for (const bad of ['private:0x12', 'private:0X' + 'a'.repeat(64), 'bafkrei' + 'a'.repeat(52)]) {
      expect(() => commitmentOfId(bad)).toThrow(PrivateModelError)
    }
  })

  it('the node loads it from a local file and serves it from memory, other ids from its cache', async () => {
    const dir = tempDir('inferchain-private-')
    try {
      const file = join(dir.dir, 'model.onnx')
      await writeFile(file, buildDemoModel())
      const model = await loadPrivateModel(file)
      const fallback = { get: async (cid: string) => ({ cid, bytes: new Uint8Array(), metadata: model.metadata }) }
      const loader = new PrivateModelLoader([model], fallback)
      expect((await loader.get(model.cid)).bytes).toBe(model.bytes)
      expect((await loader.get('bafkother')).cid).toBe('bafkother')
    } finally {
      dir.remove()
    }
  })
})

describe('who may serve a private model (ModelRegistry + NodeRegistry)', () => {
  let h: Harness
  const model = () => privateModelFromBytes(buildMlpModel({ inputSize: 16, hiddenSize: 32, outputSize: 4, seed: 78 }))
  const register = (key: `0x${string}`, cid: string) => sendTx(h, key, NODE_REGISTRY_ADDRESS, encodeRegister(cid))
  function encodeRegister(cid: string) {
    return encode(nodeRegistryAbi, 'register', ['http://127.0.0.1:1', 1, [cid]])
  }

  beforeAll(async () => {
    h = await createHarness(compiled)
  })

  it('refuses an impostor before and after the owner registers; routes only to authorised nodes', async () => {
    const { cid, commitment, metadata } = model()
    // Before anyone owns the id, nobody may claim to serve it: the prefix marks it private.
    expect((await register(BOB_KEY, cid)).status).toBe('reverted')

    await write(h, ALICE_KEY, MODEL_REGISTRY_ADDRESS, modelRegistryAbi, 'registerModel', [cid, 'secret', 1, BigInt(metadata.workUnits), '[]', '[]'])
    await write(h, ALICE_KEY, MODEL_REGISTRY_ADDRESS, modelRegistryAbi, 'setPrivacy', [cid, true, commitment])
    await write(h, ALICE_KEY, MODEL_REGISTRY_ADDRESS, modelRegistryAbi, 'setNodeAuthorized', [cid, ALICE, true])
    await write(h, ALICE_KEY, NODE_REGISTRY_ADDRESS, nodeRegistryAbi, 'register', ['http://127.0.0.1:1', 1, [cid]])

    await expect(write(h, BOB_KEY, NODE_REGISTRY_ADDRESS, nodeRegistryAbi, 'register', ['http://127.0.0.1:2', 1, [cid]])).rejects.toThrow(
      `NodeNotAuthorizedForModel(${cid}, ${BOB})`,
    )
    // Only the owner may authorise.
    await expect(write(h, BOB_KEY, MODEL_REGISTRY_ADDRESS, modelRegistryAbi, 'setNodeAuthorized', [cid, BOB, true])).rejects.toThrow('NotModelOwner')
    expect(await read(h, NODE_REGISTRY_ADDRESS, nodeRegistryAbi, 'nodesForModel', [cid])).toEqual([[ALICE], ['http://127.0.0.1:1']])
    expect(await read(h, NODE_REGISTRY_ADDRESS, nodeRegistryAbi, 'isServing', [ALICE, cid])).toBe(true)
    expect(await read(h, NODE_REGISTRY_ADDRESS, nodeRegistryAbi, 'isServing', [BOB, cid])).toBe(false)

    // The owner authorises a second node; withdrawing the first stops routing to it at once.
    await write(h, ALICE_KEY, MODEL_REGISTRY_ADDRESS, modelRegistryAbi, 'setNodeAuthorized', [cid, CAROL, true])
    await fund(h, CAROL)
    await write(h, CAROL_KEY, NODE_REGISTRY_ADDRESS, nodeRegistryAbi, 'register', ['http://127.0.0.1:3', 1, [cid]])
    await write(h, ALICE_KEY, MODEL_REGISTRY_ADDRESS, modelRegistryAbi, 'setNodeAuthorized', [cid, ALICE, false])
    expect(await read(h, NODE_REGISTRY_ADDRESS, nodeRegistryAbi, 'nodesForModelAndMode', [cid, 0])).toEqual([[CAROL], ['http://127.0.0.1:3']])
    expect(await read(h, NODE_REGISTRY_ADDRESS, nodeRegistryAbi, 'isServing', [ALICE, cid])).toBe(false)
  })

  it('leaves public models open to every node', async () => {
    const cid = computeCid(buildDemoModel())
    await write(h, BOB_KEY, MODEL_REGISTRY_ADDRESS, modelRegistryAbi, 'registerModel', [cid, 'demo', 1, 1n, '[]', '[]'])
    expect(await read(h, MODEL_REGISTRY_ADDRESS, modelRegistryAbi, 'mayServe', [cid, CAROL])).toBe(true)
    expect(await read(h, MODEL_REGISTRY_ADDRESS, modelRegistryAbi, 'mayServe', ['private:0x' + '0'.repeat(64), CAROL])).toBe(false)
  })
})

describe('caller allowlist, as the precompile reads it from storage', () => {
  it('sits at the slots solc lays out', () => {
    const slots = Object.fromEntries(getContract(compiled, 'ModelRegistry').storageLayout.storage.map((e) => [e.label, BigInt(e.slot)]))
    expect(slots._callersRestricted).toBe(CALLERS_RESTRICTED_SLOT)
    expect(slots._allowedCallers).toBe(ALLOWED_CALLERS_SLOT)
  })

  it('allows everyone until the owner restricts, then the listed callers or senders only', async () => {
    const h = await createHarness(compiled)
    const { cid } = privateModelFromBytes(buildMlpModel({ inputSize: 16, hiddenSize: 32, outputSize: 4, seed: 79 }))
    await write(h, ALICE_KEY, MODEL_REGISTRY_ADDRESS, modelRegistryAbi, 'registerModel', [cid, '', 1, 1n, '[]', '[]'])
    const state = h.vm.stateManager
    expect(await checkModelAccess(state, cid, { caller: BOB, origin: BOB })).toEqual({ gas: 0n })

    await write(h, ALICE_KEY, MODEL_REGISTRY_ADDRESS, modelRegistryAbi, 'setCallersRestricted', [cid, true])
    await write(h, ALICE_KEY, MODEL_REGISTRY_ADDRESS, modelRegistryAbi, 'setCallerAllowed', [cid, CAROL, true])
    await expect(write(h, BOB_KEY, MODEL_REGISTRY_ADDRESS, modelRegistryAbi, 'setCallerAllowed', [cid, BOB, true])).rejects.toThrow('NotModelOwner')
    const refusal = await checkModelAccess(state, cid, { caller: BOB, origin: ALICE }).catch((e: unknown) => e)
    expect(refusal).toBeInstanceOf(ModelAccessRefusal)
    expect(refusal).toMatchObject({ code: 'NOT_ALLOWED', shortMessage: `caller ${BOB} (transaction from ${ALICE}) is not on the allowlist of model ${cid}` })
    // A listed contract serves any sender; a listed sender may use any contract.
    expect(await checkModelAccess(state, cid, { caller: CAROL, origin: BOB })).toEqual({ gas: INFERENCE_GAS_ACCESS_CHECK })
    expect(await checkModelAccess(state, cid, { caller: BOB, origin: CAROL })).toEqual({ gas: INFERENCE_GAS_ACCESS_CHECK })
    // The view agrees with the storage read.
    expect(await read(h, MODEL_REGISTRY_ADDRESS, modelRegistryAbi, 'isCallerAllowed', [cid, CAROL])).toBe(true)
    expect(await read(h, MODEL_REGISTRY_ADDRESS, modelRegistryAbi, 'isCallerAllowed', [cid, BOB])).toBe(false)

    await write(h, ALICE_KEY, MODEL_REGISTRY_ADDRESS, modelRegistryAbi, 'setCallersRestricted', [cid, false])
    expect(await checkModelAccess(state, cid, { caller: BOB, origin: BOB })).toEqual({ gas: 0n })
  })
})

function encode(abi: Abi, functionName: string, args: readonly unknown[]) {
  return encodeFunctionData({ abi, functionName, args } as never)
}
async function fund(h: Harness, address: `0x${string}`) {
  await h.vm.stateManager.putAccount(createAddressFromString(address), createAccount({ balance: 10n ** 24n, nonce: 0n }))
}
