"""A tiny multilayer perceptron on the engine, for stage 08 and the benchmarks."""
import numpy as np

from .core import Variable, no_grad
from .ops import matmul, sigmoid, softmax_cross_entropy


class MLP:
    """Fully connected layers: `MLP([2, 10, 3])` maps 2 features to 3 class scores."""

    def __init__(self, sizes, activation=sigmoid, seed=0):
        rng = np.random.default_rng(seed)
        self.activation = activation
        self.layers = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            W = Variable(rng.standard_normal((n_in, n_out)) * np.sqrt(1.0 / n_in), name=f"W{i}")
            b = Variable(np.zeros(n_out), name=f"b{i}")
            self.layers.append((W, b))

    def __call__(self, x):
        last = len(self.layers) - 1
        for i, (W, b) in enumerate(self.layers):
            x = matmul(x, W) + b
            if i < last:  # the last layer gives raw scores (logits)
                x = self.activation(x)
        return x

    @property
    def params(self):
        return [p for layer in self.layers for p in layer]

    def cleargrads(self):
        for p in self.params:
            p.cleargrad()

    def sgd_step(self, lr):
        with no_grad():
            for p in self.params:
                p.data = p.data - lr * p.grad


def train_classifier(model, X, t, lr=1.0, epochs=300, batch_size=30, seed=0):
    """Minibatch SGD on softmax cross-entropy; returns the mean loss of each epoch."""
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(X))
        total = 0.0
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            loss = softmax_cross_entropy(model(X[batch]), t[batch])
            model.cleargrads()
            loss.backward()
            model.sgd_step(lr)
            total += float(loss.data) * len(batch)
        losses.append(total / len(X))
    return losses


def predict(model, X):
    """Class index with the highest score for each row of X."""
    with no_grad():
        return model(X).data.argmax(axis=1)
