/**
 * The system contracts the chain deploys at genesis, and their typed ABIs.
 *
 * The ABIs are written out (not read from solc at runtime) so that viem infers argument and result
 * types from them; `test/contracts/system.test.ts` checks that they equal the compiler's output.
 */
import { pad, parseAbi, toHex, type Address, type Hex } from 'viem'
import { MODEL_REGISTRY_ADDRESS, NODE_REGISTRY_ADDRESS, ZK_INFERENCES_ADDRESS } from '../params.js'
import { getContract, type CompiledContracts } from './compile.js'

/** ABI of `ModelRegistry.sol`. */
export const modelRegistryAbi = parseAbi([
  'struct Model { address owner; uint8 modes; bool isPrivate; uint64 workUnits; string cid; string name; string inputSchema; string outputSchema; bytes32 weightsCommitment; uint256 pricePerInference; }',
  'function registerModel(string cid, string name, uint8 modes, uint64 workUnits, string inputSchema, string outputSchema) returns (bytes32 key)',
  'function setModes(string cid, uint8 modes)',
  'function setPrice(string cid, uint256 pricePerInference)',
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
  'error EmptyCid()',
  'error InvalidModes(uint8 modes)',
  'error ModelAlreadyRegistered(string cid)',
  'error ModelNotRegistered(string cid)',
  'error NotModelOwner(string cid, address caller, address owner)',
  'error ZeroAddressOwner()',
  'error IndexOutOfRange(uint256 index, uint256 count)',
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

/** The contracts genesis places, by name, at their params addresses. */
export const SYSTEM_CONTRACTS = [
  { name: 'ModelRegistry', address: MODEL_REGISTRY_ADDRESS },
  { name: 'NodeRegistry', address: NODE_REGISTRY_ADDRESS },
  { name: 'ZkInferences', address: ZK_INFERENCES_ADDRESS },
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
