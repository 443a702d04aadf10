"""CS231n-style gates and the GateGraph circuit, checked against numerical derivatives."""
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd_ref.gates import (
    AddGate, CopyGate, GateGraph, MaxGate, MultiplyGate, SigmoidGate, neuron_graph,
)
from autograd_ref.numeric import numerical_diff

pytestmark = [pytest.mark.gates, pytest.mark.stage03]

modest = settings(max_examples=50, deadline=None)
finite = st.floats(-4, 4, allow_nan=False)
TWO_INPUT_GATES = [AddGate, MultiplyGate, MaxGate]
ALL_GATES = TWO_INPUT_GATES + [CopyGate, SigmoidGate]


# --- single gates -----------------------------------------------------------------------------

@modest
@pytest.mark.parametrize("gate_class", TWO_INPUT_GATES)
@given(x=finite, y=finite, dz=finite)
def test_two_input_gates_match_numerical_partial_derivatives(gate_class, x, y, dz):
    assume(abs(x - y) > 1e-3)  # max has no derivative at a tie
    gate = gate_class()
    gate.forward(x, y)
    dx, dy = gate.backward(dz)
    slope_x = numerical_diff(lambda a: gate_class().forward(a, y), x)
    slope_y = numerical_diff(lambda b: gate_class().forward(x, b), y)
    assert (dx, dy) == pytest.approx((dz * slope_x, dz * slope_y), abs=1e-6)


@modest
@given(x=finite, dz=finite)
def test_sigmoid_gate_matches_numerical_derivative(x, dz):
    gate = SigmoidGate()
    s = gate.forward(x)
    assert s == pytest.approx(1 / (1 + np.exp(-x)))
    expected = dz * numerical_diff(SigmoidGate().forward, x)
    assert gate.backward(dz) == pytest.approx(expected, abs=1e-8)


@modest
@given(x=finite, d1=finite, d2=finite)
def test_copy_gate_hands_out_x_twice_and_adds_the_gradients(x, d1, d2):
    gate = CopyGate()
    assert gate.forward(x) == (x, x)
    assert gate.backward(d1, d2) == d1 + d2


def test_multiply_gate_swaps_the_inputs():
    gate = MultiplyGate()
    assert gate.forward(3.0, -4.0) == -12.0
    assert gate.backward(2.0) == (-8.0, 6.0)


def test_max_gate_routes_to_the_larger_input_and_to_x_on_a_tie():
    gate = MaxGate()
    assert gate.forward(1.0, 5.0) == 5.0
    assert gate.backward(3.0) == (0.0, 3.0)
    gate.forward(2.0, 2.0)
    dx, dy = gate.backward(3.0)
    assert (dx, dy) == (3.0, 0.0)
    assert np.ndim(dx) == 0 and isinstance(dx, float), "floats in, floats out"


def test_max_gate_routes_each_element_on_its_own():
    gate = MaxGate()
    x, y = np.array([1.0, 5.0, 2.0]), np.array([4.0, 0.0, 2.0])
    np.testing.assert_array_equal(gate.forward(x, y), [4.0, 5.0, 2.0])
    dx, dy = gate.backward(np.array([10.0, 20.0, 30.0]))
    np.testing.assert_array_equal(dx, [0.0, 20.0, 30.0])
    np.testing.assert_array_equal(dy, [10.0, 0.0, 0.0])


@modest
@pytest.mark.parametrize("gate_class", [AddGate, MultiplyGate])
@given(
    x=hnp.arrays(np.float64, (2, 3), elements=finite),
    y=hnp.arrays(np.float64, (2, 3), elements=finite),
)
def test_gates_work_elementwise_on_arrays(gate_class, x, y):
    gate = gate_class()
    z = gate.forward(x, y)
    dx, dy = gate.backward(np.ones_like(z))
    for i in np.ndindex(x.shape):
        scalar_gate = gate_class()
        scalar_gate.forward(x[i], y[i])
        assert (dx[i], dy[i]) == pytest.approx(scalar_gate.backward(1.0))


