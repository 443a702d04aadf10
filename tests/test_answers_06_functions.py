"""Stage 06's checks called directly on sum_to, MatMul, ReLU, SoftmaxCrossEntropy and
l2_example answers no notebook run covers: each mistake is named, right answers written other
ways pass, and l2_example is graded with the reference MatMul."""
import numpy as np
import pytest

from autograd_ref import Function, Variable
from backprop_grading import stage06 as check
from notebook_answers import source

pytestmark = pytest.mark.stage06
in_process = pytest.mark.grading


def sum_to_forgetting_keepdims(g, shape):
    lead = g.ndim - len(shape)
    return g.sum(axis=tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape) if n == 1))


class RightMatMul(Function):
    def forward(self, x, W):
        return x @ W

    def backward(self, gy):
        x, W = self.inputs[0].data, self.inputs[1].data
        return gy @ W.T, x.T @ gy


class MatMulSwapped(RightMatMul):
    def backward(self, gy):
        gx, gW = super().backward(gy)
        return gW, gx


class MatMulShapesWrong(RightMatMul):
    def backward(self, gy):
        x, W = self.inputs[0].data, self.inputs[1].data
        return W.T @ gy, gy @ x.T


class MatMulAsList(RightMatMul):
    def backward(self, gy):
        return list(super().backward(gy))


class MatMulOnVariables(RightMatMul):
    def backward(self, gy):
        x, W = self.inputs
        return gy @ W.T, x.T @ gy


class MatMulScalesGyInPlace(RightMatMul):
    def backward(self, gy):
        x, W = self.inputs[0].data, self.inputs[1].data
        gy *= 2
        return gy @ W.T / 2, x.T @ gy / 2


class MatMulZeroesX(RightMatMul):
    def forward(self, x, W):
        y = x @ W
        x[...] = 0.0
        return y


class MatMulReturnsGyForW1(RightMatMul):
    """With W = [[1]] the answer hands gy itself back as gx."""
    def backward(self, gy):
        x, W = self.inputs[0].data, self.inputs[1].data
        return (gy if W.shape == (1, 1) and W[0, 0] == 1 else gy @ W.T), x.T @ gy


class MatMulCaching(Function):
    def forward(self, x, W):
        self.x, self.W = x, W
        return x @ W

    def backward(self, gy):
        return gy @ self.W.T, self.x.T @ gy


def sum_to_unshifted(g, shape):
    """Sums the size-1 target axes at their positions in the target, not in g."""
    for axis, size in enumerate(shape):
        if size == 1:
            g = g.sum(axis=axis, keepdims=True)
    return g.sum(axis=tuple(range(g.ndim - len(shape))))


class ReLUWithoutGy(Function):
    def forward(self, x):
        return np.maximum(x, 0)

    def backward(self, gy):
        return (self.inputs[0].data > 0).astype(float)


class ReLUInPlace(Function):
    def forward(self, x):
        return np.maximum(x, 0, out=x)  # writes into the caller's x

    def backward(self, gy):
        return gy * (self.inputs[0].data > 0)


class RightSoftmaxCrossEntropy(Function):
    def forward(self, x, t):
        shifted = x - x.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return -log_p[np.arange(len(t)), t].mean()

    def backward(self, gy):
        x, t = self.inputs[0].data, self.inputs[1].data
        p = np.exp(x - x.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        return (p - np.eye(x.shape[1])[t]) * gy / len(t), None


class SoftmaxShiftsXInPlace(RightSoftmaxCrossEntropy):
    def forward(self, x, t):
        x -= x.max(axis=1, keepdims=True)  # writes into the caller's x
        return super().forward(x, t)


class SoftmaxGxOnly(RightSoftmaxCrossEntropy):
    def backward(self, gy):
        return super().backward(gy)[0]


class SoftmaxWithoutMean(RightSoftmaxCrossEntropy):
    def backward(self, gy):
        return super().backward(gy)[0] * len(self.inputs[1].data), None


class SoftmaxWithoutGy(RightSoftmaxCrossEntropy):
    def backward(self, gy):
        return super().backward(1.0)[0], None


class SoftmaxSummedLoss(RightSoftmaxCrossEntropy):
    def forward(self, x, t):
        return super().forward(x, t) * len(t)


class SoftmaxWrongLastColumn(RightSoftmaxCrossEntropy):
    def backward(self, gy):
        gx, _ = super().backward(gy)
        gx[:, -1] = 0.0
        return gx, None


def l2_through_the_engine(W, x, slip=None):
    """A right l2_example, unless `slip` names a typical mistake."""
    W_var, x_var = Variable(np.array(W, dtype=float)), Variable(np.array(x, dtype=float))
    q = W_var @ x_var
    f = q.sum() if slip == "no square" else (q ** 2).sum()
    f.backward()
    if slip == "zeroes the caller's arrays":
        W[...], x[...] = 0.0, 0.0
    if slip == "one SGD step on W":
        W -= 0.1 * W_var.grad
    return f.data, (W_var.grad.T if slip == "W.grad.T" else W_var.grad), x_var.grad


def l2_by_hand(W, x):
    q = W @ x
    return q @ q, 2 * np.outer(q, x), 2 * W.T @ q


G = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
X, W, GY = np.arange(6.0).reshape(2, 3) - 2, np.arange(6.0).reshape(3, 2) / 4, np.array([[1.0, -1.0], [0.5, 2.0]])
LOGITS, LABELS = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3], [0.0, -1.0, 1.0]]), [0, 1, 1]
SQUARE = np.array([[1.0, 2.0], [-1.0, 0.5]])

