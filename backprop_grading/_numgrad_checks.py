"""Checks for stage 06's `numerical_gradient` and `relative_error` (a gradient check by hand).

Each scenario catches one kind of slip and names it: a forward difference, an `eps` ignored,
`x` left changed (by round-off too), nudges on a copy of a non-contiguous `x`,
state kept from one call to the next, nan where both arrays are 0. `stage06` hands them to the
test cells.
"""
import numpy as np

from autograd_ref import numeric
from .checks import call, expect_close, expect_true, rng


def reference_numerical_gradient(f, x, eps=1e-5):
    """The stand-in for an unfinished `numerical_gradient`: autograd_ref's, with this eps."""
    return numeric.numerical_grad(f, x, eps)


def reference_relative_error(a, b):
    """The stand-in for an unfinished `relative_error`."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    gaps = np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-12)
    return float(gaps.max()) if gaps.size else 0.0


class _Described:
    """The test's f, shown by what it computes: `numerical_gradient(sum(x**2), [1, 2])`."""

    def __init__(self, f, text):
        self.f, self.text = f, text

    def __call__(self, x):
        return self.f(x)

    def __repr__(self):
        return self.text


def _gradient(numerical_gradient, f, x, label, **eps):
    got = call(numerical_gradient, _Described(f, label), x, name="numerical_gradient", **eps)
    return np.asarray(got, dtype=float)


def numerical_gradient_value(numerical_gradient):
    """sum(x**3) at x = ones((2, 2)), eps=1e-2: 3.0001 per element (forward would give 3.0301)."""
    x = np.ones((2, 2))
    got = _gradient(numerical_gradient, lambda a: np.sum(a ** 3), x, "sum(x**3)", eps=1e-2)
    expect_true(got.shape == (2, 2), f"numerical_gradient returned shape {got.shape} for x of shape (2, 2): "
                                     f"one entry per element of x")
    expect_true(not np.allclose(got, 3.0301, rtol=1e-6),
                "sum(x**3) at x = 1 with eps=1e-2 gave 3.0301 per element: that is the forward difference "
                "(f(x+eps) - f(x)) / eps; use (f(x+eps) - f(x-eps)) / (2*eps)")
    expect_close(got, np.full((2, 2), 3.0001), "sum(x**3) at x = 1 with eps=1e-2 (central difference)", rtol=1e-9)
    _expect_restored(x, np.ones((2, 2)), "(2, 2)")


def relative_error_value(relative_error):
    """Equal arrays give 0, exact zeros in both give 0 (never nan), the worst element counts."""
    for a, b, expected, what in _RELATIVE_CASES[:2] + _RELATIVE_CASES[4:5]:
        _expect_relative(relative_error, a, b, expected, what)


def numerical_gradient_scenarios(numerical_gradient, seed):
    """Any shape, x restored exactly, non-contiguous x, two calls, f's return types, eps."""
    generator = rng(seed)
    first = _gradient(numerical_gradient, lambda a: np.sum(a ** 2), np.array([1.0, 2.0]), "sum(x**2)")
    second = _gradient(numerical_gradient, lambda a: np.sum(3 * a), np.array([1.0, 2.0]), "sum(3 x)")
    expect_true(np.allclose(second, 3.0, atol=1e-6) and np.allclose(first, [2.0, 4.0], atol=1e-5),
                f"a second call with another f returned {second}: nothing may carry over from one call to the "
                f"next (no default argument that remembers)")
    for shape in [(), (3,), (2, 3), (2, 1, 3)]:
        x, weights = generator.normal(size=shape), generator.normal(size=shape)
        before = x.copy()
        got = _gradient(numerical_gradient, lambda a: np.sum(weights * a ** 2), x, "sum(w * x**2)")
        _expect_restored(x, before, shape)
        expect_true(got.shape == shape, f"for x of shape {shape} the gradient has shape {got.shape}: "
                                        f"a gradient has the shape of x")
        expect_close(got, 2 * weights * before, f"gradient of sum(w * x**2) for x of shape {shape}",
                     rtol=1e-6, atol=1e-8)
    _non_contiguous(numerical_gradient, generator)
    _calls_and_returns(numerical_gradient, generator)
    got = _gradient(numerical_gradient, lambda a: np.sum(a ** 3), np.ones(1), "sum(x**3)", eps=0.1)
    expect_true(np.allclose(got, 3.01, rtol=1e-9),
                f"sum(x**3) at 1 with eps=0.1: expected 3.01 (3 + eps**2), got {got}: use the eps you are given")


