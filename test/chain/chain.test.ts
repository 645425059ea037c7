import { devSealer } from '../../src/chain/dev-accounts.js'
import { afterEach, describe, expect, it } from 'vitest'
import { Address, hexToBytes } from '@ethereumjs/util'
import { Chain } from '../../src/chain/chain.js'
import { InferencePipeline } from '../../src/chain/pipeline.js'
import { BlockProducer } from '../../src/chain/producer.js'
import { Dispatcher } from '../../src/evm/dispatcher.js'
import { ResultCache } from '../../src/evm/providers.js'
import { ACCOUNTS, signedTransfer, tempDir, testGenesis } from './helpers.js'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function openChain(dir: string) {
  const chain = await Chain.open({ dataDir: dir, genesis: await testGenesis(), sealerKey: devSealer().privateKey })
  const dispatcher = new Dispatcher({ nodesFor: async () => [] })
  const producer = new BlockProducer(chain, new InferencePipeline(chain, dispatcher, new ResultCache()), { automine: false, blockTimeMs: 1000 })
  return { chain, producer }
}

const balanceOf = (chain: Chain, address: string, block = chain.head.header.number) =>
  chain.exclusive(() => chain.withStateAt(block, async (vm) => (await vm.stateManager.getAccount(new Address(hexToBytes(address as `0x${string}`))))?.balance ?? 0n))

describe('Chain', () => {
  it('derives the same genesis from the same spec, and funds the dev accounts', async () => {
    const a = tempDir()
    const b = tempDir()
    cleanups.push(a.remove, b.remove)
    const first = await openChain(a.dir)
    const second = await openChain(b.dir)
    cleanups.push(() => first.chain.close(), () => second.chain.close())
    expect(first.chain.genesisHash).toEqual(second.chain.genesisHash)
    expect(await balanceOf(first.chain, ACCOUNTS[0]!.address)).toBe(10_000n * 10n ** 18n)
  })

  it('produces blocks from the mempool and keeps head, state and history across a restart', async () => {
    const tmp = tempDir()
    cleanups.push(tmp.remove)
    const { chain, producer } = await openChain(tmp.dir)
    const to = ACCOUNTS[2]!.address
    await producer.submit(signedTransfer(chain.common, { to, nonce: 0n, value: 5n }).serialize())
    await producer.submit(signedTransfer(chain.common, { to, nonce: 1n, value: 7n }).serialize())
    await new Promise((r) => setTimeout(r, 50)) // let simulation mark them ready
    const produced = await producer.produceBlock()
    expect(produced.block.transactions).toHaveLength(2)
    expect(produced.receipts.map((r) => r.status)).toEqual([1, 1])
    expect(produced.receipts[1]!.cumulativeGasUsed).toBe(42_000n)
    const after = await balanceOf(chain, to)
    const headHash = chain.head.hash()
    await chain.close()

    const reopened = await openChain(tmp.dir)
    cleanups.push(() => reopened.chain.close())
    expect(reopened.chain.head.hash()).toEqual(headHash)
    expect(reopened.chain.head.header.number).toBe(1n)
    expect(await balanceOf(reopened.chain, to)).toBe(after)
    expect(await balanceOf(reopened.chain, to, 0n)).toBe(after - 12n)
    const receipts = await reopened.chain.store.receipts(headHash)
    expect(receipts).toHaveLength(2)
    const location = await reopened.chain.store.transaction(produced.block.transactions[1]!.hash())
    expect(location?.index).toBe(1)
  })

  it('refuses transactions that cannot pay, with a typed error, and changes nothing', async () => {
    const tmp = tempDir()
    cleanups.push(tmp.remove)
    const { chain, producer } = await openChain(tmp.dir)
    cleanups.push(() => chain.close())
    const rich = 10n ** 30n
    await expect(producer.submit(signedTransfer(chain.common, { to: ACCOUNTS[2]!.address, nonce: 0n, value: rich }).serialize())).rejects.toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
    })
    await expect(producer.submit(new Uint8Array([1, 2, 3]))).rejects.toMatchObject({ code: 'INVALID_TRANSACTION' })
    await expect(producer.submit(signedTransfer(chain.common, { to: ACCOUNTS[2]!.address, nonce: 0n, gasLimit: 20_000n }).serialize())).rejects.toMatchObject({
      code: 'INTRINSIC_GAS_TOO_LOW',
    })
    expect(producer.mempool.size).toBe(0)
    expect(chain.head.header.number).toBe(0n)
  })
})
