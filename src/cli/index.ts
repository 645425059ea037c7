#!/usr/bin/env node
/** `inferchain`: the command line of the project. Each subcommand lives in its own module. */
import { Command } from 'commander'
import { VERSION } from '../version.js'
import { addDevCommand } from './commands/dev.js'
import { addHubCommand } from './commands/hub.js'
import { addInferCommand } from './commands/infer.js'
import { addInferenceNodeCommand } from './commands/inference-node.js'
import { addModelCommand } from './commands/model.js'
import { addNodeCommand } from './commands/node.js'
import { addStatusCommands } from './commands/status.js'
import { addStakeCommand } from './commands/stake.js'
import { addChallengeCommands } from './commands/challenge.js'
import { addWorkflowCommand } from './commands/workflow.js'

const program = new Command()
  .name('inferchain')
  .description('An EVM chain whose contracts call ONNX models natively (Validation-Computation Separation)')
  .version(VERSION)
  .showHelpAfterError()
  // Program options only before the subcommand: `hub upload --version 1.00` is the upload's option.
  .enablePositionalOptions()

addDevCommand(program)
addNodeCommand(program)
addInferenceNodeCommand(program)
addHubCommand(program)
addModelCommand(program)
addInferCommand(program)
addStatusCommands(program)
addStakeCommand(program)
addChallengeCommands(program)
addWorkflowCommand(program)

program.parseAsync(process.argv).catch((err: unknown) => {
  const error = err as { code?: string; shortMessage?: string; message?: string }
  process.stderr.write(`error${error.code ? ` [${error.code}]` : ''}: ${error.shortMessage ?? error.message ?? String(err)}\n`)
  process.exit(1)
})
