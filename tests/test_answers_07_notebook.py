"""Stage 07 graded by an outsider's answers: correct ones written differently pass, typical
mistakes fail with a message that names the mistake, reference answers earn nothing,
and patching numpy or the grader rescues no wrong answer.

Each fixture is one kernel execution of the student notebook with the answers written in; the
remaining slips are checked in this process against the same checks the test cells call, in
test_answers_07_checks.py.
"""
import pytest

from notebook_answers import failed, failures, kernel_run

pytestmark = pytest.mark.stage07
in_kernel = pytest.mark.notebooks
STAGE = "07_forward_and_reverse"

CORRECT = {
    # math instead of numpy, no lift helper, reflected ops written out, a different quotient formula
    "dual": """
import math
import numbers

class Dual:
    def __init__(self, val, dot=0.0):
        self.val = float(val)
        self.dot = float(dot)

    def __add__(self, other):
        if isinstance(other, numbers.Number):
            return Dual(self.val + other, self.dot)
        return Dual(self.val + other.val, self.dot + other.dot)

    def __radd__(self, other):
        return Dual(other + self.val, self.dot)

    def __sub__(self, other):
        if isinstance(other, numbers.Number):
            return Dual(self.val - other, self.dot)
        return Dual(self.val - other.val, self.dot - other.dot)

    def __rsub__(self, other):
        return Dual(other - self.val, -self.dot)

    def __mul__(self, other):
        if isinstance(other, numbers.Number):
            return Dual(self.val * other, self.dot * other)
        return Dual(self.val * other.val, self.val * other.dot + other.val * self.dot)

    def __rmul__(self, other):
        return Dual(other * self.val, other * self.dot)

    def __truediv__(self, other):
        if isinstance(other, numbers.Number):
            return Dual(self.val / other, self.dot / other)
        return Dual(self.val / other.val, (self.dot * other.val - self.val * other.dot) / other.val ** 2)

    def __rtruediv__(self, other):
        return Dual(other / self.val, -other * self.dot / self.val ** 2)

    def exp(self):
        return Dual(math.exp(self.val), math.exp(self.val) * self.dot)

    def log(self):
        return Dual(math.log(self.val), self.dot / self.val)

    def sqrt(self):
        return Dual(math.sqrt(self.val), 0.5 * self.dot / math.sqrt(self.val))
""",
    # an explicit loop, a list of numpy integers
    "chain_costs": """
import numpy as np

def chain_costs(dims):
    widths = np.array(dims, dtype=np.int64)
    forward, reverse = np.int64(0), np.int64(0)
    for k in range(1, len(widths)):
        if k >= 2:
            forward += widths[k] * widths[k - 1] * widths[0]
        if k <= len(widths) - 2:
            reverse += widths[-1] * widths[k] * widths[k - 1]
    return [forward, reverse]
""",
    # Kahn's algorithm with parent counts, zero-filled gradients accumulated in place
    "jacobian_node": """
import numpy as np
from collections import deque

class Node:
    def __init__(self, value, children=()):
        self.value = value
        self.children = tuple(children)
        self.gradient = None

    def backward(self):
        parents = {id(self): 0}
        nodes, stack = {id(self): self}, [self]
        while stack:
            node = stack.pop()
            for child, _ in node.children:
                if id(child) not in nodes:
                    nodes[id(child)] = child
                    parents[id(child)] = 0
                    stack.append(child)
                parents[id(child)] += 1
        for node in nodes.values():
            node.gradient = np.zeros_like(np.asarray(node.value, dtype=float))
        self.gradient = np.ones_like(np.asarray(self.value, dtype=float))
        ready = deque([self])
        while ready:
            node = ready.popleft()
            for child, jacobian in node.children:
                child.gradient += np.dot(node.gradient, jacobian)
                parents[id(child)] -= 1
                if parents[id(child)] == 0:
                    ready.append(child)
""",
}

MISTAKES_AND_TAMPERING = {
    # the reflected methods reuse the normal ones: 2 - d computes d - 2
    "dual": """
import numpy as np

class Dual:
    def __init__(self, val, dot=0.0):
        self.val, self.dot = val, dot

    def _dual(self, other):
        return other if isinstance(other, Dual) else Dual(other)

    def __add__(self, other):
        other = self._dual(other)
        return Dual(self.val + other.val, self.dot + other.dot)

    def __sub__(self, other):
        other = self._dual(other)
        return Dual(self.val - other.val, self.dot - other.dot)

    def __mul__(self, other):
        other = self._dual(other)
        return Dual(self.val * other.val, self.dot * other.val + self.val * other.dot)

    def __truediv__(self, other):
        other = self._dual(other)
        return Dual(self.val / other.val, (self.dot * other.val - self.val * other.dot) / other.val ** 2)

    __radd__, __rsub__, __rmul__, __rtruediv__ = __add__, __sub__, __mul__, __truediv__

    def exp(self):
        return Dual(np.exp(self.val), np.exp(self.val) * self.dot)

    def log(self):
        return Dual(np.log(self.val), self.dot / self.val)

    def sqrt(self):
        return Dual(np.sqrt(self.val), self.dot / (2 * np.sqrt(self.val)))
""",
    # the two costs swapped
    "chain_costs": """
def chain_costs(dims):
    L = len(dims) - 1
    return (sum(dims[L] * dims[k] * dims[k - 1] for k in range(1, L)),
            sum(dims[k] * dims[k - 1] * dims[0] for k in range(2, L + 1)))
""",
    # pushes each partial gradient down every path: right numbers, exponential work
    "jacobian_node": """
import numpy as np

class Node:
    def __init__(self, value, children=()):
        self.value, self.children, self.gradient = value, list(children), None

    def backward(self, gradient=1.0):
        self.gradient = gradient if self.gradient is None else self.gradient + gradient
        for child, jacobian in self.children:
            child.backward(np.dot(gradient, jacobian))
""",
}

REFERENCE = {
    "dual": "from autograd_ref import Dual",
    "chain_costs": "from autograd_ref.jacobians import chain_costs",
    "jacobian_node": """
from autograd_ref import nodes

class Node(nodes.Node):
    pass
""",
}


correct = kernel_run(STAGE, CORRECT)
mistakes = kernel_run(STAGE, MISTAKES_AND_TAMPERING)
reference = kernel_run(STAGE, REFERENCE)


@in_kernel
def test_correct_answers_written_differently_pass_every_test(correct):
    assert not failures(correct)


@in_kernel
def test_reflected_ops_that_reuse_the_normal_ones_are_named(mistakes):
    message = failed(mistakes, "test_dual").message
    assert "__rsub__" in message and "compute other - self" in message


@in_kernel
def test_swapped_costs_are_named(mistakes):
    assert "swapped" in failed(mistakes, "test_chain_costs").message


@in_kernel
def test_following_every_path_fails_the_hidden_visit_once_test(mistakes):
    message = failed(mistakes, "test_jacobian_node").message
    assert "backward seems to follow each path" in message and "256 times" in message


@in_kernel
def test_reference_answers_earn_nothing(reference):
    for cell in ("test_dual", "test_chain_costs", "test_jacobian_node"):
        assert failed(reference, cell).outcome == "reference answer", reference[cell]
    assert "`autograd_ref.nodes.Node`" in reference["test_jacobian_node"].message  # subclassed
