"""Stage 03 graded by an outsider's answers: correct gates written differently pass, typical
gate-pattern mistakes fail with a message that names the pattern, reference answers earn
nothing, and patching numpy rescues no wrong answer.

The fixtures are kernel executions of the student notebook with the answers written in; the
rest of the mistakes are checked in this process against the same checks (no kernel needed).
"""
import contextlib
import io

import numpy as np
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


# ---- the other slips, checked in this process ---------------------------------------------
from autograd_ref import Variable, sigmoid  # noqa: E402
from autograd_ref import gates as reference_gates  # noqa: E402
from backprop_grading import stage03 as check  # noqa: E402


class Cached:
    """Test helper: a two-input gate that caches x and y and computes `rule` forward."""

    def forward(self, x, y):
        self.x, self.y = x, y
        return self.rule(x, y)


class AddGate(Cached):
    rule = staticmethod(np.add)

    def backward(self, dz):
        return dz, dz


class MultiplyGate(Cached):
    rule = staticmethod(np.multiply)

    def backward(self, dz):
        return self.y * dz, self.x * dz


class SigmoidGate:
    def forward(self, x):
        self.s = 1 / (1 + np.exp(-x))
        return self.s

    def backward(self, dz):
        return dz * self.s * (1 - self.s)


def gate(base, backward, forward=None):
    """A gate class from `base` with another backward (and forward), for one slip."""
    methods = {"backward": backward} if forward is None else {"backward": backward, "forward": forward}
    return type(base.__name__, (base,), methods)


class MaxGate(Cached):
    rule = staticmethod(np.maximum)


def run_all_checks(kind, cls):
    """The visible and hidden checks of one gate, as its test cell runs them."""
    arrays = [np.array([1.0, 5.0, 2.0]), np.array([3.0, 4.0, 2.0]), np.array([2.0, -1.0, 0.5])]
    if kind == "copy":
        check.copy_gate_value(cls, x=3.0, d1=2.0, d2=-5.0)
        check.copy_gate_value(cls, *arrays)
    elif kind == "sigmoid":
        check.sigmoid_gate_value(cls, x=0.5, dz=2.0)
        check.sigmoid_gate_value(cls, x=arrays[0], dz=arrays[2])
    else:
        getattr(check, f"{kind}_gate_value")(cls, x=2.0, y=-1.0, dz=3.0)
        getattr(check, f"{kind}_gate_value")(cls, x=2.0, y=2.0, dz=3.0)
        getattr(check, f"{kind}_gate_value")(cls, *arrays)
    getattr(check, f"{kind}_gate_random")(cls, seed=7)


class Copy:
    def forward(self, x):
        return x, x


class Sigmoid:
    def forward(self, x):
        self.x, self.s = x, 1 / (1 + np.exp(-x))
        return self.s


def _scalar_only_max(self, dz):
    return (dz, 0.0) if self.x >= self.y else (0.0, dz)


def _zero_dz_in_place(self, dz):
    x_wins = np.greater_equal(self.x, self.y)
    dy = np.where(x_wins, 0.0, dz)
    if isinstance(dz, np.ndarray):
        dz[~x_wins] = 0.0  # clobbers the caller's array
    return dz, dy


class MultiplyGateCachingOnce:
    """Fills its cache on the first forward only."""

    def forward(self, x, y):
        if not hasattr(self, "x"):
            self.x, self.y = x, y
        return x * y

    def backward(self, dz):
        return self.y * dz, self.x * dz


class SigmoidGateRemembering:
    """Keeps its output in a default argument filled on the first forward only."""

    def forward(self, x, memory={}):
        memory.setdefault("s", 1 / (1 + np.exp(-x)))
        self.s = memory["s"]
        return 1 / (1 + np.exp(-x))

    def backward(self, dz):
        return dz * self.s * (1 - self.s)


def _add_into_d1(self, d1, d2):
    d1 += d2  # changes the caller's array: in a circuit, another wire's gradient
    return d1


