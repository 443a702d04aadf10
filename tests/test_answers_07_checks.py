"""Stage 07's checks called directly, on slips no notebook run covers (no kernel needed): each
message names the mistake in a Dual, in chain_costs or in a Node's backward, and answers
written other ways pass."""
import numpy as np
import pytest

from autograd_ref.nodes import topological_order
from backprop_grading import stage07 as check
from grading_cells import failure

pytestmark = pytest.mark.stage07
in_process = pytest.mark.grading


class DualWithSlip:
    """A correct Dual, unless `slip` names a rule to break."""

    slip = None

    def __init__(self, val, dot=0.0):
        self.val, self.dot = val, dot

    def lift(self, x):
        return type(self)(x) if isinstance(x, (int, float)) else x

    def __add__(self, other):
        other = self.lift(other)
        return type(self)(self.val + other.val, self.dot + other.dot)

    def __sub__(self, other):
        other = self.lift(other)
        return type(self)(self.val - other.val, self.dot - other.dot)

    def __mul__(self, other):
        other = self.lift(other)
        dot = self.dot * other.dot if self.slip == "product" else self.dot * other.val + self.val * other.dot
        return type(self)(self.val * other.val, dot)

    def __truediv__(self, other):
        other = self.lift(other)
        quotient = self.val / other.val
        return type(self)(quotient, (self.dot - quotient * other.dot) / other.val)

    __radd__, __rmul__ = __add__, __mul__

    def __rsub__(self, other):
        return self.lift(other) - self

    def __rtruediv__(self, other):
        return self.lift(other) / self

    def exp(self):
        return type(self)(np.exp(self.val), np.exp(self.val) * self.dot)

    def log(self):
        return type(self)(np.log(self.val), (1.0 if self.slip == "chain" else self.dot) / self.val)

    def sqrt(self):
        return type(self)(np.sqrt(self.val), self.dot / (2 * np.sqrt(self.val)))


@in_process
def test_the_dual_used_for_slips_passes_when_correct():
    check.dual_rules(DualWithSlip)
    check.dual_random(DualWithSlip, seed=5)


@pytest.mark.parametrize("slip, words", [
    ("product", "product rule"),
    ("chain", "multiply the local derivative by self.dot"),
])
@in_process
def test_dual_slips_are_named(slip, words):
    broken = type("Broken", (DualWithSlip,), {"slip": slip})
    assert words in failure(check.dual_rules, broken)


@in_process
def test_a_forward_cost_with_one_term_too_many_fails():
    def one_term_too_many(dims):
        L = len(dims) - 1
        return (sum(dims[k] * dims[k - 1] * dims[0] for k in range(1, L + 1)),
                sum(dims[L] * dims[k] * dims[k - 1] for k in range(1, L)))

    message = failure(check.chain_costs_value, one_term_too_many, [3, 4, 5, 1])
    assert "forward_cost: expected 75, got 111" in message


class PlainNode:
    def __init__(self, value, children=()):
        self.value, self.children, self.gradient = value, list(children), None


class BreadthFirstNode(PlainNode):
    """Passes a node's gradient on as soon as the node is reached: too early for b."""

    def backward(self):
        self.gradient, queue, seen = 1.0, [self], {id(self)}
        while queue:
            node = queue.pop(0)
            for child, jacobian in node.children:
                part = np.dot(node.gradient, jacobian)
                child.gradient = part if child.gradient is None else child.gradient + part
                if id(child) not in seen:
                    seen.add(id(child))
                    queue.append(child)


class OverwritingNode(PlainNode):
    """Right order, but each parent's part replaces the previous one."""

    def backward(self):
        self.gradient = 1.0
        for node in topological_order(self):
            for child, jacobian in node.children:
                child.gradient = np.dot(node.gradient, jacobian)


@in_process
@pytest.mark.parametrize("node_class", [BreadthFirstNode, OverwritingNode])
def test_wrong_visiting_orders_and_overwrites_fail_with_the_order_hint(node_class):
    assert "topological order" in failure(check.node_log_sqrt, node_class)


