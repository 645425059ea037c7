import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { toEventSelector, toFunctionSelector, type Abi, type AbiParameter } from 'viem'
import { formatAbiItem } from 'viem/utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  compileContracts,
  compileSolidity,
  ContractCompileError,
  ContractNotFoundError,
  getContract,
  type CompiledContracts,
} from '../../src/contracts/compile.js'
import { findProjectRoot } from '../../src/contracts/files.js'
import { inferenceSettlementAbi, modelRegistryAbi, nodeRegistryAbi, systemContractGenesis, zkInferencesAbi } from '../../src/contracts/system.js'
import { MODEL_INFERENCE_EVENT_TOPIC, ogInferenceAbi, RUN_MODEL_INFERENCE_SELECTOR } from '../../src/evm/abi.js'
import { INFERENCE_SETTLEMENT_ADDRESS, MODEL_REGISTRY_ADDRESS, NODE_REGISTRY_ADDRESS, OG_HISTORICAL_ADDRESS, WORKFLOW_SCHEDULER_ADDRESS, ZK_INFERENCES_ADDRESS } from '../../src/params.js'

let compiled: CompiledContracts
let tmp: string

beforeAll(async () => {
  compiled = await compileContracts()
  tmp = await mkdtemp(path.join(os.tmpdir(), 'inferchain-solc-'))
}, 180_000)

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true })
})

/** name/type/indexed/components only: internalType and stateMutability spelling differ between solc and parseAbi. */
function normParam(p: AbiParameter & { indexed?: boolean }): unknown {
  const components = 'components' in p ? p.components.map(normParam) : undefined
  return { name: p.name ?? '', type: p.type, indexed: p.indexed ?? false, components }
}

function normAbi(abi: Abi): unknown[] {
  return abi
    .map((item) => ({
      sig: formatAbiItem(item as never),
      inputs: 'inputs' in item ? item.inputs.map(normParam) : [],
      outputs: 'outputs' in item ? item.outputs.map(normParam) : [],
      mutability: 'stateMutability' in item ? item.stateMutability : undefined,
    }))
    .sort((a, b) => a.sig.localeCompare(b.sig))
}