@pytest.mark.grading
@pytest.mark.parametrize("kind, cls, phrase", [
    ("multiply", MultiplyGateCachingOnce, "a MultiplyGate used for a second forward kept the first forward's values"),
    ("sigmoid", SigmoidGateRemembering, "Overwrite the cache on every forward"),
    ("copy", gate(Copy, _add_into_d1), "CopyGate.backward changed the array d1 it was given (in place): in a circuit d1"),
    ("add", gate(AddGate, lambda self, dz: (1.0, 1.0)), "AddGate.backward returned (1, 1)"),
    ("add", gate(AddGate, lambda self, dz: (self.y * dz, self.x * dz)), "the multiply gate's rule"),
    ("add", gate(AddGate, lambda self, dz: dz), "must return one gradient per input"),
    ("multiply", gate(MultiplyGate, lambda self, dz: (self.x * dz, self.y * dz)),
     "MultiplyGate.backward returned (x*dz, y*dz): each input's gradient is the *other* input times dz"),
    ("multiply", gate(MultiplyGate, lambda self, dz: (dz, dz)), "the add gate's rule"),
    ("max", gate(MaxGate, lambda self, dz: (dz, dz)), "router, not a distributor"),
    ("max", gate(MaxGate, lambda self, dz: (np.where(self.x >= self.y, 0.0, dz), np.where(self.x >= self.y, dz, 0.0))),
     "route dz to the larger input"),
    ("max", gate(MaxGate, lambda self, dz: (dz / 2, dz / 2)), "does not split"),
    ("max", gate(MaxGate, lambda self, dz: (np.where(self.x >= self.y, dz, 0.0), np.where(self.x > self.y, 0.0, dz))),
     "on a tie send all of dz to x"),
    ("max", gate(MaxGate, lambda self, dz: (dz * (self.x > self.y), dz * (self.y > self.x))),
     "with `x > y` and `y > x` neither input gets it"),
    ("max", gate(MaxGate, lambda self, dz: (1.0 * (self.x >= self.y), 1.0 * (self.x < self.y))),
     "the larger input gets dz, not 1"),
    ("max", gate(MaxGate, _scalar_only_max), "use a mask"),
    ("max", gate(MaxGate, _zero_dz_in_place), "MaxGate.backward changed the array dz"),
    ("max", gate(MaxGate, lambda self, dz: (dz, 0.0), lambda self, x, y: np.minimum(x, y)),
     "forward returned the smaller input"),
    ("copy", gate(Copy, lambda self, d1, d2: d1 * d2), "added, not multiplied"),
    ("copy", gate(Copy, lambda self, d1, d2: d1 + d2, lambda self, x: x), "must return the two copies"),
    ("sigmoid", gate(Sigmoid, lambda self, dz: self.s * (1 - self.s)), "the upstream gradient is missing"),
    ("sigmoid", gate(Sigmoid, lambda self, dz: dz / (1 + np.exp(-dz)) * (1 - 1 / (1 + np.exp(-dz)))),
     "computes s from dz"),
    ("sigmoid", gate(Sigmoid, lambda self, dz: dz * self.s), "the factor (1 - s) is missing"),
    ("sigmoid", gate(Sigmoid, lambda self, dz: dz * self.s * (1 - self.s), lambda self, x: 1 / (1 + np.exp(x))),
     "the sign in the exponent"),  # checked before backward runs
])
def test_gate_slips_are_named(kind, cls, phrase):
    with pytest.raises(AssertionError) as failure:
        run_all_checks(kind, cls)
    assert phrase in str(failure.value)


def neuron_circuit(w, x):
    """A correct neuron from this module's gates, for the slips below to change."""
    times = [MultiplyGate(), MultiplyGate()]
    plus = [AddGate(), AddGate()]
    squash = SigmoidGate()
    f = squash.forward(plus[1].forward(plus[0].forward(times[0].forward(w[0], x[0]),
                                                       times[1].forward(w[1], x[1])), w[2]))
    d_sum, dw2 = plus[1].backward(squash.backward(1.0))
    (dw0, dx0), (dw1, dx1) = (gate_.backward(d) for gate_, d in zip(times, plus[0].backward(d_sum)))
    return f, [dw0, dw1, dw2], [dx0, dx1]


