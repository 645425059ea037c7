/** `inferchain inference-node`: a stateless inference service that registers itself on chain. */
import { InvalidArgumentError, type Command } from 'commander'
import type { TeeBackend } from '../../tee/types.js'
import { DEFAULT_HUB_URL, DEFAULT_RPC_URL, onShutdown, parsePort, parsePrivateKey, resolvePrivateKey, toJson } from '../shared.js'

/** TEE backends by `--tee` name, loaded when used. Only the development enclave exists here (no TEE hardware). */
const TEE_BACKENDS: Record<string, () => Promise<TeeBackend>> = {
  dev: async () => (await import('../../tee/dev-enclave.js')).DevEnclave.create(),
}

function parseTee(value: string): string {
  if (!(value in TEE_BACKENDS)) throw new InvalidArgumentError(`unknown TEE backend "${value}" (available: ${Object.keys(TEE_BACKENDS).join(', ')})`)
  return value
}

export function addInferenceNodeCommand(program: Command): void {
  program
    .command('inference-node')
    .description('run an inference node: fetches models from the hub by CID, runs them with onnxruntime (ONNX) or llama.cpp (GGUF LLMs, also served OpenAI-style at /v1/chat/completions), signs results')
    .option('--hub-url <url>', 'model hub', DEFAULT_HUB_URL)
    .option('--rpc-url <url>', 'full node to register with', DEFAULT_RPC_URL)
    .option('--private-key <key>', 'signing key (or $INFERCHAIN_PRIVATE_KEY)', parsePrivateKey)
    .option('--host <host>', 'listen address', '127.0.0.1')
    .option('--port <port>', 'port (0 = any free port)', parsePort, 8547)
    .option('--cache-dir <dir>', 'model cache', '.inferchain/inference-cache')
    .option('--model <cid...>', 'models to serve (registered in NodeRegistry)', [])
    .option('--private-model <file.onnx>', 'serve a private model from this local file: its weights never leave the node; it is registered (owned by this key) under the id private:0x<weights commitment> with its schema, and only nodes its owner authorises may serve it (docs/decisions/private-models.md)')
    .option('--tee <backend>', 'also serve TEE mode, attesting results with this enclave backend ("dev": the development enclave, devnets only)', parseTee)
    .option('--zk', 'also serve ZK mode: answer with the quantized reference executor, then prove each result and submit the proof to ZkInferences')
    .option('--optimistic', 'also serve OPTIMISTIC mode: answer with the canonical integer path, bonded by stake in InferenceSettlement (staked to the chain minimum at registration)')
    .option('--no-register', 'do not register in NodeRegistry')
    .option('--perturb-outputs', 'TEST ONLY: sign deliberately wrong outputs')
    .option('--json', 'print one JSON line when ready')
    .action(async (opts) => {
      const privateKey = await resolvePrivateKey(opts.privateKey, false)
      const [{ startInferenceNode }, { connect }, { registerInferenceNode }] = await Promise.all([
        import('../../inference/service.js'),
        import('../../sdk/chain.js'),
        import('../../sdk/registry.js'),
      ])
      const privateModel = opts.privateModel === undefined ? undefined : await (await import('../../private/local-model.js')).loadPrivateModel(opts.privateModel as string)
      const tee = opts.tee === undefined ? undefined : await TEE_BACKENDS[opts.tee as string]!()
      const zk = opts.zk
        ? new (await import('../../zk/prover-node.js')).ZkProverNode({ privateKey, rpcUrl: opts.rpcUrl, hubUrl: opts.hubUrl, log: (line) => process.stderr.write(`${line}\n`) })
        : undefined
      const node = await startInferenceNode({
        privateKey,
        hubUrl: opts.hubUrl,
        cacheDir: opts.cacheDir,
        host: opts.host,
        port: opts.port,
        ...(tee === undefined ? {} : { tee }),
        ...(zk === undefined ? {} : { zk }),
        perturbOutputs: opts.perturbOutputs ?? false,
        optimistic: opts.optimistic ?? false,
        ...(privateModel === undefined ? {} : { privateModels: [privateModel] }),
      })
      onShutdown(() => node.close())
      const servedModels: string[] = privateModel === undefined ? opts.model : [...opts.model, privateModel.cid]
      if (opts.register) {
        const clients = await connect({ rpcUrl: opts.rpcUrl, privateKey })
        // Bonded before it is routed to: an unbonded node's OPTIMISTIC results are refused (NODE_NOT_BONDED).
        if (opts.optimistic) await (await import('../../sdk/settlement.js')).ensureBonded({ publicClient: clients.publicClient, walletClient: clients.walletClient! })
        // The private model is registered (or this node's authorisation checked) before the node names it.
        if (privateModel !== undefined) {
          const { ensurePrivateModel, privateModelModes } = await import('../../private/registry.js')
          await ensurePrivateModel({ publicClient: clients.publicClient, walletClient: clients.walletClient! }, privateModel, privateModelModes(node.modes))
        }
        await registerInferenceNode(
          { publicClient: clients.publicClient, walletClient: clients.walletClient! },
          {
            endpoint: node.url,
            models: servedModels,
            modes: node.modes,
            ...(node.tee === undefined ? {} : { enclaveKey: node.tee.enclaveKey }),
          },
        )
      }
      zk?.start()
      const ready = {
        url: node.url, address: node.address, models: servedModels, modes: node.modes,
        ...(node.tee === undefined ? {} : { tee: node.tee }),
        ...(privateModel === undefined ? {} : { privateModel: { id: privateModel.cid, commitment: privateModel.commitment } }),
      }
      const teeLine = node.tee === undefined ? '' : ` (TEE ${node.tee.kind}, measurement ${node.tee.measurement})`
      process.stdout.write(opts.json ? `${toJson(ready)}\n` : `inference node ${node.address} on ${node.url}${teeLine}\n`)
    })
}
