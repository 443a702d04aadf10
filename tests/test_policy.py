"""The answer policy on notebook JSON, without a kernel: correct answers in every ordinary style
are never flagged; each rule flags what it is written for, naming the line."""
import functools

import nbformat
import pytest

from backprop_course import contract, policy
from backprop_course.answers import fill_answers, solution_sources
from backprop_course.config import SOLUTIONS
from backprop_course.sample_class import STUDENT_NOTEBOOKS

pytestmark = pytest.mark.grading


@functools.cache
def handed_out(stage):
    return nbformat.read(STUDENT_NOTEBOOKS / stage / f"{stage}.ipynb", as_version=4)


def judged(stage, answers):
    """The policy's findings on the student notebook of `stage` with `answers` written in."""
    blank = handed_out(stage)
    return policy.judge(fill_answers(blank, answers), blank)


def stage_of(exercise):
    return next(stage for stage, exercises in contract.CONTRACT.items() if exercise in exercises)


@pytest.mark.parametrize("stage", contract.STAGES)
def test_the_instructors_answers_and_the_handed_out_notebook_are_never_flagged(stage):
    solutions = solution_sources(nbformat.read(SOLUTIONS / stage / f"{stage}.ipynb", as_version=4))
    assert judged(stage, solutions) == []
    assert judged(stage, {}) == []


