"""Checks for stage 07's `Node`: a graph of nodes that keep Jacobians (see autograd_ref.nodes).

A wrong gradient is reported with the graph it came from and the rule it breaks: visit each
node once in topological order, and add each parent's part to a child's gradient.
`stage07` hands these to the notebook's test cells.
"""
import numpy as np

from .checks import call, expect_close, expect_gradient, expect_true, rng

_DOT_ORDER_HINT = ("np.dot's argument order matters once values are vectors: part = np.dot(node.gradient, "
                   "jacobian), the node's gradient (a row, one entry per entry of node) times d node / d child "
                   "(one row per entry of node, one column per entry of child)")
_ORDER_HINT = ("process each node once, only after every node that lists it as a child has added "
               "its part (topological order), and add each part to the child's gradient, never overwrite it")


def node_starts_empty(Node):
    x = call(Node, 2.0, name="Node")
    expect_true(x.gradient is None,
                f"Node(2.0).gradient must be None before any backward(), got {x.gradient!r}")
    expect_true(len(x.children) == 0, f"Node(2.0).children must be empty, got {x.children!r}")
    y = call(Node, 0.5, [(x, 3.0)], name="Node")
    expect_true([(c, j) for c, j in y.children] == [(x, 3.0)],
                f"Node(0.5, [(x, 3.0)]).children must hold the pair (x, 3.0), got {y.children!r}")


def node_value(Node):
    """The contract's example: y = sin(x) at 2 with the Jacobian cos(2)."""
    x = Node(2.0)
    y = Node(np.sin(2.0), [(x, np.cos(2.0))])
    _backward(y, "the graph y = Node(sin(2), [(x, cos(2))])")
    expect_close(y.gradient, 1.0, "y.gradient after y.backward() (the root's own gradient)")
    expect_close(x.gradient, np.cos(2.0), "x.gradient after y.backward()",
                 hint="the child's gradient is np.dot(parent.gradient, jacobian)")


def node_log_sqrt(Node):
    """The running example: b is used by c and by f, so it must collect both parts before it
    passes anything on. Built twice, with f's children in either order."""
    for b_first in (False, True):
        x, y = Node(3.0), Node(2.0)
        a = Node(np.log(3.0), [(x, 1 / 3.0)])
        b = Node(a.value * 2.0, [(a, 2.0), (y, a.value)])
        c = Node(np.sqrt(b.value), [(b, 0.5 / np.sqrt(b.value))])
        children = [(b, 1.0), (c, 1.0)] if b_first else [(c, 1.0), (b, 1.0)]
        f = Node(c.value + b.value, children)
        pairs = "[(b, 1), (c, 1)]" if b_first else "[(c, 1), (b, 1)]"
        graph = f"a = log x, b = a y, c = sqrt b, f = Node(c + b, {pairs})"
        _backward(f, f"the graph {graph}")
        expect_close(b.gradient, 0.5 / np.sqrt(b.value) + 1.0,
                     f"b.gradient in {graph} (b reaches f directly and through c)", hint=_ORDER_HINT)
        for name, node, expected in (("x", x, 0.8915418452073699), ("y", y, 1.4691882405099876)):
            expect_close(node.gradient, expected, f"{name}.gradient (df/d{name} at (3, 2)) in {graph}",
                         hint=_ORDER_HINT)


def node_alone(Node):
    """A root with no children: backward() gives it gradient 1 and visits nothing else."""
    root = call(Node, 3.0, name="Node")
    _backward(root, "a root Node(3.0) with no children")
    expect_close(root.gradient, 1.0, "root.gradient after backward() on a Node with no children",
                 hint="the root's own gradient is 1, children or not; with no children there is "
                      "nothing else to visit")


