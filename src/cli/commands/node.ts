/** `inferchain node`: a full node alone. */
import type { Command } from 'commander'
import { FullNode } from '../../node.js'
import { DEFAULT_CHAIN_ID } from '../../params.js'
import { onShutdown, parsePort, parsePositiveInt, toJson } from '../shared.js'

export function addNodeCommand(program: Command): void {
  program
    .command('node')
    .description('run a full node (chain, mempool, block producer, JSON-RPC)')
    .option('--data-dir <dir>', 'chain data directory', '.inferchain/node')
    .option('--chain-id <id>', 'chain id', parsePositiveInt, DEFAULT_CHAIN_ID)
    .option('--rpc-host <host>', 'JSON-RPC listen address', '127.0.0.1')
    .option('--rpc-port <port>', 'JSON-RPC port (0 = any free port)', parsePort, 8545)
    .option('--automine', 'produce a block as soon as a transaction is ready')
    .option('--block-time <ms>', 'interval between blocks when not automining', parsePositiveInt, 1000)
    .option('--inference-timeout <ms>', 'how long to wait for an inference node before failing over', parsePositiveInt, 10_000)
    .option('--follow <rpcUrl>', 'follow the node at this JSON-RPC URL: import and verify its blocks (never running a model), forward transactions to it')
    .option('--json', 'print one JSON line when ready')
    .action(async (opts) => {
      const node = await FullNode.start({
        dataDir: opts.dataDir,
        chainId: opts.chainId,
        rpcHost: opts.rpcHost,
        rpcPort: opts.rpcPort,
        automine: opts.automine,
        blockTimeMs: opts.blockTime,
        inferenceTimeoutMs: opts.inferenceTimeout,
        follow: opts.follow,
        log: (m) => process.stderr.write(`${m}\n`),
      })
      onShutdown(() => node.stop())
      const ready = { rpcUrl: node.rpc.url, wsUrl: node.rpc.wsUrl, chainId: Number(node.chain.chainId), head: node.chain.head.header.number }
      process.stdout.write(opts.json ? `${toJson(ready)}\n` : `full node on ${ready.rpcUrl}, chain ${ready.chainId}, head ${ready.head}\n`)
    })
}
