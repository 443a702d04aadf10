"""Loss functions: mean squared error and softmax cross-entropy."""
import numpy as np

from ..core import Function
from .elementwise import exp
from .tensor import sum


class MeanSquaredError(Function):
    def forward(self, x0, x1):
        diff = x0 - x1
        return (diff ** 2).sum() / len(diff)

    def backward(self, gy):
        x0, x1 = self.input_values()
        diff = x0 - x1
        gx0 = gy * diff * (2.0 / len(diff))
        return gx0, -gx0


class SoftmaxCrossEntropy(Function):
    """Mean cross-entropy of logits x (N, C) against integer labels t (N,)."""

    def forward(self, x, t):
        _check_labels(x, t)
        shifted = x - x.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        # constants for backward: d loss / d x = (softmax(x) - onehot(t)) / N
        self.probabilities, self.labels = np.exp(log_p), t
        return -log_p[np.arange(len(t)), t].mean()

    def backward(self, gy):
        onehot = np.eye(self.probabilities.shape[1])[self.labels]
        gx = (self.probabilities - onehot) * (gy / len(self.labels))
        return gx, None  # labels are not differentiable


def _check_labels(x, t):
    if x.ndim != 2 or t.ndim != 1 or len(t) != len(x):
        raise ValueError(
            f"softmax_cross_entropy wants logits of shape (N, C) and labels of shape (N,), "
            f"got {x.shape} and {t.shape}."
        )
    if not np.issubdtype(t.dtype, np.integer) or t.min() < 0 or t.max() >= x.shape[1]:
        raise ValueError(f"labels must be integers in 0..{x.shape[1] - 1}, got {t!r}.")


def mean_squared_error(x0, x1):
    return MeanSquaredError()(x0, x1)


def softmax_cross_entropy(x, t):
    return SoftmaxCrossEntropy()(x, t)


def softmax(x, axis=1):
    """Differentiable softmax built from recorded ops (for the graph pictures)."""
    z = exp(x - x.data.max(axis=axis, keepdims=True))
    return z / sum(z, axis=axis, keepdims=True)
