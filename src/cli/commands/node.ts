/** `inferchain node`: a full node alone — the block producer, or, given `--peer`, a follower. */
import type { SingleBar } from 'cli-progress'
import type { Command } from 'commander'
import type { Hex } from 'viem'
import { DEFAULT_CHAIN_ID, DEFAULT_P2P_PORT } from '../../params.js'
import { onShutdown, parsePort, parsePositiveInt, parsePrivateKey, toJson } from '../shared.js'

export function addNodeCommand(program: Command): void {
  program
    .command('node')
    .description('run a full node: the block producer, or with --peer a follower that verifies blocks without running models')
    .option('--data-dir <dir>', 'chain data directory', '.inferchain/node')
    .option('--chain-id <id>', 'chain id', parsePositiveInt, DEFAULT_CHAIN_ID)
    .option('--rpc-host <host>', 'JSON-RPC listen address', '127.0.0.1')
    .option('--rpc-port <port>', 'JSON-RPC port (0 = any free port)', parsePort, 8545)
    .option('--p2p-host <host>', 'libp2p listen address', '127.0.0.1')
    .option('--p2p-port <port>', 'libp2p TCP port (0 = any free port)', parsePort, DEFAULT_P2P_PORT)
    .option(
      '--peer <multiaddr>',
      'join the network through this peer (repeatable), e.g. /ip4/127.0.0.1/tcp/30342/p2p/12D3Koo...; the node then follows: it imports and verifies blocks (never running a model) and relays transactions to the producer',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('--automine', 'producer: make a block as soon as a transaction is ready')
    .option('--block-time <ms>', 'producer: interval between blocks when not automining', parsePositiveInt, 1000)
    .option('--inference-timeout <ms>', 'producer: how long to wait for an inference node before failing over', parsePositiveInt, 10_000)
    .option('--hub-url <url>', 'model hub to fetch models from when a block settles an OPTIMISTIC dispute (the only time a full node computes)')
    .option('--challenge-window <blocks>', 'dev genesis: blocks an OPTIMISTIC result stays challengeable (every node of a network must agree)', parsePositiveInt)
    .option('--challenger', 're-run OPTIMISTIC results on the canonical integer path, challenge wrong ones and finalize the rest (needs --hub-url and a funded key)')
    .option('--challenger-key <key>', 'key that pays challenge bonds (or $INFERCHAIN_CHALLENGER_KEY; default on a devnet: dev account #5)', parsePrivateKey)
    .option('--json', 'print one JSON line when ready')
    .action(async (opts) => {
      const challengerKey = opts.challenger ? await resolveChallengerKey(opts.challengerKey) : undefined
      const progress = !opts.json && process.stderr.isTTY ? new SyncProgress(await import('cli-progress')) : undefined
      const { FullNode } = await import('../../node.js')
      const node = await FullNode.start({
        dataDir: opts.dataDir,
        chainId: opts.chainId,
        rpcHost: opts.rpcHost,
        rpcPort: opts.rpcPort,
        p2pHost: opts.p2pHost,
        p2pPort: opts.p2pPort,
        peers: opts.peer,
        automine: opts.automine,
        blockTimeMs: opts.blockTime,
        inferenceTimeoutMs: opts.inferenceTimeout,
        ...(opts.hubUrl === undefined ? {} : { hubUrl: opts.hubUrl }),
        ...(opts.challengeWindow === undefined ? {} : { settlement: { challengeWindow: BigInt(opts.challengeWindow) } }),
        ...(challengerKey === undefined ? {} : { challengerKey }),
        log: (m) => (progress ? progress.log(m) : process.stderr.write(`${m}\n`)),
        onImported: progress && ((number, target) => progress.update(number, target)),
      })
      onShutdown(async () => {
        progress?.stop()
        await node.stop()
      })
      const ready = {
        role: node.role,
        rpcUrl: node.rpc.url,
        wsUrl: node.rpc.wsUrl,
        chainId: Number(node.chain.chainId),
        head: node.chain.head.header.number,
        peerId: node.network.peerId,
        p2p: node.network.multiaddrs,
      }
      process.stdout.write(
        opts.json ? `${toJson(ready)}\n` : `${ready.role} on ${ready.rpcUrl}, chain ${ready.chainId}, head ${ready.head}\n  p2p ${ready.p2p.join(' ')}\n`,
      )
    })
}

async function resolveChallengerKey(flag: Hex | undefined): Promise<Hex> {
  if (flag) return flag
  const fromEnv = process.env.INFERCHAIN_CHALLENGER_KEY
  if (fromEnv) return parsePrivateKey(fromEnv)
  // The devnet's challenger account (src/devnet.ts DEV_CHALLENGER_INDEX), derived here so the command stays light.
  return (await import('../../chain/dev-accounts.js')).devAccounts(6)[5]!.privateKey
}

/** A progress bar while a follower is behind; it goes away once the node is at the network's head. */
class SyncProgress {
  private bar?: SingleBar

  constructor(private readonly progress: typeof import('cli-progress')) {}

  update(number: bigint, target: bigint): void {
    if (target - number < 2n) {
      this.stop()
      return
    }
    if (!this.bar) {
      this.bar = new this.progress.SingleBar({ format: 'syncing [{bar}] block {value}/{total} | {speed} blocks/s', stream: process.stderr }, this.progress.Presets.shades_classic)
      this.bar.start(Number(target), Number(number), { speed: '-' })
      this.started = { at: Date.now(), from: number }
    }
    const seconds = (Date.now() - this.started!.at) / 1000
    this.bar.setTotal(Number(target))
    this.bar.update(Number(number), { speed: seconds > 0 ? (Number(number - this.started!.from) / seconds).toFixed(0) : '-' })
  }

  /** A log line ends the bar (a later update draws a new one below the line). */
  log(message: string): void {
    this.stop()
    process.stderr.write(`${message}\n`)
  }

  stop(): void {
    this.bar?.stop()
    this.bar = undefined
  }

  private started?: { at: number; from: bigint }
}
