"""Checks for stage 06's `l2_example`: f = ||W x||^2 and its gradients, through the engine.

Graded on its own (an earlier MatMul, ReLU or SoftmaxCrossEntropy of the student's is replaced by
autograd_ref's while it runs), and it must use the engine and leave the arrays it gets unchanged.
`stage06` hands these to the notebook's test cells.
"""
import numpy as np

from autograd_ref import ops
from autograd_ref.core import Variable
from ._answer_probes import call_counting_functions, known_slip
from ._arrays import matches, plain
from ._describe import short_repr
from ._stand_ins import stand_ins
from .checks import expect_close, expect_true, rng


def reference_l2_example(W, x):
    """f = ||W x||^2 and its gradients, through the reference engine."""
    W, x = Variable(np.array(W, dtype=float)), Variable(np.array(x, dtype=float))
    f = ops.sum((W @ x) ** 2)
    f.backward()
    return f.data, W.grad, x.grad


# earlier answers l2_example might use, and what stands in for them while it is checked, so that
# an earlier mistake costs nothing here
_EARLIER_ANSWERS = {"MatMul": ops.MatMul, "ReLU": ops.ReLU, "SoftmaxCrossEntropy": ops.SoftmaxCrossEntropy}


def _expect_unchanged(passed, given, name):
    expect_true(passed.shape == given.shape and matches(passed, given, 0, 0),
                f"l2_example changed the {name} you passed in (it was {short_repr(given)}, it is now "
                f"{short_repr(passed)}): work on copies / Variables, e.g. Variable(np.array({name}, "
                f"dtype=float)), and never write into the arrays you are given")


def l2_example_value(l2_example, W, x, expected=None):
    """l2_example(W, x) returns (f, dW, dx) for f = ||W x||^2 (checked against `expected`, or
    against the closed form 2 q x^T, 2 W^T q with q = W x), through the engine, leaving the
    arrays it is given unchanged."""
    W, x = np.array(W, dtype=float), np.array(x, dtype=float)
    W_passed, x_passed = W.copy(), x.copy()  # the answer gets these; W and x stay for the checks
    with stand_ins(l2_example, _EARLIER_ANSWERS):  # graded on its own
        got, engine_calls = call_counting_functions(l2_example, W_passed, x_passed, name="l2_example")
    _expect_unchanged(W_passed, W, "W")
    _expect_unchanged(x_passed, x, "x")
    expect_true(bool(engine_calls),
                "l2_example ran none of the engine's Functions: compute f through the engine, not by hand "
                "in numpy. Wrap W and x in Variables, build f from them (matrix product, square, sum), "
                "call f.backward(), and return f with W.grad and x.grad")
    expect_true(isinstance(got, (tuple, list)) and len(got) == 3,
                f"l2_example must return three things (f, dW, dx), got {type(got).__name__} {got!r:.80}")
    f, dW, dx = got
    for label, out in (("dW", dW), ("dx", dx)):
        for name, passed in (("W", W_passed), ("x", x_passed)):
            expect_true(not np.shares_memory(plain(out), passed),
                        f"l2_example: the {label} it returns shares memory with the {name} you passed in: "
                        f"return gradients in new arrays (W.grad, x.grad), never the caller's arrays")
    q = W @ x
    if expected is None:
        expected = (q @ q, 2 * np.outer(q, x), 2 * W.T @ q)
    where = f"l2_example with W of shape {W.shape} and x of shape {x.shape}"
    expect_close(f, expected[0], f"{where}: f", hint=known_slip(f, [
        (np.sqrt(q @ q), "f is the squared norm: the sum of the squares of q = W x, no square root")],
        "q = W @ x, then f = sum(q ** 2)"))
    expect_close(dW, expected[1], f"{where}: dW", hint=known_slip(dW, [
        (2 * np.outer(x, q), "dW = 2 q x^T, not 2 x q^T: dW has W's shape (rows of q, columns of x)")],
        "df/dq = 2 q and dW = df/dq x^T (shape: (m, 1) times (1, n)); use W.grad after f.backward()"))
    transposed_w = [(2 * W @ q, "dx = W^T (2 q): transpose W")] if W.shape[0] == W.shape[1] else []
    expect_close(dx, expected[2], f"{where}: dx", hint=known_slip(
        dx, transposed_w, "dx = W^T (2 q) (shape: (n, m) times (m,)); use x.grad after f.backward()"))


def l2_example_random(l2_example, seed):
    """Random square, tall and wide W against the closed form (and a repeated call)."""
    generator = rng(seed)
    for m, n in [(2, 2), (3, 2), (2, 4), (1, 3), (4, 1)]:
        l2_example_value(l2_example, generator.normal(size=(m, n)), generator.normal(size=n))
    W, x = generator.normal(size=(3, 3)), generator.normal(size=3)
    for _ in range(2):  # gradients must not pile up from one call to the next
        l2_example_value(l2_example, W, x)
