"""Stage 06's numerical_gradient and relative_error checks called directly: each slip is named,
and the reference passes its own checks."""
import numpy as np
import pytest

from backprop_grading import stage06 as check
from grading_cells import failure

pytestmark = pytest.mark.stage06


def _forward_difference(f, x, eps=1e-5):
    grad, at_x = np.zeros(x.shape), f(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + eps
        grad[index] = (f(x) - at_x) / eps
        x[index] = original
    return grad


def _nudging_a_flat_copy(f, x, eps=1e-5):
    flat, grad = x.reshape(-1), np.zeros(x.size)
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + eps
        upper = f(x)
        flat[i] = original - eps
        lower = f(x)
        flat[i] = original
        grad[i] = (upper - lower) / (2 * eps)
    return grad.reshape(x.shape)


def _restoring_without_finally(f, x, eps=1e-5):
    """CS231n's loop: each element put back after its two calls (the contract asks no more)."""
    grad = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + eps
        upper = f(x)
        x[index] = original - eps
        lower = f(x)
        x[index] = original
        grad[index] = (upper - lower) / (2 * eps)
    return grad


def _remembering(f, x, eps=1e-5, _cache={}):  # noqa: B006  (the slip under test)
    if x.shape not in _cache:
        _cache[x.shape] = check.reference_numerical_gradient(f, x, eps)
    return _cache[x.shape]


def _relative_error_nan_at_zeros(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / (np.abs(a) + np.abs(b))))


def _relative_error_of_norms(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-12))


def _relative_error_of_the_sum(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a + b), 1e-12)))


def _gradient_checks(numerical_gradient):
    check.numerical_gradient_value(numerical_gradient)
    check.numerical_gradient_scenarios(numerical_gradient, seed=656)


def _relative_error_checks(relative_error):
    check.relative_error_value(relative_error)
    check.relative_error_scenarios(relative_error)


@pytest.mark.grading
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("checks, answer, phrase", [
    (_gradient_checks, _forward_difference, "that is the forward difference"),
    (_gradient_checks, _nudging_a_flat_copy, "on a transposed x (not contiguous)"),
    (_gradient_checks, _remembering, "nothing may carry over from one call to the next"),
    (_relative_error_checks, _relative_error_nan_at_zeros, "never nan"),
    (_relative_error_checks, _relative_error_of_norms, "the worst element counts"),
    (_relative_error_checks, _relative_error_of_the_sum, "not |a + b|"),
])
def test_gradient_check_slips_are_named(checks, answer, phrase):
    assert phrase in failure(checks, answer)


@pytest.mark.grading
def test_the_reference_gradient_check_passes_its_own_checks():
    _gradient_checks(check.reference_numerical_gradient)


@pytest.mark.grading
def test_restoring_each_element_without_a_finally_passes():
    _gradient_checks(_restoring_without_finally)
    _relative_error_checks(check.reference_relative_error)
