"""What each stage 03 exercise must compute, and the slips students make (for stage03's checks).

A gate pattern gives, for a gate: its name, autograd_ref's reference class, the names of its
inputs and upstream gradients, the right forward and backward, and the wrong answers worth
naming: slips(...) lists (formula, values, advice), forward_slips(...) lists (values, advice).
For neuron_circuit: the gates it is built from, counting stand-ins for them, and its slips.
"""
import numpy as np

from autograd_ref import gates

# bound now, so that an answer cell patching numpy cannot change the expected values
_exp, _where, _maximum, _minimum, _greater, _greater_equal = (
    np.exp, np.where, np.maximum, np.minimum, np.greater, np.greater_equal)
_ones_like = np.ones_like


def sigmoid(x):
    return 1 / (1 + _exp(-x))


# ---- the five gates ----------------------------------------------------------------------------

class Add:
    name, reference, inputs, douts = "AddGate", gates.AddGate, ("x", "y"), ("dz",)
    forward = staticmethod(lambda x, y: x + y)
    backward = staticmethod(lambda x, y, dz: (dz, dz))
    forward_slips = staticmethod(lambda x, y: [])

    @staticmethod
    def slips(x, y, dz):
        one = _ones_like(dz, dtype=float)
        return [
            ("(1, 1)", (one, one), "that is the local gradient alone; multiply it by the upstream "
             "gradient: an add gate returns (dz, dz)"),
            ("(dz/2, dz/2)", (dz / 2, dz / 2), "an add gate does not split the gradient: each "
             "input gets all of dz"),
            ("(y*dz, x*dz)", (y * dz, x * dz), "that is the multiply gate's rule; the local "
             "gradient of + is 1 for both inputs, so return (dz, dz)"),
            ("(dz, 0)", (dz, 0 * dz), "each input of a sum moves it one for one: both get dz"),
        ]


class Multiply(Add):
    name, reference = "MultiplyGate", gates.MultiplyGate
    forward = staticmethod(lambda x, y: x * y)
    backward = staticmethod(lambda x, y, dz: (y * dz, x * dz))

    @staticmethod
    def slips(x, y, dz):
        swap = "each input's gradient is the *other* input times dz: return (y*dz, x*dz)"
        return [
            ("(x*dz, y*dz)", (x * dz, y * dz), swap),
            ("(x, y)", (x, y), swap),
            ("(y, x)", (y, x), "the local gradients are right, but they must be multiplied by "
             "the upstream gradient dz: return (y*dz, x*dz)"),
            ("(dz, dz)", (dz, dz), "that is the add gate's rule; for z = x*y, dz/dx = y and "
             "dz/dy = x"),
            ("(x*y*dz, x*y*dz)", (x * y * dz, x * y * dz), "the output x*y is not the local "
             "gradient; dz/dx = y and dz/dy = x"),
        ]


class Max(Add):
    name, reference = "MaxGate", gates.MaxGate
    forward = staticmethod(lambda x, y: _maximum(x, y))

    @staticmethod
    def backward(x, y, dz):
        x_wins = _greater_equal(x, y)
        return _where(x_wins, dz, 0.0), _where(x_wins, 0.0, dz)

    @staticmethod
    def forward_slips(x, y):
        return [(_minimum(x, y), "forward returned the smaller input; return np.maximum(x, y)")]

    @staticmethod
    def slips(x, y, dz):
        x_wins, x_larger, tie = _greater_equal(x, y), _greater(x, y), x == y
        zero = 0 * dz
        return [
            ("dz to y on a tie", (_where(x_larger, dz, 0.0), _where(x_larger, 0.0, dz)),
             "on a tie (x == y) the gradient goes to x: test `x >= y`, not `x > y`"),
            ("dz to both on a tie", (_where(x_wins, dz, 0.0), _where(x_larger, 0.0, dz)),
             "on a tie send all of dz to x and 0 to y"),
            ("dz to neither on a tie", (_where(x_larger, dz, 0.0), _where(_greater(y, x), dz, 0.0)),
             "on a tie (x == y) all of dz goes to x and 0 to y: test `x >= y` for x and the opposite "
             "for y; with `x > y` and `y > x` neither input gets it"),
            ("dz/2 to each on a tie", (_where(tie, dz / 2, _where(x_wins, dz, 0.0)),
                                       _where(tie, dz / 2, _where(x_wins, 0.0, dz))),
             "on a tie x gets all of dz, not half"),
            ("(dz, dz)", (dz, dz), "a max gate is a router, not a distributor: all of dz goes to "
             "the larger input and 0 to the other"),
            ("dz to the smaller input", (_where(x_wins, zero, dz), _where(x_wins, dz, zero)),
             "route dz to the larger input, the one forward returned"),
            ("(dz/2, dz/2)", (dz / 2, dz / 2), "a max gate does not split the gradient: all of "
             "dz goes to the larger input and 0 to the other"),
            ("the local gradients 1 and 0", (_where(x_wins, 1.0, 0.0), _where(x_wins, 0.0, 1.0)),
             "multiply them by the upstream gradient: the larger input gets dz, not 1"),
        ]