# Correct answers written as students write them: each must pass the policy untouched.
ORDINARY = {
    "numerical_diff": [
        "import math\ndef numerical_diff(f, x, eps=1e-4):\n    '''Central difference (not autograd_ref's).'''\n"
        "    return (f(x + eps) - f(x - eps)) / (2 * eps)",
        "numerical_diff = lambda f, x, eps=1e-4: (f(x + eps) - f(x - eps)) / (2 * eps)",
        "from functools import partial\ndef _central(f, x, eps):\n    return (f(x + eps) - f(x - eps)) / (2 * eps)\n"
        "def numerical_diff(f, x, eps=1e-4):\n    return partial(_central, f)(x, eps)",
        "def numerical_diff(f: 'Callable', x: float, eps: float = 1e-4) -> float:\n"
        "    up, down = (f(x + s * eps) for s in (1, -1))\n    return (up - down) / (2 * eps)",
    ],
    "circuit_gradients": [
        "def circuit_gradients(x, y, z):\n    q = x + y\n    return z, z, q",
        "from dataclasses import dataclass\n@dataclass\nclass Grads:\n    dx: float\n    dy: float\n    dz: float\n"
        "def circuit_gradients(x, y, z):\n    g = Grads(z, z, x + y)\n    return g.dx, g.dy, g.dz",
        "def circuit_gradients(x, y, z):\n    grads = {name: 0.0 for name in 'xyz'}\n"
        "    grads.update(x=z * 1.0, y=z * 1.0, z=x + y)\n    print(f\"grads: {grads}\")\n"
        "    return tuple(grads[k] for k in 'xyz')",
    ],
    "square": [
        "class Square(Function):\n    def forward(self, x):\n        return np.square(x)\n"
        "    def backward(self, gy):\n        return 2 * self.input.data * gy",
        "import numpy\nclass Square(Function):\n    '''Like autograd_ref.Square, written here.'''\n"
        "    def __init__(self):\n        super().__init__()\n        self.calls = 0\n"
        "    def forward(self, x):\n        self.calls += 1\n        return x * x\n"
        "    def backward(self, gy):\n        x = getattr(self.input, 'data')\n        return numpy.multiply(2 * x, gy)",
    ],
    "exp": [
        "import math\nclass Exp(Function):\n    def forward(self, x):\n        return np.exp(x)\n"
        "    def backward(self, gy):\n        return np.exp(self.input.data) * gy\n"
        "    def __repr__(self):\n        return f'{type(self).__name__}()'",
    ],
    "manual_backward": [
        "def manual_backward(x_value):\n    A, B, C = Square(), Exp(), Square()\n    x = Variable(np.array(x_value))\n"
        "    y = C(B(A(x)))\n    y.grad = np.array(1.0)\n"
        "    for f, v in ((C, y), (B, None), (A, None)):\n        pass\n"
        "    return A.backward(B.backward(C.backward(y.grad)))",
    ],
    "max_gate": [
        "class MaxGate:\n    def forward(self, x, y):\n        self.mask = np.where(x >= y, 1.0, 0.0)\n"
        "        return np.maximum(x, y)\n    def backward(self, dz):\n"
        "        return dz * self.mask, dz * (1 - self.mask)",
    ],
    "copy_gate": [
        "class CopyGate:\n    __slots__ = ()\n    def forward(self, x):\n        return (x,) * 2\n"
        "    def backward(self, d1, d2):\n        return sum([d1, d2])",
    ],
    "neuron_circuit": [
        "from functools import reduce\ndef neuron_circuit(w, x):\n    gates = [MultiplyGate() for _ in range(2)]\n"
        "    plus, plus2, sig = AddGate(), AddGate(), SigmoidGate()\n"
        "    products = [g.forward(wi, xi) for g, wi, xi in zip(gates, w, x)]\n"
        "    f = sig.forward(plus2.forward(plus.forward(*products), w[2]))\n"
        "    ds, dw2 = plus2.backward(sig.backward(1.0))\n    d0, d1 = plus.backward(ds)\n"
        "    (dw0, dx0), (dw1, dx1) = gates[0].backward(d0), gates[1].backward(d1)\n"
        "    return f, np.array([dw0, dw1, dw2]), np.array([dx0, dx1])",
    ],
    "backward_loop": [
        "def backward_loop(self):\n    if self.grad is None:\n        self.grad = np.ones_like(self.data)\n"
        "    pending = [self.creator] if self.creator else []\n    while pending:\n"
        "        f = pending.pop()\n        f.input.grad = f.backward(f.output.grad)\n"
        "        if f.input.creator is not None:\n            pending.append(f.input.creator)\n"
        "Variable.backward_loop = backward_loop",
    ],
    "backward_general": [
        "import weakref\ndef backward_general(self):\n    self.grad = np.ones_like(self.data) if self.grad is None else self.grad\n"
        "    for f in topological_order(self):\n        gys = [o.grad for o in f.outputs]\n"
        "        gxs = f.backward(*gys)\n        gxs = gxs if isinstance(gxs, tuple) else (gxs,)\n"
        "        for x, gx in zip(f.inputs, gxs):\n            x.grad = gx if x.grad is None else x.grad + gx\n"
        "Variable.backward_general = backward_general",
    ],
    "sum_to": [
        "def sum_to(g, shape):\n    lead = g.ndim - len(shape)\n"
        "    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape) if n == 1)\n"
        "    return np.sum(g, axis=axes, keepdims=True).reshape(shape)",
        "import numpy as np\nfrom typing import Tuple\ndef sum_to(g: np.ndarray, shape: Tuple[int, ...]) -> np.ndarray:\n"
        "    while g.ndim > len(shape):\n        g = g.sum(axis=0)\n"
        "    for axis, n in enumerate(shape):\n        if n == 1:\n            g = g.sum(axis=axis, keepdims=True)\n"
        "    return g",
    ],
    "softmax_cross_entropy": [
        "class SoftmaxCrossEntropy(Function):\n    def forward(self, x, t):\n"
        "        z = x - x.max(axis=1, keepdims=True)\n        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))\n"
        "        return -logp[np.arange(len(t)), t].mean()\n    def backward(self, gy):\n"
        "        x, t = (v.data for v in self.inputs)\n        p = np.exp(x - x.max(axis=1, keepdims=True))\n"
        "        p /= p.sum(axis=1, keepdims=True)\n        p[np.arange(len(t)), t] -= 1\n"
        "        return p * gy / len(t), None",
    ],
    "l2_example": [
        "def l2_example(W, x):\n    W, x = Variable(np.asarray(W, float)), Variable(np.asarray(x, float))\n"
        "    f = ag.sum((W @ x) ** 2)\n    f.backward()\n    return f.data, W.grad, x.grad",
    ],
    "dual": [
        "import math\nfrom numbers import Number\nclass Dual:\n    def __init__(self, val, dot=0.0):\n"
        "        self.val, self.dot = val, dot\n    def _lift(self, o):\n"
        "        return o if isinstance(o, Dual) else Dual(o)\n"
        "    def __add__(self, o):\n        o = self._lift(o)\n        return self.__class__(self.val + o.val, self.dot + o.dot)\n"
        "    __radd__ = __add__\n    def __mul__(self, o):\n        o = self._lift(o)\n"
        "        return Dual(self.val * o.val, self.dot * o.val + self.val * o.dot)\n"
        "    def __rmul__(self, o):\n        return self.__mul__(o)\n"
        "    def __sub__(self, o):\n        return self + (-1) * self._lift(o)\n"
        "    def __rsub__(self, o):\n        return self._lift(o) - self\n"
        "    def __truediv__(self, o):\n        o = self._lift(o)\n"
        "        return Dual(self.val / o.val, (self.dot * o.val - self.val * o.dot) / o.val ** 2)\n"
        "    def __rtruediv__(self, o):\n        return self._lift(o) / self\n"
        "    def exp(self):\n        return Dual(math.exp(self.val), math.exp(self.val) * self.dot)\n"
        "    def log(self):\n        return Dual(math.log(self.val), self.dot / self.val)\n"
        "    def sqrt(self):\n        r = math.sqrt(self.val)\n        return Dual(r, self.dot / (2 * r))\n"
        "Dual.__repr__ = lambda self: f'Dual({self.val}, {self.dot})'",
    ],
    "chain_costs": [
        "from functools import reduce\nimport operator\ndef chain_costs(dims):\n    L = len(dims) - 1\n"
        "    forward = sum(reduce(operator.mul, (dims[k], dims[k - 1], dims[0])) for k in range(2, L + 1))\n"
        "    reverse = sum(dims[L] * dims[k] * dims[k - 1] for k in range(1, L))\n    return forward, reverse",
    ],
    "jacobian_node": [
        "import collections\nclass Node:\n    def __init__(self, value, children=()):\n"
        "        self.value, self.children, self.gradient = value, list(children), None\n"
        "    def __hash__(self):\n        return id(self)\n    def backward(self):\n"
        "        order, seen = [], set()\n        def visit(n):\n            if id(n) in seen:\n                return\n"
        "            seen.add(id(n))\n            for c, _ in n.children:\n                visit(c)\n            order.append(n)\n"
        "        visit(self)\n        self.gradient = 1.0\n        for n in reversed(order):\n"
        "            for c, J in n.children:\n                part = np.dot(n.gradient, J)\n"
        "                c.gradient = part if c.gradient is None else c.gradient + part",
    ],
    "train_mlp": [
        "import time\nimport warnings\ndef train_mlp(X, t, hidden=10, lr=1.0, epochs=300, batch_size=30, seed=0):\n"
        "    rng = np.random.default_rng(seed)\n    W1 = Variable(rng.normal(size=(2, hidden)) / np.sqrt(2))\n"
        "    b1, W2, b2 = Variable(np.zeros(hidden)), Variable(rng.normal(size=(hidden, 3))), Variable(np.zeros(3))\n"
        "    params = [W1, b1, W2, b2]\n    losses = []\n    with warnings.catch_warnings():\n"
        "        for _ in range(epochs):\n            loss = softmax_cross_entropy(matmul(tanh(matmul(X, W1) + b1), W2) + b2, t)\n"
        "            for p in params:\n                p.cleargrad()\n            loss.backward()\n"
        "            for p in params:\n                p.data = p.data - lr * p.grad\n"
        "            losses.append(float(loss.data))\n"
        "    def predict(X_new):\n        with no_grad():\n"
        "            return np.argmax((matmul(tanh(matmul(X_new, W1) + b1), W2) + b2).data, axis=1)\n"
        "    return predict, losses",
    ],
    # a Config switch set by its name, as using_config must; a class with __enter__/__exit__
    "no_grad": [
        "import contextlib\n@contextlib.contextmanager\ndef using_config(name, value):\n"
        "    old = getattr(Config, name)\n    setattr(Config, name, value)\n    try:\n        yield\n"
        "    finally:\n        setattr(Config, name, old)\ndef no_grad():\n    return using_config('enable_backprop', False)",
        "class using_config:\n    def __init__(self, name, value):\n        self.name, self.value = name, value\n"
        "    def __enter__(self):\n        self.old = getattr(Config, self.name)\n        setattr(Config, self.name, self.value)\n"
        "    def __exit__(self, *error):\n        setattr(Config, self.name, self.old)",
    ],
}
STYLES = [(exercise, source) for exercise, sources in ORDINARY.items() for source in sources]


