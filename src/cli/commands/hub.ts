/** `inferchain hub`: the model hub service alone; its subcommands (hub-repo.ts) work with repositories. */
import type { Command } from 'commander'
import { join } from 'node:path'
import { onShutdown, parsePort, toJson } from '../shared.js'
import { addHubRepoCommands } from './hub-repo.js'

export function addHubCommand(program: Command): void {
  const hub = program
    .command('hub')
    .description('run the content-addressed model hub (upload/download ONNX models by CID; repositories with --rpc-url)')
    // The service's options come before a subcommand, so that `hub upload --json` is the upload's.
    .enablePositionalOptions()
    .option('--data-dir <dir>', 'where models (and repositories/) are stored', '.inferchain/hub')
    .option('--rpc-url <url>', 'full node to read repository ownership from (ModelRegistry); without it, no repository API')
    .option('--host <host>', 'listen address', '127.0.0.1')
    .option('--port <port>', 'port (0 = any free port)', parsePort, 8546)
    .option('--json', 'print one JSON line when ready')
    .action(async (opts) => {
      const [{ startHubServer }, { DiskModelStore }, { chainOwnership }] = await Promise.all([
        import('../../hub/server.js'),
        import('../../hub/store.js'),
        import('../../hub/chain.js'),
      ])
      const repositories = opts.rpcUrl ? { dir: join(opts.dataDir, 'repositories'), ownership: chainOwnership(opts.rpcUrl) } : undefined
      const server = await startHubServer({ store: new DiskModelStore(opts.dataDir), host: opts.host, port: opts.port, repositories })
      onShutdown(() => server.close())
      process.stdout.write(opts.json ? `${toJson({ hubUrl: server.url })}\n` : `model hub on ${server.url}\n`)
    })
  addHubRepoCommands(hub)
}
