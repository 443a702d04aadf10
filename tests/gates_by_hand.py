"""Gates written in the tests, right as they stand, for the stage 03 slips to change one method of."""
import numpy as np


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
