/** `inferchain workflow register|list|results`: scheduled model workflows (WorkflowScheduler). */
import { InvalidArgumentError, type Command } from 'commander'
import type { Address } from 'viem'
import { DEFAULT_RPC_URL, parsePositiveInt, parsePrivateKey, resolvePrivateKey, toJson } from '../shared.js'

function parseAddress(value: string): Address {
  if (!/^0x[0-9a-fA-F]{40}$/.test(value)) throw new InvalidArgumentError('an address is 0x followed by 40 hex digits')
  return value as Address
}

function parseEther(value: string): string {
  if (!/^\d+(\.\d{1,18})?$/.test(value)) throw new InvalidArgumentError('an amount of ETH, e.g. 0.1')
  return value
}

export function addWorkflowCommand(program: Command): void {
  const workflow = program
    .command('workflow')
    .description('scheduled model workflows: the chain calls an IModelExecutor\'s run() every N seconds (WorkflowScheduler)')
  workflow
    .command('register <executor>')
    .description('schedule run() of a deployed IModelExecutor contract every --frequency seconds until --end (or for --duration)')
    .requiredOption('--frequency <seconds>', 'seconds between runs', parsePositiveInt)
    .option('--end <unix-seconds>', 'last time a run may be due (Unix seconds)', parsePositiveInt)
    .option('--duration <seconds>', 'instead of --end: this many seconds from now', parsePositiveInt)
    .option('--deposit <eth>', 'ETH the scheduler holds to pay the runs (the rest is withdrawable at the end)', parseEther, '0.1')
    .option('--rpc-url <url>', 'full node', DEFAULT_RPC_URL)
    .option('--private-key <key>', 'task owner key (or $INFERCHAIN_PRIVATE_KEY; dev account #0 by default)', parsePrivateKey)
    .option('--json', 'print the result as JSON')
    .action(async (executor: string, opts) => {
      const address = parseAddress(executor)
      if ((opts.end === undefined) === (opts.duration === undefined)) throw new InvalidArgumentError('give exactly one of --end and --duration')
      const [{ connect, registerWorkflowTask }, { parseEther: toWei }] = await Promise.all([import('../../sdk/index.js'), import('viem')])
      const clients = await connect({ rpcUrl: opts.rpcUrl, privateKey: await resolvePrivateKey(opts.privateKey, true) })
      const endTime = opts.end !== undefined ? BigInt(opts.end) : BigInt(Math.floor(Date.now() / 1000) + opts.duration)
      const { taskId, hash } = await registerWorkflowTask(
        { publicClient: clients.publicClient, walletClient: clients.walletClient! },
        { executor: address, endTime, frequency: BigInt(opts.frequency), deposit: toWei(opts.deposit) },
      )
      if (opts.json) process.stdout.write(`${toJson({ taskId, executor: address, endTime, frequency: opts.frequency, transaction: hash })}\n`)
      else process.stdout.write(`task ${taskId}: ${address}.run() every ${opts.frequency} s until ${new Date(Number(endTime) * 1000).toISOString()} (tx ${hash})\n`)
    })
  workflow
    .command('list')
    .description('tasks of WorkflowScheduler: schedule, runs, failures, deposit')
    .option('--active', 'only tasks still running')
    .option('--rpc-url <url>', 'full node', DEFAULT_RPC_URL)
    .option('--json', 'print JSON')
    .action(async (opts) => {
      const [{ connect, listWorkflowTasks }, { formatEther }] = await Promise.all([import('../../sdk/index.js'), import('viem')])
      const { publicClient } = await connect({ rpcUrl: opts.rpcUrl })
      const tasks = await listWorkflowTasks(publicClient, { activeOnly: Boolean(opts.active) })
      if (opts.json) {
        process.stdout.write(`${toJson(tasks)}\n`)
        return
      }
      const lines = [`${tasks.length} task(s)`]
      for (const t of tasks) {
        lines.push(
          `  #${t.id}  ${t.active ? 'active  ' : 'finished'}  ${t.executor}  every ${t.frequency} s until ${new Date(Number(t.endTime) * 1000).toISOString()}` +
            `  runs ${t.runs}  failures ${t.failures}  deposit ${formatEther(t.deposit)} ETH${t.active ? `  next ${new Date(Number(t.nextRun) * 1000).toISOString()}` : ''}`,
        )
      }
      process.stdout.write(`${lines.join('\n')}\n`)
    })
  workflow
    .command('results <executor>')
    .description('the last results a workflow kept (getLastInferenceResults), oldest first')
    .option('-n, --count <n>', 'how many', parsePositiveInt, 5)
    .option('--rpc-url <url>', 'full node', DEFAULT_RPC_URL)
    .option('--json', 'print JSON')
    .action(async (executor: string, opts) => {
      const address = parseAddress(executor)
      const { connect, getWorkflowResults } = await import('../../sdk/index.js')
      const { publicClient } = await connect({ rpcUrl: opts.rpcUrl })
      const outputs = await getWorkflowResults(publicClient, address, opts.count)
      const rows = outputs.map((o) => o.numbers.map((t) => ({ name: t.name, shape: t.shape, values: t.values.map((v) => Number(`${v.value}e-${v.decimals}`)) })))
      if (opts.json) process.stdout.write(`${toJson(rows)}\n`)
      else process.stdout.write(`${rows.map((tensors, i) => `  ${i + 1}. ${tensors.map((t) => `${t.name}[${t.shape}] = ${t.values.join(', ')}`).join('; ')}`).join('\n') || '  no results yet'}\n`)
    })
}
