"""autograd_ref.nn: the MLP, its SGD step and the training loop of stage 08, in-process."""
import numpy as np
import pytest

from autograd_ref import Variable, no_grad, relu, softmax_cross_entropy
from autograd_ref.datasets import spiral
from autograd_ref.nn import MLP, predict, train_classifier
from autograd_ref.numeric import compare_gradient, numerical_grad

pytestmark = pytest.mark.stage08


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def test_layers_have_scaled_weights_zero_biases_names_and_a_seed():
    model = MLP([400, 100, 3], seed=0)
    assert [(W.shape, b.shape) for W, b in model.layers] == [((400, 100), (100,)), ((100, 3), (3,))]
    assert [p.name for p in model.params] == ["W0", "b0", "W1", "b1"]
    W0, b0 = model.layers[0]
    np.testing.assert_array_equal(b0.data, 0.0)
    # scaled by sqrt(1 / n_in), so a layer's sums spread about as much as its inputs
    assert W0.data.std() == pytest.approx(np.sqrt(1 / 400), rel=0.05)
    assert abs(W0.data.mean()) < 0.01
    np.testing.assert_array_equal(MLP([400, 100, 3], seed=0).layers[0][0].data, W0.data)
    assert not np.allclose(MLP([400, 100, 3], seed=1).layers[0][0].data, W0.data), "seed ignored"


def test_hidden_layers_are_activated_and_the_last_gives_raw_scores():
    model = MLP([2, 4, 3], seed=5)
    (W0, b0), (W1, b1) = model.layers
    b0.data, b1.data = np.array([0.1, -0.2, 0.3, 0.0]), np.array([1.0, -1.0, 0.5])
    X = np.array([[0.5, -1.0], [2.0, 0.25]])
    expected = sigmoid(X @ W0.data + b0.data) @ W1.data + b1.data
    np.testing.assert_allclose(model(X).data, expected, err_msg="sigmoid(X W0 + b0) W1 + b1")
    with_relu = MLP([2, 4, 3], activation=relu, seed=5)
    with_relu.layers = model.layers
    expected = np.maximum(X @ W0.data + b0.data, 0) @ W1.data + b1.data
    np.testing.assert_allclose(with_relu(X).data, expected, err_msg="relu(X W0 + b0) W1 + b1")


def spiral_loss_value(model, X, t):
    with no_grad():
        return float(softmax_cross_entropy(model(X), t).data)


def test_every_parameter_gradient_matches_central_difference():
    X, t = spiral(n_per_class=4, seed=3)
    model = MLP([2, 5, 3], seed=2)
    for _, b in model.layers:  # zero biases would hide a bias gradient that is summed wrongly
        b.data = np.random.default_rng(7).uniform(-0.5, 0.5, b.shape)
    softmax_cross_entropy(model(X), t).backward()
    for p in model.params:
        expected = numerical_grad(lambda _: spiral_loss_value(model, X, t), p.data)
        comparison = compare_gradient(expected, p.grad, label=p.name)
        assert comparison.ok, str(comparison)


def test_sgd_step_moves_every_parameter_against_its_gradient_without_recording():
    model = MLP([2, 3, 2], seed=0)
    grads = [np.full(p.shape, 0.5) for p in model.params]
    before = [p.data.copy() for p in model.params]
    for p, g in zip(model.params, grads):
        p.grad = g
    model.sgd_step(lr=0.1)
    for p, old, g in zip(model.params, before, grads):
        np.testing.assert_allclose(p.data, old - 0.1 * 0.5, err_msg=f"{p.name} after one step")
        assert p.creator is None, f"{p.name}: the update recorded a graph"
        assert p.grad is g and np.all(g == 0.5), f"{p.name}: the step changed the gradient"
    model.cleargrads()
    assert [p.grad for p in model.params] == [None] * 4


def test_training_with_a_zero_learning_rate_reports_the_mean_loss_of_every_point():
    # batches of 40, 40 and 10 points: each batch's mean loss must be weighted by its size
    X, t = spiral(n_per_class=30, seed=4)
    model = MLP([2, 6, 3], seed=1)
    losses = train_classifier(model, X, t, lr=0.0, epochs=2, batch_size=40, seed=0)
    expected = spiral_loss_value(model, X, t)
    assert losses == pytest.approx([expected, expected], rel=1e-12), (
        f"expected the loss over all {len(X)} points, {expected:.6g}, every epoch, got {losses}")


def test_each_step_uses_the_gradient_of_its_own_batch_only():
    X, t = spiral(n_per_class=10, seed=2)
    model, by_hand = MLP([2, 4, 3], seed=3), MLP([2, 4, 3], seed=3)
    losses = train_classifier(model, X, t, lr=0.5, epochs=3, batch_size=len(X))
    expected = []
    for _ in range(3):  # one batch per epoch: plain gradient descent
        loss = softmax_cross_entropy(by_hand(X), t)
        expected.append(float(loss.data))
        by_hand.cleargrads()
        loss.backward()
        by_hand.sgd_step(0.5)
    assert losses == pytest.approx(expected, rel=1e-10)
    assert losses[2] < losses[0], f"gradient descent should lower the loss, got {losses}"
    for p, q in zip(model.params, by_hand.params):
        np.testing.assert_allclose(p.data, q.data, rtol=1e-10, err_msg=p.name)


def test_predict_picks_the_highest_score_of_each_row():
    model = MLP([3, 3])
    model.layers = [(Variable(np.eye(3)), Variable(np.zeros(3)))]  # scores = the inputs
    X = np.array([[0.1, 0.9, 0.0], [0.2, 0.3, 0.7]])
    np.testing.assert_array_equal(predict(model, X), [1, 2])


def test_the_same_seed_gives_the_same_training_and_another_seed_another():
    X, t = spiral(n_per_class=10, seed=5)

    def losses(seed):
        model = MLP([2, 4, 3], seed=0)
        return train_classifier(model, X, t, lr=0.5, epochs=2, batch_size=7, seed=seed)

    assert losses(1) == losses(1)
    assert losses(1) != losses(2), "the seed should choose the order of the minibatches"


def test_called_bare_the_model_and_loop_make_the_run_of_the_exercises_defaults():
    # the contract's train_mlp(X, t, hidden=10, lr=1.0, epochs=300, batch_size=30, seed=0)
    X, t = spiral(n_per_class=11, seed=6)  # 33 points: batches of 30 and 3, in seeded order
    bare = train_classifier(MLP([2, 3, 3]), X, t)
    spelled_out = train_classifier(MLP([2, 3, 3], seed=0), X, t, lr=1.0, epochs=300,
                                   batch_size=30, seed=0)
    assert len(bare) == 300 and bare == spelled_out
