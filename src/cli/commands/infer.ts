/** `inferchain infer`: one inference in a transaction, through a consumer contract. */
import { InvalidArgumentError, type Command } from 'commander'
import type { Address } from 'viem'
import { DEFAULT_RPC_URL, parsePositiveInt, parsePrivateKey, resolvePrivateKey, toJson } from '../shared.js'

export function addInferCommand(program: Command): void {
  program
    .command('infer <cid>')
    .description('run a model in a transaction through a DemoConsumer contract and print the output and tx hash')
    .requiredOption('--input <json>', 'input values as a JSON array of numbers (row-major, tensor "input" of shape [1, n])', parseValues)
    .requiredOption('--consumer <address>', 'DemoConsumer contract address (printed by `inferchain dev`)')
    .option('--decimals <n>', 'fixed-point decimals used to encode the input', parsePositiveInt, 6)
    .option('--rpc-url <url>', 'full node', DEFAULT_RPC_URL)
    .option('--private-key <key>', 'sender key (or $INFERCHAIN_PRIVATE_KEY; dev account #0 by default)', parsePrivateKey)
    .option('--json', 'print JSON')
    .action(async (cid: string, opts) => {
      const [{ decodeEventLog }, { compileContracts, getContract }, { connect }] = await Promise.all([import('viem'), import('../../contracts/compile.js'), import('../../sdk/chain.js')])
      const clients = await connect({ rpcUrl: opts.rpcUrl, privateKey: await resolvePrivateKey(opts.privateKey, true) })
      const { abi } = getContract(await compileContracts(), 'DemoConsumer')
      const scale = 10 ** opts.decimals
      const values = (opts.input as number[]).map((v) => BigInt(Math.round(v * scale)))
      const hash = await clients.walletClient!.writeContract({
        address: opts.consumer as Address,
        abi,
        functionName: 'runWithValues',
        args: [cid, values, BigInt(opts.decimals)],
        account: clients.account!,
        chain: clients.chain,
      })
      const receipt = await clients.publicClient.waitForTransactionReceipt({ hash })
      if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`)
      const event = receipt.logs
        .map((log) => {
          try {
            return decodeEventLog({ abi, data: log.data, topics: log.topics })
          } catch {
            return undefined
          }
        })
        .find((e) => e?.eventName === 'InferenceResult')
      const args = event?.args as { values: readonly bigint[]; decimals: bigint } | undefined
      const output = args ? args.values.map((v) => Number(v) / 10 ** Number(args.decimals)) : []
      if (opts.json) process.stdout.write(`${toJson({ txHash: hash, blockNumber: receipt.blockNumber, output })}\n`)
      else process.stdout.write(`tx     ${hash}\nblock  ${receipt.blockNumber}\noutput [${output.join(', ')}]\n`)
    })
}

function parseValues(text: string): number[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new InvalidArgumentError('--input must be a JSON array of numbers, e.g. [0.1, 0.2]')
  }
  const flat = Array.isArray(parsed) ? parsed.flat(Infinity) : undefined
  if (!flat || flat.length === 0 || !flat.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new InvalidArgumentError('--input must be a non-empty JSON array of finite numbers')
  }
  return flat as number[]
}
