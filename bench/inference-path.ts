/**
 * (a) One inference of the demo model: raw onnxruntime `session.run` vs. the same inference through
 * the inference node, through the precompile in `eth_call`, and through a mined transaction — all in
 * one run, with the overhead split into its parts.
 */
import { join } from 'node:path'
import { InferenceSession, Tensor } from 'onnxruntime-node'
import { encodeFunctionData, type Hex } from 'viem'
import { devAccounts } from '../src/chain/dev-accounts.js'
import { compileContracts, getContract } from '../src/contracts/compile.js'
import { encodeRunModelInference, hashModelInput } from '../src/evm/abi.js'
import { ModelInferenceMode, type ModelInferenceRequest } from '../src/evm/types.js'
import { HubClient } from '../src/hub/client.js'
import { startHubServer } from '../src/hub/server.js'
import { DiskModelStore } from '../src/hub/store.js'
import { InferenceNodeClient } from '../src/inference/client.js'
import { SESSION_OPTIONS } from '../src/inference/runtime.js'
import { startInferenceNode } from '../src/inference/service.js'
import { buildDemoModel, DEMO_MODEL } from '../src/models/demo-mlp.js'
import { FullNode } from '../src/node.js'
import { INFERENCE_PRECOMPILE_ADDRESS } from '../src/params.js'
import { connect } from '../src/sdk/chain.js'
import { registerInferenceNode, registerModel } from '../src/sdk/registry.js'
import { rpc } from './rpc.js'
import { time, timeInterleaved, type Timing } from './stats.js'

export interface InferencePathResult {
  raw: Timing
  inferenceNode: Timing
  rpcRoundTrip: Timing
  ethCallCached: Timing
  ethCallPrecompile: Timing
  ethCallContract: Timing
  minedTransaction: Timing
  verifySignature: Timing
  /** The full node's own dispatch of one request: inference node over HTTP + verification. */
  nodeDispatch: Timing
}

let counter = 0
/** A fresh input every call, so no cache can answer. */
function freshInput(): number[] {
  counter++
  return Array.from({ length: DEMO_MODEL.inputSize }, (_, i) => Math.sin(counter * 7.1 + i) / 2)
}

function request(cid: string, values: number[]): ModelInferenceRequest {
  return {
    mode: ModelInferenceMode.VANILLA,
    modelCid: cid,
    input: { numbers: [{ name: 'input', values: values.map((v) => ({ value: BigInt(Math.round(v * 1e6)), decimals: 6n })), shape: [1, values.length] }], strings: [] },
  }
}


export async function benchInferencePath(dir: string, runs = 200): Promise<InferencePathResult> {
  const accounts = devAccounts(20)
  const node = await FullNode.start({ dataDir: join(dir, 'chain'), rpcPort: 0, automine: true })
  const hub = await startHubServer({ store: new DiskModelStore(join(dir, 'hub')), port: 0 })
  const inference = await startInferenceNode({ privateKey: accounts[19]!.privateKey, hubUrl: hub.url, cacheDir: join(dir, 'cache') })
  try {
    const bytes = buildDemoModel()
    const { cid, metadata } = await new HubClient(hub.url).upload(bytes, { name: 'demo-mlp' })
    const owner = await connect({ rpcUrl: node.rpc.url, privateKey: accounts[0]!.privateKey })
    await registerModel({ publicClient: owner.publicClient, walletClient: owner.walletClient! }, metadata)
    const op = await connect({ rpcUrl: node.rpc.url, privateKey: accounts[19]!.privateKey })
    await registerInferenceNode({ publicClient: op.publicClient, walletClient: op.walletClient! }, { endpoint: inference.url, models: [cid] })
    const { abi, bytecode } = getContract(await compileContracts(), 'DemoConsumer')
    const deploy = await owner.walletClient!.deployContract({ abi, bytecode, account: owner.account!, chain: owner.chain })
    const consumer = (await owner.publicClient.waitForTransactionReceipt({ hash: deploy })).contractAddress!

    const session = await InferenceSession.create(bytes, SESSION_OPTIONS)
    const client = new InferenceNodeClient(inference.url)
    const sample = await client.infer(request(cid, freshInput()))
    const { verifyVanillaResult } = await import('../src/verify/vanilla.js')
    const cachedData = encodeRunModelInference(request(cid, freshInput()))
    // The baseline alone, back to back (its fastest setting); the parts of the eth_call path
    // round-robin, so that each sees the same machine and they add up.
    const raw = await time(runs, () => session.run({ input: new Tensor('float32', Float32Array.from(freshInput()), [1, DEMO_MODEL.inputSize]) }))
    const { inferenceNode, verifySignature, nodeDispatch, rpcRoundTrip, ethCallCached, ethCallPrecompile } = await timeInterleaved(runs, {
      inferenceNode: () => client.infer(request(cid, freshInput())),
      verifySignature: async () => verifyVanillaResult(sample, { inputHash: sample.inputHash }),
      nodeDispatch: () => {
        const fresh = request(cid, freshInput())
        return node.dispatcher.dispatch(fresh, hashModelInput(fresh.input))
      },
      rpcRoundTrip: () => rpc(node.rpc.url, 'eth_blockNumber', []),
      ethCallCached: () => rpc(node.rpc.url, 'eth_call', [{ to: INFERENCE_PRECOMPILE_ADDRESS, data: cachedData }, 'latest']),
      ethCallPrecompile: () => rpc(node.rpc.url, 'eth_call', [{ to: INFERENCE_PRECOMPILE_ADDRESS, data: encodeRunModelInference(request(cid, freshInput())) }, 'latest']),
    })
    const callData = () => {
      const values = freshInput().map((v) => BigInt(Math.round(v * 1e6)))
      return encodeFunctionData({ abi, functionName: 'runWithValues', args: [cid, values, 6n] })
    }
    const ethCallContract = await time(runs, () => rpc(node.rpc.url, 'eth_call', [{ to: consumer, data: callData() }, 'latest']))
    let nonce = await owner.publicClient.getTransactionCount({ address: owner.account!.address })
    const minedTransaction = await time(Math.max(20, runs / 4), async () => {
      const signed = await owner.walletClient!.signTransaction({
        account: owner.account!, chain: owner.chain, to: consumer, data: callData(), gas: 2_000_000n, nonce: nonce++,
        maxFeePerGas: 100n * 10n ** 9n, maxPriorityFeePerGas: 10n ** 9n,
      })
      const hash = (await rpc(node.rpc.url, 'eth_sendRawTransaction', [signed])) as Hex
      while ((await rpc(node.rpc.url, 'eth_getTransactionReceipt', [hash])) === null) await new Promise((r) => setTimeout(r, 1))
    }, 5)
    return { raw, inferenceNode, rpcRoundTrip, ethCallCached, ethCallPrecompile, ethCallContract, minedTransaction, verifySignature, nodeDispatch }
  } finally {
    await inference.close()
    await hub.close()
    await node.stop()
  }
}
