/**
 * `npm run bench`: every benchmark in one run, printed as ratios against baselines measured in the
 * same run, and written to bench/results/latest.{json,md}. `--only a,d` runs some sections and only
 * prints them (latest.* keep one complete run).
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
import { measureDispute } from './dispute.js'
import { benchOptimistic, optimisticTable } from './optimistic.js'
import { benchLlm, llmTable } from './llm.js'

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
  const demo100 = r.rows.find((row) => row.model.startsWith('demo') && row.path === 'direct' && row.inferences === 100)
  return [
    `Medians of ${r.repeats} blocks per row. The follower decodes each block from its bytes, as it arrives from the network. Baselines on the same blocks: *execution alone* runs the block's transactions with the recorded results on a second follower at the parent state (state root computed; nothing verified, stored or compared); *signatures alone* recovers every sender and every record's signer.`,
    '',
    '| model | called | inferences | producer builds (admit, simulate, dispatch, execute) | follower imports (decode, verify, replay, store) | producer ÷ follower | execution alone | signatures alone | import ÷ (execution + signatures) | producer ÷ execution alone |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...r.rows.map((row) =>
      `| ${row.model} | ${row.path === 'direct' ? 'straight to the precompile' : 'through DemoConsumer (Solidity)'} | ${row.inferences} | ${fmt(row.produceMs)} | ${fmt(row.importMs)} | **${ratio(row.produceMs, row.importMs)}** | ${fmt(row.executeMs)} | ${fmt(row.signaturesMs)} | ${ratio(row.importMs, row.executeMs + row.signaturesMs)} | ${ratio(row.produceMs, row.executeMs)} |`),
    '',
    'The last column bounds what any follower that executes the block can reach: the producer runs the same transactions (twice: once to find their inference calls, once to build the block) plus the inference.',
    ...(demo100 === undefined ? [] : [
      '',
      `Target: a 100-inference block of the demo model imported ≥ 5× faster than it is built — ${ratio(demo100.produceMs, demo100.importMs)} (${demo100.produceMs / demo100.importMs >= 5 ? 'met' : 'NOT met'}); execution alone already takes ${fmt(demo100.executeMs)} of the producer's ${fmt(demo100.produceMs)} (${ratio(demo100.produceMs, demo100.executeMs)}). Import ÷ (execution + signatures) = ${ratio(demo100.importMs, demo100.executeMs + demo100.signaturesMs)}.`,
    ]),
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

/** Section letters, in report order; `--only a,d` runs a subset (default: all). */
const SECTIONS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'] as const
type Section = (typeof SECTIONS)[number]

/** The sections named by `--only a,d` / `--only=a,d`; every section when the option is absent. */
function selectedSections(argv: readonly string[]): Set<Section> {
  const at = argv.findIndex((a) => a === '--only' || a.startsWith('--only='))
  if (at === -1) return new Set(SECTIONS)
  const arg = argv[at]!
  const list = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : (argv[at + 1] ?? '')
  const names = list.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s.length > 0)
  const unknown = names.filter((n) => !(SECTIONS as readonly string[]).includes(n))
  if (names.length === 0 || unknown.length > 0) {
    throw new RangeError(`--only takes a comma-separated list of sections among ${SECTIONS.join(', ')} (got "${list}")`)
  }
  return new Set(names as Section[])
}

async function main(): Promise<void> {
  const only = selectedSections(process.argv.slice(2))
  if (only.size < SECTIONS.length) {
    await runSome(only)
    return
  }
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
    process.stderr.write('OPTIMISTIC canonical path ...\n')
    const optimistic = await benchOptimistic({ disputeCost: measureDispute, log: (line) => process.stderr.write(`${line}\n`) })
    process.stderr.write('LLM path ...\n')
    const llm = await benchLlm()
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
      '## (g) OPTIMISTIC mode: the canonical integer path vs. onnxruntime on the same quantized model',
      '',
      ...optimisticTable(optimistic),
      '',
      '## (h) LLM inference: the node\'s LLM path vs. node-llama-cpp directly, and TEE attestation per response',
      '',
      ...llmTable(llm),
      '',
    ].join('\n')
    const out = join(findProjectRoot(), 'bench', 'results')
    mkdirSync(out, { recursive: true })
    writeFileSync(join(out, 'latest.json'), JSON.stringify({ when, machine, inference, throughput, imports, tee, sync, zk, optimistic, llm }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2))
    writeFileSync(join(out, 'latest.md'), markdown)
    process.stdout.write(`${markdown}\nwritten to bench/results/latest.md and latest.json\n`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  // onnxruntime and fastify keep handles open; the benchmark is done.
  process.exit(0)
}

/**
 * A subset of the sections (`--only`): printed, never written to bench/results/latest.*, which hold
 * one complete run measured together.
 */
async function runSome(only: Set<Section>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'inferchain-bench-'))
  const out: string[] = [`# Benchmark sections ${[...only].join(', ')} (partial run: bench/results/latest.* left as they are)`, '']
  try {
    const section = async (letter: Section, title: string, what: string, table: () => Promise<string[]>) => {
      if (!only.has(letter)) return
      process.stderr.write(`${what} ...\n`)
      out.push(`## (${letter}) ${title}`, '', ...(await table()), '')
    }
    await section('a', 'One inference of the demo model (16→32→4 MLP)', 'inference path', async () => inferenceTable(await benchInferencePath(join(dir, 'inference'))))
    await section('b', 'Value-transfer throughput', 'throughput', async () => throughputTable(await benchThroughput(join(dir, 'throughput'))))
    await section('c', 'Validation-Computation Separation: building vs. importing a block', 'import vs produce', async () => importTable(await benchImport(join(dir, 'import'))))
    await section('d', 'TEE mode: verifying an attested record vs. a VANILLA signature vs. running models', 'TEE verification', async () => teeTable(await benchTee()))
    await section('e', 'Sync: a new follower catching up over the network', 'sync over libp2p', async () => syncTable(await benchSync(join(dir, 'sync'))))
    await section('f', 'ZK mode: proving and verifying vs. running the model', 'ZK proving', async () => zkTable(await benchZk({ log: (line) => process.stderr.write(`${line}\n`) })))
    await section('g', 'OPTIMISTIC mode: the canonical integer path vs. onnxruntime on the same quantized model', 'OPTIMISTIC canonical path', async () => optimisticTable(await benchOptimistic({ disputeCost: measureDispute, log: (line) => process.stderr.write(`${line}\n`) })))
    await section('h', 'LLM inference: the node\'s LLM path vs. node-llama-cpp directly, and TEE attestation per response', 'LLM path', async () => llmTable(await benchLlm()))
    process.stdout.write(`${out.join('\n')}\n`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  process.exit(0)
}

await main()
