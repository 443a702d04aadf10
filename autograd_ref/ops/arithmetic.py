"""Arithmetic: + - * / ** and negation, with numpy broadcasting.

When an input was broadcast in forward, its gradient is summed back to its own shape
(`sum_to`), because a gradient always has the shape of its variable.
"""
from ..core import Function, Variable
from .tensor import sum_to


class Add(Function):
    def forward(self, x0, x1):
        return x0 + x1

    def backward(self, gy):
        x0, x1 = self.input_values()
        return sum_to(gy, x0.shape), sum_to(gy, x1.shape)


class Mul(Function):
    def forward(self, x0, x1):
        return x0 * x1

    def backward(self, gy):
        x0, x1 = self.input_values()
        return sum_to(gy * x1, x0.shape), sum_to(gy * x0, x1.shape)


class Neg(Function):
    def forward(self, x):
        return -x

    def backward(self, gy):
        return -gy


class Sub(Function):
    def forward(self, x0, x1):
        return x0 - x1

    def backward(self, gy):
        x0, x1 = self.input_values()
        return sum_to(gy, x0.shape), sum_to(-gy, x1.shape)


class Div(Function):
    def forward(self, x0, x1):
        return x0 / x1

    def backward(self, gy):
        x0, x1 = self.input_values()
        return sum_to(gy / x1, x0.shape), sum_to(-gy * x0 / x1 ** 2, x1.shape)


class Pow(Function):
    """x ** c for a constant exponent c."""

    def __init__(self, c):
        self.c = c

    def forward(self, x):
        return x ** self.c

    def backward(self, gy):
        x, = self.input_values()
        return self.c * x ** (self.c - 1) * gy


def add(x0, x1):
    return Add()(x0, x1)


def mul(x0, x1):
    return Mul()(x0, x1)


def neg(x):
    return Neg()(x)


def sub(x0, x1):
    return Sub()(x0, x1)


def rsub(x0, x1):
    return Sub()(x1, x0)


def div(x0, x1):
    return Div()(x0, x1)


def rdiv(x0, x1):
    return Div()(x1, x0)


def pow(x, c):
    if isinstance(c, Variable):
        raise TypeError("pow(x, c) takes a constant exponent c (a number), not a Variable.")
    return Pow(c)(x)

