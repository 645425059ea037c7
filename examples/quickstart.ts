/**
 * The first hour, in one file: connect to a devnet, pick a model, run it through `eth_call` and in a
 * transaction, read who computed it, and verify that evidence yourself.
 *
 *   npm run dev                       # in one terminal
 *   npx tsx examples/quickstart.ts    # in another (INFERCHAIN_RPC_URL overrides the URL)
 */
import { callModel, connect, listModels, modelInput, outputValues, runModel, verifyInferenceRecord } from 'inferchain'

const rpcUrl = process.env.INFERCHAIN_RPC_URL ?? 'http://127.0.0.1:8545'
// Dev account #0 of the standard test mnemonic: devnets only.
const privateKey = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'

const { publicClient, walletClient } = await connect({ rpcUrl, privateKey })
console.log(`connected to chain ${await publicClient.getChainId()} at block ${await publicClient.getBlockNumber()}`)

// 1. Pick a model from the registry (the devnet registers its demo MLP).
const [model] = await listModels(publicClient)
if (!model) throw new Error('no model registered: is this a devnet started with `npm run dev`?')
const inputs = JSON.parse(model.inputSchema) as Array<{ name: string; shape: number[] }>
console.log(`model ${model.cid} (${model.name}), input ${inputs[0]!.name} of shape [${inputs[0]!.shape}]`)

// 2. Build the input: plain numbers, turned into the chain's fixed point (6 decimals).
const size = inputs[0]!.shape.reduce((a, b) => a * b, 1)
const input = modelInput({ [inputs[0]!.name]: { values: Array.from({ length: size }, (_, i) => (i % 5) / 10), shape: inputs[0]!.shape } })

// 3. A quick answer through eth_call: an inference node computes it, nothing goes on chain.
const quick = await callModel(publicClient, { modelCid: model.cid, input })
console.log('eth_call output     ', outputValues(quick).map((v) => v.toFixed(6)).join(' '))

// 4. The same in a transaction: the result is used and recorded in the block.
const run = await runModel({ publicClient, walletClient: walletClient! }, { modelCid: model.cid, input })
console.log('transaction output  ', outputValues(run.output).map((v) => v.toFixed(6)).join(' '))
console.log(`tx ${run.hash} in block ${run.receipt.blockNumber}, request id ${run.requestId}`)
console.log(`computed by ${run.record.node} (${run.record.mode}), evidence: ${run.record.verification.evidence}`)

// 5. Don't trust the node you asked: check the evidence against the registry yourself.
const verdict = await verifyInferenceRecord(publicClient, run.record)
console.log(`verified offline: ${verdict.status}`)
if (verdict.status !== 'verified') process.exit(1)
