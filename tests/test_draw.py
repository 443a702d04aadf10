"""Graph drawings: checked through the DOT source (labels, styles), never coordinates.

Backward step pictures are tested in test_draw_steps.py.
"""
import re
import sys
import types

import graphviz
import numpy as np
import pytest

from autograd_ref.drawing import Picture, dot_program, draw, draw_circuit, draw_nodes
from autograd_ref.drawing.labels import GRAD_COLOR
from autograd_ref.drawing.picture import MAX_WIDTH_PT, svg_width
from autograd_ref.nodes import Node
from draw_helpers import (Add, Func, Mul, Square, Stage02Exp, Stage02Square, Stage02Variable,
                          Stage04Square, Stage04Variable, Var, count_nodes, node_line, shown_grad)

pytestmark = pytest.mark.draw


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


def shown_svg(picture):
    return picture._repr_mimebundle_()["image/svg+xml"]


def test_a_narrow_drawing_stays_left_to_right_at_its_own_size():
    picture = draw(Square()(Var(3.0, name="x")))
    assert shown_svg(picture) == picture.pipe(format="svg", encoding="utf-8").replace(
        "<svg ", '<svg style="max-width: 100%; height: auto" ', 1)


def test_a_long_chain_is_laid_out_top_to_bottom_to_fit_the_output_area():
    y = Var(0.5, name="x")
    for _ in range(8):
        y = Square()(y)
    picture = draw(y)
    assert svg_width(picture.pipe(format="svg", encoding="utf-8")) > MAX_WIDTH_PT
    svg = shown_svg(picture)
    assert svg_width(svg) <= MAX_WIDTH_PT, f"expected at most {MAX_WIDTH_PT} pt, got {svg_width(svg)}"
    assert svg_width(svg) > MAX_WIDTH_PT / 10, "laid out anew, not shrunk to a sliver"
    assert 'style="max-width: 100%; height: auto"' in svg
    assert picture.graph_attr["rankdir"] == "LR", "the picture itself is left as it was"


def test_a_graph_too_wide_either_way_is_scaled_down_to_fit():
    inputs = [Var(float(i), name=f"input_{i}_with_a_long_name") for i in range(12)]
    total = inputs[0]
    for x in inputs[1:]:
        total = Add()(total, x)
    wide = Picture(graph_attr={"rankdir": "TB"})
    for i in range(30):  # thirty unconnected nodes side by side
        wide.node(f"n{i}", "a label of some width")
    for picture in (draw(total), wide):
        assert svg_width(picture.pipe(format="svg", encoding="utf-8")) > MAX_WIDTH_PT
        svg = shown_svg(picture)
        assert svg_width(svg) <= MAX_WIDTH_PT, f"expected at most {MAX_WIDTH_PT} pt, got {svg_width(svg)}"


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
    assert len(re.findall(r"f\d+ -> v\d+", before)) == 2, "each function points at its `.output`"
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
    with pytest.raises(ValueError, match=r"^chain\[1\] \(Stage02Square\) has 0 inputs; chain="):
        draw(y, chain=[A, Stage02Square(), C])  # never called, so it has no input
    with pytest.raises(ValueError, match=r"^chain= needs exactly one output to draw, got 2\.$"):
        draw([y, x], chain=[A, B, C])


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


def test_weakly_held_outputs_are_drawn_and_a_freed_one_is_skipped():
    import weakref

    class Split(Func):
        """DeZero's multi-output Function: its outputs are held through weak references."""

        def __call__(self, x):
            outputs = super().__call__(x)
            self.outputs = [weakref.ref(y) for y in outputs]
            return outputs

        def forward(self, x):
            return x[:1], x[1:]

    first, rest = Split()(Var(np.array([1.0, 2.0, 3.0]), name="x"))
    rest.name = "rest"
    source = draw(first).source
    node_line(source, "rest")  # a sibling output is drawn even when not asked for
    del rest
    assert count_nodes(draw(first).source, "ellipse") == 2  # ... and skipped once freed


def test_engine_graphs_draw_the_output_each_function_holds_weakly():
    from autograd_ref import Variable, square

    x = Variable(np.array(2.0), name="x")
    y = square(x)
    y.name = "y"
    source = draw(y).source
    node_line(source, "y"), node_line(source, "x")
    assert count_nodes(source, "ellipse") == 2 and count_nodes(source, "box") == 1


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

def test_reference_nodes_are_detected_drawn_once_with_jacobians_and_gradients():
    x = Node(2.0)
    x.name = "x"
    y = Node(np.sin(2.0), [(x, np.cos(2.0)), (x, 3.0)])
    source = draw(y).source
    assert source == draw_nodes(y).source
    node_line(source, "x")
    assert source.count(" -> ") == 2
    assert f"J {np.cos(2.0):.4g}" in source and "J 3" in source
    assert shown_grad(source, "x") is None
    y.backward()
    assert shown_grad(draw(y).source, "x") == pytest.approx(np.cos(2.0) + 3.0, rel=1e-3)


def test_a_students_node_needs_only_value_and_children():
    leaf = types.SimpleNamespace(value=1.5, children=[], name="leaf")
    root = types.SimpleNamespace(value=3.0, children=[(leaf, 2.0)], name="root")
    source = draw(root).source
    assert "1.5" in node_line(source, "leaf") and shown_grad(source, "root") is None
    assert "J 2" in source


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