def _expect_restored(x, before, shape):
    if not np.array_equal(x, before) and np.allclose(x, before, rtol=1e-12, atol=1e-15):
        raise AssertionError(f"x of shape {shape} is off by round-off after the call: x[i] += eps then "
                             f"x[i] -= eps does not give back the exact original; save original = x[i] and "
                             f"assign it back")
    expect_true(np.array_equal(x, before), f"x of shape {shape} changed: numerical_gradient must put every "
                                           f"nudged element back (x[i] = original)")


def _non_contiguous(numerical_gradient, generator):
    x = generator.normal(size=(3, 2)).T  # a transposed view: x.ravel() is a copy
    weights = np.arange(6.0).reshape(2, 3)
    got = _gradient(numerical_gradient, lambda a: np.sum(a * weights), x, "sum(w * x)")
    expect_true(got.shape == (2, 3) and np.allclose(got, weights, atol=1e-6),
                f"on a transposed x (not contiguous) expected {weights.tolist()}, got {got.tolist()}: "
                f"x.reshape(-1) or x.ravel() may be a copy, so nudging it never reaches f; index x itself with "
                f"np.ndindex(x.shape)")
    expect_true(not np.shares_memory(got, x), "the gradient you returned shares memory with x: return a new array")


def _calls_and_returns(numerical_gradient, generator):
    calls = []
    x = generator.normal(size=(2, 2))
    _gradient(numerical_gradient, lambda a: calls.append(1) or float(np.sum(a)), x, "sum(x)")
    expect_true(len(calls) == 2 * x.size, f"f was called {len(calls)} times for {x.size} elements: a central "
                                          f"difference needs two calls per element")
    for wrap in (np.asarray, np.float64, float):
        got = _gradient(numerical_gradient, lambda a: wrap(np.sum(a)), np.zeros(2), f"{wrap.__name__}(sum(x))")
        expect_close(got, [1.0, 1.0], f"the gradient of sum(x) when f returns {wrap.__name__}", atol=1e-6)


_RELATIVE_CASES = [
    (np.array([1.0, 2.0]), np.array([1.0, 2.0]), 0.0, "equal arrays"),
    (np.array([0.0, 1.0]), np.array([0.0, 1.0]), 0.0, "exact zeros in both (0 where both are 0, never nan)"),
    (np.zeros(3), np.zeros(3), 0.0, "all zeros"),
    (np.array([1.0, 0.0]), np.array([1.0, 1e-3]), 1.0, "zero against a small number (relative error 1)"),
    (np.array([1e-3, 1.0]), np.array([2e-3, 1.0]), 1 / 3,
     "[1e-3, 1] against [2e-3, 1] (the worst element counts, not the mean or a norm of the whole array)"),
    (np.array(2.0), 1.0, 1 / 3, "a 0-d array and a plain number"),
    (np.array([-1.0, 3.0]), np.array([1.0, 3.0]), 1.0, "opposite signs (|a| + |b| in the denominator, not |a + b|)"),
]


def relative_error_scenarios(relative_error):
    for a, b, expected, what in _RELATIVE_CASES:
        _expect_relative(relative_error, a, b, expected, what)


def _expect_relative(relative_error, a, b, expected, what):
    a_before, b_before = np.array(a, copy=True), np.array(b, copy=True)
    got = call(relative_error, a, b, name="relative_error")
    expect_true(np.ndim(got) == 0 and bool(np.isfinite(float(got))),
                f"relative_error for {what} returned {got!r}: one finite number (0 where both are 0, never nan)")
    expect_true(abs(float(got) - expected) <= 1e-12,
                f"relative_error for {what}: expected {expected:.6g}, got {float(got):.6g}; the formula is "
                f"max over elements of |a - b| / max(|a| + |b|, 1e-12)")
    expect_true(np.array_equal(a, a_before) and np.array_equal(b, b_before),
                f"relative_error changed its inputs ({what}): compute on new arrays")
