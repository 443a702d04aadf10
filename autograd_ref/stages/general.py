"""Stage 05: functions with several inputs and outputs, variables used more than once.

Two ideas make backward correct on any graph (a DAG):
- generations: a function runs only after every function that uses its outputs;
- accumulation: a variable used twice receives the sum of both gradients.
"""
import numpy as np

from ..core import Config, no_grad, using_config  # noqa: F401  (one switch: the engine's and these classes')
from . import linked, manual


class Variable(linked.Variable):
    def __init__(self, data):
        super().__init__(data)
        self.generation = 0

    def set_creator(self, func):
        self.creator = func
        self.generation = func.generation + 1

    def cleargrad(self):
        self.grad = None

    def backward(self):
        # the notebook's own walk, on purpose: it is what stage 05 teaches (the engine's is
        # autograd_ref.core.backward_order, a heap that finds the functions as it goes)
        if self.grad is None:
            self.grad = np.ones_like(self.data)
        for f in topological_order(self):
            gys = [y.grad for y in f.outputs]
            gxs = f.backward(*gys)
            if not isinstance(gxs, tuple):
                gxs = (gxs,)
            for x, gx in zip(f.inputs, gxs):
                # a new array, never `+=`: two variables may share one gradient array
                x.grad = gx if x.grad is None else x.grad + gx


class Function(manual.Function):
    def __call__(self, *inputs):
        xs = [x.data for x in inputs]
        ys = self.forward(*xs)
        if not isinstance(ys, tuple):
            ys = (ys,)
        outputs = [Variable(np.asarray(y)) for y in ys]
        if Config.enable_backprop:  # record the graph only while the switch is on
            self.generation = max(x.generation for x in inputs)
            for output in outputs:
                output.set_creator(self)
            self.inputs = inputs
            self.outputs = outputs
        return outputs if len(outputs) > 1 else outputs[0]

    @property
    def input(self):
        """The single input, so the one-input functions of stage 02 work unchanged."""
        return self.inputs[0]


def topological_order(output):
    """Every function behind `output`, each once, consumers before producers.

    A function's generation is larger than that of every function feeding it, so sorting by
    generation, newest first, is a valid order for backward.
    """
    functions, seen = [], set()
    pending = [output.creator] if output.creator is not None else []
    while pending:
        f = pending.pop()
        if f in seen:
            continue
        seen.add(f)
        functions.append(f)
        pending.extend(x.creator for x in f.inputs if x.creator is not None)
    return sorted(functions, key=lambda f: f.generation, reverse=True)


class Add(Function):
    def forward(self, x0, x1):
        return x0 + x1

    def backward(self, gy):
        return gy, gy


class Mul(Function):
    def forward(self, x0, x1):
        return x0 * x1

    def backward(self, gy):
        x0, x1 = self.inputs[0].data, self.inputs[1].data
        return gy * x1, gy * x0


class Square(Function):
    """Stage 02's y = x ** 2, now on the Function of several inputs (it reads `self.input`)."""
    forward = manual.Square.forward
    backward = manual.Square.backward


class Exp(Function):
    """Stage 02's y = exp(x), now on the Function of several inputs (it reads `self.input`)."""
    forward = manual.Exp.forward
    backward = manual.Exp.backward


class Log(Function):
    def forward(self, x):
        return np.log(x)

    def backward(self, gy):
        return gy / self.input.data


class Sqrt(Function):
    def forward(self, x):
        return np.sqrt(x)

    def backward(self, gy):
        return gy / (2 * np.sqrt(self.input.data))


def add(x0, x1):
    return Add()(x0, x1)


def mul(x0, x1):
    return Mul()(x0, x1)


def square(x):
    return Square()(x)


def exp(x):
    return Exp()(x)


def log(x):
    return Log()(x)


def sqrt(x):
    return Sqrt()(x)
