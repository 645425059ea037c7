/**
 * `inferchain stake deposit|unbond|withdraw|show`: an inference node's stake in InferenceSettlement,
 * which bonds its OPTIMISTIC results (and is slashed for proven fraud or a failed ZK proof).
 */
import { InvalidArgumentError, type Command } from 'commander'
import { formatEther, parseEther, type Address, type Hex } from 'viem'
import type { WriteClients } from '../../sdk/transact.js'
import { DEFAULT_RPC_URL, parsePrivateKey, resolvePrivateKey, toJson } from '../shared.js'

/** An amount in ETH (`1`, `0.25`), to wei. */
export function parseEth(value: string): bigint {
  if (!/^\d+(\.\d{1,18})?$/.test(value)) throw new InvalidArgumentError('an amount is in ETH, e.g. 1 or 0.25 (at most 18 decimals)')
  const wei = parseEther(value)
  if (wei === 0n) throw new InvalidArgumentError('the amount must be more than 0')
  return wei
}

export function parseAddress(value: string): Address {
  if (!/^0x[0-9a-fA-F]{40}$/.test(value)) throw new InvalidArgumentError('an address is 0x followed by 40 hex digits')
  return value as Address
}

export function parseRequestId(value: string): Hex {
  if (!/^0x[0-9a-fA-F]{64}$/.test(value)) throw new InvalidArgumentError('a request id is 0x followed by 64 hex digits (the inferenceID of a ModelInferenceEvent)')
  return value.toLowerCase() as Hex
}

/** Options every settlement verb takes. */
export function settlementOptions(command: Command, signs: boolean): Command {
  command.option('--rpc-url <url>', 'full node', DEFAULT_RPC_URL).option('--json', 'print JSON (errors too: {"error":{"code","message"}} on stdout)')
  if (signs) command.option('--private-key <key>', 'signing key (or $INFERCHAIN_PRIVATE_KEY; dev account #0 by default)', parsePrivateKey)
  return command
}

/**
 * Runs a verb: an InferenceSettlement revert becomes its typed `SettlementError`; with `--json` the
 * error is also printed as JSON on stdout, so scripts read one stream. The top level prints it to
 * stderr as `error [CODE]: …` and exits 1.
 */
export async function runVerb(json: boolean | undefined, verb: () => Promise<void>): Promise<void> {
  try {
    await verb()
  } catch (err) {
    const { asSettlementError } = await import('../../sdk/disputes.js')
    const typed = asSettlementError(err) as { code?: string; shortMessage?: string; message?: string; details?: unknown }
    if (json) process.stdout.write(`${toJson({ error: { code: typed.code ?? 'ERROR', message: typed.shortMessage ?? typed.message, details: typed.details } })}\n`)
    throw typed
  }
}

export async function writeClients(opts: { rpcUrl: string; privateKey?: Hex }): Promise<WriteClients> {
  const { connect } = await import('../../sdk/chain.js')
  const { publicClient, walletClient } = await connect({ rpcUrl: opts.rpcUrl, privateKey: await resolvePrivateKey(opts.privateKey, true) })
  return { publicClient: publicClient as WriteClients['publicClient'], walletClient: walletClient! }
}

const eth = (wei: bigint) => `${formatEther(wei)} ETH`

export function addStakeCommand(program: Command): void {
  const stake = program
    .command('stake')
    .description("an inference node's stake in InferenceSettlement: it bonds OPTIMISTIC results and is slashed for fraud")

  settlementOptions(stake.command('deposit <amount>').description('add <amount> ETH to your stake'), true).action(async (amount: string, opts) => {
    await runVerb(opts.json, async () => {
      const wei = parseEth(amount)
      const { getStake, stake: deposit } = await import('../../sdk/settlement.js')
      const clients = await writeClients(opts)
      const txHash = await deposit(clients, wei)
      await printStake(clients.publicClient, clients.walletClient.account!.address, opts.json, { action: 'deposit', txHash, amount: wei }, getStake)
    })
  })

  settlementOptions(stake.command('unbond <amount>').description('start unbonding <amount> ETH: it stops backing new claims now and can be withdrawn after the unbonding delay'), true).action(
    async (amount: string, opts) => {
      await runVerb(opts.json, async () => {
        const wei = parseEth(amount)
        const { getStake, requestUnbond } = await import('../../sdk/settlement.js')
        const clients = await writeClients(opts)
        const txHash = await requestUnbond(clients, wei)
        await printStake(clients.publicClient, clients.walletClient.account!.address, opts.json, { action: 'unbond', txHash, amount: wei }, getStake)
      })
    },
  )

  settlementOptions(stake.command('withdraw').description('pay out your unbonded stake (after the unbonding delay, with no open claims)'), true).action(async (opts) => {
    await runVerb(opts.json, async () => {
      const { getStake, withdrawStake } = await import('../../sdk/settlement.js')
      const clients = await writeClients(opts)
      const address = clients.walletClient.account!.address
      const before = await getStake(clients.publicClient, address)
      const txHash = await withdrawStake(clients)
      await printStake(clients.publicClient, address, opts.json, { action: 'withdraw', txHash, amount: before.unbonding }, getStake)
    })
  })

  settlementOptions(stake.command('show [address]').description("a stake (yours by default): bonded, unbonding, open claims, and the chain's minimum"), true).action(async (address: string | undefined, opts) => {
    await runVerb(opts.json, async () => {
      const { getStake } = await import('../../sdk/settlement.js')
      const who = address === undefined ? undefined : parseAddress(address)
      if (who) {
        const { connect } = await import('../../sdk/chain.js')
        const { publicClient } = await connect({ rpcUrl: opts.rpcUrl })
        await printStake(publicClient, who, opts.json, undefined, getStake)
      } else {
        const clients = await writeClients(opts)
        await printStake(clients.publicClient, clients.walletClient.account!.address, opts.json, undefined, getStake)
      }
    })
  })
}

type GetStake = typeof import('../../sdk/settlement.js').getStake

async function printStake(
  publicClient: Parameters<GetStake>[0],
  node: Address,
  json: boolean | undefined,
  done: { action: string; txHash: Hex; amount: bigint } | undefined,
  getStake: GetStake,
): Promise<void> {
  const { getSettlementParameters } = await import('../../sdk/settlement.js')
  const [s, params, head] = await Promise.all([getStake(publicClient, node), getSettlementParameters(publicClient), publicClient.getBlockNumber()])
  if (json) {
    process.stdout.write(`${toJson({ ...(done ?? {}), node, stake: s, minStake: params.minStake, head })}\n`)
    return
  }
  const lines = [
    ...(done ? [`${done.action} ${eth(done.amount)} · tx ${done.txHash}`] : []),
    `stake of ${node}`,
    `  bonded       ${eth(s.bonded)}${s.bonded < params.minStake ? ` (below the minimum ${eth(params.minStake)}: cannot serve OPTIMISTIC calls)` : ''}`,
    `  unbonding    ${eth(s.unbonding)}${s.unbonding > 0n ? (s.unbondableAt > head + 1n ? ` (withdrawable from block ${s.unbondableAt})` : ' (withdrawable now)') : ''}`,
    `  total        ${eth(s.amount)}`,
    `  open claims  ${s.openClaims}`,
  ]
  process.stdout.write(`${lines.join('\n')}\n`)
}
