"""Stage 03's neuron_circuit checks called directly: a neuron built from the gates one by one
passes; one with a slip, or not built from gates, is named; and it is graded with the
reference gates whatever the notebook's own ones do."""
import contextlib
import io

import numpy as np
import pytest

from autograd_ref import Variable, sigmoid
from autograd_ref import gates as reference_gates
from backprop_grading import stage03 as check
from gates_by_hand import AddGate, MultiplyGate, SigmoidGate, gate

pytestmark = pytest.mark.stage03


def neuron_circuit(w, x):
    """A correct neuron from the gates of gates_by_hand, for the slips below to change."""
    times = [MultiplyGate(), MultiplyGate()]
    plus = [AddGate(), AddGate()]
    squash = SigmoidGate()
    f = squash.forward(plus[1].forward(plus[0].forward(times[0].forward(w[0], x[0]),
                                                       times[1].forward(w[1], x[1])), w[2]))
    d_sum, dw2 = plus[1].backward(squash.backward(1.0))
    (dw0, dx0), (dw1, dx1) = (gate_.backward(d) for gate_, d in zip(times, plus[0].backward(d_sum)))
    return f, [dw0, dw1, dw2], [dx0, dx1]


def remembering_neuron(w, x, totals=[]):
    """Adds each call's dw into a list kept in a default argument."""
    f, dw, dx = neuron_circuit(w, x)
    if not totals:
        totals.extend([0.0, 0.0, 0.0])
    totals[:] = [t + d for t, d in zip(totals, dw)]
    return f, list(totals), dx


def no_sigmoid_gradient(w, x):
    f, _, _ = neuron_circuit(w, x)
    return f, [x[0], x[1], 1.0], [w[0], w[1]]


def no_sigmoid(w, x):
    _, dw, dx = neuron_circuit(w, x)
    return w[0] * x[0] + w[1] * x[1] + w[2], dw, dx


def through_reference(w, x):
    circuit = reference_gates.neuron_graph()
    f = circuit.forward(w0=w[0], x0=x[0], w1=w[1], x1=x[1], w2=w[2])
    grads = circuit.backward()
    return f, [grads["w0"], grads["w1"], grads["w2"]], [grads["x0"], grads["x1"]]


def through_engine(w, x):
    weights, inputs = [Variable(v) for v in w], [Variable(v) for v in x]
    f = sigmoid(weights[0] * inputs[0] + weights[1] * inputs[1] + weights[2])
    f.backward()
    return f.data, [v.grad for v in weights], [v.grad for v in inputs]


def run_neuron_checks(answer):
    """The test cell's checks in its test block; an AssertionError with the block's message if it fails."""
    report = io.StringIO()
    with contextlib.redirect_stderr(report), check.exercise("neuron_circuit"):
        check.neuron_circuit_value(answer, w=[2.0, -3.0, -3.0], x=[-1.0, -2.0], f=0.7310585786300049,
                                   dw=[-0.19661193, -0.39322387, 0.19661193], dx=[0.39322387, -0.5898358])
        check.neuron_circuit_random(answer, seed=306)
    if report.getvalue():
        raise AssertionError(report.getvalue())


@pytest.mark.grading
def test_a_correct_neuron_passes():
    run_neuron_checks(neuron_circuit)


@pytest.mark.grading
@pytest.mark.parametrize("answer, phrase", [
    (no_sigmoid_gradient, "the sigmoid gate's local gradient is missing"),
    (no_sigmoid, "f is the sigmoid of the sum"),
    (lambda w, x: neuron_circuit(w, x)[:2], "must return three things (f, dw, dx)"),
    (lambda w, x: (*neuron_circuit(w, x)[:2], [0.0]), "dx with 2 (dx0, dx1)"),
    (remembering_neuron, "gave [0.731"),
    (remembering_neuron, "keep nothing between calls"),
    (through_reference, "neuron_graph"),
    (through_engine, "runs the reference implementation's `autograd_ref.Variable.backward`"),
])
def test_neuron_slips_are_named(answer, phrase):
    with pytest.raises(AssertionError) as failure:
        run_neuron_checks(answer)
    assert phrase in str(failure.value)


