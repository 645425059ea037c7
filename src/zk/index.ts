/**
 * ZK mode: ONNX models compiled to circom circuits over a quantized (fixed-point) semantics, proven
 * with Groth16 (snarkjs), verified off chain or by a generated Solidity verifier. The quantized
 * reference executor (`runQuantized`) is the canonical integer semantics, shared with OPTIMISTIC mode.
 */
export { applyPla, plaTable, type Activation, type PlaTable } from './activations.js'
export { defaultZkCacheDir } from './cache.js'
export { compileCircuit, type CircuitInfo, type CompiledCircuit } from './circom.js'
export { emitCircuit, estimateConstraints, PUBLIC_SIGNAL_NAMES, TOOLCHAIN, type CircuitOptions, type EmittedCircuit, type WeightVisibility } from './circuit.js'
export {
  ZkInputError,
  ZkModelError,
  ZkToolchainError,
  ZkVerificationError,
  type ZkModelErrorCode,
  type ZkToolchainErrorCode,
  type ZkVerificationErrorCode,
} from './errors.js'
export { dequantize, fromTensorNumber, quantizeDecimal, quantizeFloat, SNARK_SCALAR_FIELD, toTensorNumber } from './fixed-point.js'
export { importOnnxNetwork, ZK_SUPPORTED_OPS, type FloatDenseLayer, type FloatNetwork } from './onnx-import.js'
export { packedHash, poseidon } from './poseidon.js'
export { prepareZkModel, type PrepareZkModelOptions } from './prepare.js'
export { ProgressReporter, type ZkProgress, type ZkProgressListener, type ZkStage } from './progress.js'
export { decodeEnvelope, decodeProof, encodeEnvelope, encodeProof, ENVELOPE_BYTES, PROOF_BYTES, type ZkProofEnvelope } from './proof-codec.js'
export { chainInputHash, chainOutputHash, readZkModelEntry, readZkRecord, ZkFailure, ZkRecordStatus, type ZkModelEntry, type ZkRecordEntry } from './onchain.js'
export { ZkProverNode, type ZkBackend, type ZkProverNodeOptions, type ZkProverStats } from './prover-node.js'
export { loadUniversalSetup, maxConstraints, type UniversalSetup } from './ptau.js'
export { DEFAULT_QUANTIZATION, parameterCount, quantizeNetwork, type QuantizationParams, type QuantizedLayer, type QuantizedModel } from './quantize.js'
export { fromModelOutput, quantizeInputVector, quantizeModelInput, runQuantized, runQuantizedExact, toModelOutput, traceQuantized, type QuantizedTrace } from './reference.js'
export { registerZkModel, type ZkRegistration } from './register.js'
export { canonicalVerificationKey, type CircuitSetup, type SetupManifest } from './setup.js'
export { MAX_CONTRACT_CODE_BYTES, solidityVerifier, verifierCallArgs, type SolidityVerifier } from './solidity.js'
export { architectureDigest, inputHash, modelCommitment, outputHash, publicSignals, zkStatement, type ZkStatement } from './statement.js'
export { releaseZkWorkers } from './workers.js'
export { verifyInferenceProof } from './verifier.js'
export { ZkModel, type ZkModelDescriptor } from './zk-model.js'
