// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @title ModelRegistry
/// @notice Models the inference precompile can run, keyed by the CID of their ONNX file.
/// @dev Deployed at genesis by copying runtime code: no constructor, no immutables, no initialised state.
///      The node reads `models` straight from storage (src/evm/registry-reader.ts), so its position
///      (slot 0) and the packing of Model's first slot are consensus-relevant: do not reorder.
contract ModelRegistry {
    struct Model {
        // First storage slot, read by the precompile: owner (low 20 bytes), then modes, isPrivate, workUnits.
        address owner;
        /// Bitmask of supported ModelInferenceModes: bit (1 << mode).
        uint8 modes;
        /// Weights are not published; `weightsCommitment` binds them.
        bool isPrivate;
        /// Multiply-accumulates of one inference; the precompile charges gas per thousand.
        uint64 workUnits;
        string cid;
        string name;
        string inputSchema;
        string outputSchema;
        bytes32 weightsCommitment;
        uint256 pricePerInference;
    }

    /// keccak256(bytes(cid)) => model. MUST stay the first state variable (slot 0).
    mapping(bytes32 => Model) public models;
    bytes32[] private _keys;

    /// Prices in wei that override `pricePerInference` for one mode: key => mode => price. Slot 2.
    /// The precompile reads this, `_modePriceSet` and `pricePerInference` from storage (src/evm/fees.ts).
    mapping(bytes32 => mapping(uint8 => uint256)) private _modePrices;
    /// key => bitmask of modes (1 << mode) that have a price of their own. Slot 3.
    mapping(bytes32 => uint8) private _modePriceSet;

    // --- hub repositories ---
    /// keccak256(bytes(name)) => owner of the model hub repository `name` (zero: not created).
    /// The hub reads it to decide who may write to (and read a private) repository.
    mapping(bytes32 => address) private _repositoryOwners;

    event ModelRegistered(bytes32 indexed key, string cid, address indexed owner);
    /// @notice Any change after registration; carries every mutable field so indexers need no extra call.
    event ModelUpdated(
        bytes32 indexed key,
        string cid,
        address indexed owner,
        uint8 modes,
        bool isPrivate,
        bytes32 weightsCommitment,
        uint256 pricePerInference
    );

    /// @notice The price of one inference of `cid` in `mode` changed (owner only).
    event ModePriceSet(bytes32 indexed key, string cid, uint8 mode, uint256 price);

    error EmptyCid();
    error InvalidMode(uint8 mode);
    error InvalidModes(uint8 modes);
    error ModelAlreadyRegistered(string cid);
    error ModelNotRegistered(string cid);
    error NotModelOwner(string cid, address caller, address owner);
    error ZeroAddressOwner();
    error IndexOutOfRange(uint256 index, uint256 count);

    /// @notice Registers `cid` with the caller as owner. Reverts if the cid is empty, already registered, or `modes` is 0.
    function registerModel(
        string calldata cid,
        string calldata name,
        uint8 modes,
        uint64 workUnits,
        string calldata inputSchema,
        string calldata outputSchema
    ) external returns (bytes32 key) {
        if (bytes(cid).length == 0) revert EmptyCid();
        if (modes == 0) revert InvalidModes(modes);
        key = keccak256(bytes(cid));
        Model storage m = models[key];
        if (m.owner != address(0)) revert ModelAlreadyRegistered(cid);
        m.owner = msg.sender;
        m.modes = modes;
        m.workUnits = workUnits;
        m.cid = cid;
        m.name = name;
        m.inputSchema = inputSchema;
        m.outputSchema = outputSchema;
        _keys.push(key);
        emit ModelRegistered(key, cid, msg.sender);
    }

    /// @notice Replaces the supported modes (owner only; never 0).
    function setModes(string calldata cid, uint8 modes) external {
        if (modes == 0) revert InvalidModes(modes);
        Model storage m = _owned(cid);
        m.modes = modes;
        _emitUpdated(m);
    }

    /// @notice Sets the price per inference in wei (owner only).
    function setPrice(string calldata cid, uint256 pricePerInference) external {
        Model storage m = _owned(cid);
        m.pricePerInference = pricePerInference;
        _emitUpdated(m);
    }

    /// @notice Sets the price in wei of one inference of `cid` in `mode`, overriding `pricePerInference` for that mode (owner only).
    ///         The caller's transaction pays it to the serving node (OPTIMISTIC: held by InferenceSettlement until the claim finalizes).
    function setModePrice(string calldata cid, uint8 mode, uint256 price) external {
        if (mode >= 8) revert InvalidMode(mode);
        Model storage m = _owned(cid);
        bytes32 key = keccak256(bytes(m.cid));
        _modePrices[key][mode] = price;
        _modePriceSet[key] |= uint8(1 << mode);
        emit ModePriceSet(key, cid, mode, price);
    }

    /// @notice What one inference of `cid` in `mode` costs the caller's transaction, in wei.
    function priceOf(string calldata cid, uint8 mode) external view returns (uint256) {
        bytes32 key = keccak256(bytes(cid));
        Model storage m = models[key];
        if (m.owner == address(0)) revert ModelNotRegistered(cid);
        if (mode < 8 && (_modePriceSet[key] & (1 << mode)) != 0) return _modePrices[key][mode];
        return m.pricePerInference;
    }

    /// @notice Marks the weights private (or public) and commits to them (owner only).
    function setPrivacy(string calldata cid, bool isPrivate, bytes32 weightsCommitment) external {
        Model storage m = _owned(cid);
        m.isPrivate = isPrivate;
        m.weightsCommitment = weightsCommitment;
        _emitUpdated(m);
    }

    /// @notice Hands the model to `newOwner` (owner only). The zero address would unregister it, so it is refused.
    function transferOwnership(string calldata cid, address newOwner) external {
        if (newOwner == address(0)) revert ZeroAddressOwner();
        Model storage m = _owned(cid);
        m.owner = newOwner;
        _emitUpdated(m);
    }

    /// @notice The model registered as `cid`; reverts with ModelNotRegistered if there is none.
    function getModel(string calldata cid) external view returns (Model memory) {
        Model storage m = models[keccak256(bytes(cid))];
        if (m.owner == address(0)) revert ModelNotRegistered(cid);
        return m;
    }

    function isRegistered(string calldata cid) external view returns (bool) {
        return models[keccak256(bytes(cid))].owner != address(0);
    }

    /// @notice The storage key of `cid` in `models`.
    function modelKey(string calldata cid) external pure returns (bytes32) {
        return keccak256(bytes(cid));
    }

    function modelCount() external view returns (uint256) {
        return _keys.length;
    }

    /// @notice The `index`-th registered model, in registration order.
    function modelAt(uint256 index) external view returns (Model memory) {
        if (index >= _keys.length) revert IndexOutOfRange(index, _keys.length);
        return models[_keys[index]];
    }

    function _owned(string calldata cid) private view returns (Model storage m) {
        m = models[keccak256(bytes(cid))];
        if (m.owner == address(0)) revert ModelNotRegistered(cid);
        if (m.owner != msg.sender) revert NotModelOwner(cid, msg.sender, m.owner);
    }

    function _emitUpdated(Model storage m) private {
        emit ModelUpdated(
            keccak256(bytes(m.cid)), m.cid, m.owner, m.modes, m.isPrivate, m.weightsCommitment, m.pricePerInference
        );
    }

    // --- hub repositories ---

    event RepositoryCreated(bytes32 indexed key, string name, address indexed owner);
    event RepositoryTransferred(bytes32 indexed key, string name, address indexed previousOwner, address indexed newOwner);

    error InvalidRepositoryName(string name);
    error RepositoryAlreadyExists(string name, address owner);
    error RepositoryNotFound(string name);
    error NotRepositoryOwner(string name, address caller, address owner);

    /// @notice Claims the hub repository `name` for the caller (first come, first served).
    /// @dev Names are 1-64 bytes of [a-z0-9._-] starting with a letter or digit, the hub's own rule,
    ///      so every name owned here is one the hub can serve.
    function createRepository(string calldata name) external returns (bytes32 key) {
        if (!_isRepositoryName(bytes(name))) revert InvalidRepositoryName(name);
        key = keccak256(bytes(name));
        address owner = _repositoryOwners[key];
        if (owner != address(0)) revert RepositoryAlreadyExists(name, owner);
        _repositoryOwners[key] = msg.sender;
        emit RepositoryCreated(key, name, msg.sender);
    }

    /// @notice Hands repository `name` to `newOwner` (owner only; never the zero address).
    function transferRepository(string calldata name, address newOwner) external {
        if (newOwner == address(0)) revert ZeroAddressOwner();
        bytes32 key = keccak256(bytes(name));
        address owner = _repositoryOwners[key];
        if (owner == address(0)) revert RepositoryNotFound(name);
        if (owner != msg.sender) revert NotRepositoryOwner(name, msg.sender, owner);
        _repositoryOwners[key] = newOwner;
        emit RepositoryTransferred(key, name, owner, newOwner);
    }

    /// @notice The owner of repository `name`, or the zero address if nobody created it.
    function repositoryOwner(string calldata name) external view returns (address) {
        return _repositoryOwners[keccak256(bytes(name))];
    }

    function _isRepositoryName(bytes calldata name) private pure returns (bool) {
        if (name.length == 0 || name.length > 64) return false;
        for (uint256 i = 0; i < name.length; i++) {
            bytes1 c = name[i];
            bool alnum = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39);
            if (!alnum && (i == 0 || (c != 0x2e && c != 0x2d && c != 0x5f))) return false;
        }
        return true;
    }

    // --- private models (docs/decisions/private-models.md) ---
    // State declared here comes after every variable above, so no existing slot moves. The precompile
    // reads `_callersRestricted` and `_allowedCallers` straight from storage (src/private/access.ts).

    /// key => node => authorised by the model's owner to serve it (NodeRegistry asks `mayServe`).
    mapping(bytes32 => mapping(address => bool)) private _authorizedNodes;
    /// key => only callers in `_allowedCallers` may run the model.
    mapping(bytes32 => bool) private _callersRestricted;
    /// key => caller (the contract calling the precompile, or the transaction's sender) => allowed.
    mapping(bytes32 => mapping(address => bool)) private _allowedCallers;

    event NodeAuthorizationSet(bytes32 indexed key, string cid, address indexed node, bool authorized);
    event CallersRestrictedSet(bytes32 indexed key, string cid, bool restricted);
    event CallerAllowedSet(bytes32 indexed key, string cid, address indexed caller, bool allowed);

    /// @notice Authorises (or withdraws) `node` to serve `cid` (owner only). Only authorised nodes
    ///         may register a private model in NodeRegistry, and only they are routed to.
    function setNodeAuthorized(string calldata cid, address node, bool authorized) external {
        Model storage m = _owned(cid);
        bytes32 key = keccak256(bytes(m.cid));
        _authorizedNodes[key][node] = authorized;
        emit NodeAuthorizationSet(key, cid, node, authorized);
    }

    function isNodeAuthorized(string calldata cid, address node) external view returns (bool) {
        return _authorizedNodes[keccak256(bytes(cid))][node];
    }

    /// @notice Whether `node` may serve `cid`: any node for a public model; for a private one
    ///         (flagged private, or any id with the `private:` prefix, registered or not) only a node
    ///         its owner authorised.
    function mayServe(string calldata cid, address node) external view returns (bool) {
        bytes32 key = keccak256(bytes(cid));
        bool isPrivateModel = models[key].isPrivate || _hasPrivatePrefix(bytes(cid));
        return !isPrivateModel || _authorizedNodes[key][node];
    }

    /// @notice Restricts who may run `cid` to its allowlist (owner only); `false` opens it to everyone.
    function setCallersRestricted(string calldata cid, bool restricted) external {
        Model storage m = _owned(cid);
        bytes32 key = keccak256(bytes(m.cid));
        _callersRestricted[key] = restricted;
        emit CallersRestrictedSet(key, cid, restricted);
    }

    /// @notice Adds `caller` (a contract or an account) to, or removes it from, the allowlist of `cid` (owner only).
    function setCallerAllowed(string calldata cid, address caller, bool allowed) external {
        Model storage m = _owned(cid);
        bytes32 key = keccak256(bytes(m.cid));
        _allowedCallers[key][caller] = allowed;
        emit CallerAllowedSet(key, cid, caller, allowed);
    }

    function callersRestricted(string calldata cid) external view returns (bool) {
        return _callersRestricted[keccak256(bytes(cid))];
    }

    /// @notice Whether `caller` may run `cid` (always, unless the owner restricted it).
    function isCallerAllowed(string calldata cid, address caller) external view returns (bool) {
        bytes32 key = keccak256(bytes(cid));
        return !_callersRestricted[key] || _allowedCallers[key][caller];
    }

    function _hasPrivatePrefix(bytes calldata cid) private pure returns (bool) {
        bytes8 prefix = "private:";
        if (cid.length < 8) return false;
        return bytes8(cid[0:8]) == prefix;
    }

    // --- ZK artifacts (docs/decisions/zk.md) ---
    // Declared after every variable above, so no existing slot moves; nothing reads it from storage.

    /// @notice Where a prover gets what it needs to prove `cid` in ZK mode: each artifact by its hub
    ///         content ID (CIDv1 raw sha2-256, `GET /artifacts/<cid>`), and the universal setup's sha256.
    struct ZkArtifacts {
        /// Groth16 proving key (made from the universal setup `ptauSha256`).
        string zkeyCid;
        /// Verification key JSON; the sha256 of its canonical form is ZkInferences' `verificationKeyHash`.
        string vkeyCid;
        /// The circuit's witness generator (circom wasm).
        string wasmCid;
        /// The circuit's constraint system: its sizes, and what `snarkjs zkey verify` checks the zkey against.
        string r1csCid;
        bytes32 ptauSha256;
    }

    /// key => the model's ZK artifacts (empty strings: none published).
    mapping(bytes32 => ZkArtifacts) private _zkArtifacts;

    event ZkArtifactsSet(bytes32 indexed key, string cid, ZkArtifacts artifacts);

    error EmptyArtifactCid();

    /// @notice Records where the ZK artifacts of `cid` are (owner only; every CID non-empty). The
    ///         owner may replace them, e.g. after a new setup; ZkInferences keeps the key hash that binds them.
    function setZkArtifacts(string calldata cid, ZkArtifacts calldata artifacts) external {
        if (
            bytes(artifacts.zkeyCid).length == 0 || bytes(artifacts.vkeyCid).length == 0 || bytes(artifacts.wasmCid).length == 0
                || bytes(artifacts.r1csCid).length == 0
        ) revert EmptyArtifactCid();
        Model storage m = _owned(cid);
        bytes32 key = keccak256(bytes(m.cid));
        _zkArtifacts[key] = artifacts;
        emit ZkArtifactsSet(key, cid, artifacts);
    }

    /// @notice The ZK artifacts of `cid` (all fields empty when none were published).
    function zkArtifacts(string calldata cid) external view returns (ZkArtifacts memory) {
        return _zkArtifacts[keccak256(bytes(cid))];
    }
}
