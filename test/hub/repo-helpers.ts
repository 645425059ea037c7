/**
 * Set-up for repository tests: a real full node in process (automine, dev genesis, so ModelRegistry
 * is deployed), a hub on loopback reading ownership from it over JSON-RPC, dev accounts as owners.
 */
import { readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts'
import { chainOwnership, createRepositoryOnChain } from '../../src/hub/chain.js'
import { RepositoryClient } from '../../src/hub/repo-client.js'
import { startHubServer, type HubServer } from '../../src/hub/server.js'
import { DiskModelStore } from '../../src/hub/store.js'
import { FullNode } from '../../src/node.js'
import { connect } from '../../src/sdk/chain.js'
import { ACCOUNTS, tempDir, testGenesis } from '../chain/helpers.js'

export interface RepoTestChain {
  node: FullNode
  rpcUrl: string
  alice: PrivateKeyAccount
  bob: PrivateKeyAccount
  /** Claims `name` in ModelRegistry for `account` (a real transaction). */
  claim(account: PrivateKeyAccount, name: string): Promise<void>
  stop(): Promise<void>
}

export async function startTestChain(): Promise<RepoTestChain> {
  const tmp = tempDir('inferchain-hub-chain-')
  const node = await FullNode.start({ dataDir: tmp.dir, genesis: await testGenesis(), automine: true, rpcPort: 0 })
  const rpcUrl = node.rpc.url
  return {
    node,
    rpcUrl,
    alice: privateKeyToAccount(ACCOUNTS[0]!.privateKey),
    bob: privateKeyToAccount(ACCOUNTS[1]!.privateKey),
    claim: async (account, name) => {
      const clients = await connect({ rpcUrl, privateKey: ACCOUNTS.find((a) => a.address === account.address)!.privateKey })
      await createRepositoryOnChain({ publicClient: clients.publicClient, walletClient: clients.walletClient! }, name)
    },
    stop: async () => {
      await node.stop()
      tmp.remove()
    },
  }
}

export interface RepoTestHub {
  hub: HubServer
  dir: string
  store: DiskModelStore
  client(account?: PrivateKeyAccount): RepositoryClient
  /** Every file under the hub's data dir with its size, but the nonce log (spent nonces are recorded by design). */
  snapshot(): string[]
  /** Leftover upload temp files anywhere under the data dir. */
  temps(): string[]
  restart(): Promise<void>
  stop(): Promise<void>
}

export async function startRepoHub(chain: RepoTestChain, options: { maxFileBytes?: number } = {}): Promise<RepoTestHub> {
  const tmp = tempDir()
  const store = new DiskModelStore(tmp.dir)
  const start = () =>
    startHubServer({ store, port: 0, maxFileBytes: options.maxFileBytes, repositories: { dir: join(tmp.dir, 'repositories'), ownership: chainOwnership(chain.rpcUrl) } })
  const state = { hub: await start() }
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]))
  return {
    get hub() {
      return state.hub
    },
    dir: tmp.dir,
    store,
    client: (account) => new RepositoryClient(state.hub.url, account),
    snapshot: () =>
      walk(tmp.dir)
        .filter((p) => !p.endsWith('nonces.log'))
        .map((p) => `${relative(tmp.dir, p)}:${statSync(p).size}`)
        .sort(),
    temps: () => walk(tmp.dir).filter((p) => /\.upload-|\.tmp$/.test(p)),
    restart: async () => {
      await state.hub.close()
      state.hub = await start()
    },
    stop: async () => {
      await state.hub.close()
      tmp.remove()
    },
  }
}
