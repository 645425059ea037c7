/**
 * End to end through a devnet (real processes, `npm run build` first): a repository is claimed on
 * chain, created on the devnet's hub, gets a release and a model file; the model is registered by
 * its content ID and a transaction runs it through the precompile, computed by the devnet's
 * inference node, which fetched the file from the hub by that CID.
 */
import { InferenceSession, Tensor } from 'onnxruntime-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nodeRegistryAbi } from '../../src/contracts/system.js'
import { createRepositoryOnChain } from '../../src/hub/chain.js'
import { HubClient } from '../../src/hub/client.js'
import { RepositoryClient } from '../../src/hub/repo-client.js'
import { buildMlpModel } from '../../src/models/index.js'
import { NODE_REGISTRY_ADDRESS } from '../../src/params.js'
import { runModel } from '../../src/sdk/inference.js'
import { registerModel } from '../../src/sdk/registry.js'
import { modelInput, outputValues } from '../../src/sdk/tensors.js'
import { devnetClients, startDevnet, type RunningDevnet } from '../integration/processes.js'

let devnet: RunningDevnet
beforeAll(async () => {
  devnet = await startDevnet()
}, 180_000)
afterAll(async () => {
  await devnet?.stop()
})

describe('a repository model on a devnet', () => {
  it('create repo → version → upload → infer by content ID', async () => {
    const owner = devnetClients(devnet.info, 0)
    const clients = { publicClient: owner.publicClient, walletClient: owner.walletClient }
    await createRepositoryOnChain(clients, 'risk-mlp')
    const repos = new RepositoryClient(devnet.info.hubUrl, owner.account)
    await repos.createRepository({ name: 'risk-mlp', description: 'scores risk from 4 features', task: 'tabular-regression', license: 'mit', tags: ['mlp'] })
    const { version } = await repos.createVersion('risk-mlp')
    expect(version).toBe('1.01')
    const bytes = buildMlpModel({ inputSize: 4, hiddenSize: 8, outputSize: 2, seed: 7 })
    const { file } = await repos.upload('risk-mlp', version, bytes, { fileName: 'model.onnx' })
    expect((await repos.listFiles('risk-mlp')).map((f) => [f.name, f.cid])).toEqual([['model.onnx', file.cid]])

    // Register the content ID as a model and let the devnet's inference node (the last dev account) serve it.
    await registerModel(clients, await new HubClient(devnet.info.hubUrl).metadata(file.cid))
    const node = devnetClients(devnet.info, devnet.info.accounts.length - 1)
    const hash = await node.walletClient.writeContract({ address: NODE_REGISTRY_ADDRESS, abi: nodeRegistryAbi, functionName: 'addModel', args: [file.cid], account: node.account, chain: node.chain })
    expect((await node.publicClient.waitForTransactionReceipt({ hash })).status).toBe('success')

    const features = [0.25, -1.5, 3, 0.125]
    const run = await runModel(clients, { modelCid: file.cid, input: modelInput({ input: features }) })
    expect(run.record).toMatchObject({ modelCid: file.cid, status: 'ok' })
    const session = await InferenceSession.create(bytes)
    const reference = await session.run({ input: new Tensor('float32', Float32Array.from(features), [1, 4]) })
    const expected = Array.from(reference.output!.data as Float32Array)
    outputValues(run.output).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6))
  })
})
