"""Every op of the engine and its lowercase wrapper (`square(x)` builds `Square()(x)`), and
`setup_variable`, the one place that gives Variable its operators and array methods."""
import numpy as np

from ..core import NUMPY_OPS, Variable
from .arithmetic import Add, Div, Mul, Neg, Pow, Sub, add, div, mul, neg, pow, rdiv, rsub, sub
from .elementwise import (
    Cos, Exp, Log, ReLU, Sigmoid, Sin, Sqrt, Square, Tanh,
    cos, exp, log, relu, sigmoid, sin, sqrt, square, tanh,
)
from .losses import (
    MeanSquaredError, SoftmaxCrossEntropy, mean_squared_error, softmax, softmax_cross_entropy,
)
from .tensor import (
    BroadcastTo, MatMul, Reshape, Sum, SumTo, Transpose,
    broadcast_to, matmul, reshape, sum, sum_to, transpose,
)


def setup_variable():
    """Make `x + y`, `2 * x`, `x @ W`, `x.T`, `x.sum()` and `np.exp(x)` run the engine's ops.
    (`ndarray @ x` and `ndarray * x` go through numpy, so NUMPY_OPS serves them.)

    Called once, when autograd_ref is imported (as in DeZero's setup_variable).
    """
    Variable.__add__ = Variable.__radd__ = add
    Variable.__mul__ = Variable.__rmul__ = mul
    Variable.__neg__ = neg
    Variable.__sub__ = sub
    Variable.__rsub__ = rsub
    Variable.__truediv__ = div
    Variable.__rtruediv__ = rdiv
    Variable.__pow__ = pow
    Variable.__matmul__ = matmul
    Variable.reshape = reshape
    Variable.transpose = _transpose_method
    Variable.T = property(transpose)
    Variable.sum = sum
    NUMPY_OPS.update({
        np.add: add, np.subtract: sub, np.multiply: mul, np.divide: div, np.negative: neg,
        np.power: pow, np.matmul: matmul,
        np.square: square, np.exp: exp, np.log: log, np.sqrt: sqrt,
        np.sin: sin, np.cos: cos, np.tanh: tanh,
    })


def _transpose_method(x, *axes):
    """x.transpose(), x.transpose(1, 0) and x.transpose((1, 0)) as numpy allows."""
    if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
        axes = axes[0]
    return transpose(x, tuple(axes) or None)
