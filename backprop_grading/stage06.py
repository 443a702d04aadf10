"""Checks for stage 06 (vectors and matrices): `sum_to`, `MatMul`, `ReLU`,
`SoftmaxCrossEntropy`, `l2_example` and `numerical_gradient` (with `relative_error`).

Answers are plain numpy: `backward(gy)` gets an ndarray and returns ndarrays. The checks call
them that way (under no_grad, as the engine does) and then inside the engine, against central
differences. Failures say which rows or columns are wrong, or that a gradient is transposed.
How an answer is called and its arrays judged is in `_array_functions`. The `l2_example` and
`numerical_gradient` checks live in `_l2_checks` and `_numgrad_checks`; the notebook calls them
from here, like the rest.
"""
import itertools
import tracemalloc

import numpy as np

from autograd_ref import numeric, ops
from autograd_ref.core import Variable
from autograd_ref.ops import tensor
from ._answer_probes import known_slip
from ._array_functions import (
    call_backward, engine_grads, expect_gradient_array, expect_left_alone, shape_errors_explained,
)
from ._arrays import matches
from ._l2_checks import (  # noqa: F401  (test cells call them as check.<name>)
    l2_example_random, l2_example_value, reference_l2_example,
)
from ._numgrad_checks import (  # noqa: F401  (test cells call them as check.<name>)
    numerical_gradient_scenarios, numerical_gradient_value, reference_numerical_gradient,
    reference_relative_error, relative_error_scenarios, relative_error_value,
)
from ._exercise import Exercise, Stage
from ._kinks_and_spreads import relu_at_zeros, softmax_spread_in_a_row
from .checks import call, expect_close, expect_gradient, expect_true, rng


def _probe_function(*arrays):
    """Probe for a Function class: forward, then backward through the engine."""
    def probe(cls):
        variables = [Variable(a) for a in arrays]
        ops.sum(cls()(*variables)).backward()
    return probe


_SMALL = np.array([[1.0, -2.0], [0.5, 3.0]])


def _labelled(*objects):
    return {f"{obj.__module__}.{obj.__qualname__}": obj for obj in objects}


STAGE = Stage([
    Exercise("sum_to", ops.sum_to, lambda f: f(np.ones((2, 3)), (3,)),
             counterparts=_labelled(tensor._sum_array_to, ops.SumTo)),
    Exercise("MatMul", ops.MatMul, _probe_function(_SMALL, _SMALL), counterparts=_labelled(ops.matmul)),
    Exercise("ReLU", ops.ReLU, _probe_function(_SMALL), counterparts=_labelled(ops.relu)),
    Exercise("SoftmaxCrossEntropy", ops.SoftmaxCrossEntropy, _probe_function(_SMALL, np.array([0, 1])),
             counterparts=_labelled(ops.softmax_cross_entropy, ops.softmax)),
    Exercise("l2_example", reference_l2_example, lambda f: f(_SMALL, np.ones(2)),
             stand_in_name="an l2_example computed by autograd_ref's engine"),
    # the answer's test block is "numerical_gradient"; relative_error has a fallback of its own
    Exercise("numerical_gradient", reference_numerical_gradient, lambda f: f(np.sum, np.ones(2)),
             counterparts=_labelled(numeric.numerical_grad, numeric.numerical_diff, numeric.gradient_check)),
    Exercise("relative_error", reference_relative_error, lambda f: f(np.ones(2), np.ones(2)),
             counterparts=_labelled(numeric.compare_gradient)),
])
exercise, use_or_reference = STAGE.exercise, STAGE.use_or_reference


def _shape_of(value):
    return getattr(value, "shape", None)


# ---- sum_to ---------------------------------------------------------------------------------

def _axes_to_sum(g_shape, shape):
    lead = len(g_shape) - len(shape)
    return tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape) if n == 1 and g_shape[lead + i] != 1)


def _leading_and_size_one(g_shape, shape):
    """The rule for the case that slips most: leading axes together with size-1 target axes."""
    lead = len(g_shape) - len(shape)
    shifted = tuple(lead + i for i, n in enumerate(shape) if n == 1 and g_shape[lead + i] != 1)
    if not lead or not shifted:
        return ""
    return (f"g of shape {g_shape} has {lead} leading axis(es) that {shape} lacks, so axis i of the "
            f"target is axis {lead} + i of g: the size-1 target axes are g's axes {shifted} (not "
            f"{tuple(i - lead for i in shifted)}); ")


