"""autograd_ref: the reference autograd engine the course builds towards.

    >>> from autograd_ref import Variable, square, exp
    >>> x = Variable(np.array(0.5))
    >>> y = square(exp(square(x)))
    >>> y.backward()
    >>> x.grad        # 3.2974425414002564
"""
from types import ModuleType as _ModuleType

from .core import Config, Function, Variable, as_array, as_variable, no_grad, using_config
from .ops import (  # noqa: A004  (sum and pow: see __all__ below)
    Add, BroadcastTo, Cos, Div, Exp, Log, MatMul, MeanSquaredError, Mul, Neg, Pow, ReLU,
    Reshape, Sigmoid, Sin, SoftmaxCrossEntropy, Sqrt, Square, Sub, Sum, SumTo, Tanh, Transpose,
    add, broadcast_to, cos, div, exp, log, matmul, mean_squared_error, mul, neg, pow, relu,
    reshape, sigmoid, sin, softmax, softmax_cross_entropy, sqrt, square, sub, sum, sum_to, tanh,
    transpose, setup_variable,
)

from .datasets import spiral
from .forward_mode import Dual
from .numeric import gradient_check, numerical_diff, numerical_grad
from .drawing import (
    dot_program, draw, draw_backward_steps, draw_circuit, draw_nodes, show_backward_steps,
)

setup_variable()  # Variable's operators (`x * y`, `x.T`, ...), all in one place

# `from autograd_ref import *` gives every public name but the modules and `sum` and `pow`,
# which would hide Python's own sum() and pow(); import those two by name.
__all__ = [name for name, value in globals().items()
           if not name.startswith("_") and not isinstance(value, _ModuleType)
           and name not in ("sum", "pow")]
