/**
 * The hub's names and version numbers, and the JSON bodies of its repository API, as zod schemas:
 * one source for validating requests and (converted to JSON Schema) for the OpenAPI document.
 */
import { z } from 'zod'
import { HubError } from './errors.js'

/** 1-64 of [a-z0-9._-], starting with a letter or digit: the same rule ModelRegistry.createRepository enforces. */
export const REPOSITORY_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/
/** `major.minor`, minor always two digits (`1.00`, `1.01`, `2.10`); no leading zeros in major. */
export const VERSION = /^(0|[1-9][0-9]{0,5})\.[0-9]{2}$/
/** A file name inside a release: no directories, no leading dot (so it is always a safe path segment). */
export const FILE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/
/** The version every repository starts with. */
export const FIRST_VERSION = '1.00'

const tag = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,31}$/, 'a tag is 1-32 of [a-z0-9._-]')

export const createRepositoryBody = z
  .object({
    name: z.string().regex(REPOSITORY_NAME, 'a repository name is 1-64 of [a-z0-9._-], starting with a letter or digit'),
    description: z.string().max(2000).default(''),
    /** What the model does, e.g. `image-classification` (free text, lower-case words and dashes). */
    task: z.string().regex(/^[a-z0-9-]{0,64}$/, 'a task is up to 64 of [a-z0-9-]').default(''),
    /** An SPDX identifier such as `apache-2.0` or `MIT` (not checked against the SPDX list). */
    license: z.string().max(64).default(''),
    tags: z.array(tag).max(20).default([]),
    private: z.boolean().default(false),
  })
  .strict()
export type CreateRepositoryBody = z.infer<typeof createRepositoryBody>

export const createVersionBody = z
  .object({
    /** The new version; the next minor after the latest when left out (`1.00` → `1.01`). */
    version: z.string().regex(VERSION, 'a version is major.minor with two minor digits, e.g. 1.01').optional(),
  })
  .strict()
export type CreateVersionBody = z.infer<typeof createVersionBody>

/** Parses `value` with `schema`, or throws a HubError `code` naming the first problem. */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown, code: 'BAD_REQUEST' | 'INVALID_NAME' = 'BAD_REQUEST'): T {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const issue = result.error.issues[0]!
  const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''
  throw new HubError(code, `${where}${issue.message}`, { details: { issues: result.error.issues.slice(0, 5) } })
}

export function checkRepositoryName(name: string): string {
  if (!REPOSITORY_NAME.test(name)) throw new HubError('INVALID_NAME', `not a repository name: ${name.slice(0, 100)}`)
  return name
}

export function checkVersion(version: string): string {
  if (!VERSION.test(version)) throw new HubError('INVALID_NAME', `not a version (major.minor, e.g. 1.00): ${version.slice(0, 100)}`)
  return version
}

export function checkFileName(name: string): string {
  if (!FILE_NAME.test(name)) throw new HubError('INVALID_NAME', `not a file name (1-128 of [A-Za-z0-9._-], no leading dot): ${name.slice(0, 100)}`)
  return name
}

/** Orders versions numerically (`1.10` after `1.09`, `10.00` after `9.99`). */
export function compareVersions(a: string, b: string): number {
  const [am, an] = a.split('.').map(Number) as [number, number]
  const [bm, bn] = b.split('.').map(Number) as [number, number]
  return am - bm || an - bn
}

/** The version after `latest`: the next minor, or the next major after `x.99`. */
export function nextVersion(latest: string): string {
  const [major, minor] = latest.split('.').map(Number) as [number, number]
  return minor === 99 ? `${major + 1}.00` : `${major}.${String(minor + 1).padStart(2, '0')}`
}

/** JSON Schema (draft-07, for OpenAPI 3) of a zod schema. */
export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', io: 'input' }) as Record<string, unknown>
  return rest
}
