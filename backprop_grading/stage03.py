"""Checks for stage 03 (gates): the five gates and `neuron_circuit`.

Each gate check runs forward then backward on a fresh gate object and, when the gradients are
wrong, names the gate pattern that was missed ("MultiplyGate.backward returned (x*dz, y*dz):
each input's gradient is the *other* input times dz").

neuron_circuit is graded on its own, with counting copies of autograd_ref's gates standing in
for the notebook's; its checks live in `_neuron_checks`, and the notebook calls them from here,
like the rest.
"""
import numpy as np

from autograd_ref import core, gates
from . import _gate_patterns as patterns
from ._arrays import numbers_match
from ._describe import short_repr
from ._exercise import Exercise, Stage
from ._neuron_checks import neuron_circuit_random, neuron_circuit_value  # noqa: F401  (test cells call them)
from .checks import call, expect_close, expect_true, rng

_array = np.array  # bound now, so that an answer cell patching numpy cannot change the checks


# ---- the checks the test cells call --------------------------------------------------------

def add_gate_value(AddGate, x, y, dz):
    _check_gate(patterns.Add, AddGate, (x, y), (dz,))


def multiply_gate_value(MultiplyGate, x, y, dz):
    _check_gate(patterns.Multiply, MultiplyGate, (x, y), (dz,))


def max_gate_value(MaxGate, x, y, dz):
    _check_gate(patterns.Max, MaxGate, (x, y), (dz,))


def copy_gate_value(CopyGate, x, d1, d2):
    _check_gate(patterns.Copy, CopyGate, (x,), (d1, d2))


def sigmoid_gate_value(SigmoidGate, x, dz):
    _check_gate(patterns.Sigmoid, SigmoidGate, (x,), (dz,))


def add_gate_random(AddGate, seed):
    _random_cases(patterns.Add, AddGate, seed)


def multiply_gate_random(MultiplyGate, seed):
    _random_cases(patterns.Multiply, MultiplyGate, seed)


def max_gate_random(MaxGate, seed):
    """Random cases plus ties: a tied float, and arrays where every third element ties."""
    generator = _random_cases(patterns.Max, MaxGate, seed)
    _check_gate(patterns.Max, MaxGate, (1.5, 1.5), (-2.0,))
    x, y, dz = (generator.uniform(-2, 2, size=6) for _ in range(3))
    y[::3] = x[::3]
    _check_gate(patterns.Max, MaxGate, (x, y), (dz,))


def copy_gate_random(CopyGate, seed):
    _random_cases(patterns.Copy, CopyGate, seed)


def sigmoid_gate_random(SigmoidGate, seed):
    _random_cases(patterns.Sigmoid, SigmoidGate, seed)


# ---- one gate case -------------------------------------------------------------------------

def _check_gate(spec, cls, inputs, douts):
    gate = call(cls, name=spec.name)
    _check_forward(spec, inputs, _run(spec, gate.forward, inputs, spec.inputs, "forward"))
    got = _run(spec, gate.backward, douts, spec.douts, "backward")
    _check_not_stale(spec, inputs, douts, got)
    _check_backward(spec, inputs, douts, got)
    _earlier_inputs.setdefault(spec.name, []).append([_copy(value) for value in inputs])


_earlier_inputs = {}  # gate name -> the inputs of the forwards checked so far in this kernel


def _check_not_stale(spec, inputs, douts, got):
    """A wrong backward that is right for an earlier forward's inputs kept state across gates."""
    explained = [spec.backward(*inputs, *douts)] + [values for _, values, _ in spec.slips(*inputs, *douts)]
    if any(numbers_match(got, values) for values in explained):
        return  # right, or a slip that _check_backward names
    for earlier in _earlier_inputs.get(spec.name, [])[-20:]:
        try:
            stale = spec.backward(*earlier, *douts)
        except ValueError:  # an earlier forward on arrays of another shape
            continue
        if not numbers_match(earlier, inputs) and numbers_match(got, stale):
            raise AssertionError(
                f"{spec.name}: forward({_values(spec.inputs, inputs)}) on a new gate, then backward used "
                f"the values of an earlier forward ({_values(spec.inputs, earlier)}): a gate's cache must "
                f"hold its own latest forward. Overwrite the cache on every forward (self.x = x), never "
                f"in a default argument, a class attribute or a global variable")