def _sum_to_hint(g, got, shape):
    axes = _axes_to_sum(g.shape, shape)
    right = (f"{_leading_and_size_one(g.shape, shape)}for shape {shape}, sum g over axes {axes} (the axes "
             f"g has in front that {shape} lacks, and the axes where {shape} has size 1), then reshape to {shape}")
    slips = [(g, f"your result is g itself, nothing summed; {right}")]
    slips += [(g.sum(axis=subset, keepdims=keep), f"your result is g.sum(axis={subset}, keepdims={keep}); {right}")
              for r in range(1, g.ndim + 1) for subset in itertools.combinations(range(g.ndim), r)
              for keep in (True, False)]
    return known_slip(got, slips, right)


def sum_to_value(sum_to, g, shape, expected):
    """sum_to(g, shape) must equal `expected` and leave g as it was."""
    g = np.array(g, dtype=float)
    kept = g.copy()
    what = f"sum_to(g of shape {g.shape}, {shape})"
    got = shape_errors_explained(lambda: call(sum_to, g, shape, name="sum_to"),
                                  _leading_and_size_one(g.shape, shape) + f"the result has shape {shape}")
    expect_close(got, expected, what, rtol=1e-9, atol=1e-12, hint=_sum_to_hint(g, got, shape))
    expect_true(matches(g, kept, 0, 0), f"{what} changed g: build a new array instead of writing into g")


def sum_to_random(sum_to, seed):
    """Random broadcasts: leading axes, size-1 axes, both, none, and down to a scalar."""
    for shape in [(2, 1), (1, 3), (1, 1), (1, 2, 1)]:  # leading axes with size-1 target axes
        g = np.arange(24.0).reshape(4, 2, 3) - 11.5
        sum_to_value(sum_to, g, shape, ops.sum_to(g, shape))
    generator = rng(seed)
    for case in range(12):
        shape = tuple(int(n) for n in generator.integers(1, 5, size=generator.integers(0, 4)))
        stretched = tuple(int(generator.integers(2, 5)) if n == 1 and generator.random() < 0.7 else n for n in shape)
        lead = tuple(int(n) for n in generator.integers(2, 4, size=generator.integers(0 if case % 3 else 1, 3)))
        g = generator.normal(size=lead + stretched)
        sum_to_value(sum_to, g, shape, ops.sum_to(g, shape))


# ---- MatMul ---------------------------------------------------------------------------------

def matmul_value(MatMul, x, W, gy):
    """MatMul()(x, W) is x @ W; backward(gy) is (gy @ W.T, x.T @ gy)."""
    x, W, gy = (np.array(a, dtype=float) for a in (x, W, gy))
    given = {"x": x.copy(), "W": W.copy(), "gy": gy.copy()}  # the answer gets these; x, W, gy stay
    func = MatMul()
    y = shape_errors_explained(
        lambda: call(func, Variable(given["x"]), Variable(given["W"]), name="MatMul()"),
        f"forward gets x of shape {x.shape} (N, D) and W of shape {W.shape} (D, H) and returns "
        f"x @ W, of shape (N, H) = {(x @ W).shape}")
    expect_close(y, x @ W, f"MatMul forward with x of shape {x.shape} and W of shape {W.shape}",
                 hint="forward returns x @ W")
    gx, gW = shape_errors_explained(lambda: call_backward(func, given["gy"], "MatMul", 2),
                                     _matmul_shape_rule(x, W, gy))
    expect_left_alone("MatMul", given, {"x": x, "W": W, "gy": gy}, {"forward's y": y, "gx": gx, "gW": gW})
    swapped = _shape_of(gx) == W.shape != x.shape and _shape_of(gW) == x.shape
    expect_true(not swapped,
                "MatMul.backward returned (gW, gx): return the gradients in the order of "
                "forward's inputs, (gx, gW)")
    ones = np.ones_like(gy)
    expect_gradient_array(gx, gy @ W.T, f"MatMul.backward: gx (x has shape {x.shape}, gy {gy.shape})", known_slip(
        gx, [(ones @ W.T, "multiply by the upstream gradient gy, not by ones")],
        f"gx has x's shape {x.shape}; the one product of gy {gy.shape} and W {W.shape} with that shape is gy @ W.T"))
    expect_gradient_array(gW, x.T @ gy, f"MatMul.backward: gW (W has shape {W.shape}, gy {gy.shape})", known_slip(
        gW, [(x.T @ ones, "multiply by the upstream gradient gy, not by ones")],
        f"gW has W's shape {W.shape}; the one product of x {x.shape} and gy {gy.shape} with that shape is x.T @ gy"))


