"""Backward step pictures: one per function, each highlighting the function whose backward runs."""
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_ref.drawing import draw, draw_backward_steps, show_backward_steps
from draw_helpers import (Add, Mul, Square, Stage02Exp, Stage02Square, Stage02Variable, Var,
                          count_nodes, highlighted, shown_grad)

pytestmark = pytest.mark.draw


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


def test_engine_backward_steps_run_in_the_engines_own_order():
    # here a depth-first walk would take sin(x) before exp(square(cos(x))); the engine, by
    # generation, the other way round, and the pictures must show what the engine does
    import autograd_ref as ag
    from autograd_ref.core import backward_order

    x = ag.Variable(np.array(0.5), name="x")
    y = (ag.sin(x) + ag.exp(ag.square(ag.cos(x)))) * ag.tanh(x)
    names = [type(f).__name__ for f in backward_order([y])]
    steps = draw_backward_steps(y)
    shown = [re.search(r"label=(\w+) fillcolor=orange", step.source).group(1) for step in steps]
    assert shown == names, f"expected the engine's order {names}, got {shown}"


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
