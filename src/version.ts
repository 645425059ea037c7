/** The package version, read once from package.json (kept light: the CLI imports it for `--version`). */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { findProjectRoot } from './contracts/files.js'

export const VERSION: string = (JSON.parse(readFileSync(join(findProjectRoot(), 'package.json'), 'utf8')) as { version: string }).version
