"""Stage 03 graded by an outsider's answers: correct gates written differently pass, typical
gate-pattern mistakes fail with a message that names the pattern, reference answers earn
nothing, and patching numpy rescues no wrong answer.

The fixtures are kernel executions of the student notebook with the answers written in; the
rest of the mistakes are checked in this process against the same checks (no kernel needed),
in test_answers_03_gates.py and test_answers_03_neuron_circuit.py.
"""
import pytest

from notebook_answers import failed, failures, kernel_run

STAGE = "03_gates"
pytestmark = pytest.mark.stage03
in_kernel = pytest.mark.notebooks

CORRECT = {
    # np.add, a list instead of a tuple, other names
    "add_gate": """
class AddGate:
    def forward(self, a, b):
        return np.add(a, b)

    def backward(self, upstream):
        return [upstream, upstream]
""",
    # one tuple as the cache, dz on the left
    "multiply_gate": """
class MultiplyGate:
    def forward(self, x, y):
        self.cache = (x, y)
        return x * y

    def backward(self, dz):
        x, y = self.cache
        return dz * y, dz * x
""",
    # a 0/1 mask multiplied in, instead of np.where
    "max_gate": """
class MaxGate:
    def forward(self, x, y):
        self.mask = np.asarray(x >= y, dtype=float)
        return self.mask * x + (1.0 - self.mask) * y

    def backward(self, dz):
        return dz * self.mask, dz * (1.0 - self.mask)
""",
    # copies in a list, the sum through np.add
    "copy_gate": """
class CopyGate:
    def forward(self, value):
        return [value, value]

    def backward(self, grad_first, grad_second):
        return np.add(grad_first, grad_second)
""",
    # the sigmoid through tanh, the local gradient written s - s**2
    "sigmoid_gate": """
class SigmoidGate:
    def forward(self, x):
        self.out = 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=float)))
        return self.out

    def backward(self, grad):
        return (self.out - self.out ** 2) * grad
""",
    # gates in lists, loops, a 0-d array upstream gradient, plain lists of floats returned
    "neuron_circuit": """
def neuron_circuit(weights, inputs):
    products = [MultiplyGate(), MultiplyGate()]
    adders = [AddGate(), AddGate()]
    squash = SigmoidGate()
    terms = [gate.forward(wi, xi) for gate, wi, xi in zip(products, weights[:2], inputs)]
    out = squash.forward(adders[1].forward(adders[0].forward(*terms), weights[2]))
    g_sum, g_bias = adders[1].backward(squash.backward(np.array(1.0)))
    pairs = [gate.backward(g) for gate, g in zip(products, adders[0].backward(g_sum))]
    return float(out), [float(p[0]) for p in pairs] + [float(g_bias)], [float(p[1]) for p in pairs]
""",
}

MISTAKES_A = {
    "add_gate": """
class AddGate:
    def forward(self, x, y):
        return x + y

    def backward(self, dz):
        return 1, 1
""",
    "multiply_gate": """
class MultiplyGate:
    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, dz):
        return self.x * dz, self.y * dz
""",
    "max_gate": """
class MaxGate:
    def forward(self, x, y):
        return np.maximum(x, y)

    def backward(self, dz):
        return dz, dz
""",
    "copy_gate": """
class CopyGate:
    def forward(self, x):
        return x, x

    def backward(self, d1, d2):
        return d1, d2
""",
    "sigmoid_gate": """
class SigmoidGate:
    def forward(self, x):
        self.x = x
        return 1 / (1 + np.exp(-x))

    def backward(self, dz):
        return dz * self.x * (1 - self.x)
""",
    # a correct wiring: graded with autograd_ref's gates, the broken ones above cost nothing here
    "neuron_circuit": CORRECT["neuron_circuit"],
}

MISTAKES_B = {
    "add_gate": """
class AddGate:
    def forward(self, x, y):
        return x + y

    def backward(self, dz):
        return dz / 2, dz / 2
""",
    "multiply_gate": """
class MultiplyGate:
    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, dz):
        return self.y, self.x
""",
    "max_gate": """
class MaxGate:
    def forward(self, x, y):
        self.x_larger = x > y
        return np.maximum(x, y)

    def backward(self, dz):
        return np.where(self.x_larger, dz, 0.0), np.where(self.x_larger, 0.0, dz)
""",
    "copy_gate": """
class CopyGate:
    def forward(self, x):
        return x, x

    def backward(self, d1, d2):
        return d1
""",
    # right for one gate at a time, wrong as soon as two are in use
    "sigmoid_gate": """
class SigmoidGate:
    def forward(self, x):
        SigmoidGate.s = 1 / (1 + np.exp(-x))
        return SigmoidGate.s

    def backward(self, dz):
        return dz * SigmoidGate.s * (1 - SigmoidGate.s)
""",
    "neuron_circuit": """
def neuron_circuit(w, x):
    f, dw, dx = reference_answer(w, x)
    return f, dx, dw

def reference_answer(w, x):
    s = 1 / (1 + np.exp(-(w[0] * x[0] + w[1] * x[1] + w[2])))
    local = s * (1 - s)
    return s, [x[0] * local, x[1] * local, local], [w[0] * local, w[1] * local]
""",
}

