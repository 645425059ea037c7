// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @title NodeRegistry
/// @notice Inference nodes announce themselves here: the caller's address is the node's signing key.
///         Full nodes read it to route requests (nodesForModel) and to check who signed a result (isServing).
/// @dev Deployed at genesis by copying runtime code: no constructor, no immutables, no initialised state.
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

    event NodeRegistered(address indexed node, string endpoint, uint8 modes);
    /// @notice Endpoint, modes or served models changed.
    event NodeUpdated(address indexed node, string endpoint, uint8 modes);
    event NodeDeregistered(address indexed node);

    error EmptyEndpoint();
    error EmptyCid();
    error InvalidModes(uint8 modes);
    error NodeAlreadyRegistered(address node);
    error NodeNotActive(address node);
    error ModelAlreadyServed(string cid);
    error ModelNotServed(string cid);
    error IndexOutOfRange(uint256 index, uint256 count);

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
    function nodesForModel(string calldata cid) external view returns (address[] memory nodes, string[] memory endpoints) {
        nodes = _servers[keccak256(bytes(cid))];
        endpoints = new string[](nodes.length);
        for (uint256 i = 0; i < nodes.length; ++i) {
            endpoints[i] = _nodes[nodes[i]].endpoint;
        }
    }

    /// @notice Whether `node` is active and serves `cid`.
    function isServing(address node, string calldata cid) external view returns (bool) {
        return _serverPos[keccak256(bytes(cid))][node] != 0;
    }

    /// @notice Nodes that ever registered (active or not).
    function nodeCount() external view returns (uint256) {
        return _nodeList.length;
    }

    function nodeAt(uint256 index) external view returns (address) {
        if (index >= _nodeList.length) revert IndexOutOfRange(index, _nodeList.length);
        return _nodeList[index];
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
}
