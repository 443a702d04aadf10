"""autograd_ref: the reference autograd engine the course builds towards.

    >>> from autograd_ref import Variable, square, exp
    >>> x = Variable(np.array(0.5))
    >>> y = square(exp(square(x)))
    >>> y.backward()
    >>> x.grad        # 3.2974425414002564
"""
from .core import Config, Function, Variable, as_array, as_variable, no_grad, using_config
from .ops import *  # noqa: F401,F403  (every op and its lowercase wrapper)

from .datasets import spiral
from .forward_mode import Dual
from .numeric import gradient_check, numerical_diff, numerical_grad
from .drawing import (
    dot_program, draw, draw_backward_steps, draw_circuit, draw_nodes, show_backward_steps,
)
