// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @title TensorLib
/// @notice The tensor types of the OGInference interface, and pure helpers to build and read them.
/// @dev Every helper is `internal`, so it is inlined into the calling contract: nothing to deploy or link.
///      Numbers are fixed point: `{ value: 15, decimals: 1 }` is 1.5.
library TensorLib {
    struct Number {
        int128 value;
        int128 decimals;
    }

    /// @dev `values` are row-major; `shape` is empty for a scalar.
    struct MultiDimensionalNumberTensor {
        string name;
        Number[] values;
        uint32[] shape;
    }

    struct StringTensor {
        string name;
        string[] values;
    }

    struct JsonScalar {
        string name;
        string value;
    }

    /// @notice A shape does not hold as many elements as were given.
    error ShapeMismatch(uint256 elements, uint256 shapeElements);
    /// @notice Rescaling a number to this many decimals does not fit an int256.
    error ScaleOverflow(int128 value, int128 fromDecimals, uint8 toDecimals);
    /// @notice No tensor with this name.
    error TensorNotFound(string name);

    /// @notice `value / 10^decimals` as a Number.
    function number(int128 value, int128 decimals) internal pure returns (Number memory) {
        return Number(value, decimals);
    }

    /// @notice Numbers that all share one `decimals`.
    function numbers(int128[] memory values, int128 decimals) internal pure returns (Number[] memory out) {
        out = new Number[](values.length);
        for (uint256 i = 0; i < values.length; ++i) {
            out[i] = Number(values[i], decimals);
        }
    }

    /// @notice A tensor of any shape; reverts with ShapeMismatch unless the shape holds exactly `values.length` elements.
    function tensor(string memory name, int128[] memory values, int128 decimals, uint32[] memory shape)
        internal
        pure
        returns (MultiDimensionalNumberTensor memory)
    {
        uint256 expected = elementCount(shape);
        if (expected != values.length) revert ShapeMismatch(values.length, expected);
        return MultiDimensionalNumberTensor(name, numbers(values, decimals), shape);
    }

    /// @notice A 1-D tensor of shape `[values.length]`.
    function tensor1D(string memory name, int128[] memory values, int128 decimals)
        internal
        pure
        returns (MultiDimensionalNumberTensor memory)
    {
        uint32[] memory shape = new uint32[](1);
        shape[0] = uint32(values.length);
        return MultiDimensionalNumberTensor(name, numbers(values, decimals), shape);
    }

    /// @notice A 2-D tensor of shape `[rows, cols]` (row-major values).
    function tensor2D(string memory name, int128[] memory values, int128 decimals, uint32 rows, uint32 cols)
        internal
        pure
        returns (MultiDimensionalNumberTensor memory)
    {
        uint32[] memory shape = new uint32[](2);
        shape[0] = rows;
        shape[1] = cols;
        return tensor(name, values, decimals, shape);
    }

    /// @notice A scalar (shape `[]`).
    function scalar(string memory name, int128 value, int128 decimals)
        internal
        pure
        returns (MultiDimensionalNumberTensor memory t)
    {
        t.name = name;
        t.values = new Number[](1);
        t.values[0] = Number(value, decimals);
        t.shape = new uint32[](0);
    }

    /// @notice Product of the dimensions (1 for a scalar).
    function elementCount(uint32[] memory shape) internal pure returns (uint256 n) {
        n = 1;
        for (uint256 i = 0; i < shape.length; ++i) {
            n *= shape[i];
        }
    }

    /// @notice `n` as an integer scaled by `10^decimals`, e.g. toScaled({15, 1}, 3) == 1500.
    /// @dev Fewer decimals than `n` has truncate toward zero; a result beyond int256 reverts.
    function toScaled(Number memory n, uint8 decimals) internal pure returns (int256) {
        int256 shift = int256(uint256(decimals)) - int256(n.decimals);
        if (n.value == 0) return 0;
        // 10^76 is the largest power of ten an int256 holds; the uint256 -> int256 cast would wrap past it.
        if (shift > 76) revert ScaleOverflow(n.value, n.decimals, decimals);
        if (shift >= 0) return int256(n.value) * int256(10 ** uint256(shift));
        // |value| < 2^127 < 10^39: dividing by a larger power of ten leaves nothing.
        if (shift < -76) return 0;
        return int256(n.value) / int256(10 ** uint256(-shift));
    }

    /// @notice Every value of `t` scaled to `decimals` (see toScaled).
    function toScaledArray(MultiDimensionalNumberTensor memory t, uint8 decimals)
        internal
        pure
        returns (int256[] memory out)
    {
        out = new int256[](t.values.length);
        for (uint256 i = 0; i < out.length; ++i) {
            out[i] = toScaled(t.values[i], decimals);
        }
    }

    /// @notice Index of the number tensor called `name`.
    function indexOfNumberTensor(MultiDimensionalNumberTensor[] memory tensors, string memory name)
        internal
        pure
        returns (bool found, uint256 index)
    {
        bytes32 wanted = keccak256(bytes(name));
        for (uint256 i = 0; i < tensors.length; ++i) {
            if (keccak256(bytes(tensors[i].name)) == wanted) return (true, i);
        }
        return (false, 0);
    }

    /// @notice The number tensor called `name`; reverts with TensorNotFound if there is none.
    function findNumberTensor(MultiDimensionalNumberTensor[] memory tensors, string memory name)
        internal
        pure
        returns (MultiDimensionalNumberTensor memory)
    {
        (bool found, uint256 index) = indexOfNumberTensor(tensors, name);
        if (!found) revert TensorNotFound(name);
        return tensors[index];
    }

    /// @notice The string tensor called `name`; reverts with TensorNotFound if there is none.
    function findStringTensor(StringTensor[] memory tensors, string memory name)
        internal
        pure
        returns (StringTensor memory)
    {
        bytes32 wanted = keccak256(bytes(name));
        for (uint256 i = 0; i < tensors.length; ++i) {
            if (keccak256(bytes(tensors[i].name)) == wanted) return tensors[i];
        }
        revert TensorNotFound(name);
    }
}
