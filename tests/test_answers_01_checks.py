"""Stage 01's checks called directly, on slips no notebook run covers (no kernel needed): each
message names the mistake in numerical_diff or circuit_gradients, and the reference earns
nothing however it is reached."""
import pytest

from backprop_grading import stage01 as check

pytestmark = pytest.mark.stage01
in_process = pytest.mark.grading


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
