"""Stage 02's checks called directly, on slips no notebook run covers: a Square or Exp that changes
gy or works on scalars only, and a manual_backward that does not chain, forgets or mistakes the
seed, or calls backward on new Function objects, is named; any seed that is one everywhere y
is accepted."""
import re

import numpy as np
import pytest

from autograd_ref.stages import manual
from backprop_grading import stage02 as check

pytestmark = pytest.mark.stage02
in_process = pytest.mark.grading


def _define(source, name):
    """Run answer source in a namespace like the notebook's, and return what it defines."""
    namespace = {"np": np, "Variable": manual.Variable, "Function": manual.Function,
                 "Square": manual.Square, "Exp": manual.Exp}
    exec(source, namespace)
    return namespace[name]


GRAD_IN_PLACE = """
class Square(Function):
    def forward(self, x):
        return x ** 2

    def backward(self, gy):
        gy *= 2 * self.input.data
        return gy
"""

SCALAR_ONLY = """
import math

class Exp(Function):
    def forward(self, x):
        return math.exp(x)

    def backward(self, gy):
        return math.exp(self.input.data) * gy
"""


@pytest.mark.parametrize("source, name, phrase", [
    (GRAD_IN_PLACE, "Square", "changed the gy it was given"),
    (SCALAR_ONLY, "Exp", "works on arrays elementwise"),
])
@in_process
def test_function_slips_are_named(source, name, phrase):
    with pytest.raises(AssertionError, match=re.escape(phrase)):
        check.function_random(_define(source, name), name, seed=7)


NOT_CHAINED = """
def manual_backward(x_value):
    A, B, C = Square(), Exp(), Square()
    x = Variable(np.array(x_value))
    y = C(B(A(x)))
    y.grad = np.array(1.0)
    b_grad = C.backward(y.grad)
    a_grad = B.backward(y.grad)
    return A.backward(y.grad)
"""

NO_SEED = """
def manual_backward(x_value):
    A, B, C = Square(), Exp(), Square()
    x = Variable(np.array(x_value))
    y = C(B(A(x)))
    b_grad = C.backward(y.grad)
    a_grad = B.backward(b_grad)
    return A.backward(a_grad)
"""

FORMULA = """
def manual_backward(x_value):
    return 4 * x_value * np.exp(2 * x_value ** 2)
"""

FLOATS_ONLY = """
def manual_backward(x_value):
    A, B, C = Square(), Exp(), Square()
    y = C(B(A(Variable(float(x_value)))))
    return A.backward(B.backward(C.backward(1.0)))
"""


@pytest.mark.parametrize("source, phrase", [
    (NOT_CHAINED, "each backward gets the gradient of its own output"),
    (NO_SEED, "set y.grad = np.array(1.0)"),
    (FORMULA, "called no backward method"),
    (FLOATS_ONLY, "raised TypeError"),
])
@in_process
def test_manual_backward_slips_are_named(source, phrase):
    answer = _define(source, "manual_backward")
    with pytest.raises(AssertionError, match=re.escape(phrase)):
        check.manual_backward_value(answer, 0.5, expected=3.297442541400256)
        check.manual_backward_random(answer, seed=203)


SEEDED = """
def manual_backward(x_value):
    A, B, C = Square(), Exp(), Square()
    x = Variable(np.asarray(x_value, dtype=float))
    y = C(B(A(x)))
    y.grad = {seed}
    x.grad = A.backward(B.backward(C.backward(y.grad)))
    return x.grad
"""


@in_process
@pytest.mark.parametrize("seed", ["np.array(1.0)", "1.0", "np.ones_like(y.data)", "np.ones(np.shape(y.data))"])
def test_any_seed_that_is_one_everywhere_y_is_accepted(seed):
    answer = _define(SEEDED.format(seed=seed), "manual_backward")
    check.manual_backward_value(answer, 0.5, expected=3.297442541400256)
    check.manual_backward_random(answer, seed=203)  # its last input is an array of 4


@in_process
@pytest.mark.parametrize("seed", ["np.array(2.0)", "np.ones((1,) + y.data.shape)", "np.ones(5)"])
def test_a_seed_that_is_not_one_everywhere_y_is_refused(seed):
    answer = _define(SEEDED.format(seed=seed), "manual_backward")
    with pytest.raises(AssertionError, match=re.escape("backward starts from dy/dy = 1")):
        check.manual_backward_value(answer, 0.5, expected=3.297442541400256)


FRESH_FUNCTIONS = """
def manual_backward(x_value):
    x = Variable(np.array(x_value))
    y = Square()(Exp()(Square()(x)))
    y.grad = np.array(1.0)
    return Square().backward(Exp().backward(Square().backward(y.grad)))
"""


@in_process
def test_backward_on_a_new_function_object_is_named():
    answer = _define(FRESH_FUNCTIONS, "manual_backward")
    with pytest.raises(AssertionError) as caught:
        check.manual_backward_value(answer, 0.5, expected=3.297442541400256)
    message = str(caught.value)
    assert "called backward on a new Square() that the forward pass never used" in message
    assert "the very objects A, B, C that computed y = C(B(A(x)))" in message
