"""Stage 07 graded by an outsider's answers: correct ones written differently pass, typical
mistakes fail with a message that names the mistake, reference answers earn nothing,
and patching numpy or the grader rescues no wrong answer.

Each fixture is one kernel execution of the student notebook with the answers written in; the
remaining slips are checked in this process against the same checks the test cells call.
"""
import numpy as np
import pytest

from notebook_answers import failed, failures, kernel_run

pytestmark = pytest.mark.stage07
in_kernel, in_process = pytest.mark.notebooks, pytest.mark.grading
STAGE = "07_modes_and_mlp"

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
    # tanh, np.split batches, losses as an array, in-place updates, predict without no_grad
    "train_mlp": """
import numpy as np
from autograd_ref import Variable, matmul, tanh, softmax_cross_entropy

def train_mlp(X, t, hidden=10, lr=1.0, epochs=300, batch_size=30, seed=0):
    random = np.random.default_rng(seed)
    classes = len(np.unique(t))
    weights = [Variable(random.normal(scale=1 / np.sqrt(2), size=(X.shape[1], hidden))),
               Variable(np.zeros((1, hidden))),
               Variable(random.normal(scale=1 / np.sqrt(hidden), size=(hidden, classes))),
               Variable(np.zeros((1, classes)))]

    def forward(inputs):
        W1, b1, W2, b2 = weights
        return matmul(tanh(matmul(inputs, W1) + b1), W2) + b2

    history = np.zeros(epochs)
    for epoch in range(epochs):
        shuffled = random.permutation(len(X))
        for batch in np.split(shuffled, range(batch_size, len(X), batch_size)):
            loss = softmax_cross_entropy(forward(X[batch]), t[batch])
            for w in weights:
                w.grad = None
            loss.backward()
            for w in weights:
                w.data -= lr * w.grad
            history[epoch] += loss.data * len(batch) / len(X)
    return (lambda new: np.argmax(forward(new).data, axis=1)), history
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
    # a wrong answer (a step uphill) plus an attempt to make every check pass
    "train_mlp": """
import numpy as np
import backprop_grading.checks as checks
from autograd_ref import Variable, matmul, sigmoid, softmax_cross_entropy

def train_mlp(X, t, hidden=10, lr=1.0, epochs=300, batch_size=30, seed=0):
    rng = np.random.default_rng(seed)
    params = [Variable(rng.standard_normal((2, hidden))), Variable(np.zeros(hidden)),
              Variable(rng.standard_normal((hidden, 3))), Variable(np.zeros(3))]
    net = lambda x: matmul(sigmoid(matmul(x, params[0]) + params[1]), params[2]) + params[3]
    losses = []
    for _ in range(epochs):
        loss = softmax_cross_entropy(net(X), t)
        loss.backward()
        for p in params:
            p.data = p.data + lr * p.grad
        losses.append(float(loss.data))
    return (lambda x: net(x).data.argmax(axis=1)), losses

