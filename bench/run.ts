/**
 * `npm run bench`: every benchmark in one run, printed as ratios against baselines measured in the
 * same run, and written to bench/results/latest.{json,md}.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { findProjectRoot } from '../src/contracts/files.js'
import { benchImport, type ImportResult } from './import.js'
import { benchInferencePath, type InferencePathResult } from './inference-path.js'
import { fmt, ratio } from './stats.js'
import { benchSync, type SyncResult } from './sync.js'
import { benchTee, teeTable } from './tee.js'
import { benchThroughput, type ThroughputResult } from './throughput.js'
import { benchZk, zkTable } from './zk.js'

function inferenceTable(r: InferencePathResult): string[] {
  const base = r.raw.medianMs
  const row = (name: string, t: { medianMs: number; p90Ms: number }, note: string) =>
    `| ${name} | ${fmt(t.medianMs)} | ${fmt(t.p90Ms)} | ${ratio(t.medianMs, base)} | +${fmt(t.medianMs - base)} | ${note} |`
  return [
    '| path | median | p90 | vs raw | added over raw | what it includes |',
    '|---|---|---|---|---|---|',
    row('raw onnxruntime `session.run`', r.raw, 'baseline: the model alone'),
    row('inference node over HTTP', r.inferenceNode, 'HTTP + tensor conversion + run + secp256k1 signature'),
    row('`eth_call` → precompile, fresh input', r.ethCallPrecompile, 'RPC + one EVM run that dispatches to the inference node mid-run + verification'),
    row('`eth_call` → DemoConsumer → precompile, fresh input', r.ethCallContract, 'as above, through Solidity (tensor building, ABI)'),
    row('`eth_call` → precompile, cached result', r.ethCallCached, 'RPC + one EVM run, no dispatch'),
    row('mined transaction (automine), send → receipt', r.minedTransaction, 'admission + PIPE + block production + LevelDB commit'),
    '',
    'Overhead of `eth_call` over raw inference, split into its parts (medians; the first three add up to the total):',
    '',
    '| part | time |',
    '|---|---|',
    `| \`eth_call\` without dispatch: JSON-RPC + one EVM run + ABI codec (cached \`eth_call\`) | ${fmt(r.ethCallCached.medianMs)} |`,
    `| &nbsp;&nbsp;of which the JSON-RPC round trip (\`eth_blockNumber\`) | ${fmt(r.rpcRoundTrip.medianMs)} |`,
    `| the full node's dispatch beyond the model run (\`Dispatcher.dispatch\` − raw) | ${fmt(r.nodeDispatch.medianMs - r.raw.medianMs)} |`,
    `| &nbsp;&nbsp;of which the inference node's HTTP answer (client call − raw) | ${fmt(r.inferenceNode.medianMs - r.raw.medianMs)} |`,
    `| &nbsp;&nbsp;of which verification of the node's signature | ${fmt(r.verifySignature.medianMs)} |`,
    `| the rest: waiting mid-run, result book, call VM (total − the two above) | ${fmt(r.ethCallPrecompile.medianMs - r.raw.medianMs - r.ethCallCached.medianMs - (r.nodeDispatch.medianMs - r.raw.medianMs))} |`,
    `| total added (\`eth_call\` − raw) | ${fmt(r.ethCallPrecompile.medianMs - r.raw.medianMs)} |`,
  ]
}

function throughputTable(t: ThroughputResult): string[] {
  return [
    '| path | transfers/s | vs bare VM |',
    '|---|---|---|',
    `| bare \`@ethereumjs/vm\` \`runTx\` loop (in memory, own process; mean of a run before and one after the node's: ${t.bareVmRuns.map((x) => x.toFixed(0)).join(' and ')}; ${t.warmup} txs untimed first) | ${t.bareVmTxPerSec.toFixed(0)} | 1.00× |`,
    `| node process: \`eth_sendRawTransaction\` → mined, LevelDB (${t.transactions} txs, ${t.warmup} untimed first; ${t.inFlight} requests in flight at all times) | ${t.nodeTxPerSec.toFixed(0)} | ${ratio(t.nodeTxPerSec, t.bareVmTxPerSec)} |`,
  ]
}

function importTable(r: ImportResult): string[] {
  return [
    '| model | called | inferences | producer builds (admit, simulate, dispatch, execute) | follower imports (verify, replay) | producer ÷ follower |',
    '|---|---|---|---|---|---|',
    ...r.rows.map((row) => `| ${row.model} | ${row.path === 'direct' ? 'straight to the precompile' : 'through DemoConsumer (Solidity)'} | ${row.inferences} | ${fmt(row.produceMs)} | ${fmt(row.importMs)} | ${ratio(row.produceMs, row.importMs)} |`),
  ]
}

function syncTable(r: SyncResult): string[] {
  return [
    `A new follower joins a producer that has made ${r.blocks} blocks of ${r.transactionsPerBlock} transfers and fetches, verifies and imports them over libp2p.`,
    '',
    '| path | blocks/s | vs in-process |',
    '|---|---|---|',
    `| the same importer fed from the producer's store, in one process (baseline) | ${r.inProcessBlocksPerSec.toFixed(0)} | 1.00× |`,
    `| follower over libp2p (start, connect, request/response batches of 64, import) | ${r.networkBlocksPerSec.toFixed(0)} | ${ratio(r.networkBlocksPerSec, r.inProcessBlocksPerSec)} |`,
  ]
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'inferchain-bench-'))
  try {
    process.stderr.write('inference path ...\n')
    const inference = await benchInferencePath(join(dir, 'inference'))
    process.stderr.write('throughput ...\n')
    const throughput = await benchThroughput(join(dir, 'throughput'))
    process.stderr.write('import vs produce ...\n')
    const imports = await benchImport(join(dir, 'import'))
    process.stderr.write('sync over libp2p ...\n')
    const sync = await benchSync(join(dir, 'sync'))
    process.stderr.write('TEE verification ...\n')
    const tee = await benchTee()
    process.stderr.write('ZK proving ...\n')
    const zk = await benchZk({ log: (line) => process.stderr.write(`${line}\n`) })
    const when = new Date().toISOString()
    const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`
    const markdown = [
      '# Benchmark results',
      '',
      `Measured ${when} on ${machine}. Produced by \`npm run bench\` (bench/run.ts); every ratio is against a baseline measured in the same run.`,
      '',
      '## (a) One inference of the demo model (16→32→4 MLP)',
      '',
      ...inferenceTable(inference),
      '',
      '## (b) Value-transfer throughput',
      '',
      ...throughputTable(throughput),
      '',
      '## (c) Validation-Computation Separation: building vs. importing a block',
      '',
      ...importTable(imports),
      '',
      '## (d) TEE mode: verifying an attested record vs. a VANILLA signature vs. running models',
      '',
      ...teeTable(tee),
      '',
      '## (e) Sync: a new follower catching up over the network',
      '',
      ...syncTable(sync),
      '',
      '## (f) ZK mode: proving and verifying vs. running the model',
      '',
      ...zkTable(zk),
      '',
    ].join('\n')
    const out = join(findProjectRoot(), 'bench', 'results')
    mkdirSync(out, { recursive: true })
    writeFileSync(join(out, 'latest.json'), JSON.stringify({ when, machine, inference, throughput, imports, tee, sync, zk }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2))
    writeFileSync(join(out, 'latest.md'), markdown)
    process.stdout.write(`${markdown}\nwritten to bench/results/latest.md and latest.json\n`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  // onnxruntime and fastify keep handles open; the benchmark is done.
  process.exit(0)
}

await main()