def _matmul_shape_rule(x, W, gy):
    return (f"x is {x.shape}, W is {W.shape}, gy is {gy.shape}. Each gradient has its input's shape: "
            f"gx = gy @ W.T is {gy.shape} @ {W.T.shape} -> {x.shape}, x's shape (N, D); "
            f"gW = x.T @ gy is {x.T.shape} @ {gy.shape} -> {W.shape}, W's shape (D, H)")


def matmul_random(MatMul, seed):
    """Random shapes (tall, wide, square), then inside the engine against central differences."""
    generator = rng(seed)
    for n, d, h in [(3, 4, 2), (1, 5, 3), (4, 2, 1), (3, 3, 3), tuple(generator.integers(1, 6, size=3))]:
        x, W, gy = generator.normal(size=(n, d)), generator.normal(size=(d, h)), generator.normal(size=(n, h))
        matmul_value(MatMul, x, W, gy)
    matmul_value(MatMul, generator.normal(size=(3, 1)), [[1.0]], generator.normal(size=(3, 1)))  # W = 1: gx = gy
    x, W, w = generator.normal(size=(3, 4)), generator.normal(size=(4, 2)), generator.uniform(0.5, 1.5, size=(3, 2))
    gx, gW = engine_grads(MatMul, (x, W), w, "sum(MatMul()(x, W) * w).backward")
    expect_gradient(gx, lambda xv: np.sum((xv @ W) * w), x, "MatMul in the engine: x.grad")
    expect_gradient(gW, lambda Wv: np.sum((x @ Wv) * w), W, "MatMul in the engine: W.grad")


# ---- ReLU -----------------------------------------------------------------------------------

def relu_value(ReLU, x, gy):
    """forward max(x, 0); backward gy where x > 0, else 0 (x holds no exact zeros here)."""
    x, gy = np.array(x, dtype=float), np.array(gy, dtype=float)
    given = {"x": x.copy(), "gy": gy.copy()}  # the answer gets these; x and gy stay
    func = ReLU()
    y = call(func, Variable(given["x"]), name="ReLU()")
    expect_close(y, np.maximum(x, 0), f"ReLU forward at x={x!r:.60}", hint="forward returns np.maximum(x, 0)")
    gx = call_backward(func, given["gy"], "ReLU", 1)
    expect_left_alone("ReLU", given, {"x": x, "gy": gy}, {"forward's y": y, "gx": gx})
    mask = x > 0
    expect_gradient_array(gx, gy * mask, f"ReLU.backward (x of shape {x.shape})", known_slip(gx, [
        (mask, "multiply the 0/1 mask by the upstream gradient gy"),
        (gy * np.maximum(x, 0), "multiply gy by the 0/1 mask (x > 0), not by relu(x)"),
        (gy * (x < 0), "pass gy where x > 0 and block it where x < 0"),
        (gy, "block the gradient (0) where x < 0"),
        (gy * (gy > 0), "the mask must come from the input x (self.inputs[0].data), not from gy"),
    ], "the Jacobian of ReLU is diagonal with 1 where x > 0: gx = gy * (x > 0)"))


def relu_random(ReLU, seed):
    """Random vectors and matrices, the engine against central differences, and no Jacobian."""
    generator = rng(seed)
    for shape in [(7,), (3, 5), (2, 3, 4)]:
        relu_value(ReLU, _away_from_zero(generator, shape), generator.normal(size=shape))
    x, w = _away_from_zero(generator, (4, 3)), generator.uniform(0.5, 1.5, size=(4, 3))
    gx, = engine_grads(ReLU, (x,), w, "sum(ReLU()(x) * w).backward")
    expect_gradient(gx, lambda xv: np.sum(np.maximum(xv, 0) * w), x, "ReLU in the engine: x.grad")
    _relu_builds_no_jacobian(ReLU, _away_from_zero(generator, (2000,)), generator.normal(size=2000))
    relu_at_zeros(ReLU)


def _away_from_zero(generator, shape):
    """Values with |x| >= 0.1, so that x > 0 and x >= 0 agree and central differences are exact."""
    return generator.choice([-1.0, 1.0], size=shape) * generator.uniform(0.1, 2.0, size=shape)


def _relu_builds_no_jacobian(ReLU, x, gy):
    func = ReLU()
    call(func, Variable(x), name="ReLU()")
    tracemalloc.start()
    try:
        call_backward(func, gy, "ReLU", 1)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # a few arrays of x's size are fine; an n x n Jacobian is n / 50 times over this limit
    expect_true(peak <= 50 * x.nbytes,
                f"ReLU.backward on {x.size} numbers ({x.nbytes / 1e3:.0f} kB) used {peak / 1e6:.1f} MB "
                f"of memory: it builds the {x.size} x {x.size} Jacobian. It is diagonal, so "
                f"multiply instead: gx = gy * (x > 0)")