@pytest.mark.parametrize("gate_class", ALL_GATES)
def test_backward_before_forward_says_what_to_do(gate_class):
    gate = gate_class()
    upstream = (1.0,) * gate.n_outputs
    with pytest.raises(RuntimeError, match=f"{gate_class.__name__}.backward.*forward first"):
        gate.backward(*upstream)


# --- the neuron circuit -----------------------------------------------------------------------

NEURON_INPUTS = dict(w0=2.0, x0=-1.0, w1=-3.0, x1=-2.0, w2=-3.0)


def test_neuron_graph_gives_the_curriculum_numbers():
    graph = neuron_graph()
    f = graph.forward(**NEURON_INPUTS)
    grads = graph.backward()
    assert np.isclose(f, 0.7310585786300049)
    dw = [grads["w0"], grads["w1"], grads["w2"]]
    dx = [grads["x0"], grads["x1"]]
    assert np.allclose(dw, [-0.19661193, -0.39322387, 0.19661193])
    assert np.allclose(dx, [0.39322387, -0.5898358])


@pytest.mark.parametrize("wire", sorted(NEURON_INPUTS))
def test_neuron_graph_gradients_match_numerical_ones(wire):
    def f_of(value):
        return neuron_graph().forward(**{**NEURON_INPUTS, wire: value})

    graph = neuron_graph()
    graph.forward(**NEURON_INPUTS)
    grads = graph.backward()
    assert grads[wire] == pytest.approx(numerical_diff(f_of, NEURON_INPUTS[wire]), abs=1e-8)


def test_graph_exposes_what_the_drawing_needs():
    graph = neuron_graph()
    assert [record.name for record in graph.gates] == ["mul0", "mul1", "add0", "add1", "sigmoid"]
    sigmoid = graph.gates[-1]
    assert isinstance(sigmoid.gate, SigmoidGate)
    assert (sigmoid.inputs, sigmoid.outputs) == (["z"], ["f"])
    assert graph.values == {} and graph.grads == {}
    graph.forward(**NEURON_INPUTS)
    assert graph.values["z"] == pytest.approx(1.0)  # 2*(-1) + (-3)*(-2) - 3
    assert graph.grads == {}, "no gradients before backward"
    graph.backward()
    assert set(graph.grads) == set(graph.values)
    assert graph.grads["f"] == 1.0


def test_backward_scales_with_the_given_output_gradient():
    graph = neuron_graph()
    graph.forward(**NEURON_INPUTS)
    once = graph.backward()
    twice = graph.backward(f=2.0)
    assert twice == pytest.approx({wire: 2 * grad for wire, grad in once.items()})


def test_neuron_graph_runs_on_a_batch_of_arrays():
    graph = neuron_graph()
    x0 = np.array([-1.0, 0.5, 2.0])
    f = graph.forward(**{**NEURON_INPUTS, "x0": x0})
    np.testing.assert_allclose(f, 1 / (1 + np.exp(-(2 * x0 + 6 - 3))))
    grads = graph.backward()
    np.testing.assert_allclose(grads["w0"], f * (1 - f) * x0)


# --- general graphs ---------------------------------------------------------------------------

def fan_out_graph():
    """f = x*y + x: the wire x feeds two gates."""
    graph = GateGraph()
    graph.add("add", AddGate(), ["xy", "x"], "f")  # added before the gate it depends on
    graph.add("mul", MultiplyGate(), ["x", "y"], "xy")
    return graph


def copy_gate_graph():
    """The same f with the fan-out made explicit by a CopyGate."""
    graph = GateGraph()
    graph.add("copy", CopyGate(), ["x"], ["x1", "x2"])
    graph.add("mul", MultiplyGate(), ["x1", "y"], "xy")
    graph.add("add", AddGate(), ["xy", "x2"], "f")
    return graph


@modest
@pytest.mark.parametrize("build", [fan_out_graph, copy_gate_graph])
@given(x=finite, y=finite)
def test_a_wire_used_twice_collects_both_gradients(build, x, y):
    graph = build()
    assert graph.forward(x=x, y=y) == pytest.approx(x * y + x)
    grads = graph.backward()
    assert grads["x"] == pytest.approx(y + 1)
    assert grads["y"] == pytest.approx(x)


