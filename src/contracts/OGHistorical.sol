// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @notice Which way `getCandles` lists candles.
enum CandleOrder {
    Ascending,
    Descending
}

/// @notice One field of a candle, for flattening candles into model inputs.
enum CandleType {
    High,
    Low,
    Open,
    Close,
    Volume
}

/// @notice The published OGHistorical query: the last `total_candles` candles of `base`/`quote` at
///         `candle_duration_in_mins`, in `order`, flattened field by field in `candle_types` order.
struct HistoricalInputQuery {
    string base;
    string quote;
    uint32 total_candles;
    uint32 candle_duration_in_mins;
    CandleOrder order;
    CandleType[] candle_types;
}

/// @notice One candle; prices and volume are fixed point with PRICE_DECIMALS decimals.
struct Candle {
    uint64 timestamp;
    int128 open;
    int128 high;
    int128 low;
    int128 close;
    int128 volume;
}

/// @title OGHistorical
/// @notice System contract (genesis, 0x…1011): price candles kept on chain, written by oracles the
///         admin appoints (on devnets the admin is dev account #0), read by any contract — the input
///         of scheduled model workflows.
contract OGHistorical {
    /// @notice Decimals of every price and volume (value / 10^8).
    int128 public constant PRICE_DECIMALS = 8;
    /// @notice Most candles one query may ask for (bounds a workflow's gas).
    uint32 public constant MAX_QUERY_CANDLES = 256;

    /// @dev Set in genesis storage.
    address private _admin;
    mapping(address => bool) public isOracle;
    mapping(bytes32 => Candle[]) private _candles;

    event OracleSet(address indexed oracle, bool allowed);
    event AdminTransferred(address indexed previousAdmin, address indexed newAdmin);
    event CandlesPushed(bytes32 indexed feed, string base, string quote, uint32 durationMins, uint256 count, uint64 lastTimestamp);

    error NotAdmin(address caller);
    error NotOracle(address caller);
    error UnknownFeed(string base, string quote, uint32 durationMins);
    error NotEnoughCandles(uint256 available, uint256 requested);
    error InvalidQuery(uint32 totalCandles, uint256 candleTypes);
    error TimestampNotIncreasing(uint64 previous, uint64 given);

    function admin() external view returns (address) {
        return _admin;
    }

    function transferAdmin(address newAdmin) external {
        if (msg.sender != _admin) revert NotAdmin(msg.sender);
        emit AdminTransferred(_admin, newAdmin);
        _admin = newAdmin;
    }

    function setOracle(address oracle, bool allowed) external {
        if (msg.sender != _admin) revert NotAdmin(msg.sender);
        isOracle[oracle] = allowed;
        emit OracleSet(oracle, allowed);
    }

    function feedKey(string memory base, string memory quote, uint32 durationMins) public pure returns (bytes32) {
        return keccak256(abi.encode(base, quote, durationMins));
    }

    /// @notice Appends candles to a feed (the admin or an oracle); timestamps must increase.
    function pushCandles(string calldata base, string calldata quote, uint32 durationMins, Candle[] calldata candles) external {
        if (msg.sender != _admin && !isOracle[msg.sender]) revert NotOracle(msg.sender);
        bytes32 key = feedKey(base, quote, durationMins);
        Candle[] storage feed = _candles[key];
        uint64 previous = feed.length == 0 ? 0 : feed[feed.length - 1].timestamp;
        for (uint256 i = 0; i < candles.length; ++i) {
            if (candles[i].timestamp <= previous) revert TimestampNotIncreasing(previous, candles[i].timestamp);
            previous = candles[i].timestamp;
            feed.push(candles[i]);
        }
        emit CandlesPushed(key, base, quote, durationMins, candles.length, previous);
    }

    function candleCount(string calldata base, string calldata quote, uint32 durationMins) external view returns (uint256) {
        return _candles[feedKey(base, quote, durationMins)].length;
    }

    /// @notice The last `query.total_candles` candles in `query.order`.
    function getCandles(HistoricalInputQuery calldata query) public view returns (Candle[] memory out) {
        if (query.total_candles == 0 || query.total_candles > MAX_QUERY_CANDLES) revert InvalidQuery(query.total_candles, query.candle_types.length);
        Candle[] storage feed = _candles[feedKey(query.base, query.quote, query.candle_duration_in_mins)];
        if (feed.length == 0) revert UnknownFeed(query.base, query.quote, query.candle_duration_in_mins);
        if (feed.length < query.total_candles) revert NotEnoughCandles(feed.length, query.total_candles);
        out = new Candle[](query.total_candles);
        uint256 first = feed.length - query.total_candles;
        for (uint256 i = 0; i < query.total_candles; ++i) {
            uint256 at = query.order == CandleOrder.Ascending ? i : query.total_candles - 1 - i;
            out[at] = feed[first + i];
        }
    }

    /// @notice The queried candles flattened into one value array (candle by candle, field by field
    ///         in `candle_types` order), all with PRICE_DECIMALS decimals: a model input.
    function queryValues(HistoricalInputQuery calldata query) external view returns (int128[] memory values, int128 decimals) {
        if (query.candle_types.length == 0) revert InvalidQuery(query.total_candles, 0);
        Candle[] memory candles = getCandles(query);
        uint256 width = query.candle_types.length;
        values = new int128[](candles.length * width);
        for (uint256 i = 0; i < candles.length; ++i) {
            for (uint256 j = 0; j < width; ++j) values[i * width + j] = _field(candles[i], query.candle_types[j]);
        }
        decimals = PRICE_DECIMALS;
    }

    function _field(Candle memory candle, CandleType kind) private pure returns (int128) {
        if (kind == CandleType.High) return candle.high;
        if (kind == CandleType.Low) return candle.low;
        if (kind == CandleType.Open) return candle.open;
        if (kind == CandleType.Close) return candle.close;
        return candle.volume;
    }
}
