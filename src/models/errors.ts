/** Errors raised when a model is described wrongly in code (API misuse, caught at build time). */
import { InferchainError } from '../errors.js'

/**
 * A model spec that cannot become a valid ONNX file: an initializer whose data does not fill its
 * dims, a non-integer size, an unknown attribute form.
 *
 * @example
 * throw new ModelSpecError('initializer w1 has 3 values for dims [2,2]', { initializer: 'w1' })
 */
export class ModelSpecError extends InferchainError {
  override readonly name = 'ModelSpecError' as const
  constructor(message: string, details?: Record<string, unknown>) {
    super('INVALID_MODEL_SPEC', message, { details })
  }
}
