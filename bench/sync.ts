/**
 * (d) Sync over the network: a new follower joins a producer that has made 200 blocks of 10
 * transfers and fetches, verifies and imports them over libp2p (request/response in batches), vs.
 * the same importer fed the same blocks straight from the producer's store in the same process —
 * the baseline that isolates what the network adds.
 */
import { join } from 'node:path'
import { Chain, RECORDS_ATTACHMENT } from '../src/chain/chain.js'
import { devAccounts } from '../src/chain/dev-accounts.js'
import { devGenesis } from '../src/chain/dev-genesis.js'
import { BlockImporter } from '../src/chain/importer.js'
import { SEAL_ATTACHMENT } from '../src/chain/seal.js'
import { FullNode } from '../src/node.js'
import { DEFAULT_CHAIN_ID } from '../src/params.js'
import { defaultVerifiers } from '../src/verify/index.js'
import { transfers } from './throughput.js'

export interface SyncResult {
  blocks: number
  transactionsPerBlock: number
  inProcessBlocksPerSec: number
  networkBlocksPerSec: number
}

const BLOCKS = 200
const PER_BLOCK = 10

export async function benchSync(dir: string): Promise<SyncResult> {
  const genesis = await devGenesis(DEFAULT_CHAIN_ID)
  const producer = await FullNode.start({ dataDir: join(dir, 'producer'), genesis, rpcPort: 0, blockTimeMs: 3_600_000 })
  try {
    const raws = transfers(producer.chain.common, devAccounts(8)[7]!.privateKey, BLOCKS * PER_BLOCK).map((tx) => tx.serialize())
    for (let b = 0; b < BLOCKS; b++) {
      for (const raw of raws.slice(b * PER_BLOCK, (b + 1) * PER_BLOCK)) await producer.producer.submit(raw)
      await producer.producer.produceBlock()
    }
    const head = producer.chain.head.header.number

    const local = await Chain.open({ dataDir: join(dir, 'in-process'), genesis })
    const importer = new BlockImporter(local, defaultVerifiers())
    let started = performance.now()
    for (let n = 1n; n <= head; n++) {
      const block = (await producer.chain.store.blockByNumber(n))!
      const attachment = (kind: string) => producer.chain.store.attachment(kind, block.hash())
      await importer.import(block, (await attachment(RECORDS_ATTACHMENT)) ?? new Uint8Array(), (await attachment(SEAL_ATTACHMENT))!)
    }
    const inProcessMs = performance.now() - started
    await local.close()

    started = performance.now()
    const follower = await FullNode.start({ dataDir: join(dir, 'follower'), genesis, rpcPort: 0, peers: producer.network.multiaddrs, syncIntervalMs: 100 })
    while (follower.chain.head.header.number < head) await new Promise((r) => setTimeout(r, 5))
    const networkMs = performance.now() - started
    await follower.stop()
    return {
      blocks: Number(head),
      transactionsPerBlock: PER_BLOCK,
      inProcessBlocksPerSec: Number(head) / (inProcessMs / 1000),
      networkBlocksPerSec: Number(head) / (networkMs / 1000),
    }
  } finally {
    await producer.stop()
  }
}
