"""Shape operations and matrix multiplication.

`sum_to` and `broadcast_to` are each other's backward. Both follow one rule so that backward
passes can use them freely: ndarrays in, ndarrays out; Variables in, a recorded Function.
"""
import numpy as np

from ..core import Function, Variable


def sum_to(x, shape):
    """Sum `x` down to `shape`, undoing numpy broadcasting (e.g. (2, 3) -> (3,) or (1, 3))."""
    if x.shape == shape:
        return x
    shape = tuple(shape)
    if isinstance(x, Variable):
        return SumTo(shape)(x)
    return _sum_array_to(x, shape)


def broadcast_to(x, shape):
    """Repeat `x` along broadcast axes until it has `shape`."""
    if x.shape == shape:
        return x
    shape = tuple(shape)
    if isinstance(x, Variable):
        return BroadcastTo(shape)(x)
    return np.broadcast_to(x, shape)


def _sum_array_to(x, shape):
    extra_leading = x.ndim - len(shape)
    kept = x.shape[max(extra_leading, 0):]  # the axes shape lines up with, from the right
    if extra_leading < 0 or any(n not in (1, m) for n, m in zip(shape, kept)):
        raise ValueError(f"sum_to: cannot sum an array of shape {x.shape} down to {shape}.")
    stretched = tuple(extra_leading + i for i, n in enumerate(shape) if n == 1)
    y = x.sum(axis=tuple(range(extra_leading)) + stretched, keepdims=True)
    return y.reshape(shape)


class SumTo(Function):
    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        return _sum_array_to(x, self.shape)

    def backward(self, gy):
        x, = self.input_values()
        return broadcast_to(gy, x.shape)


class BroadcastTo(Function):
    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        return np.broadcast_to(x, self.shape)

    def backward(self, gy):
        x, = self.input_values()
        return sum_to(gy, x.shape)


class Sum(Function):
    def __init__(self, axis=None, keepdims=False):
        self.axis = axis
        self.keepdims = keepdims

    def forward(self, x):
        return x.sum(axis=self.axis, keepdims=self.keepdims)

    def backward(self, gy):
        x, = self.input_values()
        # put the summed axes back as size 1, then spread gy over them
        return broadcast_to(gy.reshape(_kept_shape(x.shape, self.axis)), x.shape)


def _kept_shape(shape, axis):
    """The shape `sum(axis, keepdims=True)` gives for an input of `shape`."""
    if axis is None:
        return (1,) * len(shape)
    axes = (axis,) if isinstance(axis, int) else axis
    summed = {a % len(shape) for a in axes}
    return tuple(1 if i in summed else n for i, n in enumerate(shape))


class Reshape(Function):
    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        return x.reshape(self.shape)

    def backward(self, gy):
        x, = self.input_values()
        return gy.reshape(x.shape)


class Transpose(Function):
    def __init__(self, axes=None):
        self.axes = axes

    def forward(self, x):
        return x.transpose(self.axes)

    def backward(self, gy):
        if self.axes is None:
            return gy.transpose()
        return gy.transpose(tuple(np.argsort(self.axes)))


class MatMul(Function):
    """x @ W for vectors and matrices. Vectors are treated as a row (left) or a column (right)."""

    def forward(self, x, W):
        if x.ndim > 2 or W.ndim > 2 or x.ndim == 0 or W.ndim == 0:
            raise ValueError(f"matmul takes vectors or matrices, got shapes {x.shape} and {W.shape}.")
        if x.shape[-1] != W.shape[0]:
            raise ValueError(
                f"matmul: shapes {x.shape} and {W.shape} do not fit: the last axis of the first "
                f"({x.shape[-1]}) must equal the first axis of the second ({W.shape[0]})."
            )
        return x @ W

    def backward(self, gy):
        x, W = self.input_values()
        x2 = x.reshape(1, -1) if x.ndim == 1 else x
        W2 = W.reshape(-1, 1) if W.ndim == 1 else W
        gy2 = gy.reshape(x2.shape[0], W2.shape[1])
        gx = (gy2 @ W2.T).reshape(x.shape)
        gW = (x2.T @ gy2).reshape(W.shape)
        return gx, gW


def sum(x, axis=None, keepdims=False):
    return Sum(axis, keepdims)(x)


def reshape(x, *shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    if isinstance(x, Variable) and x.shape == shape:
        return x
    return Reshape(shape)(x)


def transpose(x, axes=None):
    return Transpose(axes)(x)


def matmul(x, W):
    return MatMul()(x, W)

