"""Stage 03's gate checks called directly: every slip of the five gates (add, multiply, max,
copy, sigmoid) is named, and an unfinished gate or neuron falls back to the reference."""
import numpy as np
import pytest

from autograd_ref import gates as reference_gates
from backprop_grading import stage03 as check
from gates_by_hand import AddGate, Cached, MultiplyGate, gate

pytestmark = pytest.mark.stage03


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
