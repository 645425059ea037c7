/**
 * TEE mode across real processes: `inferchain dev` starts its inference node with `--tee dev` (the
 * development enclave), pins the dev root in genesis and allows the enclave's measurement; a
 * contract gets a TEE-attested result in the same transaction, and a follower full node — another
 * process that runs no model — verifies the attestation at import and reaches the same state.
 */
import { spawn } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPublicClient, hexToBytes, http, type Abi, type Hex } from 'viem'
import { compileContracts, getContract } from '../../src/contracts/compile.js'
import { nodeRegistryAbi } from '../../src/contracts/system.js'
import { ModelInferenceMode } from '../../src/evm/types.js'
import { NODE_REGISTRY_ADDRESS } from '../../src/params.js'
import { decodeCoseSign1, devTrustedRoot, parseAttestationPayload, verifyAttestation } from '../../src/tee/index.js'
import { assertBuilt, CLI, devnetClients, rpc, startDevnet, until, type RunningDevnet } from './processes.js'

let devnet: RunningDevnet
let consumer: { abi: Abi; bytecode: Hex }

beforeAll(async () => {
  ;[devnet, consumer] = await Promise.all([startDevnet(['--followers', '1']), compileContracts().then((c) => getContract(c, 'DemoConsumer'))])
})
afterAll(async () => {
  await devnet?.stop()
})

interface Status { role: string; head: Hex; headHash: Hex; stateRoot: Hex; inferencesDispatched: number; lastRejection?: string }
interface RpcRecord { mode: string; status: string; attestation: Hex | null; verification: { evidence: string }; output: { numbers: Array<{ values: Array<{ value: string }> }> } }

describe('TEE mode on a devnet', () => {
  it('a contract gets an attested result in the same transaction; a follower verifies it and reaches the same state', async () => {
    const { info } = devnet
    const { chain, account, publicClient, walletClient } = devnetClients(info, 2)
    const deployed = await walletClient.deployContract({ abi: consumer.abi, bytecode: consumer.bytecode, account, chain })
    const address = (await publicClient.waitForTransactionReceipt({ hash: deployed })).contractAddress!
    const request = (mode: ModelInferenceMode) => ({
      mode,
      modelCID: info.demoModel.cid,
      input: { numbers: [{ name: 'input', values: Array.from({ length: 16 }, (_, i) => ({ value: BigInt((i - 8) * 50_000), decimals: 6n })), shape: [1, 16] }], strings: [] },
    })

    const hash = await walletClient.writeContract({ address, abi: consumer.abi, functionName: 'runInference', args: [request(ModelInferenceMode.TEE)], account, chain, gas: 3_000_000n })
    const receipt = await publicClient.waitForTransactionReceipt({ hash })
    expect(receipt.status).toBe('success')
    const stored = (await publicClient.readContract({ address, abi: consumer.abi, functionName: 'lastValues' })) as bigint[]
    expect(stored).toHaveLength(4)

    // The record names the mode and carries the enclave's document, which verifies under the dev root
    // as of the block and whose measurement is on NodeRegistry's allowlist.
    const [record] = await rpc<RpcRecord[]>(info.rpcUrl, 'inference_getRecordsByTransaction', [hash])
    expect(record).toMatchObject({ mode: 'TEE', status: 'ok', verification: { evidence: 'tee-attestation' } })
    expect(record!.output.numbers[0]!.values.map((v) => BigInt(v.value))).toEqual(stored)
    const block = await publicClient.getBlock({ blockNumber: receipt.blockNumber })
    const { measurement } = verifyAttestation(hexToBytes(record!.attestation!), { trustedRoots: [devTrustedRoot()], atMs: Number(block.timestamp) * 1000 })
    const pcr0 = `0x${Buffer.from(measurement).toString('hex')}` as Hex
    expect(await publicClient.readContract({ address: NODE_REGISTRY_ADDRESS, abi: nodeRegistryAbi, functionName: 'isTeeMeasurementAllowed', args: [pcr0] })).toBe(true)
    const doc = parseAttestationPayload(decodeCoseSign1(hexToBytes(record!.attestation!)).payload)
    expect(await publicClient.readContract({ address: NODE_REGISTRY_ADDRESS, abi: nodeRegistryAbi, functionName: 'enclaveKeyOf', args: [info.accounts[19]!.address] }))
      .toBe(`0x${Buffer.from(doc.publicKey!).toString('hex')}`)

    const producer = await rpc<Status>(info.rpcUrl, 'inferchain_nodeStatus')
    const followerUrl = info.followers[0]!
    await until(async () => (await rpc<Status>(followerUrl, 'inferchain_nodeStatus')).head === producer.head)
    const follower = await rpc<Status>(followerUrl, 'inferchain_nodeStatus')
    expect(follower).toMatchObject({ role: 'follower', headHash: producer.headHash, stateRoot: producer.stateRoot, inferencesDispatched: 0 })
    expect(follower.lastRejection).toBeUndefined()
    expect(await rpc<RpcRecord[]>(followerUrl, 'inference_getRecordsByTransaction', [hash])).toEqual([record])
    const followerClient = createPublicClient({ chain, transport: http(followerUrl) })
    expect(await followerClient.readContract({ address, abi: consumer.abi, functionName: 'lastValues' })).toEqual(stored)
  })

  it('`inference-node --tee` names the backends it knows', async () => {
    assertBuilt()
    const child = spawn(process.execPath, [CLI, 'inference-node', '--tee', 'sgx', '--no-register', '--port', '0'], {
      env: { ...process.env, INFERCHAIN_PRIVATE_KEY: devnet.info.accounts[3]!.privateKey },
    })
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    const code = await new Promise((resolve) => child.once('exit', resolve))
    expect(code).not.toBe(0)
    expect(stderr).toContain('unknown TEE backend "sgx" (available: dev)')
  })
})
