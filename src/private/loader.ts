/**
 * The inference engine's model source on a private node: the private model from memory (it never
 * touches the hub or the node's cache), every other id from the hub-backed cache as usual.
 */
import type { ModelLoader } from '../inference/engine.js'
import type { LoadedModel } from '../inference/runtime.js'
import type { PrivateModel } from './local-model.js'

export class PrivateModelLoader implements ModelLoader {
  readonly #models: Map<string, PrivateModel>

  constructor(
    models: readonly PrivateModel[],
    private readonly fallback: ModelLoader,
  ) {
    this.#models = new Map(models.map((m) => [m.cid, m]))
  }

  async get(cid: string): Promise<LoadedModel> {
    return this.#models.get(cid) ?? this.fallback.get(cid)
  }
}
