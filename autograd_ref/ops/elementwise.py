"""Elementwise functions. Each backward is upstream gradient times the local derivative.

Where the derivative is easiest to say with the output (exp, sqrt, tanh, sigmoid), backward
reuses the output instead of recomputing it.
"""
import numpy as np

from ..core import Function


class Square(Function):
    def forward(self, x):
        return x ** 2

    def backward(self, gy):
        x, = self.input_values()
        return gy * 2 * x


class Exp(Function):
    def forward(self, x):
        return np.exp(x)

    def backward(self, gy):
        y = self.output_value()
        return gy * y


class Log(Function):
    def forward(self, x):
        return np.log(x)

    def backward(self, gy):
        x, = self.input_values()
        return gy / x


class Sqrt(Function):
    def forward(self, x):
        return np.sqrt(x)

    def backward(self, gy):
        y = self.output_value()
        return gy / (2 * y)


class Sin(Function):
    def forward(self, x):
        return np.sin(x)

    def backward(self, gy):
        x, = self.input_values()
        return gy * np.cos(x)


class Cos(Function):
    def forward(self, x):
        return np.cos(x)

    def backward(self, gy):
        x, = self.input_values()
        return gy * -np.sin(x)


class Tanh(Function):
    def forward(self, x):
        return np.tanh(x)

    def backward(self, gy):
        y = self.output_value()
        return gy * (1 - y * y)


class Sigmoid(Function):
    def forward(self, x):
        return 0.5 * np.tanh(0.5 * x) + 0.5  # equals 1 / (1 + exp(-x)) without overflow

    def backward(self, gy):
        y = self.output_value()
        return gy * y * (1 - y)


class ReLU(Function):
    def forward(self, x):
        self.mask = x > 0  # where the input passes; a constant for backward
        return np.maximum(x, 0.0)

    def backward(self, gy):
        # the Jacobian is diagonal with 0/1 entries, so it is a mask, never a matrix
        return gy * self.mask


def square(x):
    return Square()(x)


def exp(x):
    return Exp()(x)


def log(x):
    return Log()(x)


def sqrt(x):
    return Sqrt()(x)


def sin(x):
    return Sin()(x)


def cos(x):
    return Cos()(x)


def tanh(x):
    return Tanh()(x)


def sigmoid(x):
    return Sigmoid()(x)


def relu(x):
    return ReLU()(x)
