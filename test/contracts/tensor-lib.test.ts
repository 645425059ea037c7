import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { Abi, Address } from 'viem'
import { beforeAll, describe, expect, it } from 'vitest'
import { compileContracts, compileSolidity, getContract } from '../../src/contracts/compile.js'
import { contractsDir, findProjectRoot } from '../../src/contracts/files.js'
import { createHarness, deploy, read, type Harness } from './evm-harness.js'

/** TensorLib is internal-only, so it is exercised through a small contract that exposes it. */
const HARNESS = `// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;
import {TensorLib} from "./TensorLib.sol";
contract TensorLibHarness {
  function toScaled(int128 value, int128 decimals, uint8 to) external pure returns (int256) {
    return TensorLib.toScaled(TensorLib.number(value, decimals), to);
  }
  function tensor2D(int128[] memory values, int128 decimals, uint32 rows, uint32 cols)
    external pure returns (TensorLib.MultiDimensionalNumberTensor memory) {
    return TensorLib.tensor2D("x", values, decimals, rows, cols);
  }
  function tensor1D(int128[] memory values, int128 decimals) external pure returns (TensorLib.MultiDimensionalNumberTensor memory) {
    return TensorLib.tensor1D("v", values, decimals);
  }
  function scalar(int128 value) external pure returns (TensorLib.MultiDimensionalNumberTensor memory) {
    return TensorLib.scalar("s", value, 0);
  }
  function find(string[] memory names, string memory wanted) external pure returns (string memory, uint256) {
    TensorLib.MultiDimensionalNumberTensor[] memory ts = new TensorLib.MultiDimensionalNumberTensor[](names.length);
    for (uint256 i = 0; i < names.length; ++i) ts[i] = TensorLib.scalar(names[i], int128(int256(i)), 0);
    TensorLib.MultiDimensionalNumberTensor memory t = TensorLib.findNumberTensor(ts, wanted);
    return (t.name, uint256(int256(t.values[0].value)));
  }
  function scaledArray(int128[] memory values, int128 decimals, uint8 to) external pure returns (int256[] memory) {
    return TensorLib.toScaledArray(TensorLib.tensor1D("v", values, decimals), to);
  }
}`

let h: Harness
let lib: { address: Address; abi: Abi }

beforeAll(async () => {
  const root = findProjectRoot()
  const compiled = await compileSolidity(
    { 'TensorLib.sol': await readFile(path.join(contractsDir(root), 'TensorLib.sol'), 'utf8'), 'TensorLibHarness.sol': HARNESS },
    { cacheDir: path.join(root, '.cache', 'solc') },
  )
  h = await createHarness(await compileContracts())
  const { abi, bytecode } = getContract(compiled, 'TensorLibHarness')
  lib = { address: await deploy(h, bytecode), abi }
}, 180_000)

const call = (fn: string, args: readonly unknown[]) => read(h, lib.address, lib.abi, fn as never, args as never) as Promise<unknown>

describe('TensorLib', () => {
  it('toScaled rescales up, truncates down toward zero and guards overflow', async () => {
    expect(await call('toScaled', [15n, 1n, 3])).toBe(1500n)
    expect(await call('toScaled', [123456n, 4n, 2])).toBe(1234n)
    expect(await call('toScaled', [-123456n, 4n, 2])).toBe(-1234n)
    expect(await call('toScaled', [5n, -2n, 0])).toBe(500n)
    expect(await call('toScaled', [5n, 200n, 0])).toBe(0n)
    expect(await call('toScaled', [0n, -100n, 0])).toBe(0n)
    await expect(call('toScaled', [1n, -100n, 0])).rejects.toThrow('ScaleOverflow(1, -100, 0)')
    await expect(call('toScaled', [2n ** 126n, 0n, 60])).rejects.toThrow(/reverted|Panic/)
  })

  it('builds 1-D, 2-D and scalar tensors and checks the shape', async () => {
    expect(await call('tensor2D', [[1n, 2n, 3n, 4n, 5n, 6n], 3n, 2, 3])).toEqual({
      name: 'x',
      values: [1n, 2n, 3n, 4n, 5n, 6n].map((value) => ({ value, decimals: 3n })),
      shape: [2, 3],
    })
    expect(await call('tensor1D', [[9n], 0n])).toEqual({ name: 'v', values: [{ value: 9n, decimals: 0n }], shape: [1] })
    expect(await call('scalar', [16000n])).toEqual({ name: 's', values: [{ value: 16000n, decimals: 0n }], shape: [] })
    await expect(call('tensor2D', [[1n, 2n, 3n], 0n, 2, 2])).rejects.toThrow('ShapeMismatch(3, 4)')
  })

  it('finds a tensor by name and reverts when it is missing', async () => {
    expect(await call('find', [['a', 'state', 'output'], 'output'])).toEqual(['output', 2n])
    await expect(call('find', [['a'], 'stateN'])).rejects.toThrow('TensorNotFound(stateN)')
    expect(await call('scaledArray', [[15n, -25n], 1n, 2])).toEqual([150n, -250n])
  })
})