REFERENCE_AND_TAMPERING = {
    "add_gate": "from autograd_ref.gates import AddGate",
    "multiply_gate": "MultiplyGate = reference_gates.MultiplyGate",
    "max_gate": """
class MaxGate(reference_gates.MaxGate):
    pass
""",
    "copy_gate": """
class CopyGate:
    def forward(self, x):
        self.inner = reference_gates.CopyGate()
        return self.inner.forward(x)

    def backward(self, d1, d2):
        return self.inner.backward(d1, d2)
""",
    "sigmoid_gate": """
import autograd_ref.gates as g
SigmoidGate = g.SigmoidGate
""",
    # a wrong answer, and an attempt to make every comparison pass
    "neuron_circuit": """
import numpy as np
np.allclose = lambda *args, **kwargs: True
np.isclose = lambda *args, **kwargs: True

def neuron_circuit(w, x):
    return 0.7310585786300049, [0.0, 0.0, 0.0], [0.0, 0.0]
""",
}


correct = kernel_run(STAGE, CORRECT)
mistakes_a = kernel_run(STAGE, MISTAKES_A)
mistakes_b = kernel_run(STAGE, MISTAKES_B)
reference_and_tampering = kernel_run(STAGE, REFERENCE_AND_TAMPERING)


@in_kernel
def test_correct_answers_written_differently_pass_every_test(correct):
    assert not failures(correct)


@in_kernel
@pytest.mark.parametrize("answers, cell, phrases", [
    ("mistakes_a", "test_add_gate", ["AddGate.backward returned (1, 1)", "upstream", "expected (-4, -4)"]),
    ("mistakes_a", "test_multiply_gate", ["MultiplyGate.backward returned (x*dz, y*dz): each "
                                          "input's gradient is the *other* input times dz"]),
    ("mistakes_a", "test_max_gate", ["MaxGate.backward returned (dz, dz)", "router"]),
    ("mistakes_a", "test_copy_gate", ["returned a tuple", "return d1 + d2"]),
    ("mistakes_a", "test_sigmoid_gate", ["uses the input x", "cached"]),
    ("mistakes_b", "test_add_gate", ["does not split"]),
    ("mistakes_b", "test_multiply_gate", ["multiplied by the upstream gradient dz", "dz=2"]),
    ("mistakes_b", "test_max_gate", ["on a tie (x == y) the gradient goes to x"]),
    ("mistakes_b", "test_copy_gate", ["adds the gradients of both copies"]),
    ("mistakes_b", "test_sigmoid_gate", ["share one cache", "self"]),
    ("mistakes_b", "test_neuron_circuit", ["the order is (f, dw, dx)"]),
])
def test_typical_mistakes_are_named(request, answers, cell, phrases):
    message = failed(request.getfixturevalue(answers), cell).message
    for phrase in phrases:
        assert phrase in message, message


@in_kernel
def test_a_right_neuron_passes_although_the_gates_it_uses_are_wrong(mistakes_a):
    assert mistakes_a["test_neuron_circuit"].passed, mistakes_a["test_neuron_circuit"].message


@in_kernel
def test_reference_answers_earn_nothing(reference_and_tampering):
    for cell in ("test_add_gate", "test_multiply_gate", "test_max_gate", "test_copy_gate",
                 "test_sigmoid_gate"):
        assert failed(reference_and_tampering, cell).outcome == "reference answer", reference_and_tampering[cell]
    assert "`autograd_ref.gates.MaxGate`" in reference_and_tampering["test_max_gate"].message  # subclassed
    assert "`autograd_ref.gates.CopyGate`" in reference_and_tampering["test_copy_gate"].message  # used inside


@in_kernel
def test_patching_numpy_does_not_rescue_a_wrong_answer(reference_and_tampering):
    assert failed(reference_and_tampering, "test_neuron_circuit").outcome == "failed"
