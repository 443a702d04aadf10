"""Stage 06's ReLU and SoftmaxCrossEntropy checks at the hard places: a ReLU mask taken from gy or
giving nan at the kink is named, either side of the kink passes, and a loss that underflows
inside a row is named."""
import numpy as np
import pytest

from autograd_ref import Function
from backprop_grading import stage06 as check
from grading_cells import failure

pytestmark = pytest.mark.stage06


class _ReLUAt(Function):
    """ReLU whose backward is `mask(x, gy) * gy`."""
    mask = staticmethod(lambda x, gy: x > 0)

    def forward(self, x):
        return np.maximum(x, 0)

    def backward(self, gy):
        return gy * self.mask(self.inputs[0].data, gy)


def _relu_with(mask):
    return type("ReLU", (_ReLUAt,), {"mask": staticmethod(mask)})


class _SoftmaxOfLogProbabilities(Function):
    """Stable softmax, but the loss is the log of its probability: -inf when one underflows."""

    def forward(self, x, t):
        p = np.exp(x - x.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        return -np.log(p[np.arange(len(t)), t]).mean()

    def backward(self, gy):
        x, t = self.inputs[0].data, self.inputs[1].data
        p = np.exp(x - x.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        return (p - np.eye(x.shape[1])[t]) * gy / len(t), None


@pytest.mark.grading
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("run, phrase", [
    (lambda: check.relu_random(_relu_with(lambda x, gy: gy > 0), seed=3), "not from gy"),
    (lambda: check.relu_random(_relu_with(lambda x, gy: np.maximum(x, 0) / x), seed=3), "nan where x = 0"),
    (lambda: check.softmax_cross_entropy_random(_SoftmaxOfLogProbabilities, seed=3), "underflows to 0"),
])
def test_kinks_and_spreads_inside_a_row_are_named(run, phrase):
    assert phrase in failure(run)


@pytest.mark.grading
@pytest.mark.parametrize("mask", [lambda x, gy: x > 0, lambda x, gy: x >= 0])
def test_either_side_of_the_relu_kink_passes(mask):
    check.relu_random(_relu_with(mask), seed=3)
