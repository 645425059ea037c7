/** Test helpers for the hub: temp directories, small models with known work, hub servers. */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startHubServer, type HubServer } from '../../src/hub/server.js'
import { DiskModelStore } from '../../src/hub/store.js'
import { buildModel } from '../../src/models/index.js'

/** A fresh directory under the OS temp dir; `remove()` deletes it. */
export function tempDir(prefix = 'inferchain-hub-test-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/** A hub on 127.0.0.1:0 over a disk store in its own temp dir. */
export async function startTestHub(maxModelBytes?: number): Promise<{
  hub: HubServer
  store: DiskModelStore
  files(): string[]
  stop(): Promise<void>
}> {
  const tmp = tempDir()
  const store = new DiskModelStore(tmp.dir)
  const hub = await startHubServer({ store, port: 0, maxModelBytes })
  return {
    hub,
    store,
    files: () => readdirSync(tmp.dir).sort(),
    stop: async () => {
      await hub.close()
      tmp.remove()
    },
  }
}

/**
 * A small CNN with static shapes: x [1,3,32,32] → Conv 8×3×3×3 (stride 2, pad 1) → [1,8,16,16] →
 * Relu → MaxPool 2×2 → [1,8,8,8] → Flatten [1,512] → Gemm 512×10 → logits [1,10]. `conv` is also
 * an output, so a test can check the shape the estimate assumed against onnxruntime's.
 * MACs: 16·16 positions × 216 + 512·10 = 60,416.
 */
export function cnnModel(): Uint8Array {
  const zeros = (n: number) => new Float32Array(n).fill(0.01)
  return buildModel({
    name: 'cnn',
    inputs: [{ name: 'x', type: 'float32', shape: [1, 3, 32, 32] }],
    outputs: [
      { name: 'logits', type: 'float32', shape: [1, 10] },
      { name: 'conv', type: 'float32', shape: ['n', 'c', 'h', 'w'] },
    ],
    initializers: [
      { name: 'w', dims: [8, 3, 3, 3], float32: zeros(216) },
      { name: 'b', dims: [8], float32: zeros(8) },
      { name: 'fc', dims: [512, 10], float32: zeros(5120) },
      { name: 'fc_b', dims: [10], float32: zeros(10) },
    ],
    nodes: [
      { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['conv'], attributes: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } },
      { op: 'Relu', inputs: ['conv'], outputs: ['act'] },
      { op: 'MaxPool', inputs: ['act'], outputs: ['pool'], attributes: { kernel_shape: [2, 2], strides: [2, 2] } },
      { op: 'Flatten', inputs: ['pool'], outputs: ['flat'] },
      { op: 'Gemm', inputs: ['flat', 'fc', 'fc_b'], outputs: ['logits'] },
    ],
  })
}
