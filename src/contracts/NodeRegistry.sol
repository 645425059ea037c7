// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @title NodeRegistry
/// @notice Inference nodes announce themselves here: the caller's address is the node's signing key.
///         Full nodes read it to route requests (nodesForModel) and to check who signed a result (isServing).
///         For TEE mode it also holds the allowlist of enclave image measurements (PCR0), kept by the
///         chain's admin (governance; a dev key on devnets), and each node's registered enclave key.
/// @dev Deployed at genesis by copying runtime code: no constructor, no immutables. The only state
///      genesis writes is `_admin` (its slot comes from solc's storage layout; zero = nobody may change
///      the allowlist). New state goes after the existing variables so their slots never move.
///      Lists are kept with 1-based position maps so that every removal is a swap-and-pop (O(1)).
contract NodeRegistry {
    struct Node {
        string endpoint;
        /// Bitmask of ModelInferenceModes the node can serve: bit (1 << mode).
        uint8 modes;
        bool active;
        /// Block of the latest (re-)registration.
        uint64 registeredAt;
        /// CIDs the node serves.
        string[] models;
    }

    mapping(address => Node) private _nodes;
    /// node => keccak256(cid) => 1-based position in that node's `models`.
    mapping(address => mapping(bytes32 => uint256)) private _modelPos;
    /// keccak256(cid) => active nodes serving it.
    mapping(bytes32 => address[]) private _servers;
    /// keccak256(cid) => node => 1-based position in `_servers`.
    mapping(bytes32 => mapping(address => uint256)) private _serverPos;
    /// Every node that ever registered, in order of first registration.
    address[] private _nodeList;
    mapping(address => bool) private _known;
    /// Governance: the one account that may change the TEE allowlist (set in genesis storage).
    address private _admin;
    /// Allowed TEE image measurements (PCR0 values), and keccak256(measurement) => 1-based position.
    bytes[] private _measurements;
    mapping(bytes32 => uint256) private _measurementPos;
    /// node => the public key of its enclave (SPKI DER): the `public_key` its attestations carry.
    mapping(address => bytes) private _enclaveKeys;
    /// keccak256(enclave key) => the node that registered it: one enclave, one node, so no node can
    /// present another's enclave as its own.
    mapping(bytes32 => address) private _enclaveKeyOwners;

    event NodeRegistered(address indexed node, string endpoint, uint8 modes);
    /// @notice Endpoint, modes or served models changed.
    event NodeUpdated(address indexed node, string endpoint, uint8 modes);
    event NodeDeregistered(address indexed node);
    event AdminTransferred(address indexed previousAdmin, address indexed newAdmin);
    event TeeMeasurementAdded(bytes measurement);
    event TeeMeasurementRemoved(bytes measurement);
    event EnclaveKeySet(address indexed node, bytes enclaveKey);

    error EmptyEndpoint();
    error EmptyCid();
    error InvalidModes(uint8 modes);
    error NodeAlreadyRegistered(address node);
    error NodeNotActive(address node);
    error ModelAlreadyServed(string cid);
    error ModelNotServed(string cid);
    error IndexOutOfRange(uint256 index, uint256 count);
    error NotAdmin(address caller);
    error InvalidMeasurement(uint256 length);
    error MeasurementAlreadyAllowed(bytes measurement);
    error MeasurementNotAllowed(bytes measurement);
    error EmptyEnclaveKey();
    error EnclaveKeyTaken(address owner);

    modifier onlyAdmin() {
        if (msg.sender != _admin || msg.sender == address(0)) revert NotAdmin(msg.sender);
        _;
    }

    /// @notice Registers the caller (or re-activates it after deregister) serving `models`.
    function register(string calldata endpoint, uint8 modes, string[] calldata models) external {
        Node storage n = _nodes[msg.sender];
        if (n.active) revert NodeAlreadyRegistered(msg.sender);
        if (!_known[msg.sender]) {
            _known[msg.sender] = true;
            _nodeList.push(msg.sender);
        }
        _clearModels(msg.sender);
        _setDetails(n, endpoint, modes);
        n.active = true;
        n.registeredAt = uint64(block.number);
        for (uint256 i = 0; i < models.length; ++i) {
            _addModel(msg.sender, models[i]);
        }
        emit NodeRegistered(msg.sender, endpoint, modes);
    }

    /// @notice Replaces the caller's endpoint, modes and served models.
    function update(string calldata endpoint, uint8 modes, string[] calldata models) external {
        Node storage n = _active(msg.sender);
        _setDetails(n, endpoint, modes);
        _clearModels(msg.sender);
        for (uint256 i = 0; i < models.length; ++i) {
            _addModel(msg.sender, models[i]);
        }
        emit NodeUpdated(msg.sender, endpoint, modes);
    }

    /// @notice Stops routing to the caller. Its record, served models included, stays readable (active = false).
    function deregister() external {
        Node storage n = _active(msg.sender);
        n.active = false;
        // Keep `models` for the record; only routing (the per-model server lists) forgets the node.
        for (uint256 i = 0; i < n.models.length; ++i) {
            _removeServer(keccak256(bytes(n.models[i])), msg.sender);
        }
        emit NodeDeregistered(msg.sender);
    }

    function addModel(string calldata cid) external {
        Node storage n = _active(msg.sender);
        _addModel(msg.sender, cid);
        emit NodeUpdated(msg.sender, n.endpoint, n.modes);
    }

    function removeModel(string calldata cid) external {
        Node storage n = _active(msg.sender);
        if (!_removeModel(msg.sender, keccak256(bytes(cid)))) revert ModelNotServed(cid);
        emit NodeUpdated(msg.sender, n.endpoint, n.modes);
    }

    /// @notice The node's record (all fields zero if it never registered).
    function getNode(address node) external view returns (Node memory) {
        return _nodes[node];
    }

    /// @notice Active nodes serving `cid`, with their endpoints (same order).
    ///         For a private model, only nodes its owner authorises (ModelRegistry.mayServe) are listed.
    function nodesForModel(string calldata cid) external view returns (address[] memory nodes, string[] memory endpoints) {
        return _routable(cid, type(uint8).max);
    }

    /// @notice Whether `node` is active and serves `cid`.
    function isServing(address node, string calldata cid) external view returns (bool) {
        return _serverPos[keccak256(bytes(cid))][node] != 0 && _mayServe(cid, node);
    }

    /// @notice Nodes that ever registered (active or not).
    function nodeCount() external view returns (uint256) {
        return _nodeList.length;
    }

    function nodeAt(uint256 index) external view returns (address) {
        if (index >= _nodeList.length) revert IndexOutOfRange(index, _nodeList.length);
        return _nodeList[index];
    }

    /// @notice Nodes serving `cid` whose registered modes include `mode` (bit 1 << mode), with endpoints.
    function nodesForModelAndMode(string calldata cid, uint8 mode) external view returns (address[] memory nodes, string[] memory endpoints) {
        return _routable(cid, mode);
    }

    // ---- TEE: governance allowlist of measurements, enclave keys of nodes ----

    /// @notice The account that may change the TEE allowlist (zero: nobody).
    function admin() external view returns (address) {
        return _admin;
    }

    function transferAdmin(address newAdmin) external onlyAdmin {
        emit AdminTransferred(_admin, newAdmin);
        _admin = newAdmin;
    }

    /// @notice Allows an enclave image measurement (PCR0: 32, 48 or 64 bytes; Nitro and the dev enclave use 48).
    function addTeeMeasurement(bytes calldata measurement) external onlyAdmin {
        if (measurement.length != 32 && measurement.length != 48 && measurement.length != 64) revert InvalidMeasurement(measurement.length);
        bytes32 key = keccak256(measurement);
        if (_measurementPos[key] != 0) revert MeasurementAlreadyAllowed(measurement);
        _measurements.push(measurement);
        _measurementPos[key] = _measurements.length;
        emit TeeMeasurementAdded(measurement);
    }

    /// @notice Withdraws a measurement: records attested by it are refused from the next block on.
    function removeTeeMeasurement(bytes calldata measurement) external onlyAdmin {
        bytes32 key = keccak256(measurement);
        uint256 pos = _measurementPos[key];
        if (pos == 0) revert MeasurementNotAllowed(measurement);
        uint256 last = _measurements.length;
        if (pos != last) {
            _measurements[pos - 1] = _measurements[last - 1];
            _measurementPos[keccak256(_measurements[pos - 1])] = pos;
        }
        _measurements.pop();
        delete _measurementPos[key];
        emit TeeMeasurementRemoved(measurement);
    }

    function isTeeMeasurementAllowed(bytes calldata measurement) external view returns (bool) {
        return _measurementPos[keccak256(measurement)] != 0;
    }

    /// @notice Every allowed measurement (order changes on removal).
    function teeMeasurements() external view returns (bytes[] memory) {
        return _measurements;
    }

    /// @notice Registers the caller's enclave key: the `public_key` every attestation of its enclave must carry.
    ///         A key belongs to one node at a time; replacing it releases the previous one.
    function setEnclaveKey(bytes calldata enclaveKey) external {
        if (enclaveKey.length == 0) revert EmptyEnclaveKey();
        bytes32 key = keccak256(enclaveKey);
        address owner = _enclaveKeyOwners[key];
        if (owner != address(0) && owner != msg.sender) revert EnclaveKeyTaken(owner);
        bytes storage previous = _enclaveKeys[msg.sender];
        if (previous.length != 0) delete _enclaveKeyOwners[keccak256(previous)];
        _enclaveKeyOwners[key] = msg.sender;
        _enclaveKeys[msg.sender] = enclaveKey;
        emit EnclaveKeySet(msg.sender, enclaveKey);
    }

    /// @notice The node's registered enclave key (empty if none).
    function enclaveKeyOf(address node) external view returns (bytes memory) {
        return _enclaveKeys[node];
    }

    function _servesMode(address node, uint8 mode) private view returns (bool) {
        return mode < 8 && (_nodes[node].modes & (uint8(1) << mode)) != 0;
    }

    function _active(address node) private view returns (Node storage n) {
        n = _nodes[node];
        if (!n.active) revert NodeNotActive(node);
    }

    function _setDetails(Node storage n, string calldata endpoint, uint8 modes) private {
        if (bytes(endpoint).length == 0) revert EmptyEndpoint();
        if (modes == 0) revert InvalidModes(modes);
        n.endpoint = endpoint;
        n.modes = modes;
    }

    function _addModel(address node, string calldata cid) private {
        if (bytes(cid).length == 0) revert EmptyCid();
        // A private model is served only by nodes its owner authorised: an impostor is refused here.
        if (!_mayServe(cid, node)) revert NodeNotAuthorizedForModel(cid, node);
        bytes32 key = keccak256(bytes(cid));
        if (_modelPos[node][key] != 0) revert ModelAlreadyServed(cid);
        string[] storage list = _nodes[node].models;
        list.push(cid);
        _modelPos[node][key] = list.length;
        address[] storage servers = _servers[key];
        servers.push(node);
        _serverPos[key][node] = servers.length;
    }

    /// @return removed false if the node did not serve the model
    function _removeModel(address node, bytes32 key) private returns (bool removed) {
        uint256 pos = _modelPos[node][key];
        if (pos == 0) return false;
        string[] storage list = _nodes[node].models;
        uint256 last = list.length;
        if (pos != last) {
            list[pos - 1] = list[last - 1];
            _modelPos[node][keccak256(bytes(list[pos - 1]))] = pos;
        }
        list.pop();
        delete _modelPos[node][key];
        _removeServer(key, node);
        return true;
    }

    function _removeServer(bytes32 key, address node) private {
        uint256 pos = _serverPos[key][node];
        if (pos == 0) return;
        address[] storage servers = _servers[key];
        uint256 last = servers.length;
        if (pos != last) {
            address moved = servers[last - 1];
            servers[pos - 1] = moved;
            _serverPos[key][moved] = pos;
        }
        servers.pop();
        delete _serverPos[key][node];
    }

    /// @dev Pops from the end so each step is O(1) and no swap is needed.
    function _clearModels(address node) private {
        string[] storage list = _nodes[node].models;
        while (list.length > 0) {
            bytes32 key = keccak256(bytes(list[list.length - 1]));
            _removeModel(node, key);
        }
    }

    // ---- private models (docs/decisions/private-models.md) ----

    /// The model's owner has not authorised this node to serve it (ModelRegistry.setNodeAuthorized).
    error NodeNotAuthorizedForModel(string cid, address node);

    /// ModelRegistry's genesis address (params.ts MODEL_REGISTRY_ADDRESS): a constant, not state.
    address private constant MODEL_REGISTRY = 0x0000000000000000000000000000000000001001;

    /// @dev Asks ModelRegistry.mayServe. Where no registry answers (a bare test deployment) every
    ///      model reads as public, which is what the registry itself says of unflagged models.
    function _mayServe(string calldata cid, address node) private view returns (bool) {
        (bool ok, bytes memory ret) = MODEL_REGISTRY.staticcall(abi.encodeWithSignature("mayServe(string,address)", cid, node));
        if (!ok || ret.length < 32) return true;
        return abi.decode(ret, (bool));
    }

    /// @dev Active servers of `cid` that may serve it, in mode `mode` (type(uint8).max: any mode).
    function _routable(string calldata cid, uint8 mode) private view returns (address[] memory nodes, string[] memory endpoints) {
        address[] storage servers = _servers[keccak256(bytes(cid))];
        bool[] memory keep = new bool[](servers.length);
        uint256 count = 0;
        for (uint256 i = 0; i < servers.length; ++i) {
            keep[i] = (mode == type(uint8).max || _servesMode(servers[i], mode)) && _mayServe(cid, servers[i]);
            if (keep[i]) ++count;
        }
        nodes = new address[](count);
        endpoints = new string[](count);
        uint256 j = 0;
        for (uint256 i = 0; i < servers.length; ++i) {
            if (keep[i]) {
                nodes[j] = servers[i];
                endpoints[j] = _nodes[servers[i]].endpoint;
                ++j;
            }
        }
    }
}
