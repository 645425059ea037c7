/**
 * Chain parameters and the gas schedule: one place, named, documented.
 * Everything here is consensus-relevant unless said otherwise: changing a value forks the chain.
 */
import type { Address } from 'viem'

/** The devnet's own chain id ("inferchain devnet"); `--chain-id` overrides it. */
export const DEFAULT_CHAIN_ID = 424_242
/** Default libp2p TCP port of a full node (not consensus; the JSON-RPC default stays 8545). */
export const DEFAULT_P2P_PORT = 30_342

/** The standard dev mnemonic (Hardhat, Anvil), so every tool works out of the box. */
export const DEV_MNEMONIC = 'test test test test test test test test test test test junk'
/** How many dev accounts genesis funds, and with how much each. */
export const DEV_ACCOUNT_COUNT = 20
export const DEV_ACCOUNT_BALANCE = 10_000n * 10n ** 18n

/** The hardfork every block runs under (the newest one @ethereumjs/vm 10 fully supports). */
export const HARDFORK = 'osaka'
/** solc must target the same EVM as the chain runs. */
export const SOLC_EVM_VERSION = 'osaka'

export const BLOCK_GAS_LIMIT = 60_000_000n
/** Base fee of genesis; EIP-1559 moves it from there. */
export const GENESIS_BASE_FEE = 1_000_000_000n

/** The inference precompile. */
export const INFERENCE_PRECOMPILE_ADDRESS: Address = '0x00000000000000000000000000000000000000F4'
/** System contracts deployed at genesis. */
export const MODEL_REGISTRY_ADDRESS: Address = '0x0000000000000000000000000000000000001001'
export const NODE_REGISTRY_ADDRESS: Address = '0x0000000000000000000000000000000000001002'
/** ZK mode: model verifiers and deferred proofs of ZK results (`src/contracts/ZkInferences.sol`). */
export const ZK_INFERENCES_ADDRESS: Address = '0x0000000000000000000000000000000000001003'
/** Stakes, fees, OPTIMISTIC claims and disputes, slashing (`src/contracts/InferenceSettlement.sol`). */
export const INFERENCE_SETTLEMENT_ADDRESS: Address = '0x0000000000000000000000000000000000001004'
/** The re-execution precompile: runs a model's canonical integer path on chain to settle a dispute. */
export const REEXECUTION_PRECOMPILE_ADDRESS: Address = '0x00000000000000000000000000000000000000F5'

/**
 * Gas of one `runModelInference` call:
 *   INFERENCE_BASE_GAS
 * + INFERENCE_GAS_PER_KILO_MAC  × ceil(model multiply-accumulates / 1000)
 * + INFERENCE_GAS_PER_INPUT_ELEMENT  × input elements
 * + INFERENCE_GAS_PER_OUTPUT_ELEMENT × output elements
 * The MAC count is the model's `workUnits` in ModelRegistry (computed from the ONNX graph).
 */
export const INFERENCE_BASE_GAS = 30_000n
export const INFERENCE_GAS_PER_KILO_MAC = 100n
export const INFERENCE_GAS_PER_INPUT_ELEMENT = 20n
export const INFERENCE_GAS_PER_OUTPUT_ELEMENT = 40n
/** Outputs larger than this revert with `output too large`. */
export const MAX_OUTPUT_ELEMENTS = 65_536

/**
 * Float outputs become fixed point with this many decimals (value = round(x · 10^d)).
 * float32 carries ~7 significant digits, so 8 decimals lose nothing for |x| < 1 and round
 * at most 5e-9 elsewhere. Integer tensors are exact (decimals 0).
 */
export const OUTPUT_DECIMALS = 8

/** How long the full node waits for an inference node before failing over (not consensus). */
export const INFERENCE_NODE_TIMEOUT_MS = 10_000

/** EIP-7825 (Osaka): no transaction may carry more gas than 2^24. Also the default gas of calls. */
export const TX_GAS_LIMIT_CAP = 16_777_216n

/** Intrinsic gas of a transaction (Osaka values; used to price calls the way runTx prices transactions). */
export const TX_BASE_GAS = 21_000n
export const TX_DATA_ZERO_GAS = 4n
export const TX_DATA_NONZERO_GAS = 16n
export const TX_CREATION_GAS = 32_000n
export const INITCODE_WORD_GAS = 2n
/** EIP-7623 (Prague+): a transaction pays at least base + 10 per calldata token (zero byte 1, other 4). */
export const TX_FLOOR_GAS_PER_TOKEN = 10n

/**
 * ZK mode: a result is used at once and its proof is due within this many blocks of the block that
 * used it (`dueBlock = block + ZK_PROOF_DEADLINE_BLOCKS`); later, the record fails.
 */
export const ZK_PROOF_DEADLINE_BLOCKS = 20n
/** Gas a ZK-mode call adds: the precompile stores the pending record (four new storage words). */
export const INFERENCE_GAS_ZK_RECORD = 4n * 22_100n

/**
 * OPTIMISTIC mode and staking: chain parameters written into InferenceSettlement's storage at genesis
 * (`settlementParamsStorage`); these are the defaults of a devnet.
 */
