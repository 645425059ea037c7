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

    error EmptyCid();
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
}
