"""Stage 06 judged the way an outside grader would: answers written into the student notebook.

Three kernel runs: correct answers written unlike the solution (all tests pass), typical
mistakes (each test fails and says what is wrong), and the reference passed off as an answer
plus numpy patched to hide a wrong answer. More mistakes go through the stage06 checks
directly, which costs no kernel, in test_answers_06_functions.py, _numerical_gradient.py and
_kinks.py.
"""
import pytest

from notebook_answers import failed, failures, kernel_run, run_with_answers, source

pytestmark = pytest.mark.stage06
in_kernel = pytest.mark.notebooks
STAGE = "06_vectors_and_matrices"


# Right, but unlike the solution: loops, np.where, np.dot, logaddexp, `>=` in ReLU (the tests
# never put an input at exactly 0), a Variable returned for f.
CORRECT = {
    "sum_to": source("""
        def sum_to(gradient, target):
            out = gradient
            while out.ndim > len(target):
                out = out.sum(axis=0)
            for axis, size in enumerate(target):
                if size == 1 and out.shape[axis] != 1:
                    out = out.sum(axis=axis, keepdims=True)
            return out
    """),
    "matmul": source("""
        class MatMul(Function):
            def forward(self, a, b):
                return np.dot(a, b)

            def backward(self, upstream):
                a, b = (v.data for v in self.inputs)
                return np.dot(upstream, b.transpose()), np.dot(a.transpose(), upstream)
    """),
    "relu": source("""
        class ReLU(Function):
            def forward(self, x):
                return np.where(x > 0, x, 0.0)

            def backward(self, gy):
                return np.where(self.inputs[0].data >= 0, gy, 0.0)
    """),
    "l2_example": source("""
        def l2_example(W, x):
            W = Variable(np.asarray(W, dtype=float).copy())
            x = Variable(np.asarray(x, dtype=float).copy())
            f = ag.sum(ag.square(ag.matmul(W, x)))
            f.backward()
            return f, W.grad, x.grad
    """),
    "softmax_cross_entropy": source("""
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
    "numerical_gradient": source("""
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
    "sum_to": (source("""
        def sum_to(g, shape):
            ones = tuple(i for i, n in enumerate(shape) if n == 1)
            return g.sum(axis=ones, keepdims=True)
    """), "expected shape (3,)"),
    "matmul": (source("""
        class MatMul(Function):
            def forward(self, x, W):
                return x @ W

            def backward(self, gy):
                x, W = self.inputs[0].data, self.inputs[1].data
                return gy @ W.T, gy.T @ x
    """), "transpose of the right answer"),
    "relu": (source("""
        class ReLU(Function):
            def forward(self, x):
                return np.maximum(x, 0)

            def backward(self, gy):
                x = self.inputs[0].data
                jacobian = np.diag((x.ravel() > 0).astype(float))
                return (gy.ravel() @ jacobian).reshape(x.shape)
    """), "Jacobian"),
    # right numbers, by hand: the exercise is to get them from the engine
    "l2_example": (source("""
        def l2_example(W, x):
            W, x = np.array(W, dtype=float), np.array(x, dtype=float)
            q = W @ x
            return q @ q, 2 * np.outer(q, x), 2 * W.T @ q
    """), "ran none of the engine's Functions"),
    "softmax_cross_entropy": (source("""
        class SoftmaxCrossEntropy(Function):
            def forward(self, x, t):
                p = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
                return -np.log(p[np.arange(len(t)), t]).mean()

            def backward(self, gy):
                x, t = self.inputs[0].data, self.inputs[1].data
                p = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
                return (p - np.eye(x.shape[1])[t]) * gy / len(t), None
    """), "subtract each row's maximum"),    # puts x back by subtracting again: round-off leaves x changed
    "numerical_gradient": (source("""
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
    "numerical_gradient": source("""
        from autograd_ref.numeric import numerical_grad as numerical_gradient

        def relative_error(a, b):
            return 0.0
    """),
    "matmul": "MatMul = ag.MatMul",
    "relu": source("""
        class ReLU(ag.ReLU):
            pass
    """),
    "softmax_cross_entropy": source("""
        class SoftmaxCrossEntropy(Function):
            def forward(self, x, t):
                return ag.SoftmaxCrossEntropy().forward(x, t)

            def backward(self, gy):
                return ag.SoftmaxCrossEntropy.backward(self, gy)
    """),
    "l2_example": source("""
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