def test_graph_with_several_outputs_returns_a_tuple():
    graph = GateGraph()
    graph.add("copy", CopyGate(), "x", ["a", "b"])
    assert graph.forward(x=3.0) == (3.0, 3.0)
    assert graph.backward(a=1.0, b=10.0) == {"x": 11.0}


def test_graph_wiring_mistakes_are_explained():
    graph = neuron_graph()
    with pytest.raises(TypeError, match=r"^the graph's input wires are .*; missing \['w2'\], unknown"):
        graph.forward(w0=1.0, x0=1.0, w1=1.0, x1=1.0)
    with pytest.raises(TypeError, match=r"input wires .*; missing \[\], unknown \['bias'\]"):
        graph.forward(**NEURON_INPUTS, bias=1.0)
    with pytest.raises(RuntimeError, match=r"^backward needs the values of a forward pass: call"):
        graph.backward()
    graph.forward(**NEURON_INPUTS)
    unknown = r"^the graph's output wires are \['f'\]; missing \[\], unknown \['g'\]$"
    with pytest.raises(TypeError, match=unknown):
        graph.backward(g=1.0)
    with pytest.raises(ValueError, match="already a gate named"):
        graph.add("mul0", MultiplyGate(), ["a", "b"], "c")
    with pytest.raises(ValueError, match="add a new SigmoidGate"):
        graph.add("again", graph.gates[-1].gate, ["f"], "g")
    with pytest.raises(ValueError, match="reads 2 wire"):
        graph.add("lonely", AddGate(), ["f"], "g")
    with pytest.raises(ValueError, match="already have a gate writing"):
        graph.add("rewrite", SigmoidGate(), ["f"], "z")


def test_a_cycle_is_reported():
    graph = GateGraph()
    graph.add("first", AddGate(), ["x", "b"], "a")
    graph.add("second", SigmoidGate(), ["a"], "b")
    graph.add("out", SigmoidGate(), ["a"], "f")
    with pytest.raises(ValueError, match=r"^gates first, second, out can never run: their wires form"):
        graph.forward(x=1.0)


def test_an_empty_graph_has_no_values_and_says_to_add_gates():
    graph = GateGraph()
    assert graph.values == {} and graph.grads == {}
    with pytest.raises(RuntimeError, match=r"^the graph has no gates yet: add them with add\(name,"):
        graph.forward()


def test_a_wire_name_of_several_letters_is_one_wire():
    graph = GateGraph()
    graph.add("squash", SigmoidGate(), "logit", "prob")
    assert graph.input_wires == ["logit"] and graph.output_wires == ["prob"]
    assert graph.forward(logit=0.0) == 0.5


def test_a_gate_is_checked_for_the_number_of_wires_it_writes():
    with pytest.raises(ValueError, match=r"CopyGate reads 1 wire\(s\) and writes 2"):
        GateGraph().add("copy", CopyGate(), "x", "y")


class HalfGate:
    """A student's gate that does not declare how many wires it reads or writes."""

    def forward(self, x):
        return x / 2

    def backward(self, dz):
        return dz / 2


def test_a_gate_that_does_not_declare_its_wires_is_taken_as_wired():
    graph = GateGraph()
    graph.add("half", HalfGate(), ["x"], ["y"])
    assert graph.forward(x=3.0) == 1.5
    assert graph.backward() == {"x": 0.5}


def test_the_output_gradient_defaults_to_ones_like_the_output():
    graph = neuron_graph()
    graph.forward(**NEURON_INPUTS)
    graph.backward()
    assert type(graph.grads["f"]) is float and graph.grads["f"] == 1.0, "floats in, floats out"
    graph.forward(**{**NEURON_INPUTS, "x0": np.array([-1.0, 0.5, 2.0])})
    graph.backward()
    assert graph.grads["f"].shape == (3,) and np.all(graph.grads["f"] == 1.0), "a 1 per element"
    adder = GateGraph()
    adder.add("add", AddGate(), ["x", "y"], "z")
    adder.forward(x=np.array([1, 2]), y=np.array([3, 4]))  # integers in, float gradients out
    assert adder.backward()["x"].dtype == np.float64
