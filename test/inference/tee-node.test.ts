/**
 * An inference node with the development enclave (`--tee dev`): it serves TEE mode next to VANILLA,
 * attests each TEE result for the request it names, and says who it is on /v1/health.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hexToBytes, type Hex } from 'viem'
import { ModelInferenceMode, type ModelInferenceRequest } from '../../src/evm/types.js'
import { HubClient } from '../../src/hub/client.js'
import { startHubServer } from '../../src/hub/server.js'
import { DiskModelStore } from '../../src/hub/store.js'
import { InferenceNodeClient } from '../../src/inference/client.js'
import { InferenceEngine } from '../../src/inference/engine.js'
import { InferenceNodeError } from '../../src/inference/errors.js'
import { ModelRuntime } from '../../src/inference/runtime.js'
import { startInferenceNode, type InferenceNode } from '../../src/inference/service.js'
import { inferRequestFromWire, inferRequestToWire, inferResponseFromWire, inferResponseToWire } from '../../src/inference/wire.js'
import { buildDemoModel } from '../../src/models/index.js'
import { checkBinding, DevEnclave, devTrustedRoot, verifyAttestation } from '../../src/tee/index.js'
import { verifyVanillaResult } from '../../src/verify/vanilla.js'
import { TEST_IMAGE } from '../tee/helpers.js'

const KEY: Hex = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'
const dir = mkdtempSync(join(tmpdir(), 'inferchain-tee-node-'))
const enclave = DevEnclave.create({ image: TEST_IMAGE })
const BINDING = { requestId: `0x${'42'.repeat(32)}` as Hex, chainId: 424_242n }
let hub: { url: string; close(): Promise<void> }
let node: InferenceNode
let client: InferenceNodeClient
let cid: string

beforeAll(async () => {
  hub = await startHubServer({ store: new DiskModelStore(join(dir, 'hub')), port: 0 })
  cid = (await new HubClient(hub.url).upload(buildDemoModel(), { name: 'demo' })).cid
  node = await startInferenceNode({ privateKey: KEY, hubUrl: hub.url, cacheDir: join(dir, 'cache'), tee: enclave })
  client = new InferenceNodeClient(node.url)
})

afterAll(async () => {
  await node?.close()
  await hub?.close()
  rmSync(dir, { recursive: true, force: true })
})

const request = (mode: ModelInferenceMode): ModelInferenceRequest => ({
  mode,
  modelCid: cid,
  input: { numbers: [{ name: 'input', values: Array.from({ length: 16 }, (_, i) => ({ value: BigInt(i * 1000), decimals: 4n })), shape: [1, 16] }], strings: [] },
})

describe('an inference node with the dev enclave', () => {
  it('serves VANILLA and TEE and reports its enclave on /v1/health', async () => {
    expect(node.modes).toEqual([ModelInferenceMode.VANILLA, ModelInferenceMode.TEE])
    expect(await client.health()).toMatchObject({ modes: [0, 2], tee: { kind: 'dev', measurement: enclave.measurement, enclaveKey: enclave.enclaveKey } })
  })

  it('attests a TEE result for the request it names; the attestation verifies and binds that result', async () => {
    const result = await client.infer(request(ModelInferenceMode.TEE), { binding: BINDING })
    verifyVanillaResult(result)
    expect(result.attestation).toMatch(/^0x84/)
    const { document, measurement } = verifyAttestation(hexToBytes(result.attestation!), { trustedRoots: [devTrustedRoot()], atMs: Date.now() })
    expect(measurement).toEqual(TEST_IMAGE.pcr0)
    checkBinding(document, { ...BINDING, modelCid: cid, inputHash: result.inputHash, outputHash: result.outputHash })
  })

  it('attaches no attestation to VANILLA results (their records keep their bytes)', async () => {
    const result = await client.infer(request(ModelInferenceMode.VANILLA), { binding: BINDING })
    expect(result.attestation).toBeUndefined()
    expect('attestation' in inferResponseToWire(result).result).toBe(false)
  })

  it('refuses a TEE request that names no request (nothing to bind the attestation to)', async () => {
    const err = await client.infer(request(ModelInferenceMode.TEE)).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(InferenceNodeError)
    expect(err).toMatchObject({ code: 'BAD_REQUEST', status: 400 })
  })

  it('cannot be configured for TEE mode without an enclave backend', () => {
    expect(() => new InferenceEngine({ privateKey: KEY, models: { get: async () => { throw new Error('unused') } }, runtime: new ModelRuntime(), modes: [ModelInferenceMode.TEE] })).toThrow(/not implemented/)
  })
})

describe('the wire format', () => {
  it('carries the binding and the attestation, and validates them', () => {
    const body = JSON.parse(JSON.stringify(inferRequestToWire(request(ModelInferenceMode.TEE), BINDING)))
    expect(body.binding).toEqual({ requestId: BINDING.requestId, chainId: '424242' })
    expect(inferRequestFromWire(body).binding).toEqual(BINDING)
    expect(() => inferRequestFromWire({ ...body, binding: { requestId: '0x12', chainId: '1' } })).toThrow(/binding.requestId/)
    expect(() => inferRequestFromWire({ ...body, binding: { requestId: BINDING.requestId, chainId: '-1' } })).toThrow(/binding.chainId/)
    const result = { modelCid: cid, mode: 2, inputHash: `0x${'11'.repeat(32)}`, outputHash: `0x${'22'.repeat(32)}`, output: { numbers: [], strings: [], jsons: [], isSimulationResult: false }, node: `0x${'33'.repeat(20)}`, signature: `0x${'44'.repeat(65)}` }
    expect(inferResponseFromWire({ result: { ...result, attestation: '0x8401' } }).attestation).toBe('0x8401')
    expect(() => inferResponseFromWire({ result: { ...result, attestation: '0x123' } })).toThrow(/attestation/)
  })
})
