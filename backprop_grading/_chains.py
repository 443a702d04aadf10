"""The chains stage 04's checks run answers on, built from the grader's own small linked classes.

An answer is a function `answer(self)` meant to become a Variable method; a chain's variables
carry it. An answer cell cannot reach these classes, and their variables have no `backward` an
answer could quietly call instead of walking the chain itself.
"""
import numpy as np

from ._arrays import to_floats
from ._errors import ReferenceAnswerError


class Variable:
    answer_name = "backward"  # set per answer by variable_class

    def __init__(self, data):
        self.data = data
        self.grad = None
        self.creator = None

    def set_creator(self, func):
        self.creator = func

    @property
    def backward(self):  # the notebook's Variable.backward is autograd_ref's loop
        raise ReferenceAnswerError(
            f"`{self.answer_name}` calls the variable's own `backward()`, which is autograd_ref's "
            f"walk: write the walk yourself to earn these points")


class Function:
    def __call__(self, input):
        output = type(input)(self.forward(input.data))  # the answer's method comes along
        output.set_creator(self)
        self.input, self.output = input, output
        return output

    def backward(self, gy):
        return self.local(self.input.data) * gy


class Square(Function):
    def forward(self, x):
        return x ** 2

    def local(self, x):
        return 2 * x


class Exp(Function):
    def forward(self, x):
        return np.exp(x)

    def local(self, x):
        return np.exp(x)


class Negate(Function):
    def forward(self, x):
        return -x

    def local(self, x):
        return -np.ones_like(x)


def variable_class(answer, name):
    """A fresh Variable class carrying the answer as its method `name`."""
    return type("Variable", (Variable,), {name: answer, "answer_name": name})


def build(answer, name, kinds, x):
    """[x, v1, ..., y]: x run through one new function of each kind."""
    variables = [variable_class(answer, name)(np.array(x, dtype=float))]
    for kind in kinds:
        variables.append(kind()(variables[-1]))
    return variables


def chain_text(kinds, x):
    """`x=0.5 -> Square -> Exp -> y`: a chain as a message names it."""
    steps = " -> ".join(kind.__name__ for kind in kinds)
    x = to_floats(x)
    start = f"{float(x):.6g}" if x.ndim == 0 else f"an array of shape {x.shape}"
    return f"x={start} -> {steps} -> y"


def chain_output(functions, value):
    """value run through the functions' forwards, one after the other."""
    for function in functions:
        value = function.forward(value)
    return value


def random_chain(generator, shape=()):
    """Square/Exp chains of 1 to 5 functions whose values stay moderate (no overflow)."""
    while True:
        kinds = [(Square, Exp)[i] for i in generator.integers(0, 2, size=generator.integers(1, 6))]
        x = generator.uniform(-1, 1, size=shape)
        # past the first function values are >= 0, where both only grow: y bounds them all
        if np.max(np.abs(chain_output([kind() for kind in kinds], x))) < 50:
            return kinds, x
