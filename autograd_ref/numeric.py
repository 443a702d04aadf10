"""Numerical differentiation, and gradient checks that explain what went wrong.

A central difference needs nothing but the function itself, so it is the yardstick every
hand-written backward is measured against.
"""
import numbers
from dataclasses import dataclass

import numpy as np

from . import ops
from .core import Variable, no_grad


def numerical_diff(f, x, eps=1e-4):
    """Central difference `(f(x + eps) - f(x - eps)) / (2 * eps)`.

    x is a number, an ndarray (for an elementwise f), or a Variable of any engine, even a
    notebook's own class (f then takes and returns Variables). Returns a float when f's value
    is a scalar, otherwise an ndarray shaped like f's value.
    """
    _check_eps(eps)
    upper = _value_of(f(_shifted(x, eps)))
    lower = _value_of(f(_shifted(x, -eps)))
    slope = (upper - lower) / (2 * eps)
    return float(slope) if slope.ndim == 0 else slope


def numerical_grad(f, x, eps=1e-4):
    """Gradient of a scalar-valued f at x: one central difference per element of x.

    x is a float ndarray of any shape, or a Variable holding one. f is called with x itself
    while one element at a time is nudged in place; every element is put back afterwards.
    """
    _check_eps(eps)
    array = x.data if _is_variable(x) else x
    _check_float_array(array)
    grad = np.zeros(array.shape)
    for index in np.ndindex(array.shape):
        original = array[index]
        try:
            array[index] = original + eps
            upper = _scalar_value_of(f(x))
            array[index] = original - eps
            lower = _scalar_value_of(f(x))
        finally:
            array[index] = original
        grad[index] = (upper - lower) / (2 * eps)
    return grad


@dataclass
class GradientComparison:
    """How one gradient compares with its numerical estimate (see `compare_gradient`)."""

    label: str
    shape: tuple
    ok: bool
    problem: str | None = None  # set when there is no number to compare (missing grad, wrong shape)
    element: tuple | None = None  # the element that misses its tolerance by the widest margin
    expected: float | None = None  # central difference at that element
    got: float | None = None  # backward's gradient at that element
    relative_error: float | None = None

    def __str__(self):
        where = f"{self.label} (shape {self.shape})"
        if self.problem:
            return f"{where}: {self.problem}"
        if self.element:
            where += f", {'worst element' if self.ok else 'element'} {self.element}"
        return (
            f"{where}: expected {self.expected:.6g} from central difference, "
            f"got {self.got:.6g} (relative error {self.relative_error:.1e})"
        )


def compare_gradient(expected, got, label="input 0", rtol=1e-4, atol=1e-5):
    """Compare a gradient `got` (ndarray, Variable or None) with a numerical `expected`.

    Passes when every element satisfies |got - expected| <= atol + rtol * |expected|.
    """
    expected = np.asarray(expected, dtype=float)
    if got is None:
        problem = "got no gradient (grad is None): backward never reached this input"
        return GradientComparison(label, expected.shape, ok=False, problem=problem)
    got = np.asarray(got.data if _is_variable(got) else got, dtype=float)
    if got.shape != expected.shape:
        problem = (
            f"got a gradient of shape {got.shape}, but a gradient always has the shape "
            f"of its input {expected.shape}"
        )
        return GradientComparison(label, expected.shape, ok=False, problem=problem)
    difference = np.abs(got - expected)
    # how many tolerances each element is off by: > 1 fails, the largest is the one to show
    misses = difference / (atol + rtol * np.abs(expected))
    worst = np.unravel_index(np.argmax(misses), misses.shape)
    return GradientComparison(
        label,
        expected.shape,
        ok=bool(np.all(misses <= 1)),  # written so that NaN fails
        element=tuple(int(i) for i in worst),
        expected=float(expected[worst]),
        got=float(got[worst]),
        relative_error=_relative_error(expected[worst], got[worst]),
    )


