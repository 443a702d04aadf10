"""The reference Node graph (stage 07's stand-in) and the Jacobian chain costs."""
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_ref
from autograd_ref.jacobians import chain_costs, counted_chain_costs
from autograd_ref.nodes import Node, topological_order

pytestmark = pytest.mark.stage07

modest = settings(max_examples=40, deadline=None)


def test_the_contract_example_gives_cos_2():
    x = Node(2.0)
    y = Node(np.sin(2.0), [(x, np.cos(2.0))])
    assert x.gradient is None and y.gradient is None
    y.backward()
    assert y.gradient == 1.0
    assert x.gradient == pytest.approx(np.cos(2.0), rel=1e-15)


def test_vector_nodes_take_matrix_jacobians():
    W = np.array([[1.0, -2.0], [0.5, 3.0], [2.0, 1.0]])
    x = Node(np.array([0.3, -0.1]))
    h = Node(W @ x.value, [(x, W)])
    s = Node(np.sum(h.value ** 2), [(h, 2 * h.value)])
    s.backward()
    np.testing.assert_allclose(x.gradient, 2 * W.T @ W @ x.value, rtol=1e-12)


@st.composite
def random_graphs(draw):
    """Three leaf values and steps (op, i, j): add or multiply two earlier results. Small
    integers, so both sides compute exactly and no rounding can tell them apart."""
    leaves = [float(draw(st.integers(-3, 3))) for _ in range(3)]
    steps = draw(st.lists(st.tuples(st.sampled_from("+*"), st.integers(0, 99), st.integers(0, 99)),
                          min_size=1, max_size=5))
    return leaves, steps


def build(leaves, steps, leaf, add, mul):
    made = [leaf(value) for value in leaves]
    for op, i, j in steps:
        made.append((add if op == "+" else mul)(made[i % len(made)], made[j % len(made)]))
    return made[:3], made[-1]


def node_add(a, b):
    return Node(a.value + b.value, [(a, 1.0), (b, 1.0)])


def node_mul(a, b):
    return Node(a.value * b.value, [(a, b.value), (b, a.value)])


@modest
@given(random_graphs())
def test_gradients_match_the_engine_on_random_graphs_with_shared_nodes(graph):
    leaves, root = build(*graph, Node, node_add, node_mul)
    variables, output = build(*graph, lambda v: autograd_ref.Variable(np.array(v)),
                              autograd_ref.add, autograd_ref.mul)
    root.backward()
    output.backward()
    for node, variable in zip(leaves, variables):
        if variable.grad is None:  # the root does not depend on this leaf
            assert node.gradient is None
        else:
            assert node.gradient == pytest.approx(float(variable.grad), rel=1e-9, abs=1e-12)


def test_each_node_is_visited_once_however_many_paths_reach_it():
    visits = []

    class Counted(Node):
        @property
        def children(self):
            visits.append(self)
            return self._children

        @children.setter
        def children(self, pairs):
            self._children = pairs

    bottom = below = Counted(0.5)
    for _ in range(12):  # 2**12 paths from the top to the bottom
        below = Counted(3.0, [(Counted(1.0, [(below, 0.7)]), 1.0), (Counted(2.0, [(below, 0.6)]), 1.0)])
    visits.clear()
    below.backward()
    assert bottom.gradient == pytest.approx(1.3 ** 12)
    assert visits.count(bottom) <= 2  # found once, backed through once


def test_deep_chains_need_no_recursion():
    x = node = Node(1.0)
    for _ in range(3 * sys.getrecursionlimit()):
        node = Node(node.value, [(node, 1.0)])
    node.backward()
    assert x.gradient == 1.0


def test_topological_order_puts_every_node_after_its_parents():
    x, y = Node(3.0), Node(2.0)
    a = Node(np.log(3.0), [(x, 1 / 3.0)])
    b = Node(a.value * 2.0, [(a, 2.0), (y, a.value)])
    c = Node(np.sqrt(b.value), [(b, 0.5 / np.sqrt(b.value))])
    f = Node(c.value + b.value, [(b, 1.0), (c, 1.0)])  # b is listed before c, its other parent
    order = topological_order(f)
    assert sorted(map(id, order)) == sorted(map(id, [x, y, a, b, c, f]))
    for parent in order:
        for child, _ in parent.children:
            assert order.index(parent) < order.index(child)


# ---- chain_costs ----------------------------------------------------------------------------

@modest
@given(st.lists(st.integers(1, 30), min_size=2, max_size=7))
def test_chain_costs_count_the_multiplications_of_real_products(dims):
    assert chain_costs(dims) == counted_chain_costs(dims)


def test_reverse_mode_is_cheaper_for_a_scalar_output():
    forward, reverse = chain_costs([1000, 100, 10, 1])
    assert reverse < forward
    forward, reverse = chain_costs([1, 10, 100, 1000])
    assert forward < reverse