def _run(spec, method, values, labels, method_name):
    """method(*copies of values); fails if it changed an array it was given."""
    given = [_copy(value) for value in values]
    result = _elementwise_call(method, given, f"{spec.name}.{method_name}")
    for label, before, after in zip(labels, values, given):
        advice = ("in a circuit d1 is another wire's gradient; return d1 + d2 as a new array"
                  if spec is patterns.Copy else "build new arrays (np.where, x * mask) instead")
        expect_true(_same(before, after), f"{spec.name}.{method_name} changed the array {label} it "
                    f"was given (in place): {advice}")
    return result


def _probe(spec, cls):
    """One forward and backward on ones, left raw: use_or_reference judges the errors."""
    gate = cls()
    gate.forward(*_ones(spec.inputs))
    gate.backward(*_ones(spec.douts))


def _elementwise_call(method, args, name):
    """call(), with a pointer to np.where when `if` met an array."""
    try:
        return call(method, *args, name=name)
    except AssertionError as error:
        if "truth value of an array" not in str(error):
            raise
        raise AssertionError(f"{error}. A gate must work elementwise on arrays: instead of "
                             f"`if x >= y:` use a mask, e.g. np.where(x >= y, dz, 0)") from error


def _check_forward(spec, inputs, out):
    what = f"{spec.name}.forward({_values(spec.inputs, inputs)})"
    expected = spec.forward(*inputs)
    if spec is patterns.Copy:
        expect_true(isinstance(out, (tuple, list)) and len(out) == 2,
                    f"{what} must return the two copies (x, x), got {short_repr(out)}")
        for copy_ in out:
            expect_close(copy_, expected[0], what)
        return
    for values, advice in spec.forward_slips(*inputs):
        if not numbers_match(values, expected) and numbers_match(out, values):
            raise AssertionError(f"{what}: expected {short_repr(expected)}, got {short_repr(out)}; {advice}")
    expect_close(out, expected, what)


def _check_backward(spec, inputs, douts, got):
    what = (f"{spec.name}: forward({_values(spec.inputs, inputs)}) then "
            f"backward({_values(spec.douts, douts)})")
    expected = spec.backward(*inputs, *douts)
    several = len(spec.inputs) > 1
    if several:
        names = "(" + ", ".join("d" + label for label in spec.inputs) + ")"
        expect_true(isinstance(got, (tuple, list)) and len(got) == len(spec.inputs),
                    f"{what} must return one gradient per input, a tuple {names}; "
                    f"got {short_repr(got)}")
    elif isinstance(got, (tuple, list)):
        raise AssertionError(f"{what}: {spec.name}.backward returned a tuple {short_repr(got)}; "
                             f"a one-input gate returns one value"
                             + ("; the copy gate adds: return d1 + d2" if spec is patterns.Copy else ""))
    pairs = list(zip(got, expected)) if several else [(got, expected)]
    if all(numbers_match(g, e) for g, e in pairs):
        return
    for formula, values, advice in spec.slips(*inputs, *douts):
        values = values if several else (values,)
        if all(numbers_match(g, v) for (g, _), v in zip(pairs, values)):
            raise AssertionError(f"{what}: expected {short_repr(expected)}, got {short_repr(got)}. "
                                 f"{spec.name}.backward returned {formula}: {advice}")
    labels = ["d" + label for label in spec.inputs]
    for label, (g, e) in zip(labels, pairs):
        expect_close(g, e, f"{what}: {label}", hint="backward returns local gradient times dz")