class Copy:
    name, reference, inputs, douts = "CopyGate", gates.CopyGate, ("x",), ("d1", "d2")
    forward = staticmethod(lambda x: (x, x))
    backward = staticmethod(lambda x, d1, d2: d1 + d2)
    forward_slips = staticmethod(lambda x: [])

    @staticmethod
    def slips(x, d1, d2):
        both = "the copy gate adds the gradients of both copies: return d1 + d2"
        return [
            ("d1", d1, both), ("d2", d2, both), ("2*d1", 2 * d1, both),
            ("d1*d2", d1 * d2, "the copies' gradients are added, not multiplied: return d1 + d2"),
            ("(d1 + d2)/2", (d1 + d2) / 2, "the copies' gradients are added, not averaged"),
        ]


class Sigmoid:
    name, reference, inputs, douts = "SigmoidGate", gates.SigmoidGate, ("x",), ("dz",)
    forward = staticmethod(sigmoid)
    backward = staticmethod(lambda x, dz: dz * sigmoid(x) * (1 - sigmoid(x)))

    @staticmethod
    def forward_slips(x):
        return [
            (1 / (1 + _exp(x)), "check the sign in the exponent: sigmoid(x) = 1 / (1 + exp(-x))"),
            (1 - sigmoid(x), "that is 1 - sigmoid(x): sigmoid(x) = 1 / (1 + exp(-x))"),
        ]

    @staticmethod
    def slips(x, dz):
        s = sigmoid(x)
        from_cache = "use the output s = sigmoid(x) that forward cached: dz * s * (1 - s)"
        return [
            ("s*(1-s)", s * (1 - s), "the upstream gradient is missing: return dz * s * (1 - s)"),
            ("dz*x*(1-x)", dz * x * (1 - x), "that uses the input x; " + from_cache),
            ("dz*sigmoid(s)*(1-sigmoid(s))", dz * sigmoid(s) * (1 - sigmoid(s)),
             "that applies the sigmoid to its own output again; " + from_cache),
            ("dz*sigmoid(dz)*(1-sigmoid(dz))", dz * sigmoid(dz) * (1 - sigmoid(dz)),
             "that computes s from dz; " + from_cache),
            ("sigmoid(dz)*(1-sigmoid(dz))", sigmoid(dz) * (1 - sigmoid(dz)),
             "that computes s from dz; " + from_cache),
            ("dz*s", dz * s, "the factor (1 - s) is missing: return dz * s * (1 - s)"),
            ("dz*(1-s)", dz * (1 - s), "the factor s is missing: return dz * s * (1 - s)"),
        ]


GATES = (Add, Multiply, Max, Copy, Sigmoid)


def gate_named(name):
    """The pattern of the gate class called `name` ("AddGate"...)."""
    for gate in GATES:
        if gate.name == name:
            return gate
    raise ValueError(f"stage 03 has no exercise {name!r}")


# ---- neuron_circuit ---------------------------------------------------------------------------

def weighted_sum(w, x):
    return w[0] * x[0] + w[1] * x[1] + w[2]


def neuron(w, x):
    """f = sigmoid(w0*x0 + w1*x1 + w2), what neuron_circuit computes."""
    return sigmoid(weighted_sum(w, x))


def neuron_slips(w, x):
    """([dw0, dw1, dw2, dx0, dx1], advice) for wrong neuron_circuit gradients worth naming."""
    s = sigmoid(weighted_sum(w, x))
    local = s * (1 - s)  # the sigmoid gate's local gradient
    return [
        ([x[0], x[1], 1.0, w[0], w[1]], "the sigmoid gate's local gradient is missing: start the "
         "backward pass with sigmoid_gate.backward(1.0) and pass its result on"),
        ([w[0] * local, w[1] * local, local, x[0] * local, x[1] * local], "each dw_i came out as "
         "w_i times the upstream gradient: w_i and x_i are swapped. A multiply gate's backward "
         "returns the gradients in the order forward took its inputs: after "
         "`gate.forward(w0, x0)`, unpack `dw0, dx0 = gate.backward(dp0)`"),
    ]


# The gates neuron_circuit is built from. While it is checked, counting copies of autograd_ref's
# gates stand in for the notebook's, so that a wrong gate costs points only in its own test.
NEURON_GATES = (Multiply, Add, Sigmoid)
NEURON_RECIPE = ("make one gate object per use (two MultiplyGates, two AddGates, one "
                 "SigmoidGate), call their forward left to right, then their backward right to "
                 "left starting from sigmoid_gate.backward(1.0)")


def counting(spec, calls):
    """autograd_ref's gate of `spec`, also appending (gate name, gate object, method name) to
    calls on every forward and backward."""
    class Counting(spec.reference):
        def forward(self, *inputs):
            calls.append((spec.name, self, "forward"))
            return super().forward(*inputs)

        def backward(self, *douts):
            calls.append((spec.name, self, "backward"))
            return super().backward(*douts)

    Counting.__name__ = Counting.__qualname__ = spec.name
    return Counting


def gate_steps_skipped(calls):
    """The `Gate.method`s of NEURON_GATES that calls does not show."""
    done = {(name, method) for name, _, method in calls}
    return [f"{spec.name}.{method}" for spec in NEURON_GATES for method in ("forward", "backward")
            if (spec.name, method) not in done]


def reused_gate(calls):
    """The name of a gate whose one object ran forward more than once, else None."""
    forwards = [(name, id(gate)) for name, gate, method in calls if method == "forward"]
    return next((name for name, key in forwards if forwards.count((name, key)) > 1), None)
