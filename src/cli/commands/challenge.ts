/**
 * `inferchain challenge <requestId>` and `inferchain finalize <requestId>`: the two things anyone may
 * do to an OPTIMISTIC claim. A challenge resubmits the record's request — read from the
 * `ModelInferenceEvent` of its transaction — with the chain's bond; the chain re-executes the model
 * in that transaction and decides. Finalizing pays an unchallenged claim to its node after the window.
 */
import type { Command } from 'commander'
import { formatEther } from 'viem'
import { toJson } from '../shared.js'
import { parseRequestId, runVerb, settlementOptions, writeClients } from './stake.js'

export function addChallengeCommands(program: Command): void {
  settlementOptions(
    program
      .command('challenge <requestId>')
      .description("dispute an OPTIMISTIC result inside its window: pay the chain's bond, the chain re-runs the model; a wrong result slashes the node and rewards you, a right one keeps your bond"),
    true,
  ).action(async (id: string, opts) => {
    await runVerb(opts.json, async () => {
      const requestId = parseRequestId(id)
      const [{ getInferenceRequest, getClaim, challengeVerdict, SettlementError }, { challengeClaim, getSettlementParameters }, { ModelInferenceMode }] = await Promise.all([
        import('../../sdk/disputes.js'),
        import('../../sdk/settlement.js'),
        import('../../evm/types.js'),
      ])
      const clients = await writeClients(opts)
      const request = await getInferenceRequest(clients.publicClient, requestId)
      if (request.mode !== ModelInferenceMode.OPTIMISTIC) {
        throw new SettlementError('NOT_OPTIMISTIC', `record ${requestId} is in mode ${ModelInferenceMode[request.mode] ?? request.mode}: only OPTIMISTIC results can be challenged`, { requestId })
      }
      const claim = await getClaim(clients.publicClient, requestId)
      if (claim.status === 'none') throw new SettlementError('NO_CLAIM', `InferenceSettlement holds no claim for ${requestId}`, { requestId })
      const { challengeBond } = await getSettlementParameters(clients.publicClient)
      const txHash = await challengeClaim(clients, request)
      const verdict = challengeVerdict(await clients.publicClient.getTransactionReceipt({ hash: txHash }))
      const after = await getClaim(clients.publicClient, requestId)
      if (opts.json) {
        process.stdout.write(`${toJson({ requestId, txHash, node: claim.node, bond: challengeBond, verdict, claim: after })}\n`)
        return
      }
      const outcome =
        verdict === 'fraudulent'
          ? 'the chain got another output: the claim is fraudulent, the node slashed, your bond back with a reward'
          : "the chain got the node's output: the claim is upheld and your bond is lost"
      process.stdout.write(`challenged ${requestId} (node ${claim.node}) with ${formatEther(challengeBond)} ETH · tx ${txHash}\n  ${outcome}\n`)
    })
  })

  settlementOptions(
    program.command('finalize <requestId>').description("close an unchallenged OPTIMISTIC claim after its window, paying the fee to its node (anyone may)"),
    true,
  ).action(async (id: string, opts) => {
    await runVerb(opts.json, async () => {
      const requestId = parseRequestId(id)
      const [{ getClaim, SettlementError }, { finalizeClaim }] = await Promise.all([import('../../sdk/disputes.js'), import('../../sdk/settlement.js')])
      const clients = await writeClients(opts)
      const claim = await getClaim(clients.publicClient, requestId)
      if (claim.status === 'none') throw new SettlementError('NO_CLAIM', `InferenceSettlement holds no claim for ${requestId}`, { requestId })
      const txHash = await finalizeClaim(clients, requestId)
      const after = await getClaim(clients.publicClient, requestId)
      if (opts.json) {
        process.stdout.write(`${toJson({ requestId, txHash, node: after.node, fee: after.fee, claim: after })}\n`)
        return
      }
      process.stdout.write(`finalized ${requestId} · paid ${formatEther(after.fee)} ETH to ${after.node} · tx ${txHash}\n`)
    })
  })
}
