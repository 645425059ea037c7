/**
 * What failure looks like, and how to tell the cases apart: every refusal of the precompile is an
 * `InferenceRevertedError` with a stable code; a transaction the node refuses carries its own code.
 *
 *   npx tsx examples/errors.ts        # against `npm run dev`
 */
import { BaseError } from 'viem'
import { generatePrivateKey } from 'viem/accounts'
import { callModel, connect, InferenceRevertedError, listModels, modelInput, runModel, type ModelInferenceMode } from 'inferchain'

const rpcUrl = process.env.INFERCHAIN_RPC_URL ?? 'http://127.0.0.1:8545'
const { publicClient } = await connect({ rpcUrl })
const [model] = await listModels(publicClient)
if (!model) throw new Error('no model registered: is this a devnet started with `npm run dev`?')
const input = modelInput({ input: { values: new Array(16).fill(0.5), shape: [1, 16] } })

async function expectCode(what: string, code: string, attempt: () => Promise<unknown>): Promise<void> {
  try {
    await attempt()
  } catch (err) {
    const seen = err instanceof InferenceRevertedError ? err.code : err instanceof BaseError ? (err.walk() as { code?: unknown }).code ?? err.shortMessage : String(err)
    console.log(`${what.padEnd(34)} → ${err instanceof InferenceRevertedError ? `InferenceRevertedError ${err.code}: ${err.reason}` : (err as Error).message.split('\n')[0]}`)
    if (!String(seen).includes(code) && !(err as Error).message.includes(code)) throw new Error(`${what}: expected ${code}, got ${seen}`)
    return
  }
  throw new Error(`${what}: expected a failure`)
}

// An unknown model ID.
await expectCode('unknown model', 'UNKNOWN_MODEL', () => callModel(publicClient, { modelCid: 'bafkreiaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', input }))
// An input that does not fit the model's schema.
await expectCode('input of the wrong shape', 'BAD_TENSOR_SHAPE', () => callModel(publicClient, { modelCid: model.cid, input: modelInput({ input: [1, 2, 3] }) }))
// A verification mode that does not exist.
await expectCode('an unknown verification mode', 'MALFORMED_REQUEST', () => callModel(publicClient, { modelCid: model.cid, input, mode: 7 as ModelInferenceMode }))
// A sender without funds: the node refuses the transaction before any inference.
const broke = await connect({ rpcUrl, privateKey: generatePrivateKey() })
await expectCode('sender without funds', 'insufficient funds', () => runModel({ publicClient: broke.publicClient, walletClient: broke.walletClient! }, { modelCid: model.cid, input }))
console.log('every failure came back with its code')
