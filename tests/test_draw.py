"""Graph drawings: checked through the DOT source (labels, styles), never coordinates."""
import re
import sys
import types

import graphviz
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_ref.drawing import (Picture, dot_program, draw, draw_backward_steps, draw_circuit,
                                  draw_nodes, show_backward_steps)
from autograd_ref.drawing.labels import GRAD_COLOR

pytestmark = pytest.mark.draw


# ---- small stand-ins for the notebooks' own classes -------------------------------------

class Stage02Variable:
    """Stage 02: data and grad, no creator."""

    def __init__(self, data):
        self.data = np.asarray(data, dtype=float)
        self.grad = None


class Stage02Function:
    def __call__(self, input):
        self.input = input
        return Stage02Variable(self.forward(input.data))


class Stage02Square(Stage02Function):
    def forward(self, x):
        return x ** 2

    def backward(self, gy):
        return 2 * self.input.data * gy


class Stage02Exp(Stage02Function):
    def forward(self, x):
        return np.exp(x)

    def backward(self, gy):
        return np.exp(self.input.data) * gy


class Stage04Variable(Stage02Variable):
    """Stage 04: a creator link; functions keep `.input` and `.output`."""

    def __init__(self, data, name=None):
        super().__init__(data)
        self.creator = None
        self.name = name


class Stage04Square(Stage02Square):
    def __call__(self, input):
        self.input = input
        self.output = Stage04Variable(self.forward(input.data))
        self.output.creator = self
        return self.output


class Var:
    """Stage 05: generation, several inputs and outputs, and a reference backward to compare."""

    def __init__(self, data, name=None):
        self.data = np.asarray(data, dtype=float)
        self.name = name
        self.grad = None
        self.creator = None
        self.generation = 0

    def backward(self):
        self.grad = np.ones_like(self.data)
        pending, seen = [self.creator], {self.creator}
        while pending:
            pending.sort(key=lambda f: f.generation)
            f = pending.pop()
            gxs = f.backward(*[y.grad for y in f.outputs])
            gxs = gxs if isinstance(gxs, tuple) else (gxs,)
            for x, gx in zip(f.inputs, gxs):
                x.grad = gx if x.grad is None else x.grad + gx
                if x.creator is not None and x.creator not in seen:
                    seen.add(x.creator)
                    pending.append(x.creator)


class Func:
    def __call__(self, *inputs):
        self.inputs = list(inputs)
        self.generation = max(x.generation for x in inputs)
        ys = self.forward(*[x.data for x in inputs])
        self.outputs = [Var(y) for y in (ys if isinstance(ys, tuple) else (ys,))]
        for y in self.outputs:
            y.creator, y.generation = self, self.generation + 1
        return self.outputs[0] if len(self.outputs) == 1 else self.outputs


class Add(Func):
    def forward(self, a, b):
        return a + b

    def backward(self, gy):
        return gy, gy


class Mul(Func):
    def forward(self, a, b):
        return a * b

    def backward(self, gy):
        a, b = (x.data for x in self.inputs)
        return gy * b, gy * a


class Square(Func):
    def forward(self, x):
        return x ** 2

    def backward(self, gy):
        return 2 * self.inputs[0].data * gy


# ---- reading the DOT source ---------------------------------------------------------------

def node_line(source, name):
    """The one node statement whose label shows `name` in bold."""
    lines = [line for line in source.splitlines() if f"<b>{name}</b>" in line and "->" not in line]
    assert len(lines) == 1, f"expected one node named {name}, found {lines}"
    return lines[0]


def shown_grad(source, name):
    found = re.search(r"grad ([^<]+)</font>", node_line(source, name))
    return None if found is None else float(found.group(1))


def count_nodes(source, shape):
    return sum(f"shape={shape}" in line and "->" not in line for line in source.splitlines())


def highlighted(source):
    return [line.split()[0] for line in source.splitlines() if "fillcolor=orange" in line]


# ---- the dot program ----------------------------------------------------------------------

def test_a_dot_program_is_found_and_plain_graphviz_renders_with_it():
    assert dot_program() is not None
    plain = graphviz.Digraph()
    plain.edge("a", "b")
    assert "<svg" in plain.pipe(format="svg", encoding="utf-8")


