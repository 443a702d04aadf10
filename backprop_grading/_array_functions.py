"""How stage 06's checks run a Function answer on ndarrays, and what its arrays must look like.

backward is called the way the engine calls it (plain ndarrays in and out, no graph recorded),
and the class runs inside the engine too, for gradients to compare with central differences.
A numpy shape error gets the shape rule that fits; the arrays an answer is given must keep their
values, and the arrays it returns must be its own.
"""
import numpy as np

from autograd_ref import ops
from autograd_ref.core import Variable, no_grad
from ._arrays import matches, plain
from ._describe import short_repr
from .checks import call, expect_close, expect_true, expect_type


def call_backward(func, gy, name, count):
    """func.backward(gy) as the engine calls it (no graph recorded): `count` gradients."""
    with no_grad():
        grads = call(func.backward, gy, name=f"{name}.backward")
    if count == 1:
        return grads
    example = "return gx, None` (None: the labels t have no gradient)" if name == "SoftmaxCrossEntropy" else "return gx, gW`"
    expect_true(isinstance(grads, (tuple, list)) and len(grads) == count,
                f"{name}.backward must return {count} gradients, one per input of forward, "
                f"got {type(grads).__name__} {grads!r:.80}. Write `{example}")
    return tuple(grads)


def engine_grads(cls, arrays, weights, label):
    """Run sum(cls()(*inputs) * weights).backward() in the engine; the inputs' gradients."""
    variables = [Variable(np.array(a)) for a in arrays]

    def run():
        ops.sum(cls()(*variables) * weights).backward()

    call(run, name=label)
    return [v.grad for v in variables]


def expect_gradient_array(got, expected, what, hint):
    """got, a gradient backward returned, is an ndarray close to expected."""
    expect_type(got, np.ndarray, what, hint="backward works on plain ndarrays: read the inputs "
                "as self.inputs[i].data and return numpy arrays")
    expect_close(got, expected, what, rtol=1e-6, atol=1e-9, hint=hint)


def shape_errors_explained(run, rule):
    """run(); if the answer raised a ValueError (numpy's shape mismatch), add the shape rule."""
    try:
        return run()
    except AssertionError as error:
        if type(error) is AssertionError and isinstance(error.__cause__, ValueError):
            raise AssertionError(f"{error}. Hint: the shapes do not fit: {rule}") from error.__cause__
        raise


def expect_left_alone(name, given, kept, returned):
    """The arrays handed to an answer hold their values, and what it returns is new memory."""
    for label, array in given.items():
        expect_true(matches(array, kept[label], 0, 0),
                    f"{name} changed {label} in place (it was {short_repr(kept[label])}, it is now "
                    f"{short_repr(array)}): " + ("the engine may hand the same gy to another function"
                    if label == "gy" else f"{label} is the caller's data, and backward reads it again")
                    + "; compute into new arrays, never write into the arrays you are given")
    for out_label, out in returned.items():
        out = plain(out)
        for label, array in given.items():
            expect_true(not (isinstance(out, np.ndarray) and np.shares_memory(out, array)),
                        f"{name}: {out_label} shares memory with {label} (it is {label} or a view of it): "
                        f"return a new array, or changing one later changes the other")
