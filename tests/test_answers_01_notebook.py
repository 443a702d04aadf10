"""Stage 01 graded by an outsider's answers: correct ones written differently pass, typical
mistakes fail with a message that names the mistake, reference answers earn nothing, and
patching numpy or the grader rescues no wrong answer (the answer policy flags it besides).

Each fixture is one kernel execution of the student notebook with the answers written in
(marked `notebooks`); test_answers_01_checks.py runs the checks in this process (marked
`grading`).
"""
import pytest

from notebook_answers import failed, failures, kernel_run

pytestmark = pytest.mark.stage01
in_kernel = pytest.mark.notebooks
STAGE = "01_computational_graphs"

CORRECT = {
    # other names, a 0-d array result, the halving written differently
    "numerical_diff": """
import numpy as np

def numerical_diff(func, point, eps=1e-4):
    above = func(point + eps)
    below = func(point - eps)
    return np.asarray(0.5 * (above - below) / eps)
""",
    # a list instead of a tuple, numbers through float()
    "circuit_gradients": """
def circuit_gradients(a, b, c):
    total = a + b
    upstream = 1.0
    grad_total = float(c) * upstream
    return [grad_total, grad_total, float(total) * upstream]
""",
}

FORWARD_AND_NO_UPSTREAM = {
    "numerical_diff": """
def numerical_diff(f, x, eps=1e-4):
    return (f(x + eps) - f(x)) / eps
""",
    # the add node's local gradient 1, never multiplied by the upstream gradient z
    "circuit_gradients": """
def circuit_gradients(x, y, z):
    q = x + y
    return 1.0, 1.0, q
""",
}

FIXED_STEP_AND_SWAPPED_WITH_TAMPERING = {
    # central, but always with its own step: right for the default eps only
    "numerical_diff": """
def numerical_diff(f, x, eps=1e-4):
    h = 1e-4
    return (f(x + h) - f(x - h)) / (2 * h)
""",
    # multiply node wrong way round, and an attempt to make every comparison pass
    "circuit_gradients": """
import numpy as np
import backprop_grading.checks as checks

def circuit_gradients(x, y, z):
    q = x + y
    return q, q, z

np.allclose = lambda *args, **kwargs: True
np.isclose = lambda *args, **kwargs: True
np.subtract = lambda a, b, *args, **kwargs: 0 * a
checks.expect_close = lambda *args, **kwargs: None
""",
}

REFERENCE = {
    # the reference fetched through the test cells' own `check` at run time
    "numerical_diff": """
def numerical_diff(f, x, eps=1e-4):
    return check.use_or_reference(None, 'numerical_diff')(f, x, eps)
""",
    "circuit_gradients": """
def circuit_gradients(x, y, z):
    xs = [Variable(np.array(float(v))) for v in (x, y, z)]
    f = (xs[0] + xs[1]) * xs[2]
    f.backward()
    return tuple(v.grad for v in xs)
""",
}


correct = kernel_run(STAGE, CORRECT)
forward_and_no_upstream = kernel_run(STAGE, FORWARD_AND_NO_UPSTREAM)
fixed_step_and_swapped = kernel_run(STAGE, FIXED_STEP_AND_SWAPPED_WITH_TAMPERING)
reference = kernel_run(STAGE, REFERENCE)


@in_kernel
def test_correct_answers_written_differently_pass_every_test(correct):
    assert not failures(correct)


@in_kernel
def test_forward_difference_is_named(forward_and_no_upstream):
    message = failed(forward_and_no_upstream, "test_numerical_diff").message
    assert "forward difference" in message
    assert "expected 6" in message


@in_kernel
def test_forgotten_upstream_gradient_is_named(forward_and_no_upstream):
    message = failed(forward_and_no_upstream, "test_circuit_gradients").message
    assert "upstream" in message and "expected (-4, -4, 3)" in message


@in_kernel
def test_a_step_that_ignores_eps_fails_the_hidden_tests(fixed_step_and_swapped):
    assert "use the eps you are given" in failed(fixed_step_and_swapped, "test_numerical_diff").message


@in_kernel
def test_patching_numpy_and_the_grader_does_not_rescue_a_wrong_answer(fixed_step_and_swapped):
    result = failed(fixed_step_and_swapped, "test_circuit_gradients")
    assert result.outcome == "failed" and "the *other* input" in result.message


@in_kernel
def test_reference_answers_earn_nothing(reference):
    for cell in ("test_numerical_diff", "test_circuit_gradients"):
        assert failed(reference, cell).outcome == "reference answer", reference[cell]
    assert "`autograd_ref.Variable.backward`" in reference["test_circuit_gradients"].message
    assert "`autograd_ref.numeric.numerical_diff`" in reference["test_numerical_diff"].message
