/**
 * `inferchain hub create-repo | create-version | upload | list-files`: model repositories on a hub.
 * Writes are signed with the owner's key (`--private-key`, $INFERCHAIN_PRIVATE_KEY, or dev account
 * #0 when the chain is a devnet); `create-repo` first claims the name in ModelRegistry on chain.
 */
import type { Command } from 'commander'
import { DEFAULT_HUB_URL, DEFAULT_RPC_URL, parsePrivateKey, resolvePrivateKey, toJson } from '../shared.js'
import type { Hex } from 'viem'

type Common = { hubUrl: string; rpcUrl: string; privateKey?: Hex; json?: boolean }

function withCommon(command: Command): Command {
  return command
    .option('--hub-url <url>', 'model hub', DEFAULT_HUB_URL)
    .option('--rpc-url <url>', 'full node (to find the chain; create-repo also claims the name there)', DEFAULT_RPC_URL)
    .option('--private-key <key>', 'owner key (or $INFERCHAIN_PRIVATE_KEY; dev account #0 on a devnet)', parsePrivateKey)
    .option('--json', 'print the result as JSON')
}

/** The chain's clients, signing with the resolved key (dev account #0 only on the devnet chain id). */
async function signer(opts: Common) {
  const [{ connect }, { privateKeyToAccount }, { DEFAULT_CHAIN_ID }] = await Promise.all([import('../../sdk/chain.js'), import('viem/accounts'), import('../../params.js')])
  const probe = await connect({ rpcUrl: opts.rpcUrl })
  const key = await resolvePrivateKey(opts.privateKey, probe.chain.id === DEFAULT_CHAIN_ID)
  const clients = await connect({ rpcUrl: opts.rpcUrl, privateKey: key, chainId: probe.chain.id })
  return { clients, account: privateKeyToAccount(key) }
}

async function repositoryClient(opts: Common) {
  const [{ RepositoryClient }, { account }] = await Promise.all([import('../../hub/repo-client.js'), signer(opts)])
  return new RepositoryClient(opts.hubUrl, account)
}

function print(opts: Common, value: unknown, text: string): void {
  process.stdout.write(opts.json ? `${toJson(value)}\n` : `${text}\n`)
}

export function addHubRepoCommands(hub: Command): void {
  withCommon(
    hub
      .command('create-repo <name>')
      .description('claim a repository name in ModelRegistry and create it on the hub (with release 1.00)')
      .option('--description <text>', 'what the model is')
      .option('--task <task>', 'what it does, e.g. image-classification')
      .option('--license <id>', 'SPDX license id, e.g. apache-2.0')
      .option('--tag <tag...>', 'tags (repeatable)')
      .option('--private', 'only the owner may read it (signed reads)'),
  ).action(async (name: string, opts: Common & { description?: string; task?: string; license?: string; tag?: string[]; private?: boolean }) => {
    const [{ createRepositoryOnChain }, { RepositoryClient }, { clients, account }] = await Promise.all([
      import('../../hub/chain.js'),
      import('../../hub/repo-client.js'),
      signer(opts),
    ])
    const claimed = await createRepositoryOnChain({ publicClient: clients.publicClient, walletClient: clients.walletClient! }, name)
    const repo = await new RepositoryClient(opts.hubUrl, account).createRepository({
      name, description: opts.description, task: opts.task, license: opts.license, tags: opts.tag, private: opts.private ?? false,
    })
    print(opts, { repository: repo, transaction: claimed ?? null }, `created ${repo.name} (owner ${repo.owner}${repo.private ? ', private' : ''}), version ${repo.versions[0]!.version}`)
  })

  withCommon(
    hub
      .command('create-version <repo>')
      .description('add a release to a repository (major.minor; default: the next minor)')
      .option('--version <x.yy>', 'the new version, e.g. 2.00'),
  ).action(async (repo: string, opts: Common & { version?: string }) => {
    const release = await (await repositoryClient(opts)).createVersion(repo, opts.version)
    print(opts, release, `${repo} ${release.version}`)
  })

  withCommon(
    hub
      .command('upload <file>')
      .description('upload a file to a release (progress bar); a public .onnx file becomes a model usable by its CID')
      .requiredOption('--repo <name>', 'repository')
      .requiredOption('--version <x.yy>', 'release')
      .option('--name <file-name>', "the file's name in the release (default: its base name)"),
  ).action(async (file: string, opts: Common & { repo: string; version: string; name?: string }) => {
    const [{ SingleBar, Presets }, client] = await Promise.all([import('cli-progress'), repositoryClient(opts)])
    const bar = opts.json ? undefined : new SingleBar({ format: 'uploading [{bar}] {percentage}% | {value}/{total} bytes' }, Presets.shades_classic)
    let started = false
    const result = await client.upload(opts.repo, opts.version, file, {
      fileName: opts.name,
      onProgress: (sent, total) => {
        if (!started) bar?.start(total, 0)
        started = true
        bar?.update(sent)
      },
    })
    bar?.stop()
    print(opts, result, `${result.file.cid}  ${opts.repo} ${opts.version} ${result.file.name} (${result.file.size} bytes${result.created ? '' : ', already there'})`)
  })

  withCommon(
    hub
      .command('list-files <repo>')
      .description("list a release's files with their content IDs (private repositories: signed by the owner)")
      .option('--version <x.yy>', 'release (default: the latest)'),
  ).action(async (repo: string, opts: Common & { version?: string }) => {
    const files = await (await repositoryClient(opts)).listFiles(repo, opts.version)
    print(opts, files, files.map((f) => `${f.cid}  ${String(f.size).padStart(10)}  ${f.name}`).join('\n') || '(no files)')
  })
}