class GradientCheckReport:
    """The result of `gradient_check`: one GradientComparison per input, in order."""

    def __init__(self, title, inputs):
        self.title = title
        self.inputs = inputs

    @property
    def ok(self):
        return all(check.ok for check in self.inputs)

    def __bool__(self):
        return self.ok

    def __str__(self):
        failures = sum(not check.ok for check in self.inputs)
        verdict = f"failed for {failures} of" if failures else "passed for all"
        lines = [f"{self.title} {verdict} {len(self.inputs)} input(s)"]
        lines += [f"  {'ok  ' if check.ok else 'FAIL'} {check}" for check in self.inputs]
        return "\n".join(lines)

    def raise_if_failed(self):
        if not self.ok:
            raise AssertionError(str(self))


def gradient_check(f, *inputs, eps=1e-4, rtol=1e-4, atol=1e-5):
    """Check the engine's backward through f against central differences.

    f maps Variables to one Variable of any shape. inputs are Variables, ndarrays or numbers;
    they are copied to float64, so the caller's values and gradients stay untouched. A
    non-scalar output is reduced to sum(output * w) with fixed random weights w in [0.5, 1.5],
    so every output element (and any mix-up between them) shows in the gradients.
    """
    if not inputs:
        raise ValueError("gradient_check needs at least one input to differentiate f at")
    variables = [_float64_variable(x) for x in inputs]
    output = f(*variables)
    if not isinstance(output, Variable):
        raise TypeError(f"f must return one Variable, got {type(output).__name__}")
    weights = _output_weights(output.shape)
    loss = output if output.size == 1 else ops.sum(output * weights)
    loss.backward()

    # numerical_grad nudges each input's data in place, so this just reruns f on all of them
    def weighted_output(_):
        with no_grad():
            return np.sum(f(*variables).data * weights)

    comparisons = [
        compare_gradient(numerical_grad(weighted_output, x, eps), x.grad, _label(i, x), rtol, atol)
        for i, x in enumerate(variables)
    ]
    title = f"gradient check of {getattr(f, '__name__', 'f').strip('<>')}"
    if output.size > 1:
        title += f" (output shape {output.shape}, checked through sum(output * w))"
    return GradientCheckReport(title, comparisons)


def _is_variable(x):
    # ndarrays and numpy scalars have a `.data` (their raw buffer) too, so rule them out
    return hasattr(x, "data") and not isinstance(x, (np.ndarray, np.generic))


def _shifted(x, delta):
    if _is_variable(x):
        return type(x)(x.data + delta)
    if isinstance(x, (numbers.Number, np.ndarray)):
        return x + delta
    raise TypeError(
        f"x must be a number, an ndarray or a Variable, got {type(x).__name__}; "
        f"convert it first, e.g. np.array(x, dtype=float)"
    )


def _value_of(y):
    return np.asarray(y.data if _is_variable(y) else y, dtype=float)


def _scalar_value_of(y):
    value = _value_of(y)
    if value.size != 1:
        raise ValueError(
            f"f must return a scalar, got a value of shape {value.shape}; "
            f"reduce it first, e.g. with a sum"
        )
    return value.item()


def _check_eps(eps):
    if not eps > 0:
        raise ValueError(f"eps must be a small positive number such as 1e-4, got {eps!r}")


def _check_float_array(array):
    if not isinstance(array, np.ndarray) or not np.issubdtype(array.dtype, np.floating):
        kind = array.dtype if isinstance(array, np.ndarray) else type(array).__name__
        raise TypeError(
            f"x must be a float ndarray (its elements are nudged in place), got {kind}; "
            f"convert it first with np.array(x, dtype=float)"
        )


def _float64_variable(x):
    data = x.data if _is_variable(x) else x
    return Variable(np.array(data, dtype=np.float64), name=getattr(x, "name", None))


def _output_weights(shape):
    if np.prod(shape) == 1:
        return np.ones(shape)
    # fixed seed: the same check gives the same numbers every time
    return np.random.default_rng(0).uniform(0.5, 1.5, size=shape)


def _label(position, x):
    return f"input {position} {x.name!r}" if x.name else f"input {position}"


def _relative_error(expected, got):
    """|got - expected| / max(|got|, |expected|), 0 when both are 0 (as in CS231n's notes)."""
    scale = max(abs(expected), abs(got))
    return float(abs(got - expected) / scale) if scale > 0 else 0.0
