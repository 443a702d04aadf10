"""Topological orders and backward loops written the ways students write them, shared by the
stage 05 tests that call the checks directly. The names keep their underscore: pytest puts a
function's name in the test id, and these are the ids the tests have always had."""
import numpy as np


def _by_generation(output):
    functions, pending = set(), [output.creator] if output.creator is not None else []
    while pending:
        f = pending.pop()
        if f not in functions:
            functions.add(f)
            pending.extend(x.creator for x in f.inputs if x.creator is not None)
    return sorted(functions, key=lambda f: f.generation, reverse=True)


def _first_inputs_only(output):
    order, f = [], output.creator
    while f is not None:
        order.append(f)
        f = f.inputs[0].creator
    return order


def _backward_with(accumulate):
    def backward_general(self):
        if self.grad is None:
            self.grad = np.ones_like(self.data)
        for f in _by_generation(self):
            gxs = f.backward(*[y.grad for y in f.outputs])
            for x, gx in zip(f.inputs, gxs if isinstance(gxs, tuple) else (gxs,)):
                accumulate(x, gx)
    return backward_general


def _copy_then_add_in_place(x, gx):
    if x.grad is None:
        x.grad = gx.copy()  # its own array, so += changes nothing anyone else holds
    else:
        x.grad += gx
