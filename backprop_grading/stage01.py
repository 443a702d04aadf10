"""Checks for stage 01 (computational graphs): `numerical_diff` and `circuit_gradients`.

The notebook's test cells call these; each failure says what came back, what was expected,
and the likely slip (a forward difference, a missing factor 2, a forgotten upstream gradient).
"""
import numpy as np

from autograd_ref import numeric
from autograd_ref.core import Variable
from ._exercise import Exercise, Stage
from .checks import call, expect_close, expect_true, rng
from ._describe import short_repr


def _circuit(x, y, z):
    return (x + y) * z


def _reference_circuit_gradients(x, y, z):
    """The stand-in for an unfinished `circuit_gradients`: forward, then the chain rule."""
    q = x + y
    return z, z, q


STAGE = Stage([
    Exercise("numerical_diff", numeric.numerical_diff, lambda answer: answer(np.exp, 0.0),
             counterparts={"autograd_ref.numeric.numerical_grad": numeric.numerical_grad}),
    # the gradients must come from the student's chain rule, not from the engine's backward
    Exercise("circuit_gradients", _reference_circuit_gradients,
             lambda answer: answer(-2.0, 5.0, -4.0),
             counterparts={"autograd_ref.Variable.backward": Variable.backward},
             stand_in_name="autograd_ref's own circuit_gradients"),
])
exercise, use_or_reference = STAGE.exercise, STAGE.use_or_reference


# ---- numerical_diff -------------------------------------------------------------------------

def numerical_diff_value(numerical_diff, f, x, expected, label=None):
    """numerical_diff(f, x) with the default eps must be close to `expected`.

    label: how to show f in a message (default: its name), e.g. "lambda x: x**2".
    """
    got = _run(numerical_diff, f, x, None)
    expect_close(got, expected, _call_text(f, x, None, label), rtol=1e-6, atol=1e-9,
                 hint=_slip(got, f, x, 1e-4))


def _cube(x):
    return x ** 3


def numerical_diff_is_central(numerical_diff):
    """x**3 at 1 with eps=1e-2: central 3.0001, forward 3.0301, backward 2.9701."""
    _match_central(numerical_diff, _cube, 1.0, 1e-2, label="lambda x: x**3")


def numerical_diff_uses_eps(numerical_diff):
    """The step is the eps given, by keyword or by position (x**3 at 1 with eps=0.5 is 3.25)."""
    _match_central(numerical_diff, _cube, 1.0, 0.5, label="lambda x: x**3")
    got = call(numerical_diff, _cube, 1.0, 0.5, name="numerical_diff")
    expect_close(got, numeric.numerical_diff(_cube, 1.0, 0.5),
                 "numerical_diff(lambda x: x**3, 1.0, 0.5) with eps passed by position", rtol=1e-9)


def numerical_diff_random(numerical_diff, seed):
    """Smooth functions at random points and steps, floats and 0-d arrays; x stays unchanged."""
    generator = rng(seed)
    functions = [
        ("np.sin", np.sin), ("np.exp", np.exp), ("np.tanh", np.tanh),
        ("lambda x: x**4 - 2*x", lambda x: x ** 4 - 2 * x),
        ("lambda x: 1 / (1 + x**2)", lambda x: 1 / (1 + x ** 2)),
    ]
    for label, f in functions:
        x = float(generator.uniform(-2, 2))
        eps = float(10 ** generator.uniform(-4, -2))
        _match_central(numerical_diff, f, x, eps, label=label)
    _match_central(numerical_diff, np.log, np.array(0.5), 1e-3, label="np.log")
    _hands_f_new_values(numerical_diff)


def _hands_f_new_values(numerical_diff):
    """With eps = 0.25, `x += eps ... x -= 2*eps ... x += eps` ends exactly where it began, so only
    the arrays f receives show that f was handed the caller's own x, changed in place."""
    x, received = np.array(0.5), []

    def f(value):
        received.append(value)
        return float(value) ** 3

    call(numerical_diff, f, x, name="numerical_diff", eps=0.25)
    expect_true(not any(value is x for value in received),
                "numerical_diff changed x in place (x += eps) and handed f the caller's own array: build "
                "new values x + eps and x - eps, the caller's x belongs to the caller")


def _match_central(numerical_diff, f, x, eps, label=None):
    got = _run(numerical_diff, f, x, eps)
    expected = numeric.numerical_diff(f, x, eps)
    expect_close(got, expected, _call_text(f, x, eps, label), rtol=1e-8, atol=1e-12,
                 hint=_slip(got, f, x, eps))


def _run(numerical_diff, f, x, eps):
    """The student's estimate, given a copy of x so that an in-place change shows."""
    kwargs = {} if eps is None else {"eps": eps}
    given = np.array(x) if isinstance(x, np.ndarray) else x
    got = call(numerical_diff, f, given, name="numerical_diff", **kwargs)
    if isinstance(x, np.ndarray):
        expect_true(bool(given == x), f"numerical_diff changed the x it was given (from "
                    f"{float(x):.6g} to {float(given):.6g}): build new values `x + eps` and "
                    f"`x - eps` instead of changing x in place with `x += eps`")
    return got


