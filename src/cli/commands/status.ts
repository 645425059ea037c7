/** `inferchain status` and `inferchain record <id>`: what a node and a record look like, at a glance. */
import { InvalidArgumentError, type Command } from 'commander'
import { formatEther, type Hex } from 'viem'
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

/** `inferchain_openVerifications` (src/rpc/methods/open-verifications.ts). */
interface OpenVerifications {
  fromBlock: Hex
  zkProofDeadlineBlocks: Hex
  challengeWindow: Hex
  pendingProofs: Array<{ requestId: Hex; blockNumber: Hex; modelCid: string; node: Hex | null; dueBlock: Hex }>
  openClaims: Array<{ requestId: Hex; blockNumber: Hex; modelCid: string; node: Hex | null; windowEnd: Hex; status: string }>
}

export function addStatusCommands(program: Command): void {
  program
    .command('status')
    .description('a node at a glance: role, head, peers, sync, pending ZK proofs, open OPTIMISTIC claims, registered models, inference nodes and their stakes')
    .option('--rpc-url <url>', 'full node', DEFAULT_RPC_URL)
    .option('--json', 'print JSON')
    .action(async (opts) => {
      const { connect, getStake, listInferenceNodes, listModels } = await import('../../sdk/index.js')
      const { publicClient } = await connect({ rpcUrl: opts.rpcUrl })
      const request = publicClient.request as (args: { method: string; params: unknown[] }) => Promise<unknown>
      const [node, syncing, models, registered, chainId, open] = await Promise.all([
        request({ method: 'inferchain_nodeStatus', params: [] }) as Promise<NodeStatus>,
        request({ method: 'eth_syncing', params: [] }) as Promise<false | { currentBlock: Hex; highestBlock: Hex }>,
        listModels(publicClient),
        listInferenceNodes(publicClient),
        publicClient.getChainId(),
        request({ method: 'inferchain_openVerifications', params: [] }) as Promise<OpenVerifications>,
      ])
      const nodes = await Promise.all(registered.map(async (n) => ({ ...n, stake: await getStake(publicClient, n.address) })))
      // Every unsettled claim, from the nodes' stakes; `open.openClaims` lists the recent ones.
      const openClaims = nodes.reduce((sum, n) => sum + n.stake.openClaims, 0n)
      const challengeable = open.openClaims.filter((c) => c.status === 'challengeable')
      if (opts.json) {
        const verification = { pendingProofs: open.pendingProofs, openClaims: Number(openClaims), challengeable, recentOpenClaims: open.openClaims, challengeWindow: Number(BigInt(open.challengeWindow)), zkProofDeadlineBlocks: Number(BigInt(open.zkProofDeadlineBlocks)) }
        process.stdout.write(`${toJson({ chainId, ...node, syncing, ...verification, models: models.map((m) => ({ cid: m.cid, name: m.name, modes: modeNames(m.modes) })), inferenceNodes: nodes })}\n`)
        return
      }
      const lines = [
        `${node.role} · chain ${chainId} · head ${BigInt(node.head)} ${node.headHash}`,
        `  state root   ${node.stateRoot}`,
        `  sync         ${syncing ? `catching up: ${BigInt(syncing.currentBlock)} / ${BigInt(syncing.highestBlock)}` : 'at head'}${node.lastRejection ? ` (last rejected: ${node.lastRejection})` : ''}`,
        `  p2p          ${node.peers} peer(s) · ${node.p2p[0] ?? '-'}`,
        `  inferences   ${node.inferencesDispatched} dispatched by this node`,
        `  ZK proofs    ${open.pendingProofs.length} pending (due within ${BigInt(open.zkProofDeadlineBlocks)} blocks)`,
        ...open.pendingProofs.map((p) => `    ${p.requestId}  block ${BigInt(p.blockNumber)}  node ${p.node ?? '-'}  due by block ${BigInt(p.dueBlock)}`),
        `  claims       ${openClaims} OPTIMISTIC claim(s) open, ${challengeable.length} challengeable (window ${BigInt(open.challengeWindow)} blocks)`,
        ...open.openClaims.map((c) => `    ${c.requestId}  block ${BigInt(c.blockNumber)}  node ${c.node ?? '-'}  ${c.status === 'challengeable' ? `challengeable until block ${BigInt(c.windowEnd)}` : 'window passed, awaiting finalize'}`),
        `  models (${models.length})`,
        ...models.map((m) => `    ${m.cid}  ${m.name || '-'}  modes ${modeNames(m.modes).join(',')}${m.isPrivate ? '  private' : ''}`),
        `  inference nodes (${nodes.length})`,
        ...nodes.map((n) => `    ${n.address}  ${n.active ? 'active' : 'inactive'}  ${n.endpoint}  modes ${modeNames(n.modes).join(',')}  ${n.models.length} model(s)  stake ${formatEther(n.stake.bonded)} ETH bonded, ${n.stake.openClaims} open claim(s)`),
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
      const { connect, getClaim, getInferenceRecord, verifyInferenceRecord } = await import('../../sdk/index.js')
      const { publicClient } = await connect({ rpcUrl: opts.rpcUrl })
      const record = await getInferenceRecord(publicClient, requestId as Hex)
      if (!record) {
        process.stderr.write(`no inference record ${requestId} on this chain\n`)
        process.exitCode = 2
        return
      }
      const verdict = await verifyInferenceRecord(publicClient, record)
      // An OPTIMISTIC result is the node's bonded word until its claim settles: show where that stands.
      const claim = record.mode === 'OPTIMISTIC' && record.status === 'ok' ? await getClaim(publicClient, record.requestId) : undefined
      if (opts.json) {
        process.stdout.write(`${toJson({ ...record, checkedHere: verdict, ...(claim ? { claim } : {}) })}\n`)
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
        ...(claim ? [`  claim        ${record.verification.status}${record.verification.status === 'challengeable' ? ` until block ${claim.windowEnd}` : ''} · ${claim.status} in InferenceSettlement · fee ${formatEther(claim.fee)} ETH${claim.status === 'open' ? ' held' : ''}`] : []),
        `  verified     ${verdict.status}${verdict.status === 'rejected' ? `: ${verdict.reason}` : verdict.status === 'pending' ? ` (proof due by block ${verdict.dueBlock})` : ''} (checked by this CLI against the registry at block ${BigInt(record.blockNumber) - 1n})`,
      ]
      process.stdout.write(`${lines.join('\n')}\n`)
    })
}
