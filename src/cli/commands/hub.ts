/** `inferchain hub`: the model hub service alone. */
import type { Command } from 'commander'
import { onShutdown, parsePort, toJson } from '../shared.js'

export function addHubCommand(program: Command): void {
  program
    .command('hub')
    .description('run the content-addressed model hub (upload/download ONNX models by CID)')
    .option('--data-dir <dir>', 'where models are stored', '.inferchain/hub')
    .option('--host <host>', 'listen address', '127.0.0.1')
    .option('--port <port>', 'port (0 = any free port)', parsePort, 8546)
    .option('--json', 'print one JSON line when ready')
    .action(async (opts) => {
      const [{ startHubServer }, { DiskModelStore }] = await Promise.all([import('../../hub/server.js'), import('../../hub/store.js')])
      const hub = await startHubServer({ store: new DiskModelStore(opts.dataDir), host: opts.host, port: opts.port })
      onShutdown(() => hub.close())
      process.stdout.write(opts.json ? `${toJson({ hubUrl: hub.url })}\n` : `model hub on ${hub.url}\n`)
    })
}
