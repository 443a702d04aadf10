"""Stage 02 graded by an outsider's answers: correct ones written differently pass, typical
mistakes fail with a message that names the mistake, reference answers earn nothing,
and patching numpy or the reference rescues no wrong answer.

Each fixture is one kernel execution of the student notebook with the answers written in; the
other slips are checked in this process, against the same grading functions.
"""
import re

import numpy as np
import pytest

from backprop_grading import stage02 as check
from autograd_ref.stages import manual
from notebook_answers import failed, failures, kernel_run

pytestmark = pytest.mark.stage02
in_kernel, in_process = pytest.mark.notebooks, pytest.mark.grading
STAGE = "02_manual_backprop"

CORRECT = {
    # the input cached by forward, x * x, the factor written as a float
    "square": """
class Square(Function):
    def forward(self, value):
        self.cached = value
        return value * value

    def backward(self, upstream):
        return upstream * 2.0 * self.cached
""",
    # the derivative of exp is its output: cache that instead of recomputing it
    "exp": """
class Exp(Function):
    def forward(self, value):
        self.out = np.exp(value)
        return self.out

    def backward(self, upstream):
        return np.multiply(upstream, self.out)
""",
    # nested calls, a float seed, asarray
    "manual_backward": """
def manual_backward(x_value):
    first, second, third = Square(), Exp(), Square()
    third(second(first(Variable(np.asarray(x_value, dtype=float)))))
    return first.backward(second.backward(third.backward(1.0)))
""",
}

WRONG = {
    # the upstream gradient forgotten: right only when gy = 1
    "square": """
class Square(Function):
    def forward(self, x):
        return x ** 2

    def backward(self, gy):
        return 2 * self.input.data
""",
    # exp taken at the output instead of the input
    "exp": """
class Exp(Function):
    def forward(self, x):
        self.y = np.exp(x)
        return self.y

    def backward(self, gy):
        return np.exp(self.y) * gy
""",
    # backward called in the forward order
    "manual_backward": """
def manual_backward(x_value):
    A, B, C = Square(), Exp(), Square()
    x = Variable(np.array(x_value))
    y = C(B(A(x)))
    x.grad = A.backward(np.array(1.0))
    a_grad = B.backward(x.grad)
    return C.backward(a_grad)
""",
}

HIDDEN_SLIPS_WITH_TAMPERING = {
    # the factor 2 forgotten
    "square": """
class Square(Function):
    def forward(self, x):
        return x ** 2

    def backward(self, gy):
        return self.input.data * gy
""",
    # the upstream gradient forgotten: passes the visible tests (gy = 1), not the hidden ones
    "exp": """
class Exp(Function):
    def forward(self, x):
        return np.exp(x)

    def backward(self, gy):
        return np.exp(self.input.data)
""",
    # a wrong answer, and patches that would make it pass if the grader trusted them
    "manual_backward": """
import autograd_ref.stages.manual

def manual_backward(x_value):
    return 3.297442541400256

np.allclose = lambda *args, **kwargs: True
autograd_ref.stages.manual.Square.backward = lambda self, gy: gy
""",
}

REFERENCE = {
    "square": "from autograd_ref.stages.manual import Square",
    "exp": """
import autograd_ref.stages.manual as reference

class Exp(reference.Exp):
    pass
""",
    "manual_backward": """
import autograd_ref

def manual_backward(x_value):
    x = autograd_ref.Variable(np.array(x_value))
    y = autograd_ref.square(autograd_ref.exp(autograd_ref.square(x)))
    y.backward()
    return x.grad
""",
}


correct = kernel_run(STAGE, CORRECT)
wrong = kernel_run(STAGE, WRONG)
hidden_slips = kernel_run(STAGE, HIDDEN_SLIPS_WITH_TAMPERING)
reference = kernel_run(STAGE, REFERENCE)


@in_kernel
def test_correct_answers_written_differently_pass_every_test(correct):
    assert not failures(correct)


@pytest.mark.parametrize("cell, phrase", [
    ("test_square", "multiply the local gradient by the upstream gradient gy"),
    ("test_exp", "taken at the input x = self.input.data, not at the output"),
    ("test_manual_backward", "A.backward -> B.backward -> C.backward"),
])
@in_kernel
def test_typical_mistakes_are_named(wrong, cell, phrase):
    assert phrase in failed(wrong, cell).message


@in_kernel
def test_a_missing_factor_is_named(hidden_slips):
    assert "0.5 times the right one" in failed(hidden_slips, "test_square").message


@in_kernel
def test_a_forgotten_upstream_gradient_fails_the_hidden_tests(hidden_slips):
    assert "upstream gradient gy" in failed(hidden_slips, "test_exp").message


@in_kernel
def test_patching_numpy_or_the_reference_class_rescues_no_wrong_answer(hidden_slips):
    result = failed(hidden_slips, "test_manual_backward")
    assert result.outcome == "failed" and "called no backward method" in result.message


@in_kernel
def test_reference_answers_earn_nothing(reference):
    for cell in ("test_square", "test_exp", "test_manual_backward"):
        assert failed(reference, cell).outcome == "reference answer", reference[cell]
    assert "`autograd_ref.stages.manual.Exp`" in reference["test_exp"].message  # subclassed
    assert "`autograd_ref.ops." in reference["test_manual_backward"].message  # its Square or its Exp


# ---- more slips, checked in this process ----------------------------------------------------

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
