/**
 * The system contracts the chain deploys at genesis, and their typed ABIs.
 *
 * The ABIs are written out (not read from solc at runtime) so that viem infers argument and result
 * types from them; `test/contracts/system.test.ts` checks that they equal the compiler's output.
 */
import { pad, parseAbi, toHex, type Address, type Hex } from 'viem'
import { INFERENCE_SETTLEMENT_ADDRESS, MODEL_REGISTRY_ADDRESS, NODE_REGISTRY_ADDRESS, OG_HISTORICAL_ADDRESS, WORKFLOW_SCHEDULER_ADDRESS, ZK_INFERENCES_ADDRESS, type SettlementParams } from '../params.js'
import { getContract, type CompiledContracts } from './compile.js'

/** ABI of `ModelRegistry.sol`. */
export const modelRegistryAbi = parseAbi([
  'struct Model { address owner; uint8 modes; bool isPrivate; uint64 workUnits; string cid; string name; string inputSchema; string outputSchema; bytes32 weightsCommitment; uint256 pricePerInference; }',
  'function registerModel(string cid, string name, uint8 modes, uint64 workUnits, string inputSchema, string outputSchema) returns (bytes32 key)',
  'function setModes(string cid, uint8 modes)',
  'function setPrice(string cid, uint256 pricePerInference)',
  'function setModePrice(string cid, uint8 mode, uint256 price)',
  'function priceOf(string cid, uint8 mode) view returns (uint256)',
  'function setPrivacy(string cid, bool isPrivate, bytes32 weightsCommitment)',
  'function transferOwnership(string cid, address newOwner)',
  'function getModel(string cid) view returns (Model)',
  'function isRegistered(string cid) view returns (bool)',
  'function modelKey(string cid) pure returns (bytes32)',
  'function modelCount() view returns (uint256)',
  'function modelAt(uint256 index) view returns (Model)',
  'function models(bytes32) view returns (address owner, uint8 modes, bool isPrivate, uint64 workUnits, string cid, string name, string inputSchema, string outputSchema, bytes32 weightsCommitment, uint256 pricePerInference)',
  'event ModelRegistered(bytes32 indexed key, string cid, address indexed owner)',
  'event ModelUpdated(bytes32 indexed key, string cid, address indexed owner, uint8 modes, bool isPrivate, bytes32 weightsCommitment, uint256 pricePerInference)',
  'event ModePriceSet(bytes32 indexed key, string cid, uint8 mode, uint256 price)',
  'error EmptyCid()',
  'error InvalidMode(uint8 mode)',
  'error InvalidModes(uint8 modes)',
  'error ModelAlreadyRegistered(string cid)',
  'error ModelNotRegistered(string cid)',
  'error NotModelOwner(string cid, address caller, address owner)',
  'error ZeroAddressOwner()',
  'error IndexOutOfRange(uint256 index, uint256 count)',
  // hub repositories
  'function createRepository(string name) returns (bytes32 key)',
  'function transferRepository(string name, address newOwner)',
  'function repositoryOwner(string name) view returns (address)',
  'event RepositoryCreated(bytes32 indexed key, string name, address indexed owner)',
  'event RepositoryTransferred(bytes32 indexed key, string name, address indexed previousOwner, address indexed newOwner)',
  'error InvalidRepositoryName(string name)',
  'error RepositoryAlreadyExists(string name, address owner)',
  'error RepositoryNotFound(string name)',
  'error NotRepositoryOwner(string name, address caller, address owner)',
  // private models (docs/decisions/private-models.md)
  'function setNodeAuthorized(string cid, address node, bool authorized)',
  'function isNodeAuthorized(string cid, address node) view returns (bool)',
  'function mayServe(string cid, address node) view returns (bool)',
  'function setCallersRestricted(string cid, bool restricted)',
  'function setCallerAllowed(string cid, address caller, bool allowed)',
  'function callersRestricted(string cid) view returns (bool)',
  'function isCallerAllowed(string cid, address caller) view returns (bool)',
  'event NodeAuthorizationSet(bytes32 indexed key, string cid, address indexed node, bool authorized)',
  'event CallersRestrictedSet(bytes32 indexed key, string cid, bool restricted)',
  'event CallerAllowedSet(bytes32 indexed key, string cid, address indexed caller, bool allowed)',
  // ZK artifacts (docs/decisions/zk.md)
  'struct ZkArtifacts { string zkeyCid; string vkeyCid; string wasmCid; string r1csCid; bytes32 ptauSha256; }',
  'function setZkArtifacts(string cid, ZkArtifacts artifacts)',
  'function zkArtifacts(string cid) view returns (ZkArtifacts)',
  'event ZkArtifactsSet(bytes32 indexed key, string cid, ZkArtifacts artifacts)',
  'error EmptyArtifactCid()',
])