describe('compileContracts', () => {
  it('compiles every source, examples included, with bytecode for each deployable contract', () => {
    const names = Object.keys(compiled.contracts).sort()
    expect(names).toEqual(
      [
        'DemoConsumer', 'ForwardCall', 'IGroth16Verifier', 'IReexecution', 'IZkModels', 'IZkSlashing', 'InferenceSettlement', 'LlmConsumer', 'ModelRegistry', 'NodeRegistry',
        'OGInference', 'StringConsumer', 'TensorLib', 'TwoStepConsumer', 'VadConsumer', 'ZkInferences',
        'IModelExecutor', 'OGHistorical', 'PriceForecastWorkflow', 'WorkflowScheduler',
      ].sort(),
    )
    for (const name of ['ModelRegistry', 'NodeRegistry', 'ZkInferences', 'InferenceSettlement', 'DemoConsumer', 'LlmConsumer', 'VadConsumer', 'StringConsumer', 'ForwardCall']) {
      const c = getContract(compiled, name)
      expect(c.bytecode.length, name).toBeGreaterThan(100)
      expect(c.deployedBytecode.length, name).toBeGreaterThan(100)
    }
    expect(getContract(compiled, 'DemoConsumer').sourceName).toBe('examples/DemoConsumer.sol')
    expect(compiled.solcVersion).toBe('0.8.37')
  })

  it('shares one compile between callers and caches the output on disk', async () => {
    const [a, b] = await Promise.all([compileContracts(), compileContracts()])
    expect(a).toBe(b)
    expect(a).toBe(compiled)
    const cacheFiles = await readdir(path.join(findProjectRoot(), '.cache', 'solc'))
    expect(cacheFiles.some((f) => /^[0-9a-f]{64}\.json$/.test(f))).toBe(true)
  })

  it('raises ContractCompileError carrying solc formatted messages', async () => {
    const err = await compileSolidity({ 'Broken.sol': 'pragma solidity ^0.8.20; contract Broken { function f( }' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ContractCompileError)
    const compileError = err as ContractCompileError
    expect(compileError.code).toBe('CONTRACT_COMPILE_FAILED')
    expect(compileError.errors[0]).toMatch(/ParserError/)
    expect(compileError.errors[0]).toMatch(/Broken\.sol:1/)
  })

  it('resolves imports that are not among the sources from importDir, and caches by content', async () => {
    await writeFile(path.join(tmp, 'Lib.sol'), 'pragma solidity ^0.8.20; library L { function two() internal pure returns (uint256) { return 2; } }')
    const sources = { 'Main.sol': 'pragma solidity ^0.8.20; import "./Lib.sol"; contract Main { function f() external pure returns (uint256) { return L.two(); } }' }
    const cacheDir = path.join(tmp, 'cache')
    const first = await compileSolidity(sources, { importDir: tmp, cacheDir })
    expect(getContract(first, 'Main').deployedBytecode.length).toBeGreaterThan(10)
    expect(await readdir(cacheDir)).toHaveLength(1)
    const missing = await compileSolidity({ 'Main.sol': sources['Main.sol'].replace('Lib', 'Nope') }, { importDir: tmp }).catch((e: unknown) => e)
    expect(missing).toBeInstanceOf(ContractCompileError)
    expect((missing as ContractCompileError).errors.join('\n')).toMatch(/Nope\.sol/)
  }, 60_000)

  it('finds the project root from a nested build directory', async () => {
    const nested = path.join(tmp, 'proj', 'dist', 'src', 'contracts')
    await mkdir(nested, { recursive: true })
    await writeFile(path.join(tmp, 'proj', 'package.json'), '{}')
    expect(findProjectRoot(nested)).toBe(path.join(tmp, 'proj'))
    expect(existsSync(path.join(findProjectRoot(), 'src', 'contracts', 'ModelRegistry.sol'))).toBe(true)
  })

  it('throws ContractNotFoundError for an unknown name', () => {
    expect(() => getContract(compiled, 'Nope')).toThrow(ContractNotFoundError)
  })
})

describe('OGInference.sol', () => {
  const abi = () => getContract(compiled, 'OGInference').abi

  it('has the runModelInference selector and event topic of src/evm/abi.ts', () => {
    const fn = abi().find((i) => i.type === 'function' && i.name === 'runModelInference')!
    const event = abi().find((i) => i.type === 'event' && i.name === 'ModelInferenceEvent')!
    expect(toFunctionSelector(fn as never)).toBe(RUN_MODEL_INFERENCE_SELECTOR)
    expect(toEventSelector(event as never)).toBe(MODEL_INFERENCE_EVENT_TOPIC)
  })

  it('matches the published ABI item for item, struct field names included', () => {
    expect(normAbi(abi())).toEqual(normAbi(ogInferenceAbi))
  })
})

describe('system contracts', () => {
  it('typed ABIs equal the compiler output', () => {
    expect(normAbi(modelRegistryAbi)).toEqual(normAbi(getContract(compiled, 'ModelRegistry').abi))
    expect(normAbi(nodeRegistryAbi)).toEqual(normAbi(getContract(compiled, 'NodeRegistry').abi))
    expect(normAbi(zkInferencesAbi)).toEqual(normAbi(getContract(compiled, 'ZkInferences').abi))
    expect(normAbi(inferenceSettlementAbi)).toEqual(normAbi(getContract(compiled, 'InferenceSettlement').abi))
  })

  it('genesis places runtime code at the params addresses', () => {
    expect(systemContractGenesis(compiled)).toEqual([
      { name: 'ModelRegistry', address: MODEL_REGISTRY_ADDRESS, code: getContract(compiled, 'ModelRegistry').deployedBytecode },
      { name: 'NodeRegistry', address: NODE_REGISTRY_ADDRESS, code: getContract(compiled, 'NodeRegistry').deployedBytecode },
      { name: 'ZkInferences', address: ZK_INFERENCES_ADDRESS, code: getContract(compiled, 'ZkInferences').deployedBytecode },
      { name: 'InferenceSettlement', address: INFERENCE_SETTLEMENT_ADDRESS, code: getContract(compiled, 'InferenceSettlement').deployedBytecode },
      { name: 'WorkflowScheduler', address: WORKFLOW_SCHEDULER_ADDRESS, code: getContract(compiled, 'WorkflowScheduler').deployedBytecode },
      { name: 'OGHistorical', address: OG_HISTORICAL_ADDRESS, code: getContract(compiled, 'OGHistorical').deployedBytecode },
    ])
  })

  it('ModelRegistry keeps models in slot 0 with owner, modes, isPrivate, workUnits packed in its first slot', () => {
    const layout = getContract(compiled, 'ModelRegistry').storageLayout
    const models = layout.storage[0]!
    expect(models).toMatchObject({ label: 'models', slot: '0', offset: 0 })
    const modelType = Object.values(layout.types ?? {}).find((t) => t.label === 'struct ModelRegistry.Model')!
    const first = modelType.members!.filter((m) => m.slot === '0').map((m) => [m.label, m.offset])
    expect(first).toEqual([['owner', 0], ['modes', 20], ['isPrivate', 21], ['workUnits', 22]])
  })
})