MISTAKES = [
    ("sum_to keeps no size-1 axis", lambda: check.sum_to_value(sum_to_forgetting_keepdims, G, (1, 3), [[5, 7, 9]]),
     "keepdims=False"),
    ("sum_to over the wrong axis", lambda: check.sum_to_value(lambda g, s: g.sum(axis=1, keepdims=True), G, (1, 3), [[5, 7, 9]]),
     "sum g over axes (0,)"),
    ("MatMul returns (gW, gx)", lambda: check.matmul_value(MatMulSwapped, X, W, GY), "returned (gW, gx)"),
    ("MatMul computes on Variables", lambda: check.matmul_value(MatMulOnVariables, X, W, GY), "self.inputs[i].data"),
    ("ReLU ignores gy", lambda: check.relu_value(ReLUWithoutGy, [-1.0, 2.0, 3.0], [0.5, 2.0, -1.0]), "upstream gradient gy"),
    ("ReLU forward writes into x", lambda: check.relu_value(ReLUInPlace, [-1.0, 2.0, 3.0], [0.5, 2.0, -1.0]),
     "ReLU changed x in place"),
    ("softmax shifts x in place", lambda: check.softmax_cross_entropy_value(SoftmaxShiftsXInPlace, LOGITS, LABELS),
     "SoftmaxCrossEntropy changed x in place"),
    ("softmax returns gx alone", lambda: check.softmax_cross_entropy_value(SoftmaxGxOnly, LOGITS, LABELS), "return gx, None"),
    ("softmax forgets /N", lambda: check.softmax_cross_entropy_value(SoftmaxWithoutMean, LOGITS, LABELS), "mean over the N = 3 rows"),
    ("softmax sums the loss", lambda: check.softmax_cross_entropy_value(SoftmaxSummedLoss, LOGITS, LABELS), "not the sum"),
    ("softmax wrong in one column", lambda: check.softmax_cross_entropy_value(SoftmaxWrongLastColumn, LOGITS, LABELS),
     "column 2 is wrong"),
    ("softmax ignores gy", lambda: check.softmax_cross_entropy_value(SoftmaxWithoutGy, LOGITS[:2], LABELS[:2], gy=0.3),
     "multiply by the upstream gradient gy (here 0.3)"),
    ("softmax forgets /N, gy=0.3", lambda: check.softmax_cross_entropy_value(SoftmaxWithoutMean, LOGITS[:2], LABELS[:2], gy=0.3),
     "divide the gradient by N as well"),
    ("softmax at gy = 1/N", lambda: check.softmax_cross_entropy_value(SoftmaxWithoutGy, LOGITS[:2], LABELS[:2], gy=0.5),
     "multiply by gy and divide by N"),
    ("MatMul backward W.T @ gy", lambda: check.matmul_value(MatMulShapesWrong, X, W[:, :1], GY[:, :1]),
     "gx = gy @ W.T is (2, 1) @ (1, 3) -> (2, 3), x's shape (N, D); gW = x.T @ gy is (3, 2) @ (2, 1) -> (3, 1)"),
    ("sum_to size-1 axes not shifted past leading axes", lambda: check.sum_to_random(sum_to_unshifted, seed=606),
     "1 leading axis(es) that (2, 1) lacks, so axis i of the target is axis 1 + i of g"),
    ("MatMul scales gy in place", lambda: check.matmul_value(MatMulScalesGyInPlace, X, W, GY),
     "MatMul changed gy in place"),
    ("MatMul forward zeroes x", lambda: check.matmul_value(MatMulZeroesX, X, W, GY), "MatMul changed x in place"),
    ("MatMul hands gy back as gx", lambda: check.matmul_random(MatMulReturnsGyForW1, seed=616),
     "gx shares memory with gy"),
    ("l2 returns the inputs", lambda: check.l2_example_value(
        lambda W, x: (l2_through_the_engine(W, x)[0], W, x), SQUARE, [0.3, -0.7]),
     "the dW it returns shares memory with the W you passed in"),
    ("l2 by hand", lambda: check.l2_example_value(l2_by_hand, SQUARE, [0.3, -0.7]), "ran none of the engine's Functions"),
    ("l2 zeroes W and x", lambda: check.l2_example_value(
        lambda W, x: l2_through_the_engine(W, x, "zeroes the caller's arrays"), SQUARE, [0.3, -0.7]),
     "l2_example changed the W you passed in"),
    ("l2 steps W", lambda: check.l2_example_value(
        lambda W, x: l2_through_the_engine(W, x, "one SGD step on W"), SQUARE, [0.3, -0.7]),
     "work on copies / Variables"),
    ("l2 without the square", lambda: check.l2_example_value(
        lambda W, x: l2_through_the_engine(W, x, "no square"), SQUARE, [0.3, -0.7]), "f = sum(q ** 2)"),
    ("l2 returns W.grad.T", lambda: check.l2_example_value(
        lambda W, x: l2_through_the_engine(W, x, "W.grad.T"), SQUARE, [0.3, -0.7]), "not 2 x q^T"),
]


