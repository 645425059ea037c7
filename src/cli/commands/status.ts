/** `inferchain status` and `inferchain record <id>`: what a node and a record look like, at a glance. */
import { InvalidArgumentError, type Command } from 'commander'
import type { Hex } from 'viem'
import { modeNames } from '../../evm/modes.js'
import { DEFAULT_RPC_URL, toJson } from '../shared.js'

interface NodeStatus {
  role: string
  head: Hex
  headHash: Hex
  stateRoot: Hex
  peerId: string
  p2p: string[]
  peers: number
  inferencesDispatched: number
  lastRejection?: string
}

export function addStatusCommands(program: Command): void {
  program
    .command('status')
    .description('a node at a glance: role, head, peers, sync, registered models and inference nodes')
    .option('--rpc-url <url>', 'full node', DEFAULT_RPC_URL)
    .option('--json', 'print JSON')
    .action(async (opts) => {
      const { connect, listInferenceNodes, listModels } = await import('../../sdk/index.js')
      const { publicClient } = await connect({ rpcUrl: opts.rpcUrl })
      const request = publicClient.request as (args: { method: string; params: unknown[] }) => Promise<unknown>
      const [node, syncing, models, nodes, chainId] = await Promise.all([
        request({ method: 'inferchain_nodeStatus', params: [] }) as Promise<NodeStatus>,
        request({ method: 'eth_syncing', params: [] }) as Promise<false | { currentBlock: Hex; highestBlock: Hex }>,
        listModels(publicClient),
        listInferenceNodes(publicClient),
        publicClient.getChainId(),
      ])
      if (opts.json) {
        process.stdout.write(`${toJson({ chainId, ...node, syncing, models: models.map((m) => ({ cid: m.cid, name: m.name, modes: modeNames(m.modes) })), inferenceNodes: nodes })}\n`)
        return
      }
      const lines = [
        `${node.role} · chain ${chainId} · head ${BigInt(node.head)} ${node.headHash}`,
        `  state root   ${node.stateRoot}`,
        `  sync         ${syncing ? `catching up: ${BigInt(syncing.currentBlock)} / ${BigInt(syncing.highestBlock)}` : 'at head'}${node.lastRejection ? ` (last rejected: ${node.lastRejection})` : ''}`,
        `  p2p          ${node.peers} peer(s) · ${node.p2p[0] ?? '-'}`,
        `  inferences   ${node.inferencesDispatched} dispatched by this node`,
        `  models (${models.length})`,
        ...models.map((m) => `    ${m.cid}  ${m.name || '-'}  modes ${modeNames(m.modes).join(',')}${m.isPrivate ? '  private' : ''}`),
        `  inference nodes (${nodes.length})`,
        ...nodes.map((n) => `    ${n.address}  ${n.active ? 'active' : 'inactive'}  ${n.endpoint}  modes ${modeNames(n.modes).join(',')}  ${n.models.length} model(s)`),
      ]
      process.stdout.write(`${lines.join('\n')}\n`)
    })

  program
    .command('record <requestId>')
    .description('an inference record: who computed it, with what evidence, and whether that evidence verifies (checked here, not taken from the node)')
    .option('--rpc-url <url>', 'full node', DEFAULT_RPC_URL)
    .option('--json', 'print JSON')
    .action(async (requestId: string, opts) => {
      if (!/^0x[0-9a-fA-F]{64}$/.test(requestId)) throw new InvalidArgumentError('a request id is 0x followed by 64 hex digits (the inferenceID of a ModelInferenceEvent)')
      const { connect, getInferenceRecord, verifyInferenceRecord } = await import('../../sdk/index.js')
      const { publicClient } = await connect({ rpcUrl: opts.rpcUrl })
      const record = await getInferenceRecord(publicClient, requestId as Hex)
      if (!record) {
        process.stderr.write(`no inference record ${requestId} on this chain\n`)
        process.exitCode = 2
        return
      }
      const verdict = await verifyInferenceRecord(publicClient, record)
      if (opts.json) {
        process.stdout.write(`${toJson({ ...record, checkedHere: verdict })}\n`)
        return
      }
      const lines = [
        `record ${record.requestId}`,
        `  transaction  ${record.txHash} (call ${record.callIndex}) in block ${BigInt(record.blockNumber)}`,
        `  model        ${record.modelCid} · mode ${record.mode}`,
        `  input hash   ${record.inputHash}`,
        record.status === 'ok'
          ? `  output       ${record.output?.numbers.map((t) => `${t.name}[${t.shape}] = ${t.values.slice(0, 8).map((v) => Number(`${v.value}e-${v.decimals}`)).join(', ')}${t.values.length > 8 ? ', …' : ''}`).join('; ')}`
          : `  failed       ${record.error?.code}: ${record.error?.reason}`,
        `  computed by  ${record.node ?? '-'} · evidence ${record.verification.evidence}`,
        `  verified     ${verdict.status}${verdict.status === 'rejected' ? `: ${verdict.reason}` : verdict.status === 'pending' ? ` (proof due by block ${verdict.dueBlock})` : ''} (checked by this CLI against the registry at block ${BigInt(record.blockNumber) - 1n})`,
      ]
      process.stdout.write(`${lines.join('\n')}\n`)
    })
}
