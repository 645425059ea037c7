/**
 * The models a full node re-executes in disputes, prepared for the canonical integer path. Validators
 * never run a model except here: the bytes come from the hub by CID (checked against it), once, and
 * the quantized model is kept in memory.
 */
import type { ModelLoader } from '../inference/engine.js'
import { loadCanonicalModel, type CanonicalModel } from './canonical.js'

export class CanonicalModelStore {
  #models: ModelLoader | undefined
  readonly #prepared = new Map<string, Promise<CanonicalModel>>()

  /** @param models where verified model bytes come from (a `ModelCache` over the hub, in a node); see `connect` */
  constructor(models?: ModelLoader) {
    this.#models = models
  }

  /** Sets where models come from (a devnet's node starts before its hub). */
  connect(models: ModelLoader): void {
    this.#models = models
  }

  /**
   * The model prepared for the canonical path.
   *
   * @throws CanonicalModelError when the model is outside the canonical subset (the same on every node)
   * @throws whatever the loader throws when the bytes cannot be had here (a node-local failure)
   */
  load(cid: string): Promise<CanonicalModel> {
    let prepared = this.#prepared.get(cid)
    if (prepared === undefined) {
      const models = this.#models
      if (models === undefined) return Promise.reject(new Error('this node has no model source (start it with --hub-url)'))
      prepared = models.get(cid).then((model) => loadCanonicalModel(model.bytes))
      // A failed download is retried next time; an unsupported model fails the same way again anyway.
      prepared.catch(() => this.#prepared.delete(cid))
      this.#prepared.set(cid, prepared)
    }
    return prepared
  }
}