@in_process
@pytest.mark.parametrize("run, phrase", [(run, phrase) for _, run, phrase in MISTAKES],
                         ids=[label for label, _, _ in MISTAKES])
def test_each_mistake_is_named(run, phrase):
    with pytest.raises(AssertionError) as failure:
        run()
    assert phrase in str(failure.value)


@in_process
def test_right_answers_pass_the_same_checks():
    check.sum_to_random(lambda g, s: np.asarray(g.sum(axis=tuple(range(g.ndim - len(s))) + tuple(
        g.ndim - len(s) + i for i, n in enumerate(s) if n == 1), keepdims=True)).reshape(s), seed=1)
    check.matmul_random(RightMatMul, seed=1)
    check.matmul_random(MatMulCaching, seed=1)  # caching x and W in forward is fine
    check.softmax_cross_entropy_random(RightSoftmaxCrossEntropy, seed=1)
    check.l2_example_value(l2_through_the_engine, SQUARE, np.array([0.3, -0.7]))
    check.l2_example_random(l2_through_the_engine, seed=1)


@in_process
def test_gradients_returned_as_a_list_are_accepted_like_a_tuple():
    check.matmul_value(MatMulAsList, X, W, GY)  # raises AssertionError if judged wrong


@in_process
def test_a_matmul_shape_error_keeps_the_numpy_error_as_its_cause():
    with pytest.raises(AssertionError) as failure:
        check.matmul_value(MatMulShapesWrong, X, W, GY)
    assert isinstance(failure.value.__cause__, ValueError)
    assert "the shapes do not fit" in str(failure.value)


@in_process
def test_the_engine_is_left_as_it_was_after_l2_checks():
    call_before = Function.__call__
    with pytest.raises(AssertionError):
        check.l2_example_value(lambda W, x: 1 / 0, SQUARE, [0.3, -0.7])
    check.l2_example_value(l2_through_the_engine, SQUARE, [0.3, -0.7])
    assert Function.__call__ is call_before


class MatMulBroken(RightMatMul):
    def backward(self, gy):
        return gy, gy


@in_process
def test_l2_example_is_graded_with_the_reference_matmul_in_place_of_the_students():
    """A wrong MatMul earlier in the notebook costs nothing in l2_example that uses it."""
    notebook = {"np": np, "Variable": Variable, "MatMul": MatMulBroken}
    exec(source("""
        def l2_example(W, x):
            W, x = Variable(np.array(W, dtype=float)), Variable(np.array(x, dtype=float))
            column = x.reshape((len(x), 1))
            f = (MatMul()(W, column) ** 2).sum()
            f.backward()
            return f, W.grad, x.grad
    """), notebook)
    check.l2_example_value(notebook["l2_example"], SQUARE, [0.3, -0.7])
    assert notebook["MatMul"] is MatMulBroken  # put back afterwards
