/** ONNX models built in code (and the one a package ships), for the devnet, tests and benchmarks. */
export { buildDemoModel, buildMlpModel, DEMO_MODEL, mlpWeights, type MlpSpec, type MlpWeights } from './demo-mlp.js'
export { ModelSpecError } from './errors.js'
export {
  buildModel,
  createModelProto,
  DEFAULT_OPSET,
  encodeModel,
  ML_OPSET,
  type AttributeValue,
  type Dim,
  type ElementType,
  type InitializerSpec,
  type ModelSpec,
  type NodeSpec,
  type TensorValue,
} from './onnx-builder.js'
export { seededRandom } from './random.js'
export { SILERO_VAD_FILE, sileroVadModelPath } from './silero.js'
export { buildStringModel, buildWideOutputModel } from './string-model.js'
