/**
 * The inferchain TypeScript SDK (the package's public API), built on viem.
 *
 * @example
 * import { connect, modelInput, callModel, runModel, outputValues, verifyInferenceRecord } from 'inferchain'
 * const { publicClient, walletClient } = await connect({ rpcUrl: 'http://127.0.0.1:8545', privateKey })
 * const input = modelInput({ input: [0.1, 0.2, 0.3, 0.4] })
 * const quick = await callModel(publicClient, { modelCid, input })          // eth_call, nothing on chain
 * const run = await runModel({ publicClient, walletClient: walletClient! }, { modelCid, input })
 * console.log(outputValues(run.output), await verifyInferenceRecord(publicClient, run.record))
 */
export { connect, inferchainChain, type InferchainClients } from './chain.js'
export { callModel, runModel, type ModelRequest, type ModelRun } from './inference.js'
export { getInferenceRecord, getInferenceRecords, toInferenceRecord, verifyInferenceRecord, type RpcInferenceRecord, type VerifyOptions } from './records.js'
export { listInferenceNodes, listModels, modesBitmask, registerInferenceNode, registerModel } from './registry.js'
export { challengeClaim, ensureBonded, finalizeClaim, getSettlementParameters, getStake, requestUnbond, stake, upgradeClaimWithZkProof, withdrawStake, type NodeStake, type SettlementParameters } from './settlement.js'
export { asSettlementError, challengeVerdict, getClaim, getInferenceRequest, SettlementError, type ChallengeVerdict, type Claim, type ClaimStatusName, type InferenceRequest } from './disputes.js'
export { modelInput, numberTensor, outputValues, tensorValues } from './tensors.js'
export { asInferenceError, InferenceRevertedError, SdkError, type SdkErrorCode } from './errors.js'
export { HubClient } from '../hub/client.js'
export { ModelInferenceMode, type ModelInput, type ModelOutput, type NumberTensor, type StringTensor } from '../evm/types.js'
export type { VerificationOutcome } from '../verify/types.js'
export { INFERENCE_PRECOMPILE_ADDRESS, INFERENCE_SETTLEMENT_ADDRESS, MODEL_REGISTRY_ADDRESS, NODE_REGISTRY_ADDRESS, DEFAULT_CHAIN_ID } from '../params.js'
export { verifyLlmResponse, LlmVerificationError, type LlmEvidence, type VerifiedLlmResponse, type VerifyLlmResponseOptions } from '../llm/verify.js'
export { encodeLlmCall, decodeCompletionResult, decodeChatResult, llmAbi } from '../llm/abi.js'
export { chatLlm, completeLlm } from './llm.js'
export { LlmInferenceMode, type ChatMessage, type LlmChatRequest, type LlmChatResponse, type LlmCompletionRequest, type LlmCompletionResponse, type ToolCall, type ToolDefinition } from '../llm/types.js'
export { getWorkflowResults, listWorkflowTasks, pushCandles, registerWorkflowTask, type CandleInput, type RegisterWorkflowTaskParameters, type WorkflowTask } from './workflows.js'
export { workflowRunner } from '../workflows/runner.js'
export { modelExecutorAbi, ogHistoricalAbi, workflowSchedulerAbi, CandleOrder, CandleType } from '../workflows/abi.js'
export { WORKFLOW_SCHEDULER_ADDRESS, OG_HISTORICAL_ADDRESS } from '../params.js'
