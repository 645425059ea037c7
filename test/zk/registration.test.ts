/**
 * Registration for ZK mode (`prepareZkModel`): refusals come first and fast, naming the reason,
 * before anything is compiled; a model that fits is compiled and set up with progress reported,
 * once — the second registration of the same circuit reads the cache.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { buildModel } from '../../src/models/index.js'
import { loadUniversalSetup, maxConstraints, prepareZkModel, ZkModelError, ZkToolchainError, type ZkProgress } from '../../src/zk/index.js'
import { buildMlp } from './models.js'

const dirs: string[] = []
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'inferchain-zk-'))
  dirs.push(dir)
  return dir
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

async function rejection(promise: Promise<unknown>): Promise<Error & { code: string }> {
  return promise.then(
    () => {
      throw new Error('expected a rejection')
    },
    (err: Error & { code: string }) => err,
  )
}

describe('registering a model for ZK mode', () => {
  it('refuses an unsupported operator at once, compiling nothing', async () => {
    const cacheDir = tempDir()
    const softmax = buildModel({
      name: 'softmax',
      inputs: [{ name: 'x', type: 'float32', shape: [1, 3] }],
      outputs: [{ name: 'y', type: 'float32', shape: [1, 3] }],
      initializers: [{ name: 'w', dims: [3, 3], float32: [1, 0, 0, 0, 1, 0, 0, 0, 1] }],
      nodes: [
        { op: 'MatMul', inputs: ['x', 'w'], outputs: ['h'] },
        { op: 'Softmax', inputs: ['h'], outputs: ['y'] },
      ],
    })
    const started = performance.now()
    const err = await rejection(prepareZkModel(softmax, { cacheDir }))
    expect(err).toBeInstanceOf(ZkModelError)
    expect(err.code).toBe('ZK_UNSUPPORTED_OP')
    expect(err.message).toMatch(/Softmax/)
    expect(performance.now() - started).toBeLessThan(2_000)
    expect(readdirSync(cacheDir)).toEqual([])
  })

  it('refuses a model too large for the universal setup before compiling, saying how large', async () => {
    const cacheDir = tempDir()
    const ptau = await loadUniversalSetup()
    // 512 → 192 → 10 at 16 fraction bits: ~25k constraints, the setup takes 16,380.
    const err = await rejection(prepareZkModel(buildMlp({ sizes: [512, 192, 10], seed: 1 }), { cacheDir }))
    expect(err).toBeInstanceOf(ZkModelError)
    expect(err.code).toBe('ZK_MODEL_TOO_LARGE')
    expect(err.message).toContain(`at most ${maxConstraints(ptau, 3)}`)
    expect(err.message).toMatch(/power 14/)
    expect(readdirSync(cacheDir)).toEqual([])
  })

  it('compiles and sets up a model with progress, once: the second registration reads the cache', async () => {
    const cacheDir = tempDir()
    const bytes = buildMlp({ sizes: [3, 2, 2], seed: 41 })
    const events: ZkProgress[] = []
    const first = await prepareZkModel(bytes, { cacheDir, onProgress: (p) => events.push(p) })
    const stages = [...new Set(events.map((e) => e.stage))]
    expect(stages).toEqual(['import', 'quantize', 'load', 'emit', 'compile', 'setup', 'contribute', 'export', 'done'])
    // snarkjs's own progress lines arrive as fractions of the setup stage.
    expect(events.some((e) => e.stage === 'setup' && e.fraction !== undefined && e.fraction > 0)).toBe(true)
    expect(events.at(-1)!.elapsed).toBeGreaterThan(0)
    expect(first.timings.compile).toBeGreaterThan(0)
    expect(first.timings.setup).toBeGreaterThan(0)
    expect(existsSync(first.setup!.zkeyFile)).toBe(true)

    const again: ZkProgress[] = []
    const second = await prepareZkModel(bytes, { cacheDir, onProgress: (p) => again.push(p) })
    expect(again.map((e) => e.stage)).not.toContain('setup')
    expect(second.descriptor()).toEqual(first.descriptor())
    expect(second.setup!.manifest.zkeySha256).toBe(first.setup!.manifest.zkeySha256)
  })

  it('refuses a universal setup file that is not the pinned one', async () => {
    const dir = tempDir()
    writeFileSync(path.join(dir, 'fake.ptau'), 'not a ptau')
    writeFileSync(path.join(dir, 'ptau.json'), JSON.stringify({ file: 'fake.ptau', power: 14, sha256: '00'.repeat(32), cid: '' }))
    const err = await rejection(loadUniversalSetup(dir))
    expect(err).toBeInstanceOf(ZkToolchainError)
    expect(err.code).toBe('ZK_PTAU_INVALID')
    expect(err.message).toMatch(/the manifest pins 0000/)
  })
})
