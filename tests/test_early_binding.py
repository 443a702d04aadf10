"""Answers that hold earlier answers early (a default argument, a tuple, a closure) are graded
like answers that look them up by name: the checks swap in the reference for every one of
those, so a correct answer earns its points, and everything is put back afterwards."""
import numpy as np
import pytest

from autograd_ref import gates
from autograd_ref.stages import manual
from backprop_grading import stage02, stage03
from backprop_grading._stand_ins import stand_ins

pytestmark = pytest.mark.grading

OWN_SQUARE_AND_EXP = """
class Square(Function):
    def forward(self, x):
        return x ** 2
    def backward(self, gy):
        return 2 * self.input.data * gy

class Exp(Function):
    def forward(self, x):
        return np.exp(x)
    def backward(self, gy):
        return np.exp(self.input.data) * gy
"""

MANUAL_BACKWARDS = {
    "default arguments": """
def manual_backward(x_value, square_cls=Square, exp_cls=Exp):
    A, B, C = square_cls(), exp_cls(), square_cls()
    x = Variable(np.asarray(x_value, dtype=float))
    y = C(B(A(x)))
    y.grad = np.array(1.0)
    x.grad = A.backward(B.backward(C.backward(y.grad)))
    return x.grad
""",
    "a tuple of classes": """
PIPELINE = (Square, Exp, Square)

def manual_backward(x_value):
    functions = [kind() for kind in PIPELINE]
    value = Variable(np.asarray(x_value, dtype=float))
    for f in functions:
        value = f(value)
    grad = np.array(1.0)
    for f in reversed(functions):
        grad = f.backward(grad)
    return grad
""",
    "a closure": """
def make_manual_backward():
    square_kind, exp_kind = Square, Exp
    def manual_backward(x_value):
        A, B, C = square_kind(), exp_kind(), square_kind()
        C(B(A(Variable(np.asarray(x_value, dtype=float)))))
        return A.backward(B.backward(C.backward(np.array(1.0))))
    return manual_backward

manual_backward = make_manual_backward()
""",
}

NEURON_WITH_DEFAULT_GATES = """
def neuron_circuit(w, x, mul=MultiplyGate, add=AddGate, squash=SigmoidGate):
    m0, m1, a0, a1, s = mul(), mul(), add(), add(), squash()
    f = s.forward(a1.forward(a0.forward(m0.forward(w[0], x[0]), m1.forward(w[1], x[1])), w[2]))
    g_sum, g_bias = a1.backward(s.backward(1.0))
    g0, g1 = a0.backward(g_sum)
    (dw0, dx0), (dw1, dx1) = m0.backward(g0), m1.backward(g1)
    return f, [dw0, dw1, g_bias], [dx0, dx1]
"""


def defined(source, name, **names):
    namespace = {"np": np, **names}
    exec(source, namespace)
    return namespace[name]


@pytest.mark.parametrize("style", MANUAL_BACKWARDS)
def test_manual_backward_holding_its_classes_early_is_graded_in_full(style):
    namespace = {"np": np, "Variable": manual.Variable, "Function": manual.Function}
    exec(OWN_SQUARE_AND_EXP + MANUAL_BACKWARDS[style], namespace)
    stage02.manual_backward_value(namespace["manual_backward"], 0.5, expected=3.297442541400256)
    stage02.manual_backward_random(namespace["manual_backward"], seed=203)  # each raises if it fails


def test_neuron_circuit_with_its_gates_as_default_arguments_is_graded_in_full():
    answer = defined(NEURON_WITH_DEFAULT_GATES, "neuron_circuit", MultiplyGate=gates.MultiplyGate,
                     AddGate=gates.AddGate, SigmoidGate=gates.SigmoidGate)
    stage03.neuron_circuit_random(answer, seed=306)  # raises if a check fails


def test_everything_swapped_is_put_back():
    own, stand_in = type("Own", (), {}), type("StandIn", (), {})
    answer = defined("KINDS = [Own]\ndef make():\n    kind = Own\n    def answer(k=Own, *, j=Own):\n"
                     "        return kind, k, j, KINDS\n    return answer\nanswer = make()", "answer", Own=own)
    with stand_ins(answer, {"Own": stand_in}):
        assert answer() == (stand_in, stand_in, stand_in, [stand_in])
    assert answer() == (own, own, own, [own]) and answer.__globals__["Own"] is own