def test_graphviz_pure_is_found_beside_python_when_path_has_no_dot(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert dot_program() is not None
    assert "<svg" in graphviz.Digraph(body=["a -> b"]).pipe(format="svg", encoding="utf-8")


def test_records_html_labels_boxes_and_clusters_render():
    picture = Picture()
    with picture.subgraph(name="cluster_inputs") as cluster:
        cluster.attr(label="inputs")
        cluster.node("r", "{left|right}", shape="record")
    picture.node("h", "<<b>bold</b><br/><font color='red'>red</font>>")
    picture.node("b", "a box", shape="box")
    picture.edges([("r", "h"), ("h", "b")])
    svg = picture._repr_mimebundle_()["image/svg+xml"]
    for text in ("<svg", "inputs", "left", "right", "bold", "red", "a box"):
        assert text in svg


def test_without_dot_a_picture_shows_why_and_its_source(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    assert dot_program() is None
    picture = draw(Var(2.0, name="lonely"))
    bundle = picture._repr_mimebundle_()
    assert "image/svg+xml" not in bundle
    assert "no Graphviz `dot` program" in bundle["text/plain"]
    assert picture.source in bundle["text/plain"]
    assert picture.source in bundle["text/markdown"]


def test_a_failing_dot_run_is_explained_not_raised():
    picture = Picture(body=["this is { not DOT"])
    bundle = picture._repr_mimebundle_()
    assert "`dot` failed" in bundle["text/plain"]
    assert "this is { not DOT" in bundle["text/markdown"]


def test_a_drawing_renders_to_svg():
    x = Var(3.0, name="x")
    assert "<svg" in draw(Square()(x)).pipe(format="svg", encoding="utf-8")


# ---- draw ---------------------------------------------------------------------------------

def test_stage04_chain_shows_values_and_grads_after_backward():
    x = Stage04Variable(0.5, name="x")
    y = Stage04Square()(Stage04Square()(x))
    y.name = "y"
    before = draw(y).source
    assert count_nodes(before, "box") == 2
    assert "Stage04Square" in before
    assert "0.5" in node_line(before, "x") and "0.0625" in node_line(before, "y")
    assert shown_grad(before, "x") is None
    y.grad, x.grad = np.array(1.0), np.array(0.5)
    assert shown_grad(draw(y).source, "x") == 0.5


def test_stage02_variables_without_creator_are_linked_by_chain():
    x = Stage02Variable(0.5)
    A, B, C = Stage02Square(), Stage02Exp(), Stage02Square()
    y = C(B(A(x)))
    source = draw(y, chain=[A, B, C]).source
    assert count_nodes(source, "box") == 3
    assert count_nodes(source, "ellipse") == 4
    assert draw(y).source.count("shape=box") == 0  # without chain y looks like a leaf
    with pytest.raises(ValueError, match="chain"):
        draw(y, chain=[A, Stage02Square(), C])


def test_reused_variables_and_functions_appear_once():
    x = Var(2.0, name="x")
    a = Square()(x)
    a.name = "a"
    y = Add()(Square()(a), Square()(a))
    source = draw(y).source
    node_line(source, "x"), node_line(source, "a")  # each asserts exactly one node
    assert count_nodes(source, "box") == 4
    twice = Add()(x, x)
    source = draw(twice).source
    assert count_nodes(source, "box") == 1 and count_nodes(source, "ellipse") == 2
    assert len(re.findall(r"v\d+ -> f0", source)) == 2  # two arrows from x into the Add


def test_a_list_of_outputs_is_drawn_as_one_graph():
    x = Var(2.0, name="x")
    y1, y2 = Square()(x), Mul()(x, x)
    source = draw([y1, y2], title="two outputs").source
    node_line(source, "x")
    assert count_nodes(source, "box") == 2 and "two outputs" in source


def test_verbose_false_shows_names_only():
    x = Var(1.2345678, name="x")
    x.grad = np.array(7.0)
    source = draw(Square()(x), verbose=False).source
    assert "1.235" not in source and "grad" not in source
    assert "1.235" in draw(Square()(x)).source


def test_arrays_show_values_when_small_and_shape_when_large():
    small, large = Var(np.arange(3.0), name="small"), Var(np.zeros((4, 5)), name="large")
    source = draw(Add()(small, small)).source + draw(Mul()(large, large)).source
    assert "[0.0, 1.0, 2.0]" in node_line(source, "small")
    assert "(4, 5) float64" in node_line(source, "large")


def test_deep_graphs_are_walked_without_recursion():
    y = x = Stage04Variable(1.0, name="x")
    for _ in range(3 * sys.getrecursionlimit()):
        y = Stage04Square()(y)
    assert count_nodes(draw(y).source, "box") == 3 * sys.getrecursionlimit()


def test_engine_graphs_with_weak_outputs_and_several_outputs():
    from autograd_ref.core import Function, Variable

    class Split(Function):
        def forward(self, x):
            return x[:1], x[1:]

    x = Variable(np.array([1.0, 2.0, 3.0]), name="x")
    first, rest = Split()(x)
    rest.name = "rest"
    source = draw(first).source
    node_line(source, "rest")  # a sibling output is drawn even when not asked for
    del rest
    assert count_nodes(draw(first).source, "ellipse") == 2  # ... and skipped once freed


def test_a_grad_that_is_a_variable_shows_its_value():
    from autograd_ref import Variable

    x = Variable(np.array(2.0), name="x")
    y = x * x * x
    y.backward(create_graph=True)
    assert shown_grad(draw(y).source, "x") == float(x.grad.data) == 12.0


def test_the_projects_stage_classes_are_drawn():
    from autograd_ref.stages import general, linked

    for stage in (linked, general):
        x = stage.Variable(np.array(0.5))
        y = stage.square(stage.exp(stage.square(x)))
        y.backward()
        assert count_nodes(draw(y).source, "box") == 3
        assert f"grad {x.grad:.4g}" in draw(y).source


# ---- stage 07 nodes -----------------------------------------------------------------------

class Node:
    def __init__(self, value, children=()):
        self.value, self.children, self.gradient = value, list(children), None


def test_nodes_are_detected_drawn_once_with_jacobians_on_edges():
    x = Node(2.0)
    x.name = "x"
    y = Node(np.sin(2.0), [(x, np.cos(2.0)), (x, 3.0)])
    source = draw(y).source
    assert source == draw_nodes(y).source
    node_line(source, "x")
    assert source.count(" -> ") == 2
    assert f"J {np.cos(2.0):.4g}" in source and "J 3" in source
    x.gradient = np.cos(2.0) + 3.0
    assert shown_grad(draw(y).source, "x") == pytest.approx(x.gradient, rel=1e-3)


# ---- gate circuits ------------------------------------------------------------------------

def circuit_f_is_x_plus_y_times_z():
    """Duck-typed circuit: only the gates' class names matter to the drawing."""
    record = types.SimpleNamespace
    gate = {name: type(name, (), {})() for name in ("AddGate", "MultiplyGate", "MaxGate")}
    return types.SimpleNamespace(
        gates=[record(name="add", gate=gate["AddGate"], inputs=["x", "y"], outputs=["q"]),
               record(name="mul", gate=gate["MultiplyGate"], inputs=["q", "z"], outputs=["f"]),
               record(name="max", gate=gate["MaxGate"], inputs=["q", "z"], outputs=["m"])],
        values={"x": -2.0, "y": 5.0, "z": -4.0, "q": 3.0, "f": -12.0, "m": 3.0},
        grads={},
    )


def edge_lines(source, wire):
    return [line for line in source.splitlines() if "->" in line and f"tooltip={wire}]" in line]


def test_circuit_gates_wires_and_forward_values():
    circuit = circuit_f_is_x_plus_y_times_z()
    source = draw_circuit(circuit).source
    assert "<b>+</b>" in source and "<b>*</b>" in source and "<b>max</b>" in source
    assert "MultiplyGate" in source
    for terminal in ("x", "y", "z", "f", "m"):
        assert f"[label={terminal} shape=plaintext]" in source
    assert len(edge_lines(source, "q")) == 2  # q feeds two gates
    assert all("3.0" in line for line in edge_lines(source, "q"))
    assert GRAD_COLOR not in source  # no gradients before backward


def test_circuit_shows_gradients_below_values_after_backward():
    circuit = circuit_f_is_x_plus_y_times_z()
    circuit.grads = {"f": 1.0, "q": -4.0, "z": 3.0, "x": -4.0, "y": -4.0}
    line = edge_lines(draw_circuit(circuit).source, "z")[0]
    assert line.index("-4.0") < line.index(GRAD_COLOR) < line.index("3.0</font>")


# ---- backward steps -----------------------------------------------------------------------

def test_backward_steps_one_per_function_each_highlighting_another():
    x = Var(2.0, name="x")
    a = Square()(x)
    y = Add()(Square()(a), Square()(a))
    steps = draw_backward_steps(y)
    assert len(steps) == count_nodes(draw(y).source, "box") == 4
    highlights = [highlighted(step.source) for step in steps]
    assert all(len(h) == 1 for h in highlights)
    assert len({h[0] for h in highlights}) == 4
    assert x.grad is None and y.grad is None  # the graph itself is untouched
    assert "grey" in steps[0].source and "grey" not in steps[-1].source


def test_backward_step_edges_read_upstream_times_local():
    x = Var(3.0, name="x")
    steps = draw_backward_steps(Square()(x))
    assert 'label="1.0 * 6.0 = 6.0"' in steps[0].source
    matrix = Var(np.ones((2, 3)), name="m")
    steps = draw_backward_steps(Mul()(matrix, matrix))
    assert 'label="(2, 3) * local = (2, 3)"' in steps[0].source


def test_stage02_chain_steps_match_manual_backprop():
    x = Stage02Variable(0.5)
    A, B, C = Stage02Square(), Stage02Exp(), Stage02Square()
    y = C(B(A(x)))
    steps = draw_backward_steps(y, chain=[A, B, C])
    assert len(steps) == 3
    assert [s.source.count("label=Stage02Exp fillcolor=orange") for s in steps] == [0, 1, 0]
    manual = A.backward(B.backward(C.backward(np.array(1.0))))
    assert f"grad {manual:.4g}" in steps[-1].source


def test_an_error_in_backward_says_which_step():
    class Broken(Square):
        def backward(self, gy):
            raise NotImplementedError("write me")

    with pytest.raises(NotImplementedError) as error:
        draw_backward_steps(Broken()(Var(1.0)))
    assert "Broken.backward, step 1" in "".join(error.value.__notes__)


def test_show_backward_steps_displays_caption_then_picture(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", shown.append)
    x = Var(2.0, name="x")
    show_backward_steps(Mul()(Square()(x), x))
    assert [type(item).__name__ for item in shown] == ["Markdown", "Picture"] * 2
    assert "Step 2 of 2" in shown[2].data


@st.composite
def random_graphs(draw_from):
    """A random DAG of adds and multiplies over three named leaves, with small integer values."""
    leaves = [draw_from(st.integers(-3, 3)) for _ in range(3)]
    steps = draw_from(st.lists(st.tuples(st.sampled_from("+*"), st.integers(0, 99),
                                         st.integers(0, 99)), min_size=1, max_size=6))
    return leaves, steps


def build(leaves, steps, variable, add, mul):
    """Apply the random steps; returns the leaves and the last value (depends on leaf 0)."""
    xs = [variable(np.array(float(value)), name=f"x{i}") for i, value in enumerate(leaves)]
    made = list(xs)
    for op, i, j in steps:
        made.append((add if op == "+" else mul)(made[i % len(made)], made[j % len(made)]))
    return xs, add(made[-1], xs[0])


@settings(max_examples=25, deadline=None)
@given(random_graphs())
def test_last_step_gradients_equal_a_real_backward(graph):
    from autograd_ref import Variable, add, mul

    for variable, add_op, mul_op in ((Var, lambda a, b: Add()(a, b), lambda a, b: Mul()(a, b)),
                                     (Variable, add, mul)):
        xs, y = build(*graph, variable, add_op, mul_op)
        steps = draw_backward_steps(y)
        assert len(steps) == count_nodes(draw(y).source, "box")
        y.backward()
        for x in xs:
            if x.grad is None:  # a leaf the output does not depend on is not drawn
                assert f"<b>{x.name}</b>" not in steps[-1].source
            else:
                expected = pytest.approx(float(x.grad), rel=1e-3)
                assert shown_grad(steps[-1].source, x.name) == expected


def test_steps_follow_topological_order_without_generations():
    x = Var(2.0, name="x")
    a = Square()(x)
    y = Add()(Mul()(a, x), a)
    y.backward()
    for function in (y.creator, a.creator, y.creator.inputs[0].creator):
        del function.generation
    steps = draw_backward_steps(y)
    assert shown_grad(steps[-1].source, "x") == float(x.grad)
    order = [re.search(r"label=(\w+) fillcolor=orange", step.source).group(1) for step in steps]
    assert order.index("Mul") < order.index("Square")