def node_shared_random(Node, seed):
    """f = sin(u) u + exp(u) + x*x with u = x y: u has three parents, x is a child twice."""
    node_alone(Node)
    generator = rng(seed)
    for _ in range(3):
        x0, y0 = (float(v) for v in generator.uniform(-1.5, 1.5, size=2))
        x, y = Node(x0), Node(y0)
        u = Node(x0 * y0, [(x, y0), (y, x0)])
        s = Node(np.sin(u.value), [(u, np.cos(u.value))])
        p = Node(s.value * u.value, [(s, u.value), (u, s.value)])
        e = Node(np.exp(u.value), [(u, np.exp(u.value))])
        q = Node(x0 * x0, [(x, x0), (x, x0)])
        f = Node(p.value + e.value + q.value, [(q, 1.0), (e, 1.0), (p, 1.0)])
        _backward(f, "the graph f = sin(u) u + exp(u) + x*x, u = x y")
        where = f"at x={x0:.4g}, y={y0:.4g}, for f = sin(x y) x y + exp(x y) + x*x"
        expect_gradient(x.gradient, lambda t: _shared(t * y0) + t * t, x0, f"x.gradient {where}",
                        hint=_ORDER_HINT)
        expect_gradient(y.gradient, lambda t: _shared(x0 * t) + x0 * x0, y0, f"y.gradient {where}",
                        hint=_ORDER_HINT)


def _shared(u):
    return np.sin(u) * u + np.exp(u)


def node_vectors_random(Node, seed):
    """h = W x, a = tanh h, f = sum(a*a) + u.h: vector nodes with matrix Jacobians."""
    generator = rng(seed)
    W, u, x0 = generator.normal(size=(4, 3)), generator.normal(size=4), generator.normal(size=3)
    x = Node(x0)
    h = Node(W @ x0, [(x, W)])
    a = Node(np.tanh(h.value), [(h, np.diag(1 - np.tanh(h.value) ** 2))])
    f = Node(np.sum(a.value ** 2) + u @ h.value, [(a, 2 * a.value), (h, u)])
    _backward(f, "the graph h = W x, a = tanh(h), f = sum(a*a) + u.h")
    expect_gradient(x.gradient, lambda t: np.sum(np.tanh(W @ t) ** 2) + u @ W @ t, x0,
                    "x.gradient for f = sum(tanh(W x)**2) + u.(W x), x of shape (3,)",
                    hint=f"{_DOT_ORDER_HINT}, summed over every parent")


def node_visits_once(Node, levels=8):
    """A ladder of diamonds has 2**levels paths to its bottom node, which has only 2 parents:
    its gradient may be written a few times, not once per path."""
    writes = {}

    class Counted(Node):
        def __setattr__(self, name, value):
            if name == "gradient":
                writes[id(self)] = writes.get(id(self), 0) + 1
            super().__setattr__(name, value)

    bottom = below = Counted(0.5)
    for _ in range(levels):
        left, right = Counted(1.0, [(below, 0.7)]), Counted(2.0, [(below, 0.6)])
        below = Counted(3.0, [(left, 1.0), (right, 1.0)])
    writes.clear()
    _backward(below, f"a ladder of {levels} diamonds")
    expect_close(bottom.gradient, 1.3 ** levels,
                 f"the bottom node's gradient in a ladder of {levels} diamonds", hint=_ORDER_HINT)
    expect_true(writes.get(id(bottom), 0) <= 2 + 3,
                f"the bottom node of a ladder of {levels} diamonds has 2 parents, but backward() set its "
                f"gradient {writes.get(id(bottom), 0)} times: it is reached by {2 ** levels} paths and "
                f"backward seems to follow each path. Find the nodes in topological order first, then "
                f"visit each node once")


def _backward(root, what):
    """root.backward(); an error it raises also names the graph it ran on (`what`), and a
    shape mismatch (a ValueError from numpy) gets the np.dot order hint."""
    try:
        call(root.backward, name="Node.backward")
    except AssertionError as error:
        if type(error) is not AssertionError:  # not implemented yet, tampering: as they are
            raise
        hint = f". Hint: {_DOT_ORDER_HINT}" if isinstance(error.__cause__, ValueError) else ""
        raise AssertionError(f"on {what}: {error}{hint}") from error