/** ABI of `NodeRegistry.sol`. */
export const nodeRegistryAbi = parseAbi([
  'struct Node { string endpoint; uint8 modes; bool active; uint64 registeredAt; string[] models; }',
  'function register(string endpoint, uint8 modes, string[] models)',
  'function update(string endpoint, uint8 modes, string[] models)',
  'function deregister()',
  'function addModel(string cid)',
  'function removeModel(string cid)',
  'function getNode(address node) view returns (Node)',
  'function nodesForModel(string cid) view returns (address[] nodes, string[] endpoints)',
  'function isServing(address node, string cid) view returns (bool)',
  'function nodeCount() view returns (uint256)',
  'function nodeAt(uint256 index) view returns (address)',
  'function nodesForModelAndMode(string cid, uint8 mode) view returns (address[] nodes, string[] endpoints)',
  'function admin() view returns (address)',
  'function transferAdmin(address newAdmin)',
  'function addTeeMeasurement(bytes measurement)',
  'function removeTeeMeasurement(bytes measurement)',
  'function isTeeMeasurementAllowed(bytes measurement) view returns (bool)',
  'function teeMeasurements() view returns (bytes[])',
  'function setEnclaveKey(bytes enclaveKey)',
  'function enclaveKeyOf(address node) view returns (bytes)',
  'event NodeRegistered(address indexed node, string endpoint, uint8 modes)',
  'event NodeUpdated(address indexed node, string endpoint, uint8 modes)',
  'event NodeDeregistered(address indexed node)',
  'event AdminTransferred(address indexed previousAdmin, address indexed newAdmin)',
  'event TeeMeasurementAdded(bytes measurement)',
  'event TeeMeasurementRemoved(bytes measurement)',
  'event EnclaveKeySet(address indexed node, bytes enclaveKey)',
  'error EmptyEndpoint()',
  'error EmptyCid()',
  'error InvalidModes(uint8 modes)',
  'error NodeAlreadyRegistered(address node)',
  'error NodeNotActive(address node)',
  'error ModelAlreadyServed(string cid)',
  'error ModelNotServed(string cid)',
  'error IndexOutOfRange(uint256 index, uint256 count)',
  'error NotAdmin(address caller)',
  'error InvalidMeasurement(uint256 length)',
  'error MeasurementAlreadyAllowed(bytes measurement)',
  'error MeasurementNotAllowed(bytes measurement)',
  'error EmptyEnclaveKey()',
  'error EnclaveKeyTaken(address owner)',
  'error NodeNotAuthorizedForModel(string cid, address node)',
])