# ---- SoftmaxCrossEntropy --------------------------------------------------------------------

def _softmax(x):
    z = np.exp(x - x.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def softmax_cross_entropy_value(SoftmaxCrossEntropy, x, t, gy=1.0):
    """Mean loss of logits x (N, C) with labels t (N,), and backward's (gx, None)."""
    x, t, gy = np.array(x, dtype=float), np.array(t), np.array(gy, dtype=float)
    n = len(t)
    where = f"logits of shape {x.shape}" + (" around +-1000" if np.abs(x).max() > 500 else "")
    given = {"x": x.copy(), "gy": gy.copy()}  # the answer gets these; x and gy stay
    func = SoftmaxCrossEntropy()
    loss = call(func, Variable(given["x"]), Variable(t), name="SoftmaxCrossEntropy()")
    log_p = np.log(_softmax(x))  # safe here: test logits keep every probability above 1e-300
    right = -log_p[np.arange(n), t]
    overflow = "; np.exp overflows: subtract each row's maximum before exp (log-sum-exp)"
    expect_close(loss, right.mean(), f"SoftmaxCrossEntropy forward ({where}, labels {t.tolist()})",
                 rtol=1e-7, atol=1e-9, hint=known_slip(loss, [
                     (right.sum(), f"take the mean over the N = {n} rows, not the sum"),
                     (-right.mean(), "the loss is minus the log-probability of the right class"),
                 ], "loss = mean over rows of (log-sum-exp of the row) - (the row's logit at its label)"
                    + (overflow if np.abs(x).max() > 500 else "")))
    gx, gt = call_backward(func, given["gy"], "SoftmaxCrossEntropy", 2)
    expect_left_alone("SoftmaxCrossEntropy", given, {"x": x, "gy": gy}, {"gx": gx})
    expect_true(gt is None, "SoftmaxCrossEntropy.backward: the labels t have no gradient, return "
                f"None for them: `return gx, None` (got {type(gt).__name__} for t)")
    onehot = np.eye(x.shape[1])[t]
    p = _softmax(x)
    no_mean = f"the loss is a mean over the N = {n} rows: divide the gradient by N as well"
    no_gy = (f"multiply by the upstream gradient gy (here {float(gy):g}): backward must scale its "
             f"result by the gy it is given")
    if abs(float(gy) * n - 1) < 1e-12:  # gy = 1/N: the two slips give the same numbers
        no_mean = no_gy = f"multiply by gy and divide by N (here gy = 1/N = {float(gy):g}: one is missing)"
    hint = known_slip(gx, [
        ((p - onehot) * gy, no_mean),
        ((p - onehot) / n, no_gy),
        (p * gy / n, "subtract the one-hot labels from the softmax"),
    ], "gx = (softmax(x) - onehot(t)) * gy / N" + (overflow if np.abs(x).max() > 500 else ""))
    what = f"SoftmaxCrossEntropy.backward: gx ({where}, gy={float(gy):g})"
    expect_gradient_array(gx, (p - onehot) * gy / n, what, hint)


def softmax_cross_entropy_random(SoftmaxCrossEntropy, seed):
    """Random logits and labels, scaled gy, huge logits, then the engine against central differences."""
    generator = rng(seed)
    for n, c in [(1, 3), (5, 4), (8, 2), tuple(generator.integers(1, 7, size=2) + [0, 2])]:
        x, t = 3 * generator.normal(size=(n, c)), generator.integers(0, c, size=n)
        softmax_cross_entropy_value(SoftmaxCrossEntropy, x, t, gy=generator.uniform(0.5, 2.0))
    x = generator.normal(size=(4, 5)) + generator.choice([-1000.0, 1000.0], size=(4, 1))
    softmax_cross_entropy_value(SoftmaxCrossEntropy, x, generator.integers(0, 5, size=4))
    softmax_spread_in_a_row(SoftmaxCrossEntropy)  # a spread inside one row, not only whole rows shifted
    x, t = generator.normal(size=(4, 3)), np.array([2, 0, 1, 2])
    gx, gt = engine_grads(SoftmaxCrossEntropy, (x, t), 1.7, "(SoftmaxCrossEntropy()(x, t) * 1.7).backward")
    expect_gradient(gx, lambda xv: 1.7 * float(ops.SoftmaxCrossEntropy().forward(xv, t)), x,
                    "SoftmaxCrossEntropy in the engine: x.grad")
