"""The engine: Variable, Function, the configuration switches, and backward.

Define-by-run: every Function call records itself as the creator of its output, so the graph
is the trail of calls. A function holds its output weakly, so a graph is freed by reference
counting alone the moment its last output is dropped (no cycles for the garbage collector).
"""
import contextlib
import heapq
import weakref

import numpy as np


class Config:
    enable_backprop = True  # False: functions compute values but record no graph


@contextlib.contextmanager
def using_config(name, value):
    """Temporarily set a Config switch: `with using_config("enable_backprop", False): ...`."""
    old_value = getattr(Config, name)
    setattr(Config, name, value)
    try:
        yield
    finally:
        setattr(Config, name, old_value)


def no_grad():
    """Compute without recording a graph (evaluation, parameter updates)."""
    return using_config("enable_backprop", False)


def as_array(x):
    """Numbers and numpy scalars become 0-d arrays; arrays pass through."""
    if isinstance(x, np.ndarray):
        return x
    return np.asarray(x)


def as_variable(x):
    return x if isinstance(x, Variable) else Variable(as_array(x))


class Variable:
    """A box holding an ndarray, its gradient, and the Function that created it."""

    # slots keep each graph node small and its attribute access fast
    __slots__ = ("data", "name", "grad", "creator", "generation", "__weakref__")

    def __init__(self, data, name=None):
        if not isinstance(data, np.ndarray):
            data = _checked_array(data)
        self.data = data
        self.name = name
        self.grad = None
        self.creator = None
        self.generation = 0

    def set_creator(self, func):
        self.creator = func
        self.generation = func.generation + 1

    def cleargrad(self):
        self.grad = None

    @property
    def shape(self):
        return self.data.shape

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def size(self):
        return self.data.size

    @property
    def dtype(self):
        return self.data.dtype

    def __len__(self):
        return len(self.data)

    def __repr__(self):
        body = str(self.data).replace("\n", "\n" + " " * 9)
        name = f", name={self.name!r}" if self.name else ""
        return f"Variable({body}{name})"

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """numpy's elementwise functions run the engine's ops on a Variable: `np.cos(x)` is
        `cos(x)`, `ndarray * x` is `mul(ndarray, x)`. So a backward written with numpy works on
        ndarrays and, when the backward pass is recorded, on Variables. (The table is filled by
        `setup_variable`; numpy functions outside it refuse a Variable.)"""
        op = NUMPY_OPS.get(ufunc) if method == "__call__" and not kwargs else None
        return NotImplemented if op is None else op(*inputs)

    def backward(self, retain_grad=False, create_graph=False):
        """Fill `.grad` of every variable this one depends on.

        retain_grad: keep the gradients of intermediate variables too (by default only the
        leaves keep theirs, which frees memory early).
        create_graph: record the backward pass itself, so the gradients are Variables that can
        be differentiated again (second derivatives, Newton's method).
        """
        if self.grad is None:
            ones = np.ones_like(self.data)
            self.grad = Variable(ones) if create_graph else ones
        run_backward(self, retain_grad, create_graph)


NUMPY_OPS = {}  # numpy ufunc -> the engine's lowercase function; see __array_ufunc__


def _checked_array(data):
    if isinstance(data, (int, float, complex, np.generic)) and not isinstance(data, bool):
        return np.asarray(data)
    raise TypeError(
        f"Variable needs a numpy ndarray, got {type(data).__name__} ({data!r}). "
        f"Wrap it first, e.g. Variable(np.array({data!r}))."
    )


class Function:
    """An operation in the graph. Subclasses write `forward` (on ndarrays) and `backward`.

    `__call__` does the bookkeeping once for every op: unwrap the inputs, run forward, wrap the
    output, and (when a graph is being recorded) link the output to this function. Every
    function has one output, as in micrograd and PyTorch: an op with two results is two ops.
    """

    __slots__ = ("inputs", "output", "generation", "__weakref__")  # small, fast nodes

    def __call__(self, *inputs):
        inputs = [x if isinstance(x, Variable) else Variable(as_array(x)) for x in inputs]
        y = self.forward(*[x.data for x in inputs])
        if isinstance(y, tuple):
            raise TypeError(
                f"{type(self).__name__}.forward returned {len(y)} values, but a Function has "
                f"one output: write one Function per result."
            )
        output = Variable(as_array(y))
        if Config.enable_backprop:
            self.generation = max([x.generation for x in inputs])
            output.set_creator(self)
            self.inputs = inputs
            # weak: the output already points at its creator; a strong link back would be a
            # cycle, which only the garbage collector could free
            self.output = weakref.ref(output)
        return output

    @property
    def outputs(self):
        """DeZero's spelling, a list of weak references: `f.outputs[0]()` is `f.output()`."""
        return [self.output]

    def forward(self, *xs):
        raise NotImplementedError(f"{type(self).__name__}.forward is not written yet")

    def backward(self, gy):
        raise NotImplementedError(f"{type(self).__name__}.backward is not written yet")

    # The one rule for a backward: it reads the inputs (and, if it is easier to say with it,
    # the output) through these two methods, and writes its maths once with operators and
    # numpy functions. In a plain backward pass that maths runs on ndarrays; under
    # create_graph=True on Variables, which records the backward pass for a second derivative.

    def input_values(self):
        """The inputs as backward computes with them: ndarrays, or Variables under create_graph."""
        if Config.enable_backprop:
            return self.inputs
        return [x.data for x in self.inputs]

    def output_value(self):
        """The output, like input_values: an ndarray, or a Variable under create_graph."""
        output = self.output()
        return output if Config.enable_backprop else output.data


def backward_order(outputs):
    """Yield every function behind `outputs` once, latest generation first.

    A function's generation is larger than that of every function feeding it, so each function
    comes after every function that uses its output: by then that output's gradient is
    complete. A heap finds the functions as the walk goes (no recursion, any depth). The
    engine's backward runs in this order, and the drawings show it.
    """
    pending = []  # a heap of (-generation, tie breaker, function)
    seen = set()
    found = list(outputs)  # variables whose creators are to be queued
    while True:
        for variable in found:
            creator = variable.creator
            if creator is not None and creator not in seen:
                seen.add(creator)
                heapq.heappush(pending, (-creator.generation, len(seen), creator))
        if not pending:
            return
        function = heapq.heappop(pending)[2]
        yield function
        found = function.inputs


def run_backward(output, retain_grad, create_graph):
    """Call each function's backward in backward_order and hand every input its gradient."""
    with using_config("enable_backprop", create_graph):
        for func in backward_order([output]):
            y = func.output()  # alive: the walk reached func through it
            if y.grad is None:  # reached only through inputs that were given no gradient
                continue
            gxs = func.backward(y.grad)
            if not isinstance(gxs, (tuple, list)):  # one input: one gradient, not a sequence
                gxs = (gxs,)
            for x, gx in zip(func.inputs, gxs):
                if gx is None:
                    continue
                if gx.shape != x.data.shape:
                    raise _gradient_shape_error(func, x, gx)
                # never `+=`: another variable may be holding the very same array
                x.grad = gx if x.grad is None else x.grad + gx
            if not retain_grad:
                y.grad = None


def _gradient_shape_error(func, x, gx):
    position = next(i for i, candidate in enumerate(func.inputs) if candidate is x)
    return ValueError(
        f"{type(func).__name__}.backward returned a gradient of shape {gx.shape} for input "
        f"{position}, but that input has shape {x.data.shape}. A gradient always has the "
        f"shape of its variable (sum over broadcast axes with sum_to)."
    )