/** ABI of `ZkInferences.sol` (ZK mode: model verifiers, deferred proofs). */
export const zkInferencesAbi = parseAbi([
  'function registerModel(string cid, address verifier, bytes32 commitment, uint8 fractionBits, uint8 inputBits, uint8 outputBits, bytes32 verificationKeyHash)',
  'function submitProof(bytes32 requestId, uint256[8] proof) returns (bool verified)',
  'function expire(bytes32 requestId)',
  'function statusOf(bytes32 requestId) view returns (uint8 status, uint8 failure, uint64 dueBlock, address node)',
  'function models(bytes32) view returns (address verifier, uint8 fractionBits, uint8 inputBits, uint8 outputBits, bytes32 commitment, bytes32 verificationKeyHash)',
  'function records(bytes32) view returns (bytes32 modelKey, bytes32 inputHash, bytes32 outputHash, address node, uint64 dueBlock, uint8 status, uint8 failure)',
  'event ZkModelRegistered(bytes32 indexed key, string cid, address verifier, bytes32 commitment, bytes32 verificationKeyHash)',
  'event ZkProofVerified(bytes32 indexed requestId, address indexed node, address submitter)',
  'event ZkProofFailed(bytes32 indexed requestId, address indexed node, uint8 reason)',
  'error NotModelOwner(string cid, address caller)',
  'error ZkModelAlreadyRegistered(string cid)',
  'error InvalidZkModel()',
  'error NotPending(bytes32 requestId, uint8 status)',
  'error NotDue(bytes32 requestId, uint64 dueBlock)',
  'error InvalidProof(bytes32 requestId)',
])

/** ABI of `InferenceSettlement.sol` (stakes, fees, OPTIMISTIC claims and disputes, slashing). */
export const inferenceSettlementAbi = parseAbi([
  'struct TensorNumber { int128 value; int128 decimals; }',
  'struct NumberTensor { string name; TensorNumber[] values; uint32[] shape; }',
  'struct StringTensor { string name; string[] values; }',
  'struct ModelInput { NumberTensor[] numbers; StringTensor[] strings; }',
  'struct JsonScalar { string name; string value; }',
  'struct ModelOutput { NumberTensor[] numbers; StringTensor[] strings; JsonScalar[] jsons; bool is_simulation_result; }',
  'function stake() payable',
  'function requestUnbond(uint256 amount)',
  'function withdraw()',
  'function finalize(bytes32 requestId)',
  'function challenge(bytes32 requestId, string modelCID, ModelInput input) payable returns (bool fraudulent)',
  'function upgradeWithZkProof(bytes32 requestId, string modelCID, ModelInput input, ModelOutput output, uint256[8] proof)',
  'function slashZkFailure(address node, bytes32 requestId, address reporter)',
  'function stakeOf(address node) view returns (uint256 amount, uint256 unbonding, uint256 bonded, uint64 unbondableAt, uint64 openClaims)',
  'function claims(bytes32) view returns (bytes32 modelKey, bytes32 inputHash, bytes32 outputHash, address node, uint64 windowEnd, uint8 status, address payer, uint256 fee)',
  'function challengeWindow() view returns (uint256)',
  'function minStake() view returns (uint256)',
  'function challengeBond() view returns (uint256)',
  'function unbondingDelay() view returns (uint256)',
  'function slashAmount() view returns (uint256)',
  'function challengerShareBps() view returns (uint256)',
  'function burned() view returns (uint256)',
  'event Staked(address indexed node, uint256 amount, uint256 total)',
  'event UnbondRequested(address indexed node, uint256 amount, uint64 unbondableAt)',
  'event Withdrawn(address indexed node, uint256 amount)',
  'event ClaimFinalized(bytes32 indexed requestId, address indexed node, uint256 fee)',
  'event ClaimChallenged(bytes32 indexed requestId, address indexed challenger, uint256 bond)',
  'event ClaimFraudulent(bytes32 indexed requestId, address indexed node, address indexed challenger, uint256 slashed, uint256 reward)',
  'event ChallengeRejected(bytes32 indexed requestId, address indexed node, address indexed challenger, uint256 bondToNode, uint256 bondBurned)',
  'event ClaimProven(bytes32 indexed requestId, address indexed node, address prover)',
  'event Slashed(address indexed node, bytes32 indexed requestId, uint256 amount, address indexed beneficiary, uint256 reward)',
  'error NothingStaked()',
  'error ZeroAmount()',
  'error InsufficientStake(uint256 requested, uint256 available)',
  'error NothingUnbonding()',
  'error StillUnbonding(uint64 unbondableAt)',
  'error StakeLocked(uint64 openClaims)',
  'error NotOpen(bytes32 requestId, uint8 status)',
  'error WindowOpen(bytes32 requestId, uint64 windowEnd)',
  'error WindowClosed(bytes32 requestId, uint64 windowEnd)',
  'error WrongBond(uint256 sent, uint256 required)',
  'error WrongModel(bytes32 requestId)',
  'error WrongInput(bytes32 requestId)',
  'error OnlyZkInferences(address caller)',
  'error NoZkSetup(bytes32 modelKey)',
  'error WrongOutput(bytes32 requestId)',
  'error InvalidProof(bytes32 requestId)',
  'error TransferFailed(address to, uint256 amount)',
])

