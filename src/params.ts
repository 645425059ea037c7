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
