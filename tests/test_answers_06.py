"""Stage 06 judged the way an outside grader would: answers written into the student notebook.

Three kernel runs: correct answers written unlike the solution (all tests pass), typical
mistakes (each test fails and says what is wrong), and the reference passed off as an answer
plus numpy patched to hide a wrong answer. The in-process tests below run more mistakes
through the stage06 checks directly, which costs no kernel.
"""
import textwrap

import numpy as np
import pytest

from autograd_ref import Function, Variable
from backprop_grading import stage06 as check
from grading_cells import failure
from notebook_answers import failed, failures, kernel_run, run_with_answers

pytestmark = pytest.mark.stage06
in_kernel, in_process = pytest.mark.notebooks, pytest.mark.grading
STAGE = "06_vectors_and_matrices"


def src(text):
    return textwrap.dedent(text).strip()


# Right, but unlike the solution: loops, np.where, np.dot, logaddexp, `>=` in ReLU (the tests
# never put an input at exactly 0), a Variable returned for f.
CORRECT = {
    "sum_to": src("""
        def sum_to(gradient, target):
            out = gradient
            while out.ndim > len(target):
                out = out.sum(axis=0)
            for axis, size in enumerate(target):
                if size == 1 and out.shape[axis] != 1:
                    out = out.sum(axis=axis, keepdims=True)
            return out
    """),
    "matmul": src("""
        class MatMul(Function):
            def forward(self, a, b):
                return np.dot(a, b)

            def backward(self, upstream):
                a, b = (v.data for v in self.inputs)
                return np.dot(upstream, b.transpose()), np.dot(a.transpose(), upstream)
    """),
    "relu": src("""
        class ReLU(Function):
            def forward(self, x):
                return np.where(x > 0, x, 0.0)

            def backward(self, gy):
                return np.where(self.inputs[0].data >= 0, gy, 0.0)
    """),
    "l2_example": src("""
        def l2_example(W, x):
            W = Variable(np.asarray(W, dtype=float).copy())
            x = Variable(np.asarray(x, dtype=float).copy())
            f = ag.sum(ag.square(ag.matmul(W, x)))
            f.backward()
            return f, W.grad, x.grad
    """),
    "softmax_cross_entropy": src("""
        class SoftmaxCrossEntropy(Function):
            def forward(self, logits, labels):
                log_norm = np.logaddexp.reduce(logits, axis=1)
                picked = np.array([row[label] for row, label in zip(logits, labels)])
                return float(np.sum(log_norm - picked) / len(labels))

            def backward(self, gy):
                logits, labels = self.inputs[0].data, self.inputs[1].data
                grad = np.exp(logits - np.logaddexp.reduce(logits, axis=1, keepdims=True))
                for row, label in enumerate(labels):
                    grad[row, label] -= 1.0
                return grad * (gy / len(labels)), None
    """),    # never touches x: copies x + e and x - e for every element; relative_error with np.where
    "numerical_gradient": src("""
        def numerical_gradient(f, x, eps=1e-5):
            grad = np.empty(x.shape)
            for index in np.ndindex(x.shape):
                step = np.zeros(x.shape)
                step[index] = eps
                grad[index] = (f(x + step) - f(x - step)) / (2 * eps)
            return grad

        def relative_error(a, b):
            a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
            total = np.abs(a) + np.abs(b)
            gaps = np.where(total > 0, np.abs(a - b) / np.where(total > 0, total, 1.0), 0.0)
            return float(np.max(gaps, initial=0.0))
    """),
}

# One typical mistake per exercise, and the words its failure must contain.
WRONG = {
    "sum_to": (src("""
        def sum_to(g, shape):
            ones = tuple(i for i, n in enumerate(shape) if n == 1)
            return g.sum(axis=ones, keepdims=True)
    """), "expected shape (3,)"),
    "matmul": (src("""
        class MatMul(Function):
            def forward(self, x, W):
                return x @ W

            def backward(self, gy):
                x, W = self.inputs[0].data, self.inputs[1].data
                return gy @ W.T, gy.T @ x
    """), "transpose of the right answer"),
    "relu": (src("""
        class ReLU(Function):
            def forward(self, x):
                return np.maximum(x, 0)

            def backward(self, gy):
                x = self.inputs[0].data
                jacobian = np.diag((x.ravel() > 0).astype(float))
                return (gy.ravel() @ jacobian).reshape(x.shape)
    """), "Jacobian"),
    # right numbers, by hand: the exercise is to get them from the engine
    "l2_example": (src("""
        def l2_example(W, x):
            W, x = np.array(W, dtype=float), np.array(x, dtype=float)
            q = W @ x
            return q @ q, 2 * np.outer(q, x), 2 * W.T @ q
    """), "ran none of the engine's Functions"),
    "softmax_cross_entropy": (src("""
        class SoftmaxCrossEntropy(Function):
            def forward(self, x, t):
                p = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
                return -np.log(p[np.arange(len(t)), t]).mean()

            def backward(self, gy):
                x, t = self.inputs[0].data, self.inputs[1].data
                p = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
                return (p - np.eye(x.shape[1])[t]) * gy / len(t), None
    """), "subtract each row's maximum"),    # puts x back by subtracting again: round-off leaves x changed
    "numerical_gradient": (src("""
        def numerical_gradient(f, x, eps=1e-5):
            grad = np.zeros(x.shape)
            for index in np.ndindex(x.shape):
                x[index] += eps
                upper = f(x)
                x[index] -= 2 * eps
                lower = f(x)
                x[index] += eps
                grad[index] = (upper - lower) / (2 * eps)
            return grad

        def relative_error(a, b):
            a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
            return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-12)))
    """), "off by round-off"),
}

