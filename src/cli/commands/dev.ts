/** `inferchain dev`: the whole network on loopback, on embedded defaults. */
import type { Command } from 'commander'
import { rmSync } from 'node:fs'
import type { DevnetInfo } from '../../devnet.js'
import { DEFAULT_CHAIN_ID, DEFAULT_P2P_PORT } from '../../params.js'
import { onShutdown, parseCount, parsePort, parsePositiveInt, toJson } from '../shared.js'

export function addDevCommand(program: Command): void {
  program
    .command('dev')
    .description('start a local devnet: full node, model hub and an inference node, with a demo model and consumer contract')
    .option('--data-dir <dir>', 'where the devnet keeps its chain, hub and caches', '.inferchain/dev')
    .option('--chain-id <id>', 'chain id', parsePositiveInt, DEFAULT_CHAIN_ID)
    .option('--rpc-port <port>', 'JSON-RPC port (0 = any free port)', parsePort, 8545)
    .option('--hub-port <port>', 'model hub port (0 = any free port)', parsePort, 8546)
    .option('--inference-port <port>', 'inference node port (0 = any free port)', parsePort, 8547)
    .option('--p2p-port <port>', "the full node's libp2p port (0 = any free port)", parsePort, DEFAULT_P2P_PORT)
    .option('--inference-nodes <n>', 'how many inference nodes to start (0 = none; start your own)', parseCount, 1)
    .option('--followers <n>', 'follower full nodes to start beside the producer (they verify, never run models)', parseCount, 0)
    .option('--challenge-window <blocks>', 'blocks an OPTIMISTIC result stays challengeable (genesis parameter, passed to followers)', parsePositiveInt)
    .option('--challenger', 'run a challenger in the full node: re-check OPTIMISTIC results, challenge wrong ones, finalize the rest (dev account #5 pays bonds)')
    .option('--automine', 'produce a block as soon as a transaction is ready, instead of on an interval')
    .option('--block-time <ms>', 'interval between blocks when not automining', parsePositiveInt, 1000)
    .option('--llm <file.gguf>', 'serve this GGUF model for runLLMCompletion / runLLMChat (default: a built-in tiny model)')
    .option('--no-llm', 'upload and register no LLM')
    .option('--fresh', 'delete the data dir first')
    .option('--inference-timeout <ms>', 'how long to wait for an inference node before failing over', parsePositiveInt, 10_000)
    .option('--json', 'print one JSON line when ready instead of the summary')
    .action(async (opts) => {
      if (opts.fresh) rmSync(opts.dataDir, { recursive: true, force: true })
      const log = opts.json ? () => {} : (m: string) => process.stderr.write(`${m}\n`)
      // Loaded when the command runs: `--help` and other commands stay fast.
      const { Devnet } = await import('../../devnet.js')
      const devnet = await Devnet.start({
        dataDir: opts.dataDir,
        chainId: opts.chainId,
        rpcPort: opts.rpcPort,
        hubPort: opts.hubPort,
        inferencePort: opts.inferencePort,
        p2pPort: opts.p2pPort,
        automine: opts.automine,
        blockTimeMs: opts.blockTime,
        inferenceTimeoutMs: opts.inferenceTimeout,
        inferenceNodes: opts.inferenceNodes,
        followers: opts.followers,
        ...(opts.challengeWindow === undefined ? {} : { challengeWindow: opts.challengeWindow }),
        challenger: opts.challenger ?? false,
        llm: opts.llm === false ? false : (opts.llm as string | undefined),
        log,
      })
      onShutdown(() => devnet.stop())
      process.stdout.write(opts.json ? `${toJson(devnet.info)}\n` : summary(devnet.info))
    })
}

function summary(info: DevnetInfo): string {
  const input = Array.from({ length: info.demoModel.inputs[0]?.shape.at(-1) ?? 16 }, (_, i) => ((i % 5) / 10).toFixed(1))
  const lines = [
    '',
    'inferchain devnet is running',
    '',
    `  JSON-RPC         ${info.rpcUrl}   (WebSocket ${info.wsUrl})`,
    `  p2p              ${info.p2p[0] ?? '-'}   (join: inferchain node --peer <this> --rpc-port 8555 --p2p-port 0)`,
    `  chain id         ${info.chainId}`,
    `  precompile       ${info.precompile}  (OGInference)`,
    `  model hub        ${info.hubUrl}`,
    `  inference nodes  ${info.inferenceNodes.join(', ') || 'none (start one with `inferchain inference-node`)'}`,
    `  demo model       ${info.demoModel.cid}`,
    `                   inputs ${info.demoModel.inputs.map((t) => `${t.name} ${t.type}[${t.shape}]`).join(', ')}`,
    `                   outputs ${info.demoModel.outputs.map((t) => `${t.name} ${t.type}[${t.shape}]`).join(', ')}`,
    `  demo consumer    ${info.demoConsumer}`,
    ...(info.llmModel ? [`  LLM              ${info.llmModel.cid}  (${info.llmModel.name}; runLLMCompletion / runLLMChat, OpenAI API at <inference node>/v1/chat/completions)`] : []),
    ...(info.followers.length > 0 ? [`  followers        ${info.followers.join(', ')}`] : []),
    '',
    '  funded accounts (10000 ETH each; the standard test mnemonic):',
    ...info.accounts.slice(0, 5).map((a, i) => `    #${i} ${a.address}  ${a.privateKey}`),
    `    ... ${info.accounts.length} in all`,
    '',
    '  run an inference through the demo consumer:',
    `    npx inferchain infer ${info.demoModel.cid} --input '[${input.join(',')}]' --rpc-url ${info.rpcUrl} --consumer ${info.demoConsumer}`,
    '',
    '  Ctrl-C stops everything; the chain is kept in the data dir.',
    '',
  ]
  return lines.join('\n')
}
