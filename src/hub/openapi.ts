/**
 * The hub's OpenAPI 3 document (@fastify/swagger collects each route's schema; served at
 * `/openapi.json`). Request bodies are documented from the same zod schemas that validate them.
 */
import swagger from '@fastify/swagger'
import type { FastifyInstance } from 'fastify'
import { VERSION } from '../version.js'
import { FILE_NAME, REPOSITORY_NAME, VERSION as VERSION_PATTERN } from './names.js'

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'inferchain model hub',
        version: VERSION,
        description:
          'Content-addressed ONNX models (CIDv1, raw, sha2-256) and model repositories with `major.minor` releases. ' +
          'Writes, and reads of private repositories, carry an EIP-712 signature of the owner recorded in ModelRegistry ' +
          '(headers x-hub-signer, x-hub-signature, x-hub-nonce, x-hub-expiry; the domain is at GET /auth/domain). See docs/hub.md.',
      },
      tags: [
        { name: 'models', description: 'content-addressed models (used by full and inference nodes)' },
        { name: 'repositories', description: 'repositories, releases and their files' },
      ],
      components: {
        securitySchemes: {
          eip712: { type: 'apiKey', in: 'header', name: 'x-hub-signature', description: 'EIP-712 HubRequest signature, with x-hub-signer, x-hub-nonce and x-hub-expiry' },
        },
      },
    },
  })
}

export const errorSchema = {
  type: 'object',
  properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } }, required: ['code', 'message'] } },
  required: ['error'],
} as const

export const fileSchema = {
  type: 'object',
  properties: { name: { type: 'string' }, cid: { type: 'string' }, size: { type: 'integer' }, uploadedAt: { type: 'string', format: 'date-time' } },
  required: ['name', 'cid', 'size', 'uploadedAt'],
} as const

export const versionSchema = {
  type: 'object',
  properties: { version: { type: 'string', pattern: VERSION_PATTERN.source }, createdAt: { type: 'string', format: 'date-time' }, files: { type: 'array', items: fileSchema } },
  required: ['version', 'createdAt', 'files'],
} as const

export const repositorySchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    owner: { type: 'string', description: 'address that created it (the on-chain owner is authoritative)' },
    description: { type: 'string' },
    task: { type: 'string' },
    license: { type: 'string' },
    tags: { type: 'array', items: { type: 'string' } },
    private: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
    versions: { type: 'array', items: versionSchema },
  },
  required: ['name', 'owner', 'description', 'task', 'license', 'tags', 'private', 'createdAt', 'versions'],
} as const

export const repoParams = { type: 'object', properties: { repo: { type: 'string', pattern: REPOSITORY_NAME.source } }, required: ['repo'] } as const
export const versionParams = {
  type: 'object',
  properties: { repo: { type: 'string', pattern: REPOSITORY_NAME.source }, version: { type: 'string', pattern: VERSION_PATTERN.source } },
  required: ['repo', 'version'],
} as const
export const fileNamePattern = FILE_NAME.source

/** The error answers every route may give. */
export const errors = { '4xx': errorSchema, '5xx': errorSchema } as const