@pytest.mark.parametrize("exercise, source", STYLES, ids=[f"{e}-{i}" for i, (e, _) in enumerate(STYLES)])
def test_correct_answers_in_ordinary_styles_are_never_flagged(exercise, source):
    assert judged(stage_of(exercise), {exercise: source}) == []


# One case (or more) per rule: (answer cell, its source, the rule, the line flagged).
FLAGGED = [
    ("numerical_diff", "get_ipython().input_transformers_cleanup.append(lambda lines: [])", "interpreter", 1),
    ("numerical_diff", "import sys\nsys.modules['backprop_grading'] = None", "interpreter", 1),
    ("numerical_diff", "def numerical_diff(f, x, eps=1e-4):\n    import inspect\n"
                       "    return inspect.currentframe().f_back.f_locals['expected']", "interpreter", 2),
    ("numerical_diff", "import gc", "interpreter", 1),
    ("numerical_diff", "from ctypes import pythonapi", "interpreter", 1),
    ("numerical_diff", "import importlib\nnd = importlib.import_module('autograd_ref')", "interpreter", 1),
    ("numerical_diff", "x = globals()['numerical_diff']", "interpreter", 1),
    ("numerical_diff", "import sys\nsys.setrecursionlimit(100_000)", "interpreter", 1),
    ("numerical_diff", "import contextlib\ncontextlib.redirect_stderr(None).__enter__()", "interpreter", 2),
    ("numerical_diff", "from contextlib import redirect_stdout", "interpreter", 1),
    ("numerical_diff", "import contextlib\ncontextlib.sys.stderr = None", "interpreter", 2),
    ("numerical_diff", "import warnings\nloaded = warnings.sys.modules", "interpreter", 2),
    ("circuit_gradients", "def peek():\n    yield\nw = peek()\nframe = w.gi_frame.f_back", "interpreter", 4),
    ("numerical_diff", "names = vars(np)", "interpreter", 1),
    ("numerical_diff", "exec('def numerical_diff(f, x, eps=1e-4): return 0')", "dynamic code", 1),
    ("numerical_diff", "numerical_diff = eval('lambda f, x, eps=1e-4: 0')", "dynamic code", 1),
    ("numerical_diff", "code = compile('1', 'x', 'eval')", "dynamic code", 1),
    ("numerical_diff", "np2 = __import__('numpy')", "dynamic code", 1),
    ("square", "class Square(Function):\n    pass\nbase = Square.__mro__[1]", "dunder", 3),
    ("square", "f = (lambda: 0).__globals__", "dunder", 1),
    ("square", "code = Function.forward.__code__", "dunder", 1),
    ("square", "kinds = object.__subclasses__()", "dunder", 1),
    ("square", "b = __builtins__", "interpreter", 1),
    ("square", "Function.__call__ = lambda self, x: x", "dunder", 1),
    ("square", "class Square(Function):\n    pass\nsquare = Square()\nsquare.__class__ = Function", "dunder", 4),
    ("sum_to", "name = 'sum' + '_to'\nsum_to = getattr(ag, name)", "computed name", 2),
    ("sum_to", "setattr(ag, 'x' + 'y', 1)", "computed name", 1),
    ("no_grad", "def using_config(name, value):\n    setattr(Function, name, value)", "computed name", 2),
    ("numerical_diff", "data = open('/etc/passwd').read()", "system", 1),
    ("numerical_diff", "import os\nos.system('true')", "system", 1),
    ("numerical_diff", "import subprocess", "system", 1),
    ("numerical_diff", "from socket import socket", "system", 1),
    ("numerical_diff", "import shutil", "system", 1),
    ("numerical_diff", "from pathlib import Path", "system", 1),
    ("numerical_diff", "import signal", "system", 1),
    ("numerical_diff", "import threading", "system", 1),
    ("numerical_diff", "import multiprocessing", "system", 1),
    ("numerical_diff", "np.save('answers.npy', np.zeros(1))", "system", 1),
    ("numerical_diff", "np.exp = lambda x: 0", "patches module", 1),
    ("numerical_diff", "np.random.default_rng = None", "patches module", 1),
    ("numerical_diff", "import math\nmath.isclose = lambda *a, **k: True", "patches module", 2),
    ("numerical_diff", "setattr(np, 'allclose', lambda *a, **k: True)", "patches module", 1),
    ("numerical_diff", "del np.allclose", "patches module", 1),
    ("numerical_diff", "import backprop_grading.checks as checks", "grader", 1),
    ("numerical_diff", "from nbgrader import utils", "grader", 1),
    ("numerical_diff", "_g = check\n_g.numerical_diff_value = print", "grader", 1),
    ("numerical_diff", "def numerical_diff(f, x, eps=1e-4, module=check):\n    return 0", "grader", 1),
    ("numerical_diff", "import json", "unlisted import", 1),
    ("numerical_diff", "from autograd_ref import numerical_diff", "reference", 1),
    ("numerical_diff", "from autograd_ref.numeric import numerical_grad as g", "reference", 1),
    ("square", "from autograd_ref.stages.manual import Square", "reference", 1),
    ("square", "import autograd_ref\nclass Square(autograd_ref.Square):\n    pass", "reference", 2),
    ("add_gate", "AddGate = reference_gates.AddGate", "reference", 1),
    ("neuron_circuit", "def neuron_circuit(w, x):\n    graph = neuron_graph()\n    return graph", "reference", 2),
    ("backward_loop", "def backward_loop(self):\n    Variable.backward(self)", "reference", 2),
    ("sum_to", "def sum_to(g, shape):\n    return ag.ops.sum_to(g, shape)", "reference", 2),
    ("matmul", "MatMul = ag.MatMul", "reference", 1),
    ("train_mlp", "from autograd_ref import nn", "reference", 1),
    ("jacobian_node", "from autograd_ref.nodes import Node", "reference", 1),
]