np.allclose = lambda *args, **kwargs: True
np.isclose = lambda *args, **kwargs: True
checks.expect_true = lambda *args, **kwargs: None
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
    "train_mlp": """
from autograd_ref.nn import MLP, predict, train_classifier

def train_mlp(X, t, hidden=10, lr=1.0, epochs=300, batch_size=30, seed=0):
    model = MLP([X.shape[1], hidden, 3], seed=seed)
    losses = train_classifier(model, X, t, lr, epochs, batch_size, seed)
    return (lambda X_new: predict(model, X_new)), losses
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
def test_patching_numpy_and_the_grader_does_not_rescue_a_wrong_training_loop(mistakes):
    assert failed(mistakes, "test_train_mlp").outcome == "failed"


@in_kernel
def test_reference_answers_earn_nothing(reference):
    for cell in ("test_dual", "test_chain_costs", "test_jacobian_node", "test_train_mlp"):
        assert failed(reference, cell).outcome == "reference answer", reference[cell]
    assert "`autograd_ref.nodes.Node`" in reference["test_jacobian_node"].message  # subclassed
    assert "`autograd_ref.nn" in reference["test_train_mlp"].message


# The other slips, checked in this process (no kernel needed): each message names the mistake.
from autograd_ref import Variable, matmul, no_grad, sigmoid, softmax_cross_entropy  # noqa: E402
from backprop_grading import stage07 as check  # noqa: E402
from autograd_ref.nodes import topological_order  # noqa: E402


def failure(check_function, *args, **kwargs):
    with pytest.raises(AssertionError) as error:
        check_function(*args, **kwargs)
    return str(error.value)


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


def mlp_trainer(record_last_batch=False, ignore_seed=False, scores_only=False):
    """A correct train_mlp, or one with a single typical slip."""
    def train_mlp(X, t, hidden=10, lr=1.0, epochs=300, batch_size=30, seed=0):
        rng = np.random.default_rng(0 if ignore_seed else seed)
        params = [Variable(rng.standard_normal((2, hidden)) / np.sqrt(2)), Variable(np.zeros(hidden)),
                  Variable(rng.standard_normal((hidden, 3)) / np.sqrt(hidden)), Variable(np.zeros(3))]

        def scores(x):
            return matmul(sigmoid(matmul(x, params[0]) + params[1]), params[2]) + params[3]

        losses = []
        for _ in range(epochs):
            order, total = rng.permutation(len(X)), 0.0
            for start in range(0, len(X), batch_size):
                batch = order[start:start + batch_size]
                loss = softmax_cross_entropy(scores(X[batch]), t[batch])
                for p in params:
                    p.cleargrad()
                loss.backward()
                for p in params:
                    p.data = p.data - lr * p.grad
                total += float(loss.data) * len(batch)
            losses.append(float(loss.data) if record_last_batch else total / len(X))

        def predict(x):
            with no_grad():
                result = scores(x).data
            return result if scores_only else result.argmax(axis=1)

        return predict, losses

    return train_mlp


@pytest.mark.parametrize("slip, words", [
    ({"record_last_batch": True}, "mean loss over the whole epoch"),
    ({"ignore_seed": True}, "gave the same losses"),
])
@in_process
def test_training_slips_fail_the_hidden_options_test(slip, words):
    assert words in failure(check.train_mlp_random, mlp_trainer(**slip), seed=731)


@in_process
def test_predict_returning_scores_is_named():
    message = failure(check.train_mlp_value, mlp_trainer(scores_only=True))
    assert "must return shape (300,), got (300, 3)" in message


@in_process
def test_the_engine_ops_are_allowed_in_train_mlp(capsys):
    with check.exercise("train_mlp"):
        check.train_mlp_value(mlp_trainer())
    assert capsys.readouterr().err == ""


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


def mlp_without_hidden_nonlinearity(X, t, hidden=10, lr=1.0, epochs=300, batch_size=30, seed=0):
    rng = np.random.default_rng(seed)
    W1, b1 = Variable(rng.standard_normal((2, hidden))), Variable(np.zeros(hidden))
    W2, b2 = Variable(rng.standard_normal((hidden, 3))), Variable(np.zeros(3))
    losses = []
    for _ in range(epochs):
        loss = softmax_cross_entropy(matmul(matmul(X, W1) + b1, W2) + b2, t)
        for p in (W1, b1, W2, b2):
            p.cleargrad()
        loss.backward()
        for p in (W1, b1, W2, b2):
            p.data = p.data - lr * p.grad
        losses.append(float(loss.data))
    return (lambda x: np.zeros(len(x), dtype=int)), losses


def mlp_in_numpy_only(X, t, hidden=10, lr=1.0, epochs=300, batch_size=30, seed=0):
    """Never touches the engine: a forward pass in plain numpy, no learning at all."""
    W = np.random.default_rng(seed).standard_normal((2, 3))
    losses = [float(np.mean(np.log(np.exp(X @ W).sum(axis=1)) - (X @ W)[np.arange(len(t)), t]))] * epochs
    return (lambda x: (x @ W).argmax(axis=1)), losses


@in_process
def test_a_network_without_a_hidden_nonlinearity_is_told_to_add_one():
    message = failure(check.train_mlp_value, mlp_without_hidden_nonlinearity, epochs=3)
    assert "network is linear" in message and "needs sigmoid or tanh" in message


@in_process
def test_training_outside_the_engine_is_named():
    message = failure(check.train_mlp_value, mlp_in_numpy_only, epochs=3)
    assert "ran none of the engine's Functions" in message


@in_process
def test_a_loss_that_does_not_halve_lists_the_likely_causes_in_order():
    def no_learning(X, t, **options):
        return mlp_trainer()(X, t, **{**options, "lr": 0.0})

    message = failure(check.train_mlp_value, no_learning, epochs=3)
    causes = ("no cleargrad()", "p.data = p.data - lr * p.grad", "weights drawn too large")
    assert all(cause in message for cause in causes)
    assert [message.index(cause) for cause in causes] == sorted(message.index(cause) for cause in causes)


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
