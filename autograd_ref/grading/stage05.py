"""Checks for 05_general_graphs: topological_order, backward_general, log_sqrt_graph.

Hidden tests run the answers on random graphs (DAGs with reused variables, functions of two
inputs or two outputs, and branches the output does not depend on). A graph is built from a
recipe, so it can be rebuilt with nudged inputs for numerical gradients.
"""
import math
import sys

import numpy as np

from .. import core
from ..stages import general
from ._arrays import matches, to_floats
from ._describe import a_value
from ._errors import ReferenceAnswerError
from ._own import require_own, use_or_reference
from ._trust import guarded
from .checks import call, expect_close, expect_gradient, expect_true, rng

# Code that must not run inside an answer: autograd_ref's own ordering and backward loops.
_REFERENCE_ORDER = ((general.topological_order.__code__, "topological_order"),)
_REFERENCE_BACKWARD = (
    (general.Variable.backward.__code__, "Variable.backward (`self.backward()` is the reference)"),
    (core.run_backward.__code__, "engine backward"),
)
_ORDER_HINT = "sort the functions by generation, newest first, or use a depth-first search"
_IN_PLACE = (
    "your accumulation changes an array in place (`x.grad += gx`). A backward may hand the very "
    "same array to several variables (Add.backward returns gy for both inputs), so an in-place "
    "update changes all of them at once; write `x.grad = x.grad + gx`, which makes a new array"
)


def _make_spy():
    """run(fn, args, name, codes): call fn under a profiler; the labels of the codes it ran
    (codes: (code object, label) pairs, matched by identity)."""
    set_profile, get_profile = sys.setprofile, sys.getprofile  # bound before any answer runs

    def run(fn, args, name, codes):
        ran = []

        def profiler(frame, event, arg):
            if event == "call":
                ran.extend(label for code, label in codes if frame.f_code is code)

        previous = get_profile()
        set_profile(profiler)
        try:
            call(fn, *args, name=name)
        finally:
            set_profile(previous)
        return ran

    return run


_run_spied = _make_spy()


def _require_no_reference_run(fn, args, name, codes):
    used = _run_spied(fn, args, name, codes)
    if used:
        raise ReferenceAnswerError(
            f"`{name}` runs autograd_ref's {used[0]}: write your own to earn these points")


# ---- graphs -------------------------------------------------------------------------------

class _Sin(general.Function):
    def forward(self, x):
        return np.sin(x)

    def backward(self, gy):
        return gy * np.cos(self.inputs[0].data)


class _SinAndCos(general.Function):
    """Two outputs (topological_order tests only: its backward never runs)."""

    def forward(self, x):
        return np.sin(x), np.cos(x)


_OPS = (general.Add, general.Mul, _Sin)  # sin keeps values bounded at any depth


def _random_recipe(generator, size, two_outputs):
    """(number of leaves, main steps, steps of a side branch); a step is (op, input positions)."""
    leaves = int(generator.integers(1, 4))
    ops = _OPS + (_SinAndCos,) if two_outputs else _OPS
    steps, pool = [], leaves
    for _ in range(size + 2):
        op = ops[int(generator.integers(len(ops)))]
        arity = 2 if op in (general.Add, general.Mul) else 1
        # recent variables are picked more often, so graphs are deep as well as wide
        inputs = tuple(max(0, pool - int(generator.geometric(0.35))) for _ in range(arity))
        steps.append((op, inputs))
        pool += 2 if op is _SinAndCos else 1
    return leaves, steps[:size], steps[size:]


def _build(leaf_values, main_steps, side_steps=()):
    """The graph: its leaves, its output (the sum of every unused variable), every variable."""
    variables = [general.Variable(np.array(float(value))) for value in leaf_values]
    for i, leaf in enumerate(variables):
        leaf.name = f"x{i}"
    used = set()
    for op, inputs in main_steps:
        _apply(op, inputs, variables, used)
    unused = [v for i, v in enumerate(variables) if i not in used]
    output = unused[0]
    for number, variable in enumerate(unused[1:]):
        output = general.add(output, variable)
        output.name = f"s{number}"  # partial sums
    output.name = "y"
    for op, inputs in side_steps:  # built after y, so y cannot depend on them
        _apply(op, inputs, variables, used)
    return variables[:len(leaf_values)], output


def _apply(op, inputs, variables, used):
    outputs = op()(*[variables[i] for i in inputs])
    outputs = outputs if isinstance(outputs, list) else [outputs]
    for output in outputs:
        output.name = f"v{len(variables)}"
        variables.append(output)
    used.update(inputs)


@guarded
def diamond(x_value=2.0):
    """x -> a = square(x) -> b = square(a), c = square(a) -> y = add(b, c), names set."""
    x = general.Variable(np.array(float(x_value)))
    a = general.square(x)
    b, c = general.square(a), general.square(a)
    y = general.add(b, c)
    for name, variable in zip("xabcy", (x, a, b, c, y)):
        variable.name = name
    return {"x": x, "a": a, "b": b, "c": c, "y": y}