def remembering_neuron(w, x, totals=[]):
    """Adds each call's dw into a list kept in a default argument."""
    f, dw, dx = neuron_circuit(w, x)
    if not totals:
        totals.extend([0.0, 0.0, 0.0])
    totals[:] = [t + d for t, d in zip(totals, dw)]
    return f, list(totals), dx


def no_sigmoid_gradient(w, x):
    f, _, _ = neuron_circuit(w, x)
    return f, [x[0], x[1], 1.0], [w[0], w[1]]


def no_sigmoid(w, x):
    _, dw, dx = neuron_circuit(w, x)
    return w[0] * x[0] + w[1] * x[1] + w[2], dw, dx


def through_reference(w, x):
    circuit = reference_gates.neuron_graph()
    f = circuit.forward(w0=w[0], x0=x[0], w1=w[1], x1=x[1], w2=w[2])
    grads = circuit.backward()
    return f, [grads["w0"], grads["w1"], grads["w2"]], [grads["x0"], grads["x1"]]


def through_engine(w, x):
    weights, inputs = [Variable(v) for v in w], [Variable(v) for v in x]
    f = sigmoid(weights[0] * inputs[0] + weights[1] * inputs[1] + weights[2])
    f.backward()
    return f.data, [v.grad for v in weights], [v.grad for v in inputs]


def run_neuron_checks(answer):
    """The test cell's checks in its test block; an AssertionError with the block's message if it fails."""
    report = io.StringIO()
    with contextlib.redirect_stderr(report), check.exercise("neuron_circuit"):
        check.neuron_circuit_value(answer, w=[2.0, -3.0, -3.0], x=[-1.0, -2.0], f=0.7310585786300049,
                                   dw=[-0.19661193, -0.39322387, 0.19661193], dx=[0.39322387, -0.5898358])
        check.neuron_circuit_random(answer, seed=306)
    if report.getvalue():
        raise AssertionError(report.getvalue())


@pytest.mark.grading
def test_a_correct_neuron_passes():
    run_neuron_checks(neuron_circuit)


@pytest.mark.grading
@pytest.mark.parametrize("answer, phrase", [
    (no_sigmoid_gradient, "the sigmoid gate's local gradient is missing"),
    (no_sigmoid, "f is the sigmoid of the sum"),
    (lambda w, x: neuron_circuit(w, x)[:2], "must return three things (f, dw, dx)"),
    (lambda w, x: (*neuron_circuit(w, x)[:2], [0.0]), "dx with 2 (dx0, dx1)"),
    (remembering_neuron, "gave [0.731"),
    (remembering_neuron, "keep nothing between calls"),
    (through_reference, "neuron_graph"),
    (through_engine, "runs the reference implementation's `autograd_ref.Variable.backward`"),
])
def test_neuron_slips_are_named(answer, phrase):
    with pytest.raises(AssertionError) as failure:
        run_neuron_checks(answer)
    assert phrase in str(failure.value)


def closed_form(w, x):
    s = 1 / (1 + np.exp(-(w[0] * x[0] + w[1] * x[1] + w[2])))
    local = s * (1 - s)
    return s, [x[0] * local, x[1] * local, local], [w[0] * local, w[1] * local]


def forward_by_gates_backward_by_hand(w, x):
    times, plus, squash = [MultiplyGate(), MultiplyGate()], [AddGate(), AddGate()], SigmoidGate()
    f = squash.forward(plus[1].forward(plus[0].forward(times[0].forward(w[0], x[0]),
                                                       times[1].forward(w[1], x[1])), w[2]))
    return f, *closed_form(w, x)[1:]


