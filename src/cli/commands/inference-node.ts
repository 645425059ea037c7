/** `inferchain inference-node`: a stateless inference service that registers itself on chain. */
import type { Command } from 'commander'
import { startInferenceNode } from '../../inference/service.js'
import { connect } from '../../sdk/chain.js'
import { registerInferenceNode } from '../../sdk/registry.js'
import { DEFAULT_HUB_URL, DEFAULT_RPC_URL, onShutdown, parsePort, parsePrivateKey, resolvePrivateKey, toJson } from '../shared.js'

export function addInferenceNodeCommand(program: Command): void {
  program
    .command('inference-node')
    .description('run an inference node: fetches models from the hub by CID, runs them with onnxruntime, signs results')
    .option('--hub-url <url>', 'model hub', DEFAULT_HUB_URL)
    .option('--rpc-url <url>', 'full node to register with', DEFAULT_RPC_URL)
    .option('--private-key <key>', 'signing key (or $INFERCHAIN_PRIVATE_KEY)', parsePrivateKey)
    .option('--host <host>', 'listen address', '127.0.0.1')
    .option('--port <port>', 'port (0 = any free port)', parsePort, 8547)
    .option('--cache-dir <dir>', 'model cache', '.inferchain/inference-cache')
    .option('--model <cid...>', 'models to serve (registered in NodeRegistry)', [])
    .option('--no-register', 'do not register in NodeRegistry')
    .option('--perturb-outputs', 'TEST ONLY: sign deliberately wrong outputs')
    .option('--json', 'print one JSON line when ready')
    .action(async (opts) => {
      const privateKey = resolvePrivateKey(opts.privateKey, false)
      const node = await startInferenceNode({
        privateKey,
        hubUrl: opts.hubUrl,
        cacheDir: opts.cacheDir,
        host: opts.host,
        port: opts.port,
        perturbOutputs: opts.perturbOutputs ?? false,
      })
      onShutdown(() => node.close())
      if (opts.register) {
        const clients = await connect({ rpcUrl: opts.rpcUrl, privateKey })
        await registerInferenceNode(
          { publicClient: clients.publicClient, walletClient: clients.walletClient! },
          { endpoint: node.url, models: opts.model },
        )
      }
      const ready = { url: node.url, address: node.address, models: opts.model }
      process.stdout.write(opts.json ? `${toJson(ready)}\n` : `inference node ${node.address} on ${node.url}\n`)
    })
}