@in_process
def test_a_dual_that_changes_its_operands_is_named():
    class DualAddingInPlace(DualWithSlip):
        def __add__(self, other):
            other = self.lift(other)
            self.val, self.dot = self.val + other.val, self.dot + other.dot
            return self

    message = failure(check.dual_rules, DualAddingInPlace)
    assert "Dual operations must return a new Dual and leave their operands unchanged" in message


@in_process
def test_integral_float_costs_are_accepted():
    def float_costs(dims):
        L = len(dims) - 1
        return (float(sum(dims[k] * dims[k - 1] * dims[0] for k in range(2, L + 1))),
                float(sum(dims[L] * dims[k] * dims[k - 1] for k in range(1, L))))

    check.chain_costs_random(float_costs, seed=3)


class JacobianFirstNode(PlainNode):
    """Right order, but np.dot(jacobian, gradient): fine for numbers, a shape error for vectors."""

    def backward(self):
        self.gradient = 1.0
        for node in topological_order(self):
            for child, jacobian in node.children:
                part = np.dot(jacobian, node.gradient)
                child.gradient = part if child.gradient is None else child.gradient + part


@in_process
def test_np_dot_with_its_arguments_swapped_gets_the_order_hint():
    check.node_log_sqrt(JacobianFirstNode)  # numbers: the order does not matter
    message = failure(check.node_vectors_random, JacobianFirstNode, seed=722)
    assert "np.dot(node.gradient, jacobian)" in message
    assert message.startswith("on the graph h = W x") and "the graph the graph" not in message


@pytest.mark.parametrize("missing, words", [
    ("lift", "turn it into a constant Dual first"),
    ("__rsub__", "define __rsub__"),
])
@in_process
def test_a_dual_that_cannot_take_plain_numbers_gets_a_hint(missing, words):
    namespace = {name: value for name, value in vars(DualWithSlip).items()
                 if name not in ("__dict__", "__weakref__", missing)}
    if missing == "lift":
        namespace["lift"] = lambda self, x: x  # numbers stay numbers: no .val
    broken = type(f"DualWithout{missing}", (), namespace)
    assert words in failure(check.dual_rules, broken)


class DualKeepingItselfForZero(DualWithSlip):
    """Returns its operand itself when adding 0: the right numbers, but not a new Dual."""

    def __add__(self, other):
        return self if other == 0 else super().__add__(other)

    __radd__ = __add__


@in_process
def test_a_dual_returning_its_operand_is_named():
    message = failure(check.dual_random, DualKeepingItselfForZero, seed=5)
    assert "d + 0 with d = Dual(1.5, 0.5) returned d itself: always return a new Dual" in message


@in_process
def test_chain_costs_reversing_dims_in_place_is_named():
    def reversing(dims):
        L = len(dims) - 1
        forward = sum(dims[k] * dims[k - 1] * dims[0] for k in range(2, L + 1))
        dims.reverse()  # the output side first: changes the caller's list
        return forward, sum(dims[0] * dims[k] * dims[k + 1] for k in range(1, L))

    assert "chain_costs([3, 4, 5, 1]) changed the list you passed in: it is now [1, 5, 4, 3]" in failure(
        check.chain_costs_value, reversing, [3, 4, 5, 1])


class ChildlessRootSkipped(PlainNode):
    """Returns at once from a root with no children, leaving its gradient None."""

    def backward(self):
        if not self.children:
            return
        self.gradient = 1.0
        for node in topological_order(self):
            for child, jacobian in node.children:
                part = np.dot(node.gradient, jacobian)
                child.gradient = part if child.gradient is None else child.gradient + part


@in_process
def test_a_root_without_children_is_checked():
    check.node_log_sqrt(ChildlessRootSkipped)  # right wherever there are children
    assert "root.gradient after backward() on a Node with no children" in failure(
        check.node_shared_random, ChildlessRootSkipped, seed=721)
