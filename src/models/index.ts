/** ONNX models built in code (and the one a package ships), for the devnet, tests and benchmarks. */
export { buildDemoModel, buildMlpModel, DEMO_MODEL, mlpWeights, type MlpSpec, type MlpWeights } from './demo-mlp.js'
export { buildModel, seededRandom, type ModelSpec } from './onnx-builder.js'
export { SILERO_VAD_FILE, sileroVadModelPath } from './silero.js'
export { buildStringModel, buildWideOutputModel } from './string-model.js'
