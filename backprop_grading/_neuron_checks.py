"""Checks for stage 03's `neuron_circuit`: f = sigmoid(w0*x0 + w1*x1 + w2) and its gradients.

neuron_circuit is graded on its own: while it runs, counting copies of autograd_ref's gates
stand in for the notebook's MultiplyGate, AddGate and SigmoidGate, so a wrong gate costs points
only in its own test, and the count shows whether the neuron was built from the gates at all.
`stage03` hands these to the notebook's test cells.
"""
import numpy as np

from . import _gate_patterns as patterns
from ._arrays import numbers_match, to_floats
from ._describe import short_repr
from ._stand_ins import stand_ins
from .checks import call, expect_close, expect_gradient, expect_true, rng

_array = np.array  # bound now, so that an answer cell patching numpy cannot change the checks


def neuron_circuit_value(answer, w, x, f, dw, dx):
    """neuron_circuit(w, x) must give the numbers f, dw, dx (the contract's example)."""
    got_f, got_dw, got_dx, calls = _neuron_result(answer, w, x)
    where = f"neuron_circuit(w={short_repr(list(w))}, x={short_repr(list(x))})"
    hint = _neuron_slip(got_f, got_dw, got_dx, w, x, calls)
    if not (numbers_match(got_f, f) and numbers_match(got_dw, dw) and numbers_match(got_dx, dx)):
        _neuron_again(answer, w, x)  # a wrong result may come from an earlier call
    expect_close(got_f, f, f"{where}: f", hint=hint)
    expect_close(got_dw, dw, f"{where}: dw", rtol=1e-6, atol=1e-8, hint=hint)
    expect_close(got_dx, dx, f"{where}: dx", rtol=1e-6, atol=1e-8, hint=hint)


def neuron_circuit_random(answer, seed):
    """Random weights and inputs (lists, tuples, arrays) against central differences."""
    _neuron_again(answer, [2.0, -3.0, -3.0], [-1.0, -2.0])
    generator = rng(seed)
    for kind in (list, tuple, _array, list):
        w, x = generator.uniform(-3, 3, size=3), generator.uniform(-3, 3, size=2)
        got_f, got_dw, got_dx, calls = _neuron_result(answer, kind(w.tolist()), kind(x.tolist()))
        where = f"neuron_circuit(w={short_repr(w)}, x={short_repr(x)})"
        hint = _neuron_slip(got_f, got_dw, got_dx, w, x, calls)
        expect_close(got_f, patterns.neuron(w, x), f"{where}: f", hint=hint)
        for i in range(3):
            expect_gradient(got_dw[i], lambda t: patterns.neuron(_with(w, i, t), x), w[i], f"{where}: dw[{i}]", hint=hint)
        for i in range(2):
            expect_gradient(got_dx[i], lambda t: patterns.neuron(w, _with(x, i, t)), x[i], f"{where}: dx[{i}]", hint=hint)


def _neuron_again(answer, w, x):
    """The same inputs once more must give the same result: nothing is kept between calls."""
    first, again = _neuron_result(answer, w, x)[:3], _neuron_result(answer, w, x)[:3]
    expect_true(all(numbers_match(a, b) for a, b in zip(again, first)),
                f"neuron_circuit(w={short_repr(w)}, x={short_repr(x)}) gave {short_repr(list(again))} "
                f"the second time and {short_repr(list(first))} the first: keep nothing between calls "
                f"(no default argument or global list that remembers; new gates on every call)")


def _neuron_result(answer, w, x):
    """(f, dw, dx, gate calls) of neuron_circuit(w, x), run with counting reference gates in
    place of the notebook's; fails unless it returned three things of the right sizes and
    ran forward and backward of each kind of gate."""
    calls = []
    counting_gates = {spec.name: patterns.counting(spec, calls) for spec in patterns.NEURON_GATES}
    with stand_ins(answer, counting_gates):
        result = call(answer, w, x, name="neuron_circuit")
    expect_true(isinstance(result, (tuple, list)) and len(result) == 3,
                f"neuron_circuit must return three things (f, dw, dx), got {short_repr(result)}")
    f, dw, dx = result
    sizes = [_size(dw), _size(dx)]
    expect_true(sizes != [2, 3], "neuron_circuit returned dw with 2 numbers and dx with 3: "
                "the order is (f, dw, dx), dw = [dw0, dw1, dw2] for the three weights")
    expect_true(sizes == [3, 2], f"neuron_circuit must return dw with 3 numbers (dw0, dw1, "
                f"dw2) and dx with 2 (dx0, dx1); got {short_repr(dw)} and {short_repr(dx)}")
    skipped = patterns.gate_steps_skipped(calls)
    unused = ("no MultiplyGate, AddGate or SigmoidGate ran" if not calls
              else f"{', '.join(skipped)} never ran")
    expect_true(not skipped, f"neuron_circuit must be built from the gates above, but {unused}: "
                f"{patterns.NEURON_RECIPE}, and return the gradients the gates give")
    return f, to_floats(dw).reshape(3), to_floats(dx).reshape(2), calls


def _neuron_slip(f, dw, dx, w, x, calls):
    """The mistake that explains the answer, when there is one."""
    reused = patterns.reused_gate(calls)
    if reused:
        return (f"one {reused} object ran forward twice; a gate keeps only the values of its "
                f"latest forward, so make a new gate object for each use")
    got = _array([*dw, *dx], dtype=float)
    for values, advice in patterns.neuron_slips(w, x):
        if numbers_match(got, _array(values, dtype=float)):
            return advice
    if numbers_match(f, patterns.weighted_sum(w, x)):
        return "f is the sigmoid of the sum: f = sigmoid(w0*x0 + w1*x1 + w2)"
    return (f"{patterns.NEURON_RECIPE}; each backward takes the gradient of its gate's output "
            f"and returns those of its inputs, in the order forward took them")


def _with(values, index, value):
    """A float copy of values with values[index] = value: one input nudged, for central differences."""
    changed = _array(values, dtype=float)
    changed[index] = value
    return changed


def _size(value):
    """How many numbers value holds, or None when it is not made of numbers."""
    try:
        return to_floats(value).size
    except (TypeError, ValueError):
        return None
