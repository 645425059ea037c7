// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import {ModelOutput} from "./OGInference.sol";

/// @notice What the scheduler calls: `run()` every `frequency` seconds, and a view of the last result.
interface IModelExecutor {
    function run() external;

    function getInferenceResult() external view returns (ModelOutput memory);
}

/// @title WorkflowScheduler
/// @notice System contract (genesis, 0x…1010). A task is `run()` on an IModelExecutor every
///         `frequency` seconds until `endTime`. The calls are transactions the block producer adds at
///         the front of a block from the chain's workflow runner account (`runner`); importers
///         recompute that list from the parent block's state and reject a block that differs
///         (docs/decisions/workflows.md). Each run's gas — and any inference fee the runner paid —
///         is refunded to the runner from the task's deposit; a failing `run()` is recorded, never
///         reverts the runner's transaction.
contract WorkflowScheduler {
    struct Task {
        address owner;
        uint64 endTime;
        uint32 runs;
        address executor;
        uint64 nextRun;
        uint32 failures;
        uint64 frequency;
        uint64 createdAt;
        bool active;
        uint256 deposit;
    }

    /// @notice Gas limit of each runner transaction (chain parameter WORKFLOW_CALL_GAS_LIMIT).
    uint256 public constant CALL_GAS_LIMIT = 3_000_000;
    /// @notice Gas forwarded to `run()`; the rest pays the bookkeeping around it.
    uint256 public constant RUN_GAS = 2_500_000;
    /// @notice Charged on top of the gas measured inside `runTask`: intrinsic gas, calldata, refund transfer.
    uint256 public constant RUN_OVERHEAD_GAS = 35_000;
    /// @notice Active tasks at most (bounds the work of `dueTasks`, which every importer runs per block).
    uint256 public constant MAX_ACTIVE_TASKS = 256;
    /// @notice Most bytes of a failing run's revert data kept in `TaskFailed`.
    uint256 private constant MAX_REASON_BYTES = 256;

    /// @dev Set in genesis storage: the chain's workflow runner (derived from the chain id).
    address private _runner;
    Task[] private _tasks;
    /// @dev Ids of active tasks (swap-and-pop); `_activeSlot[id]` is index + 1, 0 when inactive.
    uint256[] private _active;
    mapping(uint256 => uint256) private _activeSlot;
    /// @notice Deposits of finished or cancelled tasks, waiting for `withdraw`.
    mapping(address => uint256) public withdrawable;

    event TaskRegistered(uint256 indexed taskId, address indexed owner, address indexed executor, uint64 endTime, uint64 frequency, uint256 deposit);
    event TaskRun(uint256 indexed taskId, uint32 run, uint256 charged);
    event TaskFailed(uint256 indexed taskId, uint32 failures, uint256 charged, bytes reason);
    event TaskOutOfFunds(uint256 indexed taskId, uint256 deposit, uint256 required);
    event TaskFinished(uint256 indexed taskId, bool cancelled, uint256 refund);
    event TaskToppedUp(uint256 indexed taskId, uint256 amount, uint256 deposit);

    error NotRunner(address caller);
    error NotTaskOwner(uint256 taskId, address caller);
    error UnknownTask(uint256 taskId);
    error TaskNotActive(uint256 taskId);
    error TaskNotDue(uint256 taskId, uint64 nextRun);
    error NotAContract(address executor);
    error InvalidSchedule(uint256 endTime, uint256 frequency);
    error InsufficientDeposit(uint256 sent, uint256 required);
    error TooManyTasks(uint256 max);
    error NothingToWithdraw();
    error TransferFailed(address to, uint256 amount);

    /// @notice Schedules `executor.run()` every `frequency` seconds from the next block until `endTime`.
    ///         `msg.value` is the task's deposit; it must cover at least one run at the current base fee.
    function registerTask(address executor, uint256 endTime, uint256 frequency) external payable returns (uint256 taskId) {
        if (executor.code.length == 0) revert NotAContract(executor);
        if (frequency == 0 || frequency > type(uint64).max || endTime <= block.timestamp || endTime > type(uint64).max) {
            revert InvalidSchedule(endTime, frequency);
        }
        uint256 required = minimumDeposit();
        if (msg.value < required) revert InsufficientDeposit(msg.value, required);
        if (_active.length >= MAX_ACTIVE_TASKS) revert TooManyTasks(MAX_ACTIVE_TASKS);
        taskId = _tasks.length;
        _tasks.push(
            Task({
                owner: msg.sender,
                endTime: uint64(endTime),
                runs: 0,
                executor: executor,
                nextRun: uint64(block.timestamp),
                failures: 0,
                frequency: uint64(frequency),
                createdAt: uint64(block.timestamp),
                active: true,
                deposit: msg.value
            })
        );
        _active.push(taskId);
        _activeSlot[taskId] = _active.length;
        emit TaskRegistered(taskId, msg.sender, executor, uint64(endTime), uint64(frequency), msg.value);
    }

    /// @notice Adds to a task's deposit (a task out of funds runs again once it covers a run).
    function topUp(uint256 taskId) external payable {
        Task storage task = _activeTask(taskId);
        task.deposit += msg.value;
        emit TaskToppedUp(taskId, msg.value, task.deposit);
    }

    /// @notice Stops a task; its deposit becomes withdrawable by the owner.
    function cancelTask(uint256 taskId) external {
        Task storage task = _activeTask(taskId);
        if (msg.sender != task.owner) revert NotTaskOwner(taskId, msg.sender);
        _finish(taskId, task, true);
    }

    function withdraw() external {
        uint256 amount = withdrawable[msg.sender];
        if (amount == 0) revert NothingToWithdraw();
        withdrawable[msg.sender] = 0;
        (bool ok,) = payable(msg.sender).call{value: amount}("");
        if (!ok) revert TransferFailed(msg.sender, amount);
    }

    /// @notice One scheduled run, sent by the runner only. Never reverts because of the executor.
    function runTask(uint256 taskId) external {
        uint256 startGas = gasleft();
        uint256 runnerBalance = msg.sender.balance;
        if (msg.sender != _runner) revert NotRunner(msg.sender);
        Task storage task = _activeTask(taskId);
        if (task.nextRun > block.timestamp) revert TaskNotDue(taskId, task.nextRun);
        (bool ok, bytes memory reason) = _callRun(task.executor);
        // What the runner spent inside run() (inference fees are paid by the transaction's sender).
        uint256 feesPaid = runnerBalance > msg.sender.balance ? runnerBalance - msg.sender.balance : 0;
        uint256 charged = (startGas - gasleft() + RUN_OVERHEAD_GAS) * tx.gasprice + feesPaid;
        if (!task.active) {
            // run() had its owner cancel the task: the refund it was credited pays for this run.
            uint256 credit = withdrawable[task.owner];
            if (charged > credit) charged = credit;
            withdrawable[task.owner] = credit - charged;
            _pay(charged);
            return;
        }
        task.nextRun = _nextSlot(task.nextRun, task.frequency);
        if (charged > task.deposit) charged = task.deposit;
        task.deposit -= charged;
        if (ok) {
            task.runs += 1;
            emit TaskRun(taskId, task.runs, charged);
        } else {
            task.failures += 1;
            emit TaskFailed(taskId, task.failures, charged, reason);
        }
        if (task.nextRun > task.endTime) _finish(taskId, task, false);
        else if (task.deposit < minimumDeposit()) emit TaskOutOfFunds(taskId, task.deposit, minimumDeposit());
        _pay(charged);
    }

    /// @dev Refunds the runner (an account without code: the transfer cannot fail or re-enter).
    function _pay(uint256 amount) private {
        if (amount == 0) return;
        (bool paid,) = payable(msg.sender).call{value: amount}("");
        if (!paid) revert TransferFailed(msg.sender, amount);
    }

    /// @notice Tasks due at `atTime` whose deposit covers a run at `baseFee`, longest-waiting first
    ///         (ties by id), at most `max`. The producer and every importer call it on the parent
    ///         block's state with the parent's timestamp and the block's base fee.
    function dueTasks(uint256 atTime, uint256 baseFee, uint256 max) external view returns (uint256[] memory ids) {
        uint256[] memory candidates = new uint256[](_active.length);
        uint256 count = 0;
        uint256 required = CALL_GAS_LIMIT * baseFee;
        for (uint256 i = 0; i < _active.length; ++i) {
            Task storage task = _tasks[_active[i]];
            if (task.nextRun <= atTime && task.deposit >= required) candidates[count++] = _active[i];
        }
        uint256 take = count < max ? count : max;
        ids = new uint256[](take);
        // Partial selection sort: `take` is a handful, `count` at most MAX_ACTIVE_TASKS.
        for (uint256 k = 0; k < take; ++k) {
            uint256 best = k;
            for (uint256 j = k + 1; j < count; ++j) {
                if (_before(candidates[j], candidates[best])) best = j;
            }
            (candidates[k], candidates[best]) = (candidates[best], candidates[k]);
            ids[k] = candidates[k];
        }
    }

    /// @notice The earliest `nextRun` among active tasks funded at `baseFee` (type(uint64).max if none).
    function nextDueTime(uint256 baseFee) external view returns (uint64 earliest) {
        earliest = type(uint64).max;
        uint256 required = CALL_GAS_LIMIT * baseFee;
        for (uint256 i = 0; i < _active.length; ++i) {
            Task storage task = _tasks[_active[i]];
            if (task.deposit >= required && task.nextRun < earliest) earliest = task.nextRun;
        }
    }

    function getTask(uint256 taskId) external view returns (Task memory) {
        if (taskId >= _tasks.length) revert UnknownTask(taskId);
        return _tasks[taskId];
    }

    function taskCount() external view returns (uint256) {
        return _tasks.length;
    }

    function activeTasks() external view returns (uint256[] memory) {
        return _active;
    }

    function runner() external view returns (address) {
        return _runner;
    }

    /// @notice The deposit one run needs at the current base fee.
    function minimumDeposit() public view returns (uint256) {
        return CALL_GAS_LIMIT * block.basefee;
    }

    function _activeTask(uint256 taskId) private view returns (Task storage task) {
        if (taskId >= _tasks.length) revert UnknownTask(taskId);
        task = _tasks[taskId];
        if (!task.active) revert TaskNotActive(taskId);
    }

    function _before(uint256 a, uint256 b) private view returns (bool) {
        uint64 ta = _tasks[a].nextRun;
        uint64 tb = _tasks[b].nextRun;
        return ta < tb || (ta == tb && a < b);
    }

    /// @dev The first slot of the task's grid after now: missed slots (a stalled chain) are skipped, not replayed.
    function _nextSlot(uint64 nextRun, uint64 frequency) private view returns (uint64) {
        uint256 next = uint256(nextRun) + frequency;
        if (next <= block.timestamp) next += ((block.timestamp - next) / frequency + 1) * frequency;
        return next > type(uint64).max ? type(uint64).max : uint64(next);
    }

    /// @dev `run()` with RUN_GAS and at most MAX_REASON_BYTES of revert data copied (no return-data bomb).
    function _callRun(address executor) private returns (bool ok, bytes memory reason) {
        if (executor.code.length == 0) return (false, bytes("executor has no code"));
        bytes4 selector = IModelExecutor.run.selector;
        uint256 gasForRun = RUN_GAS;
        assembly {
            let ptr := mload(0x40)
            mstore(ptr, selector)
            ok := call(gasForRun, executor, 0, ptr, 4, 0, 0)
        }
        if (ok) return (true, "");
        uint256 size;
        assembly {
            size := returndatasize()
        }
        if (size > MAX_REASON_BYTES) size = MAX_REASON_BYTES;
        reason = new bytes(size);
        assembly {
            returndatacopy(add(reason, 32), 0, size)
        }
    }

    function _finish(uint256 taskId, Task storage task, bool cancelled) private {
        task.active = false;
        uint256 refund = task.deposit;
        task.deposit = 0;
        withdrawable[task.owner] += refund;
        uint256 slot = _activeSlot[taskId];
        uint256 last = _active[_active.length - 1];
        _active[slot - 1] = last;
        _activeSlot[last] = slot;
        _active.pop();
        delete _activeSlot[taskId];
        emit TaskFinished(taskId, cancelled, refund);
    }
}
