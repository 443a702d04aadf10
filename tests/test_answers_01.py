"""Stage 01 graded by an outsider's answers: correct ones written differently pass, typical
mistakes fail with a message that names the mistake, reference answers earn nothing, and
patching numpy or the grader rescues no wrong answer (the answer policy flags it besides).

Each fixture is one kernel execution of the student notebook with the answers written in
(marked `notebooks`); the tests below them run the checks in this process (marked `grading`).
"""
import pytest

from notebook_answers import failed, failures, kernel_run

pytestmark = pytest.mark.stage01
in_kernel, in_process = pytest.mark.notebooks, pytest.mark.grading
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


# The other slips, checked in this process (no kernel needed): each message names the mistake.
from backprop_grading import stage01 as check  # noqa: E402


def _backward_difference(f, x, eps=1e-4):
    return (f(x) - f(x - eps)) / eps


def _no_halving(f, x, eps=1e-4):
    return (f(x + eps) - f(x - eps)) / eps


def _precedence_slip(f, x, eps=1e-4):
    return (f(x + eps) - f(x - eps)) / 2 * eps


def _changes_x(f, x, eps=1e-4):
    x += eps
    upper = f(x)
    x -= 2 * eps
    return (upper - f(x)) / (2 * eps)


def _changes_x_and_puts_it_back(f, x, eps=1e-4):
    x += eps
    upper = f(x)
    x -= 2 * eps
    lower = f(x)
    x += eps
    return (upper - lower) / (2 * eps)


@in_process
@pytest.mark.parametrize("answer, phrase", [
    (_backward_difference, "one-sided"),
    (_changes_x_and_puts_it_back, "handed f the caller's own array"),
    (_no_halving, "divide by 2*eps"),
    (_precedence_slip, "write `/ (2 * eps)`"),
    (_changes_x, "changed the x it was given"),
])
def test_numerical_diff_slips_are_named(answer, phrase):
    with pytest.raises(AssertionError) as failure:
        check.numerical_diff_is_central(answer)
        check.numerical_diff_random(answer, seed=101)
    assert phrase in str(failure.value)


@in_process
@pytest.mark.parametrize("answer, phrase", [
    (lambda x, y, z: (x + y, x + y, z), "the *other* input"),
    (lambda x, y, z: (x + y, z, z), "in the order (df/dx, df/dy, df/dz)"),
    (lambda x, y, z: (-4.0, -4.0, 3.0), "expected"),
    (lambda x, y, z: ((x + y) * z, z, z, x + y), "must return three numbers"),
])
def test_circuit_gradients_slips_are_named(answer, phrase):
    with pytest.raises(AssertionError) as failure:
        check.circuit_gradients_value(answer, (-2.0, 5.0, -4.0), expected=(-4.0, -4.0, 3.0))
        check.circuit_gradients_random(answer, seed=102)
    assert phrase in str(failure.value)


@in_process
@pytest.mark.parametrize("answer_cell, name, reference", [
    ("from autograd_ref import numerical_diff", "numerical_diff", "autograd_ref.numeric.numerical_diff"),
    # the stand-in itself, a function written in the grading module
    ("circuit_gradients = check.use_or_reference(None, 'circuit_gradients')", "circuit_gradients",
     "backprop_grading.stage01._reference_circuit_gradients"),
    ("def circuit_gradients(x, y, z):\n    return getattr(check, 'use_or_reference')(None, "
     "'circuit_gradients')(x, y, z)", "circuit_gradients", "backprop_grading.stage01._reference_circuit_gradients"),
])
def test_the_reference_earns_nothing_however_it_is_reached(capsys, answer_cell, name, reference):
    namespace = {"check": check}  # what the notebook's setup cell binds
    exec(answer_cell, namespace)
    with check.exercise(name):
        if name == "numerical_diff":
            check.numerical_diff_value(namespace[name], lambda x: x ** 2, 3.0, expected=6.0)
        else:
            check.circuit_gradients_value(namespace[name], (-2.0, 5.0, -4.0), expected=(-4.0, -4.0, 3.0))
    assert f"runs the reference implementation's `{reference}`" in capsys.readouterr().err
