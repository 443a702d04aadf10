"""Two inputs the random cases of stage 06 rarely produce: ReLU inputs that are exactly 0 next to
gradients of both signs, and one row of logits with a spread of 2000 next to an ordinary row.

At x = 0 ReLU has no derivative; 0 (`x > 0`) and gy (`x >= 0`) are both accepted, nan is not.
A row [0, 1000, -1000] labelled 0 catches a loss taken as the log of a (stable) softmax: the
right class's probability underflows to 0. `stage06` calls these from its random checks.
"""
import numpy as np

from autograd_ref.core import Variable
from ._array_functions import call_backward
from ._arrays import to_floats
from .checks import call, expect_close, expect_true


def relu_at_zeros(ReLU):
    """x = [0, 1.5, -0.5, 0, 2] with gy = [3, -2, 4, -1, 5]."""
    x, gy = np.array([0.0, 1.5, -0.5, 0.0, 2.0]), np.array([3.0, -2.0, 4.0, -1.0, 5.0])
    func = ReLU()
    call(func, Variable(x.copy()), name="ReLU()")
    gx = to_floats(call_backward(func, gy.copy(), "ReLU", 1))
    where = f"ReLU.backward(gy={gy.tolist()}) after ReLU()(x={x.tolist()})"
    expect_true(gx.shape == x.shape, f"{where} returned shape {gx.shape}, expected {x.shape}")
    expect_true(not np.isnan(gx).any(), f"{where} returned nan where x = 0 ({gx.tolist()}): build the "
                                        f"mask with a comparison (x > 0), not by dividing by x")
    expect_true(not np.allclose(gx, gy * (gy > 0)),
                f"{where} returned {gx.tolist()}: the mask must come from the input x "
                f"(self.inputs[0].data), not from gy; a negative upstream gradient at a positive input "
                f"passes through unchanged")
    at_zero = x == 0
    accepted = (gx[at_zero] == 0) | (gx[at_zero] == gy[at_zero])
    expect_true(bool(accepted.all()), f"{where}: at x = 0 the gradient must be 0 (x > 0) or gy (x >= 0), "
                                      f"got {gx[at_zero].tolist()}")
    expect_close(gx[~at_zero], (gy * (x > 0))[~at_zero], f"{where}, away from x = 0")


def softmax_spread_in_a_row(SoftmaxCrossEntropy):
    """Logits [[0, 1000, -1000], [0.5, -0.2, 0.1]] with labels [0, 2]: loss (1000 + ...) / 2."""
    x, t = np.array([[0.0, 1000.0, -1000.0], [0.5, -0.2, 0.1]]), np.array([0, 2])
    shifted = x - x.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = call(SoftmaxCrossEntropy(), Variable(x.copy()), Variable(t), name="SoftmaxCrossEntropy()")
    value = float(to_floats(getattr(loss, "data", loss)))
    expect_true(bool(np.isfinite(value)),
                f"the loss is {value} for logits {x.tolist()} with labels {t.tolist()}: in the row "
                f"[0, 1000, -1000] the probability of the right class underflows to 0, and log(0) = -inf. "
                f"Shifting the row by its maximum is not enough when the log is taken of a probability; use "
                f"log-sum-exp: loss = logsumexp(row) - row[label]")
    expect_close(value, -log_p[np.arange(2), t].mean(),
                 f"SoftmaxCrossEntropy forward on logits {x.tolist()} with labels {t.tolist()}",
                 rtol=1e-9, hint="shift each row by its own maximum, then log-sum-exp")
