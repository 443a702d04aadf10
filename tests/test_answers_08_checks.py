"""Stage 08's checks called directly, on slips no notebook run covers: a train_mlp that records
the last batch, ignores the seed or `hidden`, predicts scores, has no hidden nonlinearity or
trains outside the engine, and an sgd_step that leaves gradients uncleared, keeps the first lr,
records its update as a graph or steps by a Variable gradient, is named; the right ones pass."""
import numpy as np
import pytest

from autograd_ref import Variable, matmul, no_grad, sigmoid, softmax_cross_entropy
from backprop_grading import stage08 as check
from grading_cells import failure

pytestmark = pytest.mark.stage08
in_process = pytest.mark.grading


def mlp_trainer(record_last_batch=False, ignore_seed=False, scores_only=False):
    """A correct train_mlp, or one with a single typical slip."""
    def train_mlp(X, t, hidden=10, lr=1.0, epochs=300, batch_size=30, seed=0):
        rng = np.random.default_rng(0 if ignore_seed else seed)
        params = [Variable(rng.standard_normal((2, hidden)) / np.sqrt(2)), Variable(np.zeros(hidden)),
                  Variable(rng.standard_normal((hidden, 3)) / np.sqrt(hidden)), Variable(np.zeros(3))]

        def scores(x):
            return matmul(sigmoid(matmul(x, params[0]) + params[1]), params[2]) + params[3]

        losses = []
        for _ in range(epochs):
            order, total = rng.permutation(len(X)), 0.0
            for start in range(0, len(X), batch_size):
                batch = order[start:start + batch_size]
                loss = softmax_cross_entropy(scores(X[batch]), t[batch])
                for p in params:
                    p.cleargrad()
                loss.backward()
                for p in params:
                    p.data = p.data - lr * p.grad
                total += float(loss.data) * len(batch)
            losses.append(float(loss.data) if record_last_batch else total / len(X))

        def predict(x):
            with no_grad():
                result = scores(x).data
            return result if scores_only else result.argmax(axis=1)

        return predict, losses

    return train_mlp


@pytest.mark.parametrize("slip, words", [
    ({"record_last_batch": True}, "mean loss over the whole epoch"),
    ({"ignore_seed": True}, "gave the same losses"),
])
@in_process
def test_training_slips_fail_the_hidden_options_test(slip, words):
    assert words in failure(check.train_mlp_random, mlp_trainer(**slip), seed=731)


@in_process
def test_predict_returning_scores_is_named():
    message = failure(check.train_mlp_value, mlp_trainer(scores_only=True))
    assert "must return shape (300,), got (300, 3)" in message


@in_process
def test_the_engine_ops_are_allowed_in_train_mlp(capsys):
    with check.exercise("train_mlp"):
        check.train_mlp_value(mlp_trainer())
    assert capsys.readouterr().err == ""


def mlp_without_hidden_nonlinearity(X, t, hidden=10, lr=1.0, epochs=300, batch_size=30, seed=0):
    rng = np.random.default_rng(seed)
    W1, b1 = Variable(rng.standard_normal((2, hidden))), Variable(np.zeros(hidden))
    W2, b2 = Variable(rng.standard_normal((hidden, 3))), Variable(np.zeros(3))
    losses = []
    for _ in range(epochs):
        loss = softmax_cross_entropy(matmul(matmul(X, W1) + b1, W2) + b2, t)
        for p in (W1, b1, W2, b2):
            p.cleargrad()
        loss.backward()
        for p in (W1, b1, W2, b2):
            p.data = p.data - lr * p.grad
        losses.append(float(loss.data))
    return (lambda x: np.zeros(len(x), dtype=int)), losses


def mlp_in_numpy_only(X, t, hidden=10, lr=1.0, epochs=300, batch_size=30, seed=0):
    """Never touches the engine: a forward pass in plain numpy, no learning at all."""
    W = np.random.default_rng(seed).standard_normal((2, 3))
    losses = [float(np.mean(np.log(np.exp(X @ W).sum(axis=1)) - (X @ W)[np.arange(len(t)), t]))] * epochs
    return (lambda x: (x @ W).argmax(axis=1)), losses


@in_process
def test_a_network_without_a_hidden_nonlinearity_is_told_to_add_one():
    message = failure(check.train_mlp_value, mlp_without_hidden_nonlinearity, epochs=3)
    assert "network is linear" in message and "needs sigmoid or tanh" in message


@in_process
def test_training_outside_the_engine_is_named():
    message = failure(check.train_mlp_value, mlp_in_numpy_only, epochs=3)
    assert "ran none of the engine's Functions" in message


@in_process
def test_a_loss_that_does_not_halve_lists_the_likely_causes_in_order():
    def no_learning(X, t, **options):
        return mlp_trainer()(X, t, **{**options, "lr": 0.0})

    message = failure(check.train_mlp_value, no_learning, epochs=3)
    causes = ("gradients not cleared", "p.data = p.data - lr * p.grad", "weights drawn too large")
    assert all(cause in message for cause in causes)
    assert [message.index(cause) for cause in causes] == sorted(message.index(cause) for cause in causes)


def sgd_with(clear=True, use_lr=True, graph=False, variable_grad=False):
    """A correct sgd_step, or one with a single typical slip."""
    first_lr = []

    def sgd_step(params, lr):
        first_lr.append(lr)
        step = lr if use_lr else first_lr[0]
        for p in params:
            if p.grad is None:
                continue
            g = p.grad.data if isinstance(p.grad, Variable) and not variable_grad else p.grad
            p.data = (p - step * Variable(g)).data if graph else p.data - step * g
            if clear:
                p.cleargrad()

    return sgd_step


@in_process
@pytest.mark.parametrize("slip, words", [
    ({"clear": False}, "gradients must be cleared (p.cleargrad())"),
    ({"use_lr": False}, "use the lr of each call"),
    ({"graph": True}, "while graphs are recorded"),
    ({"variable_grad": True}, "use the gradient's ndarray, p.grad.data"),
])
def test_sgd_step_slips_are_named(slip, words):
    def both(sgd_step):
        check.sgd_step_value(sgd_step)
        check.sgd_step_scenarios(sgd_step)

    assert words in failure(both, sgd_with(**slip))


@in_process
def test_a_correct_sgd_step_passes_and_train_mlp_is_graded_with_the_reference_one(capsys):
    with check.exercise("sgd_step"):
        check.sgd_step_value(sgd_with())
        check.sgd_step_scenarios(sgd_with())
    assert capsys.readouterr().err == ""


def train_mlp_on_fixed_width(X, t, hidden=10, **options):
    """Right in every way but one: `hidden` is ignored."""
    return mlp_trainer()(X, t, hidden=10, **options)


@in_process
def test_an_ignored_hidden_width_is_named():
    check.train_mlp_uses_hidden(mlp_trainer(), hidden=7)
    message = failure(check.train_mlp_uses_hidden, train_mlp_on_fixed_width, hidden=7)
    assert "never by a (2, 7) and a (7, 3) one" in message