export interface SettlementParams {
  /** Blocks after the block that used a result during which it may be challenged (W). */
  challengeWindow: bigint
  /** Bonded stake a node needs to serve an OPTIMISTIC call, in wei. */
  minStake: bigint
  /** What a challenge must send, in wei: returned with the reward if the claim was fraudulent, else lost. */
  challengeBond: bigint
  /** Blocks between requesting unbonding and being able to withdraw. */
  unbondingDelay: bigint
  /** What one proven fault (fraud, failed ZK proof) takes from the node's stake, in wei (capped by the stake). */
  slashAmount: bigint
  /** Share of a slash paid to whoever proved the fault, in basis points; the rest is burned. */
  challengerShareBps: bigint
}

export const DEFAULT_SETTLEMENT_PARAMS: Readonly<SettlementParams> = Object.freeze({
  challengeWindow: 10n,
  minStake: 10n ** 18n,
  challengeBond: 10n ** 17n,
  unbondingDelay: 10n,
  slashAmount: 5n * 10n ** 17n,
  challengerShareBps: 5_000n,
})

/**
 * Gas an OPTIMISTIC call adds: the precompile opens the claim (six new storage words) and updates
 * the node's open-claim count.
 */
export const INFERENCE_GAS_OPTIMISTIC_CLAIM = 6n * 22_100n + 5_000n
/** Gas of moving a fee from the caller's transaction to the node or the settlement contract. */
export const INFERENCE_GAS_FEE_TRANSFER = 9_000n
/**
 * Gas of checking a restricted model's caller allowlist (src/private/access.ts): up to two cold
 * storage reads. Unrestricted models pay nothing extra (their flag's read is in the base gas).
 */
export const INFERENCE_GAS_ACCESS_CHECK = 2n * 2_100n
/**
 * Gas of one re-execution (`reexecute`): like an inference, plus the canonical integer path's extra
 * cost over a float run per multiply-accumulate.
 */
export const REEXECUTION_BASE_GAS = 50_000n
export const REEXECUTION_GAS_PER_KILO_MAC = 400n
/** Gas of `zkStatement` (escalation by ZK proof): Poseidon hashing of the claimed input and output. */
export const ZK_STATEMENT_BASE_GAS = 20_000n
export const ZK_STATEMENT_GAS_PER_ELEMENT = 100n

/**
 * LLM calls (`runLLMCompletion`, `runLLMChat`). Gas is priced by bytes, which the precompile
 * counts without a tokenizer (a token is ~4 bytes of English):
 *   LLM_BASE_GAS
 * + LLM_GAS_PER_PROMPT_BYTE   × bytes of the prompt (chat: of every message, tool and stop sequence)
 * + LLM_GAS_PER_RESPONSE_BYTE × bytes of the answer (chat: content and tool calls)
 */
export const LLM_BASE_GAS = 50_000n
export const LLM_GAS_PER_PROMPT_BYTE = 16n
export const LLM_GAS_PER_RESPONSE_BYTE = 64n
/** Longest prompt the precompile accepts, in bytes (longer ones revert PROMPT_TOO_LONG before dispatch). */
export const MAX_LLM_PROMPT_BYTES = 16_384
/** Largest max_tokens a request may ask for. */
export const MAX_LLM_RESPONSE_TOKENS = 1_024
/** Chat limits: messages per request, tools per request, stop sequences (and their length). */
export const MAX_LLM_MESSAGES = 64
export const MAX_LLM_TOOLS = 16
export const MAX_LLM_STOP_SEQUENCES = 4
export const MAX_LLM_STOP_SEQUENCE_BYTES = 64
/** Highest temperature, in hundredths (200 = 2.0, OpenAI's limit). */
export const MAX_LLM_TEMPERATURE = 200
/** Context window an inference node gives each LLM request (capped by the model's own). */
export const LLM_CONTEXT_SIZE = 2_048
/** Threads per LLM evaluation on an inference node: fixed, because results may depend on it. */
export const LLM_THREADS = 1

/**
 * Scheduled model workflows (docs/decisions/workflows.md): `WorkflowScheduler` calls an executor's
 * `run()` every `frequency` seconds through transactions the producer puts at the front of a block,
 * sent by the chain's workflow runner (its key is derived from WORKFLOW_RUNNER_SEED and the chain
 * id: public on purpose — importers accept its transactions only as the exact due list).
 */
export const WORKFLOW_SCHEDULER_ADDRESS: Address = '0x0000000000000000000000000000000000001010'
/** Price candles on chain, written by oracles (`src/contracts/OGHistorical.sol`). */
export const OG_HISTORICAL_ADDRESS: Address = '0x0000000000000000000000000000000000001011'
/** Gas limit of each runner transaction (= WorkflowScheduler.CALL_GAS_LIMIT). */
export const WORKFLOW_CALL_GAS_LIMIT = 3_000_000n
/** At most this many workflow calls open a block (the longest-waiting due tasks first). */
export const MAX_WORKFLOW_CALLS_PER_BLOCK = 8
export const WORKFLOW_RUNNER_SEED = 'inferchain.workflow-runner.v1'
/** What genesis gives the runner to front the gas of its calls (refunded by each task's deposit). */
export const WORKFLOW_RUNNER_GENESIS_BALANCE = 1_000n * 10n ** 18n
