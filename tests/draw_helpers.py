"""Stand-ins for the notebooks' own classes, and readers of DOT source, for the drawing tests."""
import re

import numpy as np


# ---- small stand-ins for the notebooks' own classes -------------------------------------

class Stage02Variable:
    """Stage 02: data and grad, no creator."""

    def __init__(self, data):
        self.data = np.asarray(data, dtype=float)
        self.grad = None


class Stage02Function:
    def __call__(self, input):
        self.input = input
        return Stage02Variable(self.forward(input.data))


class Stage02Square(Stage02Function):
    def forward(self, x):
        return x ** 2

    def backward(self, gy):
        return 2 * self.input.data * gy


class Stage02Exp(Stage02Function):
    def forward(self, x):
        return np.exp(x)

    def backward(self, gy):
        return np.exp(self.input.data) * gy


class Stage04Variable(Stage02Variable):
    """Stage 04: a creator link; functions keep `.input` and `.output`."""

    def __init__(self, data, name=None):
        super().__init__(data)
        self.creator = None
        self.name = name


class Stage04Square(Stage02Square):
    def __call__(self, input):
        self.input = input
        self.output = Stage04Variable(self.forward(input.data))
        self.output.creator = self
        return self.output


class Var:
    """Stage 05: generation, several inputs and outputs, and a reference backward to compare."""

    def __init__(self, data, name=None):
        self.data = np.asarray(data, dtype=float)
        self.name = name
        self.grad = None
        self.creator = None
        self.generation = 0

    def backward(self):
        self.grad = np.ones_like(self.data)
        pending, seen = [self.creator], {self.creator}
        while pending:
            pending.sort(key=lambda f: f.generation)
            f = pending.pop()
            gxs = f.backward(*[y.grad for y in f.outputs])
            gxs = gxs if isinstance(gxs, tuple) else (gxs,)
            for x, gx in zip(f.inputs, gxs):
                x.grad = gx if x.grad is None else x.grad + gx
                if x.creator is not None and x.creator not in seen:
                    seen.add(x.creator)
                    pending.append(x.creator)


class Func:
    def __call__(self, *inputs):
        self.inputs = list(inputs)
        self.generation = max(x.generation for x in inputs)
        ys = self.forward(*[x.data for x in inputs])
        self.outputs = [Var(y) for y in (ys if isinstance(ys, tuple) else (ys,))]
        for y in self.outputs:
            y.creator, y.generation = self, self.generation + 1
        return self.outputs[0] if len(self.outputs) == 1 else self.outputs


class Add(Func):
    def forward(self, a, b):
        return a + b

    def backward(self, gy):
        return gy, gy


class Mul(Func):
    def forward(self, a, b):
        return a * b

    def backward(self, gy):
        a, b = (x.data for x in self.inputs)
        return gy * b, gy * a


class Square(Func):
    def forward(self, x):
        return x ** 2

    def backward(self, gy):
        return 2 * self.inputs[0].data * gy


# ---- reading the DOT source ---------------------------------------------------------------

def node_line(source, name):
    """The one node statement whose label shows `name` in bold."""
    lines = [line for line in source.splitlines() if f"<b>{name}</b>" in line and "->" not in line]
    assert len(lines) == 1, f"expected one node named {name}, found {lines}"
    return lines[0]


def shown_grad(source, name):
    found = re.search(r"grad ([^<]+)</font>", node_line(source, name))
    return None if found is None else float(found.group(1))


def count_nodes(source, shape):
    return sum(f"shape={shape}" in line and "->" not in line for line in source.splitlines())


def highlighted(source):
    return [line.split()[0] for line in source.splitlines() if "fillcolor=orange" in line]