def _functions_behind(output):
    found, seen = [], set()
    pending = [output.creator] if output.creator is not None else []
    while pending:
        f = pending.pop()
        if id(f) not in seen:
            seen.add(id(f))
            found.append(f)
            pending.extend(x.creator for x in f.inputs if x.creator is not None)
    return found


def _describe(f):
    """`v4 = mul(v2, x0)`: a function as one line of the graph's tape."""
    names = lambda variables: ", ".join(getattr(v, "name", None) or "?" for v in variables)
    return f"`{names(f.outputs)} = {type(f).__name__.lower().lstrip('_')}({names(f.inputs)})`"


def _tape(output):
    """The random graph behind output as its lines in a forward order (names in creation order)."""
    name = lambda f: f.outputs[0].name
    forward = sorted(_functions_behind(output), key=lambda f: (f.generation, len(name(f)), name(f)))
    return "; ".join(_describe(f).strip("`") for f in forward)


# ---- topological_order ---------------------------------------------------------------------

@guarded
def own_topological_order(fn):
    """ReferenceAnswerError if fn is, wraps or runs autograd_ref's topological_order."""
    require_own(fn, general.topological_order, "topological_order")
    _require_no_reference_run(fn, (diamond()["y"],), "topological_order", _REFERENCE_ORDER)


@guarded
def expect_backward_order(order, output, what):
    """order holds every function behind output once, each after all functions using its outputs."""
    expect_true(isinstance(order, (list, tuple)),
                f"{what}: expected a list of Function objects, got {a_value(order)}")
    behind = _functions_behind(output)
    position = {}
    for i, item in enumerate(order):
        if not isinstance(item, general.Function):
            kind = "a variable: list functions (`x.creator`), not" if hasattr(item, "creator") else "not"
            raise AssertionError(f"{what}: item {i} is {a_value(item)}, {kind} a Function")
        expect_true(id(item) not in position,
                    f"{what}: {_describe(item)} appears more than once; keep a set of the "
                    f"functions already collected and skip those")
        position[id(item)] = i
    missing = [f for f in behind if id(f) not in position]
    expect_true(not missing, f"{what}: {len(missing)} of the {len(behind)} functions behind the "
                             f"output are missing, e.g. {_describe(missing[0]) if missing else ''}; "
                             f"follow every input of every function back to its creator")
    expect_true(len(order) == len(behind),
                f"{what}: the list has functions the output does not depend on; start from "
                f"`output.creator` and follow inputs only")
    for f in order:
        for x in f.inputs:
            producer = x.creator
            if producer is not None and position[id(producer)] < position[id(f)]:
                raise AssertionError(
                    f"{what}: {_describe(producer)} comes before {_describe(f)}, which uses its "
                    f"output; backward needs every consumer first, so {_ORDER_HINT}")


@guarded
def topological_order_on_random_graphs(fn, seed, count=20):
    generator = rng(seed)
    for _ in range(count):
        leaves, main, side = _random_recipe(generator, int(generator.integers(3, 16)), True)
        _, y = _build(generator.uniform(0.5, 1.5, leaves), main, side)
        order = call(fn, y, name="topological_order")
        expect_backward_order(order, y, f"topological_order on the graph {_tape(y)}")


@guarded
def topological_order_or_reference(fn):
    """fn if it runs on the diamond, else autograd_ref's topological_order (with a note)."""
    return use_or_reference(fn, general.topological_order, "topological_order",
                            probe=lambda f: f(diamond()["y"]))


# ---- backward_general ----------------------------------------------------------------------

@guarded
def own_backward_general(fn):
    """ReferenceAnswerError if fn is, wraps or runs autograd_ref's backward."""
    require_own(fn, general.Variable.backward, "backward_general")
    _require_no_reference_run(fn, (diamond()["y"],), "backward_general", _REFERENCE_BACKWARD)


def _recorded(backward, calls):
    """backward, also appending to calls, per call, the arrays it returned and a copy of each."""
    def recorded_backward(*gys):
        gxs = backward(*gys)
        grads = gxs if isinstance(gxs, tuple) else (gxs,)
        calls.append([(g, np.array(g, copy=True)) for g in grads if isinstance(g, np.ndarray)])
        return gxs
    return recorded_backward


def _run_recorded(fn, output, what):
    """Run fn(output); fail unless every function ran once and no returned array changed."""
    functions = _functions_behind(output)
    calls = {id(f): [] for f in functions}
    for f in functions:  # on the instance: the class stays as it is
        f.backward = _recorded(f.backward, calls[id(f)])
    call(fn, output, name="backward_general")
    for f in functions:
        runs = len(calls[id(f)])
        expect_true(runs == 1, f"{what}: the backward of {_describe(f)} ran {runs} times; each "
                               f"function must run exactly once, after every function using its "
                               f"output has added its share ({_ORDER_HINT}, and skip functions "
                               f"seen). If you use your topological_order, make its test pass first")
    for f in functions:
        for position, (array, snapshot) in enumerate(calls[id(f)][0]):
            if not matches(to_floats(array), to_floats(snapshot), 0.0, 0.0):
                raise AssertionError(
                    f"{what}: the gradient that the backward of {_describe(f)} returned for "
                    f"its input {position} was {snapshot.tolist()} and later became "
                    f"{array.tolist()}: {_IN_PLACE}")


