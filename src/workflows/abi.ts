/**
 * Typed ABIs of the workflow contracts (written out so viem infers types; test/workflows checks
 * them against the compiler's output).
 */
import { parseAbi } from 'viem'

const TASK = 'struct Task { address owner; uint64 endTime; uint32 runs; address executor; uint64 nextRun; uint32 failures; uint64 frequency; uint64 createdAt; bool active; uint256 deposit; }'

/** ABI of `WorkflowScheduler.sol` (system contract at WORKFLOW_SCHEDULER_ADDRESS). */
export const workflowSchedulerAbi = parseAbi([
  TASK,
  'function CALL_GAS_LIMIT() view returns (uint256)',
  'function RUN_GAS() view returns (uint256)',
  'function RUN_OVERHEAD_GAS() view returns (uint256)',
  'function MAX_ACTIVE_TASKS() view returns (uint256)',
  'function registerTask(address executor, uint256 endTime, uint256 frequency) payable returns (uint256 taskId)',
  'function topUp(uint256 taskId) payable',
  'function cancelTask(uint256 taskId)',
  'function withdraw()',
  'function runTask(uint256 taskId)',
  'function dueTasks(uint256 atTime, uint256 baseFee, uint256 max) view returns (uint256[] ids)',
  'function nextDueTime(uint256 baseFee) view returns (uint64 earliest)',
  'function getTask(uint256 taskId) view returns (Task)',
  'function taskCount() view returns (uint256)',
  'function activeTasks() view returns (uint256[])',
  'function runner() view returns (address)',
  'function minimumDeposit() view returns (uint256)',
  'function withdrawable(address) view returns (uint256)',
  'event TaskRegistered(uint256 indexed taskId, address indexed owner, address indexed executor, uint64 endTime, uint64 frequency, uint256 deposit)',
  'event TaskRun(uint256 indexed taskId, uint32 run, uint256 charged)',
  'event TaskFailed(uint256 indexed taskId, uint32 failures, uint256 charged, bytes reason)',
  'event TaskOutOfFunds(uint256 indexed taskId, uint256 deposit, uint256 required)',
  'event TaskFinished(uint256 indexed taskId, bool cancelled, uint256 refund)',
  'event TaskToppedUp(uint256 indexed taskId, uint256 amount, uint256 deposit)',
  'error NotRunner(address caller)',
  'error NotTaskOwner(uint256 taskId, address caller)',
  'error UnknownTask(uint256 taskId)',
  'error TaskNotActive(uint256 taskId)',
  'error TaskNotDue(uint256 taskId, uint64 nextRun)',
  'error NotAContract(address executor)',
  'error InvalidSchedule(uint256 endTime, uint256 frequency)',
  'error InsufficientDeposit(uint256 sent, uint256 required)',
  'error TooManyTasks(uint256 max)',
  'error NothingToWithdraw()',
  'error TransferFailed(address to, uint256 amount)',
])

const CANDLE = 'struct Candle { uint64 timestamp; int128 open; int128 high; int128 low; int128 close; int128 volume; }'
const QUERY = 'struct HistoricalInputQuery { string base; string quote; uint32 total_candles; uint32 candle_duration_in_mins; uint8 order; uint8[] candle_types; }'

/** ABI of `OGHistorical.sol` (system contract at OG_HISTORICAL_ADDRESS). */
export const ogHistoricalAbi = parseAbi([
  CANDLE,
  QUERY,
  'function PRICE_DECIMALS() view returns (int128)',
  'function MAX_QUERY_CANDLES() view returns (uint32)',
  'function admin() view returns (address)',
  'function transferAdmin(address newAdmin)',
  'function setOracle(address oracle, bool allowed)',
  'function isOracle(address) view returns (bool)',
  'function feedKey(string base, string quote, uint32 durationMins) pure returns (bytes32)',
  'function pushCandles(string base, string quote, uint32 durationMins, Candle[] candles)',
  'function candleCount(string base, string quote, uint32 durationMins) view returns (uint256)',
  'function getCandles(HistoricalInputQuery query) view returns (Candle[] out)',
  'function queryValues(HistoricalInputQuery query) view returns (int128[] values, int128 decimals)',
  'event OracleSet(address indexed oracle, bool allowed)',
  'event AdminTransferred(address indexed previousAdmin, address indexed newAdmin)',
  'event CandlesPushed(bytes32 indexed feed, string base, string quote, uint32 durationMins, uint256 count, uint64 lastTimestamp)',
  'error NotAdmin(address caller)',
  'error NotOracle(address caller)',
  'error UnknownFeed(string base, string quote, uint32 durationMins)',
  'error NotEnoughCandles(uint256 available, uint256 requested)',
  'error InvalidQuery(uint32 totalCandles, uint256 candleTypes)',
  'error TimestampNotIncreasing(uint64 previous, uint64 given)',
])

/** `CandleOrder` and `CandleType` of OGHistorical.sol. */
export const CandleOrder = { Ascending: 0, Descending: 1 } as const
export const CandleType = { High: 0, Low: 1, Open: 2, Close: 3, Volume: 4 } as const

/** What the SDK reads from a workflow executor (IModelExecutor plus the example's history). */
export const modelExecutorAbi = parseAbi([
  'struct Number { int128 value; int128 decimals; }',
  'struct MultiDimensionalNumberTensor { string name; Number[] values; uint32[] shape; }',
  'struct StringTensor { string name; string[] values; }',
  'struct JsonScalar { string name; string value; }',
  'struct ModelOutput { MultiDimensionalNumberTensor[] numbers; StringTensor[] strings; JsonScalar[] jsons; bool is_simulation_result; }',
  'function run()',
  'function getInferenceResult() view returns (ModelOutput)',
  'function getLastInferenceResults(uint256 n) view returns (ModelOutput[] outputs)',
  'function resultCount() view returns (uint256)',
])
