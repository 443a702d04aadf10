"""Stage 08, the final project, graded as an outside grader would: sgd_step and train_mlp
written differently from the solution pass; a gradient scaled in place fails with a message
naming the slip; autograd_ref's MLP passed off as an answer earns nothing, and patching numpy
and the grader rescues no wrong training loop. Three kernel runs of the student notebook; the
other slips go straight to the checks, in test_answers_08_checks.py.
"""
import pytest

from notebook_answers import failed, failures, kernel_run

pytestmark = pytest.mark.stage08
in_kernel = pytest.mark.notebooks
STAGE = "08_training_an_mlp"

CORRECT = {
    # in place on p.data, no no_grad (plain ndarrays record nothing), a 0-d parameter as a numpy scalar
    "sgd_step": """
import numpy as np
from autograd_ref import Variable

def sgd_step(params, lr):
    for p in params:
        if p.grad is None:
            continue
        g = p.grad.data if isinstance(p.grad, Variable) else p.grad
        if np.ndim(p.data) == 0:
            p.data = (p.data - lr * g)[()]
        else:
            p.data -= lr * g
        p.cleargrad()
""",
    # tanh, np.split batches, losses as an array, in-place updates, predict without no_grad
    "train_mlp": """
import numpy as np
from autograd_ref import Variable, matmul, tanh, softmax_cross_entropy

def train_mlp(X, t, hidden=10, lr=1.0, epochs=300, batch_size=30, seed=0):
    random = np.random.default_rng(seed)
    classes = len(np.unique(t))
    weights = [Variable(random.normal(scale=1 / np.sqrt(2), size=(X.shape[1], hidden))),
               Variable(np.zeros((1, hidden))),
               Variable(random.normal(scale=1 / np.sqrt(hidden), size=(hidden, classes))),
               Variable(np.zeros((1, classes)))]

    def forward(inputs):
        W1, b1, W2, b2 = weights
        return matmul(tanh(matmul(inputs, W1) + b1), W2) + b2

    history = np.zeros(epochs)
    for epoch in range(epochs):
        shuffled = random.permutation(len(X))
        for batch in np.split(shuffled, range(batch_size, len(X), batch_size)):
            loss = softmax_cross_entropy(forward(X[batch]), t[batch])
            for w in weights:
                w.grad = None
            loss.backward()
            for w in weights:
                w.data -= lr * w.grad
            history[epoch] += loss.data * len(batch) / len(X)
    return (lambda new: np.argmax(forward(new).data, axis=1)), history
""",
}

MISTAKES_AND_TAMPERING = {
    # scales the shared gradient array in place: y = p + q hands p and q the same one
    "sgd_step": """
def sgd_step(params, lr):
    for p in params:
        if p.grad is not None:
            p.grad *= lr
            p.data = p.data - p.grad
            p.cleargrad()
""",
    # a wrong answer (a step uphill) plus an attempt to make every check pass
    "train_mlp": """
import numpy as np
import backprop_grading.checks as checks
from autograd_ref import Variable, matmul, sigmoid, softmax_cross_entropy

def train_mlp(X, t, hidden=10, lr=1.0, epochs=300, batch_size=30, seed=0):
    rng = np.random.default_rng(seed)
    params = [Variable(rng.standard_normal((2, hidden))), Variable(np.zeros(hidden)),
              Variable(rng.standard_normal((hidden, 3))), Variable(np.zeros(3))]
    net = lambda x: matmul(sigmoid(matmul(x, params[0]) + params[1]), params[2]) + params[3]
    losses = []
    for _ in range(epochs):
        loss = softmax_cross_entropy(net(X), t)
        loss.backward()
        for p in params:
            p.data = p.data + lr * p.grad
        losses.append(float(loss.data))
    return (lambda x: net(x).data.argmax(axis=1)), losses

np.allclose = lambda *args, **kwargs: True
np.isclose = lambda *args, **kwargs: True
checks.expect_true = lambda *args, **kwargs: None
""",
}

REFERENCE = {
    # autograd_ref's MLP.sgd_step run on a stand-in model
    "sgd_step": """
from autograd_ref import nn

class Holder:
    pass

def sgd_step(params, lr):
    holder = Holder()
    holder.params = [p for p in params if p.grad is not None]
    nn.MLP.sgd_step(holder, lr)
    for p in holder.params:
        p.cleargrad()
""",
    "train_mlp": """
from autograd_ref.nn import MLP, predict, train_classifier

def train_mlp(X, t, hidden=10, lr=1.0, epochs=300, batch_size=30, seed=0):
    model = MLP([X.shape[1], hidden, 3], seed=seed)
    losses = train_classifier(model, X, t, lr, epochs, batch_size, seed)
    return (lambda X_new: predict(model, X_new)), losses
""",
}


correct = kernel_run(STAGE, CORRECT)
mistakes = kernel_run(STAGE, MISTAKES_AND_TAMPERING)
reference = kernel_run(STAGE, REFERENCE)


@in_kernel
def test_correct_answers_written_differently_pass_every_test(correct):
    assert not failures(correct)


@in_kernel
def test_a_gradient_scaled_in_place_is_named(mistakes):
    message = failed(mistakes, "test_sgd_step").message
    assert "one shared gradient array" in message and "p.grad *= lr" in message


@in_kernel
def test_reference_answers_earn_nothing(reference):
    for cell in ("test_sgd_step", "test_train_mlp"):
        assert failed(reference, cell).outcome == "reference answer", reference[cell]
        assert "`autograd_ref.nn" in reference[cell].message


@in_kernel
def test_patching_numpy_and_the_grader_does_not_rescue_a_wrong_training_loop(mistakes):
    assert failed(mistakes, "test_train_mlp").outcome == "failed"
