// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import {ModelInput, ModelOutput} from "./OGInference.sol";
import {IGroth16Verifier} from "./ZkInferences.sol";

/// @notice The re-execution precompile (REEXECUTION_ADDRESS).
interface IReexecution {
    /// @notice Every validator runs the model's canonical integer path (src/optimistic/canonical.ts) on `input`
    ///         and returns the hashes the inference precompile would record — the only place where validators
    ///         compute a model.
    function reexecute(string calldata modelCID, ModelInput calldata input) external returns (bytes32 inputHash, bytes32 outputHash);

    /// @notice The record hashes of `input` and `output`, and the Poseidon hashes a ZK proof of this model states
    ///         for them (src/zk/onchain.ts), computed with the model's ZK setup in ZkInferences. No model runs.
    function zkStatement(string calldata modelCID, ModelInput calldata input, ModelOutput calldata output)
        external
        returns (bytes32 inputHash, bytes32 outputHash, uint256 zkInputHash, uint256 zkOutputHash);
}

/// @notice The part of ZkInferences a ZK upgrade needs: a model's verifier and weights commitment.
interface IZkModels {
    function models(bytes32 key)
        external
        view
        returns (address verifier, uint8 fractionBits, uint8 inputBits, uint8 outputBits, bytes32 commitment, bytes32 verificationKeyHash);
}

