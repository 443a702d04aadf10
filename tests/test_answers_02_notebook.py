"""Stage 02 graded by an outsider's answers: correct ones written differently pass, typical
mistakes fail with a message that names the mistake, reference answers earn nothing,
and patching numpy or the reference rescues no wrong answer.

Each fixture is one kernel execution of the student notebook with the answers written in; the
other slips are checked in this process, against the same grading functions, in
test_answers_02_checks.py.
"""
import pytest

from notebook_answers import failed, failures, kernel_run

pytestmark = pytest.mark.stage02
in_kernel = pytest.mark.notebooks
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