def _call_text(f, x, eps, label=None):
    label = label or getattr(f, "__name__", "f")
    step = "" if eps is None else f", eps={eps:.3g}"
    return f"numerical_diff({label}, {float(x):.6g}{step})"


def _slip(got, f, x, eps):
    """The formula `got` came from, when it is a known wrong one; else a general hint."""
    try:
        got = np.asarray(getattr(got, "data", got), dtype=float).item()
    except (TypeError, ValueError):
        return "return a single number"
    upper, centre, lower = (float(f(x + eps)), float(f(x)), float(f(x - eps)))
    slips = [
        ((upper - centre) / eps, "this is the forward difference (f(x+eps) - f(x)) / eps; "
         "take one point on each side of x: f(x+eps) and f(x-eps)"),
        ((centre - lower) / eps, "this is the one-sided difference (f(x) - f(x-eps)) / eps; "
         "take one point on each side of x: f(x+eps) and f(x-eps)"),
        ((upper - lower) / eps, "divide by 2*eps: f(x+eps) and f(x-eps) are 2*eps apart"),
        ((upper - lower) / 2 * eps, "`/ 2 * eps` divides by 2 and then multiplies by eps: "
         "write `/ (2 * eps)`"),
        ((float(f(x + 1e-4)) - float(f(x - 1e-4))) / 2e-4, f"use the eps you are given "
         f"(here {eps:g}), not a fixed step"),
    ]
    for value, message in slips:
        if abs(got - value) <= 1e-9 * max(1.0, abs(value)):
            return message
    return "return (f(x + eps) - f(x - eps)) divided by 2 * eps"


# ---- circuit_gradients ----------------------------------------------------------------------

NAMES = ("df/dx", "df/dy", "df/dz")


def circuit_gradients_value(circuit_gradients, inputs, expected):
    """circuit_gradients(*inputs) must be close to the three numbers `expected`."""
    _check_point(circuit_gradients, tuple(inputs), expected)


def circuit_gradients_random(circuit_gradients, seed):
    """Random points (floats and ints) checked against central differences of (x+y)*z."""
    generator = rng(seed)
    points = [tuple(float(v) for v in generator.uniform(-5, 5, size=3)) for _ in range(4)]
    points.append(tuple(int(v) for v in generator.integers(-9, 10, size=3)))
    for x, y, z in points:
        partials = (lambda t: _circuit(t, y, z), lambda t: _circuit(x, t, z),
                    lambda t: _circuit(x, y, t))
        expected = [numeric.numerical_diff(f, float(at), 1e-6) for f, at in zip(partials, (x, y, z))]
        _check_point(circuit_gradients, (x, y, z), expected)


def _check_point(circuit_gradients, point, expected):
    where = f"circuit_gradients{short_repr(point)}"
    got = call(circuit_gradients, *point, name="circuit_gradients")
    expect_true(isinstance(got, (tuple, list, np.ndarray)) and len(got) == 3,
                f"{where} must return three numbers (df/dx, df/dy, df/dz), "
                f"got {short_repr(got)}")
    slip = _circuit_slip(list(got), *point)
    expect_true(slip is None, f"{where}: expected {short_repr(tuple(expected))}, "
                f"got {short_repr(tuple(got))}; {slip}")
    for name, value, wanted in zip(NAMES, got, expected):
        expect_close(value, wanted, f"{where}: {name}", rtol=1e-6, atol=1e-9, hint=(
            "forward: q = x + y; backward: df/dq = z and df/dz = q (multiply node), "
            "then df/dx = df/dy = df/dq (add node)"))


def _circuit_slip(got, x, y, z):
    """Name the chain-rule slip that explains `got` (a list of three), or None."""
    try:
        got = [np.asarray(getattr(v, "data", v), dtype=float).item() for v in got]
    except (TypeError, ValueError):
        return None  # expect_close explains what is not a number
    q = x + y
    slips = [
        ((1, 1, q), "the add node's local gradient 1 must be multiplied by the upstream "
         "gradient df/dq = z (downstream = upstream x local)"),
        ((q, q, z), "the multiply node gives each input the *other* input: df/dq = z and df/dz = q"),
        ((q, z, z), "return the gradients in the order (df/dx, df/dy, df/dz)"),
        ((z, q, z), "return the gradients in the order (df/dx, df/dy, df/dz)"),
    ]
    right = (z, z, q)
    for values, message in slips:
        if _same(got, values) and not _same(values, right):  # x + y == z makes some slips right
            return message
    return None


def _same(numbers, others):
    return all(abs(a - b) <= 1e-9 * max(1.0, abs(b)) for a, b in zip(numbers, others))