@guarded
def each_function_runs_once(fn):
    """backward_general on the diamond calls each backward once (a is used twice)."""
    graph = diamond()
    _run_recorded(fn, graph["y"], "backward_general on the diamond (a = square(x) used twice)")


@guarded
def no_gradient_changed_in_place(fn):
    """y = (x + w) + w: an in-place update of w.grad would change x.grad (one shared array)."""
    x, w = general.Variable(np.array(1.5)), general.Variable(np.array(-0.5))
    x.name, w.name = "x", "w"
    t = general.add(x, w)
    y = general.add(t, w)
    t.name, y.name = "t", "y"
    what = "backward_general on y = add(add(x, w), w)"
    _run_recorded(fn, y, what)
    expect_close([x.grad, w.grad], [1.0, 2.0], f"{what}: [x.grad, w.grad]")


@guarded
def backward_general_on_random_graphs(fn, seed, count=20):
    """Leaf gradients against central differences on random graphs with reused variables."""
    generator = rng(seed)
    for _ in range(count):
        leaves, main, side = _random_recipe(generator, int(generator.integers(2, 14)), False)
        values = generator.uniform(-1.5, 1.5, leaves)
        xs, y = _build(values, main, side)
        what = f"backward_general on the graph {_tape(y)}"
        _run_recorded(fn, y, what)
        grads = [0.0 if x.grad is None else x.grad for x in xs]
        expect_gradient(grads, lambda v: _build(v, main)[1].data, values,
                        f"{what}: gradients of [{', '.join(x.name for x in xs)}] at {values.tolist()}",
                        hint="a variable used twice must receive the sum of both gradients")


@guarded
def backward_general_or_reference(fn):
    """fn if it runs on the diamond, else autograd_ref's Variable.backward (with a note)."""
    return use_or_reference(fn, general.Variable.backward, "backward_general",
                            probe=lambda f: f(diamond()["y"]))


# ---- log_sqrt_graph ------------------------------------------------------------------------

@guarded
def log_sqrt_graph_at(fn, x, y):
    """(f, df/dx, df/dy) of fn(x, y) against the closed form of f = sqrt(y log x) + y log x."""
    result = call(fn, x, y, name="log_sqrt_graph")
    what = f"log_sqrt_graph({x!r}, {y!r})"
    expect_true(isinstance(result, (tuple, list)) and len(result) == 3,
                f"{what}: expected a tuple (f, dfdx, dfdy), got {a_value(result)}")
    f, dfdx, dfdy = result
    log_x = math.log(x)
    b = y * log_x
    through_c = 1 / (2 * math.sqrt(b))  # d sqrt(b)/db; b also reaches f directly, with 1
    expect_close(f, math.sqrt(b) + b, f"{what}: f", hint="f = c + b with c = sqrt(b), b = a * y, a = log(x)")
    expected = [(through_c + 1) * y / x, (through_c + 1) * log_x]
    one_path = {"through c = sqrt(b) only": [through_c * y / x, through_c * log_x],
                "from f = c + b only": [y / x, log_x]}
    got = _pair_or_none(dfdx, dfdy)
    if got is not None and matches(got, to_floats(expected[::-1]), 1e-6, 1e-8):
        raise AssertionError(f"{what}: df/dx and df/dy are swapped; return (f, x.grad, y.grad)")
    for path, partial in one_path.items():
        if got is not None and matches(got, to_floats(partial), 1e-6, 1e-8):
            raise AssertionError(
                f"{what}: your gradients carry b's share {path}. b is used twice (by c = sqrt(b) "
                f"and by f = c + b), so b.grad must be the sum of both contributions")
    expect_close([dfdx, dfdy], expected, f"{what}: [df/dx, df/dy]")
    return f, dfdx, dfdy


def _pair_or_none(dfdx, dfdy):
    """The two gradients as a float array of shape (2,), or None (expect_close says why)."""
    try:
        pair = to_floats([dfdx, dfdy])
    except Exception:  # not numbers
        return None
    return pair if pair.shape == (2,) else None


@guarded
def log_sqrt_graph_on_random_inputs(fn, seed, count=10):
    """Random x > 1, y > 0 (so that y log x > 0): closed form and numerical gradients."""
    generator = rng(seed)
    for _ in range(count):
        x, y = float(generator.uniform(1.2, 6.0)), float(generator.uniform(0.2, 4.0))
        _, dfdx, dfdy = log_sqrt_graph_at(fn, x, y)
        value = lambda x_, y_: call(fn, float(x_), float(y_), name="log_sqrt_graph")[0]
        expect_gradient(dfdx, lambda v: value(v, y), x, f"df/dx of log_sqrt_graph({x!r}, {y!r})")
        expect_gradient(dfdy, lambda v: value(x, v), y, f"df/dy of log_sqrt_graph({x!r}, {y!r})")
