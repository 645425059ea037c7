/** `inferchain model upload|zk-register|info`: put ONNX models on the hub and register them on chain (and for ZK mode). */
import { Command } from 'commander'
import { readFileSync } from 'node:fs'
import { DEFAULT_HUB_URL, DEFAULT_RPC_URL, parsePrivateKey, resolvePrivateKey, toJson } from '../shared.js'

export function addModelCommand(program: Command): void {
  const model = program.command('model').description('upload models to the hub and inspect them')
  model
    .command('upload <file>')
    .description('upload an ONNX file to the hub (progress bar) and register it in ModelRegistry')
    .option('--hub-url <url>', 'model hub', DEFAULT_HUB_URL)
    .option('--name <name>', 'human name of the model')
    .option('--description <text>', 'description')
    .option('--rpc-url <url>', 'full node to register the model on', DEFAULT_RPC_URL)
    .option('--private-key <key>', 'owner key (or $INFERCHAIN_PRIVATE_KEY; dev account #0 by default)', parsePrivateKey)
    .option('--no-register', 'only upload, do not register on chain')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, opts) => {
      const [{ SingleBar, Presets }, { HubClient }, { connect }, { registerModel }] = await Promise.all([
        import('cli-progress'),
        import('../../hub/client.js'),
        import('../../sdk/chain.js'),
        import('../../sdk/registry.js'),
      ])
      const bytes = readFileSync(file)
      const bar = opts.json ? undefined : new SingleBar({ format: 'uploading [{bar}] {percentage}% | {value}/{total} bytes' }, Presets.shades_classic)
      bar?.start(bytes.length, 0)
      const { cid, metadata } = await new HubClient(opts.hubUrl).upload(bytes, {
        name: opts.name,
        description: opts.description,
        onProgress: (sent) => bar?.update(sent),
      })
      bar?.update(bytes.length)
      bar?.stop()
      let registration: string | undefined
      if (opts.register) {
        const clients = await connect({ rpcUrl: opts.rpcUrl, privateKey: await resolvePrivateKey(opts.privateKey, true) })
        registration = (await registerModel({ publicClient: clients.publicClient, walletClient: clients.walletClient! }, metadata)) ?? 'already registered'
      }
      if (opts.json) process.stdout.write(`${toJson({ cid, metadata, registration })}\n`)
      else process.stdout.write(`${cid}\n${registration ? `registered: ${registration}\n` : ''}`)
    })
  model
    .command('zk-register <cid>')
    .description('register a model for ZK mode: compile its circuit, make its keys (progress bar), deploy its verifier, record it in ZkInferences, publish its keys and witness generator to the hub and record their CIDs in ModelRegistry')
    .option('--hub-url <url>', 'model hub', DEFAULT_HUB_URL)
    .option('--rpc-url <url>', 'full node', DEFAULT_RPC_URL)
    .option('--private-key <key>', 'owner key (or $INFERCHAIN_PRIVATE_KEY; dev account #0 by default)', parsePrivateKey)
    .option('--fraction-bits <n>', 'binary fraction bits of the fixed point (4..32)', (v) => Number(v), 16)
    .option('--input-bits <n>', "width of an input value, sign included (default: fraction bits + 8)", (v) => Number(v))
    .option('--private-weights', 'make the weights a private input of the circuit (one circuit per architecture; costs constraints per weight)')
    .option('--no-publish', 'do not publish the artifacts to the hub (provers then need a copy of this machine\'s ZK cache)')
    .option('--json', 'print the result as JSON')
    .action(async (cid: string, opts) => {
      const [{ SingleBar, Presets }, { HubClient }, { connect }, { registerZkModel }] = await Promise.all([
        import('cli-progress'),
        import('../../hub/client.js'),
        import('../../sdk/chain.js'),
        import('../../zk/register.js'),
      ])
      const bytes = await new HubClient(opts.hubUrl).download(cid)
      const clients = await connect({ rpcUrl: opts.rpcUrl, privateKey: await resolvePrivateKey(opts.privateKey, true) })
      const bar = opts.json ? undefined : new SingleBar({ format: 'zk setup [{bar}] {percentage}% | {stage} | {elapsed}s' }, Presets.shades_classic)
      bar?.start(100, 0, { stage: 'import', elapsed: 0 })
      // Share of the bar per stage: compiling and the key setup are where the time goes.
      const span: Record<string, [number, number]> = { compile: [5, 25], setup: [25, 85], contribute: [85, 95], export: [95, 99], done: [100, 100] }
      const fractionBits = opts.fractionBits as number
      const result = await registerZkModel({ publicClient: clients.publicClient, walletClient: clients.walletClient! }, cid, bytes, {
        quantization: { fractionBits, inputBits: (opts.inputBits as number | undefined) ?? fractionBits + 8 },
        weights: opts.privateWeights ? 'private' : 'constant',
        ...(opts.publish ? { hubUrl: opts.hubUrl as string } : {}),
        onProgress: (p) => {
          const [from, to] = span[p.stage] ?? [1, 5]
          bar?.update(Math.round(from + (to - from) * (p.fraction ?? 0)), { stage: p.stage, elapsed: p.elapsed.toFixed(1) })
        },
      })
      bar?.stop()
      if (opts.json) return void process.stdout.write(`${toJson(result)}\n`)
      const d = result.descriptor
      process.stdout.write(
        [
          `${result.registered ? 'registered' : 'already registered'} for ZK: ${cid}`,
          `verifier    ${result.verifier} (${result.verifierCodeSize} bytes of code)`,
          `commitment  ${d.modelCommitment}`,
          `circuit     ${d.circuitId} (${d.constraints} constraints, ${d.weights} weights, F=${d.fractionBits})`,
          `keys        zkey ${d.zkeyCid}, verification key sha256 ${d.verificationKeySha256}`,
          ...(result.artifacts ? [`published   zkey ${result.artifacts.zkeyCid}, vkey ${result.artifacts.vkeyCid}, wasm ${result.artifacts.wasmCid}, r1cs ${result.artifacts.r1csCid} (recorded in ModelRegistry)`] : []),
          `timings     ${Object.entries(result.timings).map(([stage, s]) => `${stage} ${s} s`).join(', ') || 'all cached'}`,
          '',
        ].join('\n'),
      )
    })
  model
    .command('info <cid>')
    .description("show a model's metadata (inputs, outputs, operators, work units) and the ZK artifacts ModelRegistry records for it")
    .option('--hub-url <url>', 'model hub', DEFAULT_HUB_URL)
    .option('--rpc-url <url>', 'full node to read ZK artifacts from', DEFAULT_RPC_URL)
    .option('--json', 'print JSON')
    .action(async (cid: string, opts) => {
      const [{ HubClient }, { connect }, { readZkArtifacts }] = await Promise.all([import('../../hub/client.js'), import('../../sdk/chain.js'), import('../../zk/artifacts.js')])
      const metadata = await new HubClient(opts.hubUrl).metadata(cid)
      // The hub alone answers metadata; the chain adds the ZK artifacts, when it can be reached.
      const zk = await connect({ rpcUrl: opts.rpcUrl })
        .then(({ publicClient }) => readZkArtifacts(publicClient, cid))
        .then((artifacts) => ({ artifacts: artifacts ?? null }), (err: unknown) => ({ error: err instanceof Error ? err.message.split('\n')[0]! : String(err) }))
      if (opts.json) return void process.stdout.write(`${toJson({ ...metadata, zkArtifacts: 'artifacts' in zk ? zk.artifacts : null })}\n`)
      const tensor = (t: { name: string; type: string; shape: number[] }) => `${t.name}: ${t.type}[${t.shape.map((d) => (d < 0 ? '?' : d)).join(', ')}]`
      process.stdout.write(
        [
          `cid         ${metadata.cid}`,
          `name        ${metadata.name ?? ''}`,
          `size        ${metadata.size} bytes`,
          `opset       ${metadata.opsetVersion}`,
          `operators   ${metadata.operators.join(', ')}`,
          `work units  ${metadata.workUnits} multiply-accumulates`,
          `inputs      ${metadata.inputs.map(tensor).join('; ')}`,
          `outputs     ${metadata.outputs.map(tensor).join('; ')}`,
          ...('error' in zk
            ? [`zk          (chain unavailable: ${zk.error})`]
            : zk.artifacts
              ? [
                  `zk zkey     ${zk.artifacts.zkeyCid}`,
                  `zk vkey     ${zk.artifacts.vkeyCid}`,
                  `zk wasm     ${zk.artifacts.wasmCid}`,
                  `zk r1cs     ${zk.artifacts.r1csCid}`,
                  `zk ptau     ${zk.artifacts.ptauSha256} (sha256)`,
                ]
              : [`zk          no artifacts published`]),
          '',
        ].join('\n'),
      )
    })
}