@pytest.mark.parametrize("exercise, source, rule, line", FLAGGED,
                         ids=[f"{rule}-{i}" for i, (_, _, rule, _) in enumerate(FLAGGED)])
def test_each_rule_flags_its_cases_naming_the_line(exercise, source, rule, line):
    findings = judged(stage_of(exercise), {exercise: source})
    assert (rule, line) in {(finding.rule, finding.line) for finding in findings}, findings
    finding = next(f for f in findings if f.rule == rule and f.line == line)
    assert finding.answer == exercise and finding.text == source.splitlines()[line - 1].strip()
    assert f"({rule}): answer `{exercise}`, line {line}: " in finding.note()


def test_every_rule_has_a_flagged_case():
    assert {rule for _, _, rule, _ in FLAGGED} == set(policy.RULES)


def test_a_reference_name_in_another_exercise_is_not_flagged():
    """The names the notebook gives are for using: stage 06's l2_example may use the engine's matmul."""
    assert judged("06_vectors_and_matrices", {"l2_example": ORDINARY["l2_example"][0].replace(
        "W @ x", "ag.matmul(W, x)")}) == []


def test_a_cell_the_student_added_is_judged_too():
    blank = handed_out("01_computational_graphs")
    notebook = fill_answers(blank, {})  # a copy
    notebook.cells.insert(3, nbformat.v4.new_code_cell("import os"))
    [finding] = policy.judge(notebook, blank)
    assert (finding.cell, finding.answer, finding.rule) == (3, "", "system")
    assert finding.note() == "flagged for review (system): cell 4, line 1: import os"


def test_code_that_does_not_parse_is_left_to_fail_when_it_runs():
    assert judged("01_computational_graphs", {"numerical_diff": "def numerical_diff(:\n    import os"}) == []