def closed_form(w, x):
    s = 1 / (1 + np.exp(-(w[0] * x[0] + w[1] * x[1] + w[2])))
    local = s * (1 - s)
    return s, [x[0] * local, x[1] * local, local], [w[0] * local, w[1] * local]


def forward_by_gates_backward_by_hand(w, x):
    times, plus, squash = [MultiplyGate(), MultiplyGate()], [AddGate(), AddGate()], SigmoidGate()
    f = squash.forward(plus[1].forward(plus[0].forward(times[0].forward(w[0], x[0]),
                                                       times[1].forward(w[1], x[1])), w[2]))
    return f, *closed_form(w, x)[1:]


def one_gate_of_each(w, x):
    times, plus, squash = MultiplyGate(), AddGate(), SigmoidGate()
    f = squash.forward(plus.forward(plus.forward(times.forward(w[0], x[0]), times.forward(w[1], x[1])), w[2]))
    d_sum, dw2 = plus.backward(squash.backward(1.0))
    (dw0, dx0), (dw1, dx1) = (times.backward(d) for d in plus.backward(d_sum))
    return f, [dw0, dw1, dw2], [dx0, dx1]


def unpacked_the_wrong_way_round(w, x):
    f, dw, dx = neuron_circuit(w, x)
    return f, dx + [dw[2]], dw[:2]  # what `dx0, dw0 = gate.backward(dp0)` gives


@pytest.mark.grading
@pytest.mark.parametrize("answer, phrase", [
    (closed_form, "must be built from the gates above, but no MultiplyGate, AddGate or SigmoidGate ran"),
    (forward_by_gates_backward_by_hand,
     "MultiplyGate.backward, AddGate.backward, SigmoidGate.backward never ran"),
    (one_gate_of_each, "one MultiplyGate object ran forward twice"),
    (unpacked_the_wrong_way_round, "unpack `dw0, dx0 = gate.backward(dp0)`"),
])
def test_a_neuron_not_built_from_gates_one_by_one_is_named(answer, phrase):
    with pytest.raises(AssertionError) as failure:
        run_neuron_checks(answer)
    assert phrase in str(failure.value)


_NEURON_WITH_ALIASES = """
Times, Plus = MultiplyGate, AddGate   # aliases of the notebook's gates


def neuron_circuit(w, x):
    times, plus, squash = [Times(), Times()], [Plus(), Plus()], SigmoidGate()
    f = squash.forward(plus[1].forward(plus[0].forward(times[0].forward(w[0], x[0]),
                                                       times[1].forward(w[1], x[1])), w[2]))
    d_sum, dw2 = plus[1].backward(squash.backward(1.0))
    (dw0, dx0), (dw1, dx1) = (gate.backward(d) for gate, d in zip(times, plus[0].backward(d_sum)))
    return f, [dw0, dw1, dw2], [dx0, dx1]
"""


def unfinished(name):
    """A gate class as the notebook's stub leaves it."""
    def forward(self, *inputs):
        raise NotImplementedError()
    return type(name, (), {"forward": forward, "backward": forward})


@pytest.mark.grading
@pytest.mark.parametrize("broken", [
    {"MultiplyGate": gate(MultiplyGate, lambda self, dz: (self.x * dz, self.y * dz)),
     "SigmoidGate": gate(SigmoidGate, lambda self, dz: self.s * (1 - self.s))},
    {name: unfinished(name) for name in ("MultiplyGate", "AddGate", "SigmoidGate")},
    {"SigmoidGate": None},  # never defined in the notebook
])
def test_a_neuron_is_graded_with_the_reference_gates(broken):
    gates_ = {"AddGate": AddGate, "MultiplyGate": MultiplyGate, "SigmoidGate": SigmoidGate, **broken}
    notebook = {"np": np, **{name: cls for name, cls in gates_.items() if cls is not None}}
    exec(_NEURON_WITH_ALIASES, notebook)
    before = dict(notebook)
    run_neuron_checks(notebook["neuron_circuit"])
    assert notebook == before  # the notebook's own classes and aliases are back
