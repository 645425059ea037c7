/** ModelRegistry's hub-repositories section in a real EVM: claiming names, the name rule, transfers. */
import { decodeEventLog, keccak256, stringToHex, zeroAddress } from 'viem'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { compileContracts, type CompiledContracts } from '../../src/contracts/compile.js'
import { modelRegistryAbi } from '../../src/contracts/system.js'
import { REPOSITORY_NAME } from '../../src/hub/names.js'
import { MODEL_REGISTRY_ADDRESS as MODELS } from '../../src/params.js'
import { ALICE, ALICE_KEY, BOB, BOB_KEY, createHarness, read, write, type Harness } from '../contracts/evm-harness.js'

let compiled: CompiledContracts
let h: Harness
beforeAll(async () => {
  compiled = await compileContracts()
}, 180_000)
beforeEach(async () => {
  h = await createHarness(compiled)
})

describe('ModelRegistry repositories', () => {
  it('the first caller owns a name; the event carries it', async () => {
    const outcome = await write(h, ALICE_KEY, MODELS, modelRegistryAbi, 'createRepository', ['mnist'])
    const event = decodeEventLog({ abi: modelRegistryAbi, ...outcome.logs[0]! } as never) as unknown as { eventName: string; args: Record<string, unknown> }
    expect(event).toEqual({ eventName: 'RepositoryCreated', args: { key: keccak256(stringToHex('mnist')), name: 'mnist', owner: ALICE } })
    expect(await read(h, MODELS, modelRegistryAbi, 'repositoryOwner', ['mnist'])).toBe(ALICE)
    expect(await read(h, MODELS, modelRegistryAbi, 'repositoryOwner', ['other'])).toBe(zeroAddress)
    await expect(write(h, BOB_KEY, MODELS, modelRegistryAbi, 'createRepository', ['mnist'])).rejects.toThrow(`RepositoryAlreadyExists(mnist, ${ALICE})`)
  })

  it('enforces the hub\'s name rule on chain', async () => {
    for (const name of ['a', 'resnet-50', 'v1.2_x', '0abc', 'x'.repeat(64)]) {
      expect(REPOSITORY_NAME.test(name)).toBe(true)
      await write(h, ALICE_KEY, MODELS, modelRegistryAbi, 'createRepository', [name])
    }
    for (const name of ['', 'Upper', '-dash', '.dot', 'a/b', 'sp ace', 'é', 'x'.repeat(65)]) {
      expect(REPOSITORY_NAME.test(name)).toBe(false)
      await expect(write(h, ALICE_KEY, MODELS, modelRegistryAbi, 'createRepository', [name])).rejects.toThrow('InvalidRepositoryName')
    }
  })

  it('only the owner transfers a repository, never to the zero address', async () => {
    await write(h, ALICE_KEY, MODELS, modelRegistryAbi, 'createRepository', ['mnist'])
    await expect(write(h, BOB_KEY, MODELS, modelRegistryAbi, 'transferRepository', ['mnist', BOB])).rejects.toThrow(`NotRepositoryOwner(mnist, ${BOB}, ${ALICE})`)
    await expect(write(h, ALICE_KEY, MODELS, modelRegistryAbi, 'transferRepository', ['mnist', zeroAddress])).rejects.toThrow('ZeroAddressOwner()')
    await expect(write(h, ALICE_KEY, MODELS, modelRegistryAbi, 'transferRepository', ['nope', BOB])).rejects.toThrow('RepositoryNotFound(nope)')
    await write(h, ALICE_KEY, MODELS, modelRegistryAbi, 'transferRepository', ['mnist', BOB])
    expect(await read(h, MODELS, modelRegistryAbi, 'repositoryOwner', ['mnist'])).toBe(BOB)
  })
})