# autograd_ref's own code in four disguises, and a wrong answer behind patched numpy
# (last, since a patch stays in the kernel for every cell after it).
BORROWED = {
    "sum_to": "from autograd_ref import sum_to",
    "numerical_gradient": src("""
        from autograd_ref.numeric import numerical_grad as numerical_gradient

        def relative_error(a, b):
            return 0.0
    """),
    "matmul": "MatMul = ag.MatMul",
    "relu": src("""
        class ReLU(ag.ReLU):
            pass
    """),
    "softmax_cross_entropy": src("""
        class SoftmaxCrossEntropy(Function):
            def forward(self, x, t):
                return ag.SoftmaxCrossEntropy().forward(x, t)

            def backward(self, gy):
                return ag.SoftmaxCrossEntropy.backward(self, gy)
    """),
    "l2_example": src("""
        np.allclose = lambda *args, **kwargs: True
        np.isclose = lambda a, b, *args, **kwargs: np.ones(np.shape(a), dtype=bool)


        def l2_example(W, x):
            return 0.0, np.zeros(np.shape(W)), np.zeros(np.shape(x))
    """),
}


wrong_results = kernel_run(STAGE, {grade_id: answer for grade_id, (answer, _) in WRONG.items()})


@in_kernel
def test_correct_answers_written_differently_pass_every_test():
    assert not failures(run_with_answers(STAGE, CORRECT))


@in_kernel
@pytest.mark.parametrize("exercise", list(WRONG))
def test_a_typical_mistake_fails_and_says_what_is_wrong(exercise, wrong_results):
    result = failed(wrong_results, f"test_{exercise}")
    assert result.outcome == "failed"
    assert WRONG[exercise][1] in result.message


@in_kernel
def test_the_reference_earns_nothing_and_patched_numpy_hides_nothing():
    results = run_with_answers(STAGE, BORROWED)
    for exercise in ("sum_to", "numerical_gradient", "matmul", "relu", "softmax_cross_entropy"):
        assert failed(results, f"test_{exercise}").outcome == "reference answer", exercise
    assert "`autograd_ref.ops.losses.SoftmaxCrossEntropy`" in results["test_softmax_cross_entropy"].message
    assert failed(results, "test_l2_example").outcome == "failed"


# ---- more mistakes, through the checks directly (no kernel) ---------------------------------

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
    exec(src("""
        def l2_example(W, x):
            W, x = Variable(np.array(W, dtype=float)), Variable(np.array(x, dtype=float))
            column = x.reshape((len(x), 1))
            f = (MatMul()(W, column) ** 2).sum()
            f.backward()
            return f, W.grad, x.grad
    """), notebook)
    check.l2_example_value(notebook["l2_example"], SQUARE, [0.3, -0.7])
    assert notebook["MatMul"] is MatMulBroken  # put back afterwards


# ---- numerical_gradient and relative_error: each slip named, the alternatives pass ----------

def _forward_difference(f, x, eps=1e-5):
    grad, at_x = np.zeros(x.shape), f(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + eps
        grad[index] = (f(x) - at_x) / eps
        x[index] = original
    return grad


def _nudging_a_flat_copy(f, x, eps=1e-5):
    flat, grad = x.reshape(-1), np.zeros(x.size)
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + eps
        upper = f(x)
        flat[i] = original - eps
        lower = f(x)
        flat[i] = original
        grad[i] = (upper - lower) / (2 * eps)
    return grad.reshape(x.shape)


def _restoring_without_finally(f, x, eps=1e-5):
    grad = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + eps
        upper = f(x)
        x[index] = original - eps
        lower = f(x)
        x[index] = original
        grad[index] = (upper - lower) / (2 * eps)
    return grad


def _remembering(f, x, eps=1e-5, _cache={}):  # noqa: B006  (the slip under test)
    if x.shape not in _cache:
        _cache[x.shape] = check.reference_numerical_gradient(f, x, eps)
    return _cache[x.shape]


def _relative_error_nan_at_zeros(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / (np.abs(a) + np.abs(b))))


def _relative_error_of_norms(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-12))


def _relative_error_of_the_sum(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a + b), 1e-12)))


def _gradient_checks(numerical_gradient):
    check.numerical_gradient_value(numerical_gradient)
    check.numerical_gradient_scenarios(numerical_gradient, seed=656)


def _relative_error_checks(relative_error):
    check.relative_error_value(relative_error)
    check.relative_error_scenarios(relative_error)


@pytest.mark.grading
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("checks, answer, phrase", [
    (_gradient_checks, _forward_difference, "that is the forward difference"),
    (_gradient_checks, _nudging_a_flat_copy, "on a transposed x (not contiguous)"),
    (_gradient_checks, _restoring_without_finally, "restore it in a `finally:`"),
    (_gradient_checks, _remembering, "nothing may carry over from one call to the next"),
    (_relative_error_checks, _relative_error_nan_at_zeros, "never nan"),
    (_relative_error_checks, _relative_error_of_norms, "the worst element counts"),
    (_relative_error_checks, _relative_error_of_the_sum, "not |a + b|"),
])
def test_gradient_check_slips_are_named(checks, answer, phrase):
    assert phrase in failure(checks, answer)


@pytest.mark.grading
def test_the_reference_gradient_check_passes_its_own_checks():
    _gradient_checks(check.reference_numerical_gradient)
    _relative_error_checks(check.reference_relative_error)


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