/** `InferenceSettlement.ClaimStatus`. */
export const ClaimStatus = { None: 0, Open: 1, Finalized: 2, Fraudulent: 3, Upheld: 4, Proven: 5 } as const

/** The contracts genesis places, by name, at their params addresses. */
export const SYSTEM_CONTRACTS = [
  { name: 'ModelRegistry', address: MODEL_REGISTRY_ADDRESS },
  { name: 'NodeRegistry', address: NODE_REGISTRY_ADDRESS },
  { name: 'ZkInferences', address: ZK_INFERENCES_ADDRESS },
  { name: 'InferenceSettlement', address: INFERENCE_SETTLEMENT_ADDRESS },
  // Scheduled model workflows (src/workflows/, typed ABIs in src/workflows/abi.ts).
  { name: 'WorkflowScheduler', address: WORKFLOW_SCHEDULER_ADDRESS },
  { name: 'OGHistorical', address: OG_HISTORICAL_ADDRESS },
] as const

export interface SystemContractAccount {
  name: (typeof SYSTEM_CONTRACTS)[number]['name']
  address: Address
  /** Runtime code: genesis copies it in place, no constructor runs (the contracts have none). */
  code: Hex
}

/**
 * The accounts genesis must create for the system contracts.
 *
 * @example
 * for (const { address, code } of systemContractGenesis(await compileContracts()))
 *   await stateManager.putCode(createAddressFromString(address), hexToBytes(code))
 */
export function systemContractGenesis(compiled: CompiledContracts): SystemContractAccount[] {
  return SYSTEM_CONTRACTS.map(({ name, address }) => ({
    name,
    address,
    code: getContract(compiled, name).deployedBytecode,
  }))
}

/**
 * Genesis storage that makes `admin` NodeRegistry's admin (who may change the TEE measurement
 * allowlist). The slot is read from solc's storage layout, so it follows the contract's source.
 *
 * @example
 * contracts.push({ address: NODE_REGISTRY_ADDRESS, code, storage: nodeRegistryAdminStorage(compiled, devAccounts(1)[0].address) })
 */
export function nodeRegistryAdminStorage(compiled: CompiledContracts, admin: Address): Array<[slot: Hex, value: Hex]> {
  const entry = getContract(compiled, 'NodeRegistry').storageLayout.storage.find((s) => s.label === '_admin')
  if (entry === undefined || entry.offset !== 0) throw new Error('NodeRegistry has no _admin in a slot of its own')
  return [[pad(toHex(BigInt(entry.slot)), { size: 32 }), pad(admin.toLowerCase() as Hex, { size: 32 })]]
}

/**
 * Genesis storage holding InferenceSettlement's chain parameters. Slots come from solc's storage
 * layout, so they follow the contract's source.
 */
export function settlementParamsStorage(compiled: CompiledContracts, params: SettlementParams): Array<[slot: Hex, value: Hex]> {
  const layout = getContract(compiled, 'InferenceSettlement').storageLayout.storage
  return (Object.keys(params) as Array<keyof SettlementParams>).map((label) => {
    const entry = layout.find((s) => s.label === label)
    if (entry === undefined || entry.offset !== 0) throw new Error(`InferenceSettlement has no ${label} in a slot of its own`)
    return [pad(toHex(BigInt(entry.slot)), { size: 32 }), pad(toHex(params[label]), { size: 32 })]
  })
}