/// @title InferenceSettlement
/// @notice Stakes, fees and disputes of OPTIMISTIC-mode inferences (and slashing of failed ZK proofs).
///         A node bonds stake here to serve OPTIMISTIC mode. When it serves a call, the inference precompile
///         opens a claim: the model, input hash and output hash, the serving node, the fee the caller's
///         transaction paid (held here), and the last block of the challenge window. Inside the window anyone
///         may challenge with a bond and the claim's input: the challenge transaction re-executes the model on
///         chain, so every full node computes the disputed inference once while importing that block.
///         - a wrong output: the claim is Fraudulent; the node loses `slashAmount` (capped by its stake), of which
///           `challengerShareBps` go to the challenger with the bond back, the rest is burned; the fee is refunded
///           to the payer;
///         - a right output: the claim is Upheld and paid to the node at once; the challenger's bond goes half to
///           the node, half burned.
///         After the window an unchallenged claim is finalized by anyone and the fee paid to the node.
///         Escalation: anyone may close a claim early with a Groth16 proof that the claimed output is the model's
///         output for the claimed input (the canonical integer path is the ZK circuits' semantics, so an honest
///         OPTIMISTIC output is exactly what the model's ZK circuit proves); the claim is then Proven and paid.
///         Stake with open claims cannot be withdrawn; unbonding waits `unbondingDelay` blocks.
/// @dev Deployed at genesis by copying runtime code: no constructor, no immutables. Genesis writes `params`
///      (src/contracts/system.ts settlementParamsStorage). The inference precompile writes `claims` and
///      `stakes[node].openClaims` straight to storage (src/optimistic/onchain.ts): the slots of `claims` (0),
///      `stakes` (1) and `params` (2..6), and the packing of both structs, are consensus-relevant: do not reorder.
contract InferenceSettlement {
    IReexecution private constant REEXECUTION = IReexecution(0x00000000000000000000000000000000000000F5);
    address private constant ZK_INFERENCES = 0x0000000000000000000000000000000000001003;
    IZkModels private constant ZK_MODELS = IZkModels(ZK_INFERENCES);
    address private constant BURN = 0x000000000000000000000000000000000000dEaD;

    enum ClaimStatus {
        None,
        /// Inside its challenge window (or past it, not yet finalized).
        Open,
        /// The window passed unchallenged; the node was paid.
        Finalized,
        /// A challenge's re-execution gave another output: the node was slashed.
        Fraudulent,
        /// A challenge's re-execution gave the same output: the node was paid, the challenger lost its bond.
        Upheld,
        /// A ZK proof of the claimed output closed the window early; the node was paid.
        Proven
    }

    struct Claim {
        // Written by the precompile (words 0..5 of the entry).
        bytes32 modelKey;
        bytes32 inputHash;
        bytes32 outputHash;
        // Word 3, packed from the low-order end: node, windowEnd, status.
        address node;
        uint64 windowEnd;
        ClaimStatus status;
        address payer;
        uint256 fee;
    }

    struct Stake {
        uint256 amount;
        /// Part of `amount` on its way out: no longer bonding claims.
        uint256 unbonding;
        // Word 2, packed from the low-order end: unbondableAt, openClaims (the precompile increments the latter).
        uint64 unbondableAt;
        uint64 openClaims;
    }

    /// requestId => claim. Slot 0.
    mapping(bytes32 => Claim) public claims;
    /// node => stake. Slot 1.
    mapping(address => Stake) private _stakes;
    /// Chain parameters, written by genesis. Slots 2..6.
    uint256 public challengeWindow;
    uint256 public minStake;
    uint256 public challengeBond;
    uint256 public unbondingDelay;
    uint256 public slashAmount;
    /// Share of a slash paid to whoever proved the fault, in basis points; the rest is burned. Slot 7.
    uint256 public challengerShareBps;
    /// Wei burned by slashes and lost bonds.
    uint256 public burned;

    event Staked(address indexed node, uint256 amount, uint256 total);
    event UnbondRequested(address indexed node, uint256 amount, uint64 unbondableAt);
    event Withdrawn(address indexed node, uint256 amount);
    event ClaimFinalized(bytes32 indexed requestId, address indexed node, uint256 fee);
    event ClaimChallenged(bytes32 indexed requestId, address indexed challenger, uint256 bond);
    event ClaimFraudulent(bytes32 indexed requestId, address indexed node, address indexed challenger, uint256 slashed, uint256 reward);
    event ChallengeRejected(bytes32 indexed requestId, address indexed node, address indexed challenger, uint256 bondToNode, uint256 bondBurned);
    event ClaimProven(bytes32 indexed requestId, address indexed node, address prover);
    event Slashed(address indexed node, bytes32 indexed requestId, uint256 amount, address indexed beneficiary, uint256 reward);

    error NothingStaked();
    error ZeroAmount();
    error InsufficientStake(uint256 requested, uint256 available);
    error NothingUnbonding();
    error StillUnbonding(uint64 unbondableAt);
    error StakeLocked(uint64 openClaims);
    error NotOpen(bytes32 requestId, ClaimStatus status);
    error WindowOpen(bytes32 requestId, uint64 windowEnd);
    error WindowClosed(bytes32 requestId, uint64 windowEnd);
    error WrongBond(uint256 sent, uint256 required);
    error WrongModel(bytes32 requestId);
    error WrongInput(bytes32 requestId);
    error OnlyZkInferences(address caller);
    error NoZkSetup(bytes32 modelKey);
    error WrongOutput(bytes32 requestId);
    error InvalidProof(bytes32 requestId);
    error TransferFailed(address to, uint256 amount);

    /// @notice Adds the sent value to the caller's stake.
    function stake() external payable {
        if (msg.value == 0) revert ZeroAmount();
        Stake storage s = _stakes[msg.sender];
        s.amount += msg.value;
        emit Staked(msg.sender, msg.value, s.amount);
    }

    /// @notice Starts unbonding `amount` of the caller's stake; it stops bonding claims at once and can be
    ///         withdrawn after `unbondingDelay` blocks, once no claim of the caller is open.
    function requestUnbond(uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        Stake storage s = _stakes[msg.sender];
        uint256 bonded = s.amount - s.unbonding;
        if (amount > bonded) revert InsufficientStake(amount, bonded);
        s.unbonding += amount;
        s.unbondableAt = uint64(block.number + unbondingDelay);
        emit UnbondRequested(msg.sender, amount, s.unbondableAt);
    }

    /// @notice Pays out the caller's unbonded stake.
    function withdraw() external {
        Stake storage s = _stakes[msg.sender];
        uint256 amount = s.unbonding;
        if (amount == 0) revert NothingUnbonding();
        if (block.number < s.unbondableAt) revert StillUnbonding(s.unbondableAt);
        if (s.openClaims != 0) revert StakeLocked(s.openClaims);
        s.unbonding = 0;
        s.amount -= amount;
        emit Withdrawn(msg.sender, amount);
        _send(msg.sender, amount);
    }

    /// @notice Closes an unchallenged claim after its window and pays its fee to the node (anyone may call).
    function finalize(bytes32 requestId) external {
        Claim storage c = _open(requestId);
        if (block.number <= c.windowEnd) revert WindowOpen(requestId, c.windowEnd);
        c.status = ClaimStatus.Finalized;
        _release(c.node);
        emit ClaimFinalized(requestId, c.node, c.fee);
        _send(c.node, c.fee);
    }

    /// @notice Disputes a claim inside its window. Send exactly `challengeBond`, the model's CID and the
    ///         claim's input; the model is re-executed on chain and the claim settled in this transaction.
    /// @return fraudulent Whether the node's output was wrong.
    function challenge(bytes32 requestId, string calldata modelCID, ModelInput calldata input) external payable returns (bool fraudulent) {
        Claim storage c = _open(requestId);
        if (block.number > c.windowEnd) revert WindowClosed(requestId, c.windowEnd);
        if (msg.value != challengeBond) revert WrongBond(msg.value, challengeBond);
        if (keccak256(bytes(modelCID)) != c.modelKey) revert WrongModel(requestId);
        (bytes32 inputHash, bytes32 outputHash) = REEXECUTION.reexecute(modelCID, input);
        if (inputHash != c.inputHash) revert WrongInput(requestId);
        emit ClaimChallenged(requestId, msg.sender, msg.value);
        _release(c.node);
        if (outputHash != c.outputHash) {
            _fraudulent(c, requestId);
            return true;
        }
        _upheld(c, requestId);
        return false;
    }

    /// @notice Escalation: closes an open claim early with a Groth16 proof (eight words, as ZkInferences.submitProof
    ///         takes them) that `output` is the model's output for `input`, where both hash to the claim's hashes.
    function upgradeWithZkProof(bytes32 requestId, string calldata modelCID, ModelInput calldata input, ModelOutput calldata output, uint256[8] calldata proof)
        external
    {
        Claim storage c = _open(requestId);
        if (keccak256(bytes(modelCID)) != c.modelKey) revert WrongModel(requestId);
        (address verifier,,,, bytes32 commitment,) = ZK_MODELS.models(c.modelKey);
        if (verifier == address(0)) revert NoZkSetup(c.modelKey);
        (bytes32 inputHash, bytes32 outputHash, uint256 zkInputHash, uint256 zkOutputHash) = REEXECUTION.zkStatement(modelCID, input, output);
        if (inputHash != c.inputHash) revert WrongInput(requestId);
        if (outputHash != c.outputHash) revert WrongOutput(requestId);
        uint256[3] memory signals = [uint256(commitment), zkInputHash, zkOutputHash];
        if (!IGroth16Verifier(verifier).verifyProof([proof[0], proof[1]], [[proof[2], proof[3]], [proof[4], proof[5]]], [proof[6], proof[7]], signals)) {
            revert InvalidProof(requestId);
        }
        c.status = ClaimStatus.Proven;
        _release(c.node);
        emit ClaimProven(requestId, c.node, msg.sender);
        emit ClaimFinalized(requestId, c.node, c.fee);
        _send(c.node, c.fee);
    }

    /// @notice Slashes the node of a ZK record whose proof failed; called by ZkInferences only.
    function slashZkFailure(address node, bytes32 requestId, address reporter) external {
        if (msg.sender != ZK_INFERENCES) revert OnlyZkInferences(msg.sender);
        (uint256 slashed, uint256 reward) = _slash(node, reporter);
        emit Slashed(node, requestId, slashed, reporter, reward);
        if (reward != 0) _send(reporter, reward);
    }

    /// @notice The caller-independent view of a node's stake; `bonded` is what backs new claims.
    function stakeOf(address node) external view returns (uint256 amount, uint256 unbonding, uint256 bonded, uint64 unbondableAt, uint64 openClaims) {
        Stake storage s = _stakes[node];
        return (s.amount, s.unbonding, s.amount - s.unbonding, s.unbondableAt, s.openClaims);
    }

    function _fraudulent(Claim storage c, bytes32 requestId) private {
        c.status = ClaimStatus.Fraudulent;
        (uint256 slashed, uint256 reward) = _slash(c.node, msg.sender);
        emit ClaimFraudulent(requestId, c.node, msg.sender, slashed, reward);
        emit Slashed(c.node, requestId, slashed, msg.sender, reward);
        _send(msg.sender, msg.value + reward);
        _send(c.payer, c.fee);
    }

    function _upheld(Claim storage c, bytes32 requestId) private {
        c.status = ClaimStatus.Upheld;
        uint256 toNode = msg.value / 2;
        uint256 toBurn = msg.value - toNode;
        burned += toBurn;
        emit ChallengeRejected(requestId, c.node, msg.sender, toNode, toBurn);
        emit ClaimFinalized(requestId, c.node, c.fee);
        _send(c.node, c.fee + toNode);
        _send(BURN, toBurn);
    }

    /// @dev Takes up to `slashAmount` from the node's stake (its unbonding part last), pays the reward share
    ///      to `beneficiary`'s account in the caller and burns the rest.
    function _slash(address node, address beneficiary) private returns (uint256 slashed, uint256 reward) {
        Stake storage s = _stakes[node];
        slashed = s.amount < slashAmount ? s.amount : slashAmount;
        s.amount -= slashed;
        if (s.unbonding > s.amount) s.unbonding = s.amount;
        reward = beneficiary == address(0) ? 0 : (slashed * challengerShareBps) / 10_000;
        burned += slashed - reward;
        if (slashed > reward) _send(BURN, slashed - reward);
    }

    function _open(bytes32 requestId) private view returns (Claim storage c) {
        c = claims[requestId];
        if (c.status != ClaimStatus.Open) revert NotOpen(requestId, c.status);
    }

    function _release(address node) private {
        _stakes[node].openClaims -= 1;
    }

    function _send(address to, uint256 amount) private {
        if (amount == 0) return;
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed(to, amount);
    }
}
