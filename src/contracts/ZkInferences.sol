// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import {ModelRegistry} from "./ModelRegistry.sol";

/// @notice The verifier snarkjs generates per circuit (src/zk/solidity.ts).
interface IGroth16Verifier {
    function verifyProof(uint256[2] calldata pA, uint256[2][2] calldata pB, uint256[2] calldata pC, uint256[3] calldata pubSignals)
        external
        view
        returns (bool);
}

/// @notice The part of InferenceSettlement that slashes a node whose ZK proof failed.
interface IZkSlashing {
    function slashZkFailure(address node, bytes32 requestId, address reporter) external;
}

/// @title ZkInferences
/// @notice Deferred proofs of ZK-mode inferences. A ZK result is used in its transaction at once; the
///         inference precompile then records what the proof must state (model, input hash, output
///         hash) and the block by which it is due. The serving node (or anyone) later submits the
///         Groth16 proof here; it is checked by the model's generated verifier contract, so every full
///         node verifies it by executing the block that includes it. A late proof, or an invalid one
///         from the serving node, marks the record failed; `expire` marks a missing one failed. A failure
///         slashes the node in InferenceSettlement (the reporter, when not the node, gets the challenger share).
/// @dev Deployed at genesis by copying runtime code: no constructor, no immutables. The precompile
///      reads `models` and writes `records` straight to storage (src/zk/onchain.ts), so their slots
///      (0 and 1) and the packing of their structs are consensus-relevant: do not reorder.
contract ZkInferences {
    /// The ModelRegistry system contract (src/params.ts MODEL_REGISTRY_ADDRESS).
    ModelRegistry private constant MODEL_REGISTRY = ModelRegistry(0x0000000000000000000000000000000000001001);
    /// The InferenceSettlement system contract (src/params.ts INFERENCE_SETTLEMENT_ADDRESS).
    IZkSlashing private constant SETTLEMENT = IZkSlashing(0x0000000000000000000000000000000000001004);

    struct ZkModel {
        // Slot 0, read by the precompile: verifier (low 20 bytes), fractionBits, inputBits, outputBits.
        address verifier;
        uint8 fractionBits;
        uint8 inputBits;
        uint8 outputBits;
        /// Slot 1: the first public signal of every proof of this model (Poseidon commitment to the weights).
        bytes32 commitment;
        /// Slot 2: sha256 of the canonical verification key (src/zk/setup.ts), to find the keys by content.
        bytes32 verificationKeyHash;
    }

    enum Status {
        None,
        Pending,
        Verified,
        Failed
    }

    enum Failure {
        None,
        /// The serving node submitted a proof that does not verify.
        InvalidProof,
        /// A proof arrived after the due block.
        Late,
        /// No proof arrived by the due block (`expire`).
        Missing
    }

    struct ZkRecord {
        // Written by the precompile when a ZK result is used (slots 0..3 of the entry).
        bytes32 modelKey;
        bytes32 inputHash;
        bytes32 outputHash;
        // Slot 3: node (low 20 bytes), dueBlock, status, failure.
        address node;
        uint64 dueBlock;
        Status status;
        Failure failure;
    }

    /// keccak256(bytes(cid)) => ZK setup of the model. MUST stay slot 0.
    mapping(bytes32 => ZkModel) public models;
    /// request id (keccak256(txHash ‖ callIndex)) => record. MUST stay slot 1.
    mapping(bytes32 => ZkRecord) public records;

    event ZkModelRegistered(bytes32 indexed key, string cid, address verifier, bytes32 commitment, bytes32 verificationKeyHash);
    event ZkProofVerified(bytes32 indexed requestId, address indexed node, address submitter);
    /// @notice The record failed; `reason` is a Failure. Slashing (when staking lands) keys on this event.
    event ZkProofFailed(bytes32 indexed requestId, address indexed node, uint8 reason);

    error NotModelOwner(string cid, address caller);
    error ZkModelAlreadyRegistered(string cid);
    error InvalidZkModel();
    error NotPending(bytes32 requestId, Status status);
    error NotDue(bytes32 requestId, uint64 dueBlock);
    error InvalidProof(bytes32 requestId);

    /// @notice Registers the ZK setup of `cid` (its owner in ModelRegistry only, once: proofs due later
    ///         must be checked by the verifier they were promised to).
    function registerModel(
        string calldata cid,
        address verifier,
        bytes32 commitment,
        uint8 fractionBits,
        uint8 inputBits,
        uint8 outputBits,
        bytes32 verificationKeyHash
    ) external {
        if (MODEL_REGISTRY.getModel(cid).owner != msg.sender) revert NotModelOwner(cid, msg.sender);
        if (verifier.code.length == 0 || fractionBits == 0 || inputBits <= fractionBits || outputBits == 0) revert InvalidZkModel();
        bytes32 key = keccak256(bytes(cid));
        ZkModel storage m = models[key];
        if (m.verifier != address(0)) revert ZkModelAlreadyRegistered(cid);
        m.verifier = verifier;
        m.fractionBits = fractionBits;
        m.inputBits = inputBits;
        m.outputBits = outputBits;
        m.commitment = commitment;
        m.verificationKeyHash = verificationKeyHash;
        emit ZkModelRegistered(key, cid, verifier, commitment, verificationKeyHash);
    }

    /// @notice Submits the proof of a pending record: eight words (A.x, A.y, B.x.c1, B.x.c0, B.y.c1,
    ///         B.y.c0, C.x, C.y). Anyone may submit a valid proof in time. After the due block the
    ///         record fails as Late; a proof that does not verify fails it as InvalidProof when the
    ///         serving node sent it, and is refused (reverts) from anyone else.
    /// @return verified Whether the record is now verified.
    function submitProof(bytes32 requestId, uint256[8] calldata proof) external returns (bool verified) {
        ZkRecord storage r = records[requestId];
        if (r.status != Status.Pending) revert NotPending(requestId, r.status);
        if (block.number > r.dueBlock) {
            _fail(r, requestId, Failure.Late);
            return false;
        }
        if (_verify(r, proof)) {
            r.status = Status.Verified;
            emit ZkProofVerified(requestId, r.node, msg.sender);
            return true;
        }
        if (msg.sender != r.node) revert InvalidProof(requestId);
        _fail(r, requestId, Failure.InvalidProof);
        return false;
    }

    /// @notice Marks a record whose proof did not arrive by its due block as failed (anyone may call).
    function expire(bytes32 requestId) external {
        ZkRecord storage r = records[requestId];
        if (r.status != Status.Pending) revert NotPending(requestId, r.status);
        if (block.number <= r.dueBlock) revert NotDue(requestId, r.dueBlock);
        _fail(r, requestId, Failure.Missing);
    }

    /// @notice The record's status as of this block: a pending record past its due block reads Failed
    ///         (Missing) even before anyone calls `expire`.
    function statusOf(bytes32 requestId) external view returns (Status status, Failure failure, uint64 dueBlock, address node) {
        ZkRecord storage r = records[requestId];
        status = r.status;
        failure = r.failure;
        if (status == Status.Pending && block.number > r.dueBlock) {
            status = Status.Failed;
            failure = Failure.Missing;
        }
        return (status, failure, r.dueBlock, r.node);
    }

    function _verify(ZkRecord storage r, uint256[8] calldata p) private view returns (bool) {
        ZkModel storage m = models[r.modelKey];
        uint256[3] memory signals = [uint256(m.commitment), uint256(r.inputHash), uint256(r.outputHash)];
        try IGroth16Verifier(m.verifier).verifyProof([p[0], p[1]], [[p[2], p[3]], [p[4], p[5]]], [p[6], p[7]], signals) returns (bool ok) {
            return ok;
        } catch {
            return false;
        }
    }

    function _fail(ZkRecord storage r, bytes32 requestId, Failure failure) private {
        r.status = Status.Failed;
        r.failure = failure;
        emit ZkProofFailed(requestId, r.node, uint8(failure));
        // A failed proof costs the node stake; whoever revealed it (not the node itself) gets the reporter's share.
        // Chains without the settlement contract (unit-test harnesses) only mark the record.
        if (address(SETTLEMENT).code.length != 0) {
            SETTLEMENT.slashZkFailure(r.node, requestId, msg.sender == r.node ? address(0) : msg.sender);
        }
    }
}