def one_gate_of_each(w, x):
    times, plus, squash = MultiplyGate(), AddGate(), SigmoidGate()
    f = squash.forward(plus.forward(plus.forward(times.forward(w[0], x[0]), times.forward(w[1], x[1])), w[2]))
    d_sum, dw2 = plus.backward(squash.backward(1.0))
    (dw0, dx0), (dw1, dx1) = (times.backward(d) for d in plus.backward(d_sum))
    return f, [dw0, dw1, dw2], [dx0, dx1]


def unpacked_the_wrong_way_round(w, x):
    f, dw, dx = neuron_circuit(w, x)
    return f, dx + [dw[2]], dw[:2]  # what `dx0, dw0 = gate.backward(dp0)` gives


@pytest.mark.grading
@pytest.mark.parametrize("answer, phrase", [
    (closed_form, "must be built from the gates above, but no MultiplyGate, AddGate or SigmoidGate ran"),
    (forward_by_gates_backward_by_hand,
     "MultiplyGate.backward, AddGate.backward, SigmoidGate.backward never ran"),
    (one_gate_of_each, "one MultiplyGate object ran forward twice"),
    (unpacked_the_wrong_way_round, "unpack `dw0, dx0 = gate.backward(dp0)`"),
])
def test_a_neuron_not_built_from_gates_one_by_one_is_named(answer, phrase):
    with pytest.raises(AssertionError) as failure:
        run_neuron_checks(answer)
    assert phrase in str(failure.value)


_NEURON_WITH_ALIASES = """
Times, Plus = MultiplyGate, AddGate   # aliases of the notebook's gates


def neuron_circuit(w, x):
    times, plus, squash = [Times(), Times()], [Plus(), Plus()], SigmoidGate()
    f = squash.forward(plus[1].forward(plus[0].forward(times[0].forward(w[0], x[0]),
                                                       times[1].forward(w[1], x[1])), w[2]))
    d_sum, dw2 = plus[1].backward(squash.backward(1.0))
    (dw0, dx0), (dw1, dx1) = (gate.backward(d) for gate, d in zip(times, plus[0].backward(d_sum)))
    return f, [dw0, dw1, dw2], [dx0, dx1]
"""


def unfinished(name):
    """A gate class as the notebook's stub leaves it."""
    def forward(self, *inputs):
        raise NotImplementedError()
    return type(name, (), {"forward": forward, "backward": forward})


@pytest.mark.grading
@pytest.mark.parametrize("broken", [
    {"MultiplyGate": gate(MultiplyGate, lambda self, dz: (self.x * dz, self.y * dz)),
     "SigmoidGate": gate(SigmoidGate, lambda self, dz: self.s * (1 - self.s))},
    {name: unfinished(name) for name in ("MultiplyGate", "AddGate", "SigmoidGate")},
    {"SigmoidGate": None},  # never defined in the notebook
])
def test_a_neuron_is_graded_with_the_reference_gates(broken):
    gates_ = {"AddGate": AddGate, "MultiplyGate": MultiplyGate, "SigmoidGate": SigmoidGate, **broken}
    notebook = {"np": np, **{name: cls for name, cls in gates_.items() if cls is not None}}
    exec(_NEURON_WITH_ALIASES, notebook)
    before = dict(notebook)
    run_neuron_checks(notebook["neuron_circuit"])
    assert notebook == before  # the notebook's own classes and aliases are back


@pytest.mark.grading
def test_unfinished_gates_and_neuron_fall_back_to_the_reference(capsys):
    class Stub:
        def forward(self, x, y):
            raise NotImplementedError()

    stand_in = check.use_or_reference(Stub, "AddGate")
    assert stand_in is reference_gates.AddGate
    assert check.use_or_reference(AddGate, "AddGate").__name__ == "AddGate"
    assert "not finished" in capsys.readouterr().out

    def unfinished(w, x):
        raise NotImplementedError()

    f, dw, dx = check.use_or_reference(unfinished, "neuron_circuit")([2.0, -3.0, -3.0], [-1.0, -2.0])
    assert abs(f - 0.7310585786300049) < 1e-12 and abs(dx[1] + 0.5898358) < 1e-7