def _random_cases(spec, cls, seed):
    """Python floats, 0-d arrays, ints and 2x3 arrays, upstream gradients other than 1, and two
    gates in use at once. Returns the generator, for more cases."""
    generator = rng(seed)
    n, k = len(spec.inputs) + len(spec.douts), len(spec.inputs)
    cases = [[float(v) for v in generator.uniform(-3, 3, size=n)] for _ in range(3)]
    cases.append([_array(v) for v in generator.uniform(-3, 3, size=n)])
    cases.append([int(v) for v in generator.integers(-5, 6, size=n)])
    cases.append([generator.uniform(-3, 3, size=(2, 3)) for _ in range(n)])
    for values in cases:
        _check_gate(spec, cls, values[:k], values[k:])
    _check_two_forwards(spec, cls, generator, one_gate=False)
    _check_two_forwards(spec, cls, generator, one_gate=True)
    return generator


def _check_two_forwards(spec, cls, generator, one_gate):
    """Two forwards on different inputs, by two gates a and b (then a.backward) or by one gate
    used twice (backward after each): backward must use its own gate's latest forward."""
    first = call(cls, name=spec.name)
    second = first if one_gate else call(cls, name=spec.name)
    inputs_1, inputs_2 = ([float(v) for v in generator.uniform(-3, 3, size=len(spec.inputs))] for _ in range(2))
    douts = [float(v) for v in generator.uniform(-3, 3, size=len(spec.douts))]
    call(first.forward, *inputs_1, name=f"{spec.name}.forward")
    if one_gate:
        call(first.backward, *douts, name=f"{spec.name}.backward")
    call(second.forward, *inputs_2, name=f"{spec.name}.forward")
    got = call(first.backward, *douts, name=f"{spec.name}.backward")
    right, stale = (inputs_2, inputs_1) if one_gate else (inputs_1, inputs_2)
    if not numbers_match(got, spec.backward(*right, *douts)) and numbers_match(got, spec.backward(*stale, *douts)):
        first_forward, second_forward = _values(spec.inputs, inputs_1), _values(spec.inputs, inputs_2)
        raise AssertionError(
            f"a {spec.name} used for a second forward kept the first forward's values: after "
            f"forward({first_forward}) and forward({second_forward}), backward used the first. Overwrite "
            f"the cache on every forward (self.x = x each time, not only when it is empty, and not in a "
            f"default argument)" if one_gate else
            f"two {spec.name} objects share one cache: after a.forward({first_forward}) and "
            f"b.forward({second_forward}), a.backward used b's values. Keep the cache on `self` "
            f"(self.x = x), not on the class or in a global variable")
    _check_backward(spec, right, douts, got)


# ---- the exercises ---------------------------------------------------------------------------

def _reference_neuron_circuit(w, x):
    """The stand-in for an unfinished neuron_circuit: autograd_ref's neuron_graph."""
    circuit = gates.neuron_graph()
    f = circuit.forward(w0=w[0], x0=x[0], w1=w[1], x1=x[1], w2=w[2])
    grads = circuit.backward()
    return f, _array([grads["w0"], grads["w1"], grads["w2"]]), _array([grads["x0"], grads["x1"]])


def _gate_exercise(spec):
    return Exercise(spec.name, spec.reference, lambda cls: _probe(spec, cls))


STAGE = Stage([
    *(_gate_exercise(spec) for spec in patterns.GATES),
    # autograd_ref's ready-made neuron, or the engine doing the backward pass, earns nothing
    Exercise("neuron_circuit", _reference_neuron_circuit,
             lambda fn: fn([2.0, -3.0, -3.0], [-1.0, -2.0]),
             counterparts={"autograd_ref.gates.neuron_graph": gates.neuron_graph,
                           "autograd_ref.Variable.backward": core.Variable.backward},
             stand_in_name="a neuron_circuit built on `autograd_ref.gates.neuron_graph`"),
])
exercise, use_or_reference = STAGE.exercise, STAGE.use_or_reference


# ---- small helpers -------------------------------------------------------------------------

def _same(before, after):
    return not isinstance(before, np.ndarray) or (after.shape == before.shape and numbers_match(after, before))


def _copy(value):
    return _array(value) if isinstance(value, np.ndarray) else value


def _ones(labels):
    return [1.0] * len(labels)


def _values(labels, values):
    return ", ".join(f"{label}={short_repr(value)}" for label, value in zip(labels, values))
