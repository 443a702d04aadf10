"""Checks for 05_general_graphs: topological_order, backward_general, log_sqrt_graph, no_grad.

Hidden tests run the answers on random graphs (DAGs with reused variables, functions of two
inputs or two outputs, and branches the output does not depend on). A graph is built from a
recipe, so it can be rebuilt with nudged inputs for numerical gradients (see `_dags`). The
`topological_order` and `no_grad` checks live in `_topological_order_checks` and
`_no_grad_checks`; the notebook calls them from here, like the rest.

Each exercise is graded on its own: while backward_general or log_sqrt_graph runs, the names
of the earlier answers it may use (`topological_order`, `Variable.backward_general`) mean
autograd_ref's versions, so a wrong earlier answer costs no points here.
"""
import math

import numpy as np

from autograd_ref import core
from autograd_ref.stages import general
from ._arrays import matches, to_floats
from ._backward_log import check_log, explain_failure, log_backwards
from ._dags import SumAndDifference, build, diamond, random_recipe, tape
from ._describe import a_value
from ._exercise import Exercise, Stage
from ._no_grad_checks import no_grad_scenarios, no_grad_value  # noqa: F401  (test cells call them)
from ._stand_ins import attribute_stand_in, stand_ins
from ._topological_order_checks import (  # noqa: F401  (test cells call them as check.<name>)
    expect_backward_order, topological_order_again_and_on_a_leaf, topological_order_random,
    topological_order_value,
)
from ._watch import running
from .checks import call, expect_close, expect_gradient, expect_true, rng

# Code that must run inside log_sqrt_graph: the engine's four operations, both ways.
_ENGINE_STEPS = tuple((method.__code__, f"{op.__name__}.{method.__name__}")
                      for op in (general.Log, general.Mul, general.Sqrt, general.Add)
                      for method in (op.forward, op.backward))


def _run_spied(action, codes):
    """(action(), the labels of the (code object, label) pairs whose code ran meanwhile)."""
    result, ran = running(action)
    return result, [label for code, label in codes if code in ran]


def _reference_order(answer):
    """While the block runs, `topological_order` in answer's globals is autograd_ref's."""
    return stand_ins(answer, {"topological_order": general.topological_order})


def _reference_backward_general():
    """While the block runs, `Variable.backward_general` is autograd_ref's backward."""
    return attribute_stand_in(general.Variable, "backward_general", general.Variable.backward)


# ---- backward_general ----------------------------------------------------------------------

def _run_backward(fn, output, what):
    """fn(output) with the reference topological_order, every backward behind output logged;
    returns the log."""
    log = log_backwards(output)
    failure = None
    with _reference_order(fn):
        try:
            call(fn, output, name="backward_general")
        except AssertionError as error:
            failure = error
    explain_failure(log, failure, output, f"backward_general on {what}")
    if failure is not None:
        raise failure
    return log


def backward_general_value(fn, output, what):
    """fn(output) with autograd_ref's topological_order; fails unless every function behind
    output ran once, after all functions using its outputs, and no returned array changed."""
    log = _run_backward(fn, output, what)
    check_log(log, output, f"backward_general on {what}")


def no_gradient_changed_in_place(fn):
    """y = (x + w) + w: an in-place update of w.grad would change x.grad (one shared array)."""
    x, w = general.Variable(np.array(1.5)), general.Variable(np.array(-0.5))
    x.name, w.name = "x", "w"
    t = general.add(x, w)
    y = general.add(t, w)
    t.name, y.name = "t", "y"
    backward_general_value(fn, y, "y = add(add(x, w), w)")
    expect_close([x.grad, w.grad], [1.0, 2.0], "backward_general on y = add(add(x, w), w): [x.grad, w.grad]")


def two_outputs_both_used(fn):
    """p = mul(s, d) with s, d = x + y, x - y from one function: dp/dx = 2x, dp/dy = -2y."""
    x, y = general.Variable(np.array(2.0)), general.Variable(np.array(3.0))
    s, d = SumAndDifference()(x, y)
    p = general.mul(s, d)
    for name, variable in zip("xysdp", (x, y, s, d, p)):
        variable.name = name
    what = "p = mul(s, d) with s, d = sumanddifference(x, y) at x = 2, y = 3"
    backward_general_value(fn, p, what)
    expect_close([x.grad, y.grad], [4.0, -6.0], f"backward_general on {what}: [x.grad, y.grad]",
                 hint="p = x**2 - y**2; both outputs s and d carry a share back to x and y")


def backward_general_edges(fn):
    """A gradient preset on an input, and gy handed on to two inputs. (A leaf as the output is
    left open: the contract does not say, and DeZero's own loop fails there.)"""
    x, three = general.Variable(np.array(2.0)), general.Variable(np.array(3.0))
    # what happens to the preset array itself is left open: a private copy updated with += is fine
    x.grad, x.name, three.name = np.array(1.0), "x", "three"
    y = general.mul(x, three)
    y.name = "y"
    backward_general_value(fn, y, "y = mul(x, three) with x.grad = 1 set before backward")
    expect_close(x.grad, 4.0, "x.grad after backward_general on y = mul(x, 3) with x.grad = 1 before",
                 hint="backward adds into a gradient that is already there, a preset one included: "
                      "x.grad = x.grad + gx, the sum of both gradients (which is why training calls "
                      "cleargrad()); it does not overwrite it")
    x = general.Variable(np.array(1.5))
    t = general.add(x, x)
    y = general.add(t, x)
    x.name, t.name, y.name = "x", "t", "y"
    backward_general_value(fn, y, "y = add(t, x) with t = add(x, x)")
    expect_close([y.grad, t.grad, x.grad], [1.0, 1.0, 3.0],
                 "backward_general on y = add(t, x), t = add(x, x): [y.grad, t.grad, x.grad]",
                 hint="Add.backward hands the same gy to both inputs, so y, t and x may start with one "
                      "shared array: never update a gradient in place (x.grad = x.grad + gx)")


def backward_general_random(fn, seed, count=20):
    """Leaf gradients against central differences on random graphs with reused variables and
    functions of two outputs."""
    backward_general_edges(fn)
    generator = rng(seed)
    for _ in range(count):
        leaves, main, side = random_recipe(generator, int(generator.integers(2, 14)), True)
        values = generator.uniform(-1.5, 1.5, leaves)
        xs, y = build(values, main, side)
        what = f"the graph {tape(y)}"
        backward_general_value(fn, y, what)
        grads = [0.0 if x.grad is None else x.grad for x in xs]
        expect_gradient(grads, lambda v: build(v, main)[1].data, values,
                        f"backward_general on {what}: gradients of "
                        f"[{', '.join(x.name for x in xs)}] at {values.tolist()}",
                        hint="a variable used twice must receive the sum of both gradients")


# ---- log_sqrt_graph ------------------------------------------------------------------------

def log_sqrt_graph_value(fn, x, y):
    """(f, df/dx, df/dy) of fn(x, y) against the closed form of f = sqrt(y log x) + y log x."""
    result, ran = _log_sqrt_run(fn, x, y)
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
    skipped = [label for _, label in _ENGINE_STEPS if label not in ran]
    if skipped:
        unused = ("none of the engine's Log, Mul, Sqrt, Add ran" if len(skipped) == len(_ENGINE_STEPS)
                  else f"{', '.join(skipped)} never ran")
        raise AssertionError(
            f"{what}: the numbers are right, but they must come from the engine, and {unused}. "
            f"Wrap x and y in Variables, build a = log(x), b = mul(a, y), c = sqrt(b), "
            f"f = add(c, b), call f.backward_general() and return f.data, x.grad, y.grad")
    return f, dfdx, dfdy


def _log_sqrt_run(fn, x, y):
    """(fn(x, y), the engine steps that ran), with autograd_ref's topological_order and
    backward standing in for the notebook's."""
    with _reference_order(fn), _reference_backward_general():
        return _run_spied(lambda: call(fn, x, y, name="log_sqrt_graph"), _ENGINE_STEPS)


def _pair_or_none(dfdx, dfdy):
    """The two gradients as a float array of shape (2,), or None (expect_close says why)."""
    try:
        pair = to_floats([dfdx, dfdy])
    except Exception:  # not numbers
        return None
    return pair if pair.shape == (2,) else None


def log_sqrt_graph_again(fn):
    """(3, 2), (2, 5), then (3, 2) again: the third result must be the first."""
    first, _, third = (_log_sqrt_run(fn, x, y)[0] for x, y in [(3.0, 2.0), (2.0, 5.0), (3.0, 2.0)])
    expect_true(_same_numbers(third, first),
                f"log_sqrt_graph(3.0, 2.0) gave {a_value(list(third))} the third time and "
                f"{a_value(list(first))} the first: make new Variables on every call (gradients "
                f"accumulate on a reused leaf) and keep nothing between calls")


def _same_numbers(a, b):
    try:
        return matches(to_floats(a), to_floats(b), 1e-9, 1e-12)
    except (TypeError, ValueError):  # not numbers, or ragged: log_sqrt_graph_value says what is wrong
        return True


def log_sqrt_graph_random(fn, seed, count=10):
    """Random x > 1, y > 0 (so that y log x > 0): closed form and numerical gradients."""
    log_sqrt_graph_again(fn)
    generator = rng(seed)
    for _ in range(count):
        x, y = float(generator.uniform(1.2, 6.0)), float(generator.uniform(0.2, 4.0))
        _, dfdx, dfdy = log_sqrt_graph_value(fn, x, y)
        value = lambda x_, y_: _log_sqrt_run(fn, float(x_), float(y_))[0][0]
        expect_gradient(dfdx, lambda v: value(v, y), x, f"df/dx of log_sqrt_graph({x!r}, {y!r})")
        expect_gradient(dfdy, lambda v: value(x, v), y, f"df/dy of log_sqrt_graph({x!r}, {y!r})")


# ---- the exercises ---------------------------------------------------------------------------

def _reference_log_sqrt_graph(x, y):
    """The stand-in for an unfinished log_sqrt_graph: the engine with autograd_ref's backward."""
    x, y = general.Variable(np.array(float(x))), general.Variable(np.array(float(y)))
    b = general.mul(general.log(x), y)
    f = general.add(general.sqrt(b), b)
    f.backward()
    return f.data, x.grad, y.grad


def _probe_switch(answer, *args):
    """Enter and leave `with answer(*args):` once; recording is on again afterwards."""
    try:
        with answer(*args):
            pass
    finally:
        general.Config.enable_backprop = True


# a context manager's own code is behind __wrapped__ (the decorated function is contextlib's)
_SWITCHES = {"autograd_ref.using_config": core.using_config.__wrapped__, "autograd_ref.no_grad": core.no_grad}
# the engine's own ordering and backward walk earn nothing in the first two
_ENGINE_WALK = {"autograd_ref.Variable.backward": core.Variable.backward,
                "autograd_ref.core.run_backward": core.run_backward}
STAGE = Stage([
    Exercise("topological_order", general.topological_order, lambda f: f(diamond()["y"]),
             counterparts=_ENGINE_WALK),
    Exercise("backward_general", general.Variable.backward, lambda f: f(diamond()["y"]),
             counterparts=_ENGINE_WALK),
    Exercise("log_sqrt_graph", _reference_log_sqrt_graph, lambda f: f(3.0, 2.0),
             stand_in_name="a log_sqrt_graph computed with autograd_ref's backward"),
    # the answer's test block is "no_grad"; using_config has a fallback of its own
    Exercise("no_grad", general.no_grad, lambda f: _probe_switch(f), counterparts=_SWITCHES),
    Exercise("using_config", general.using_config, lambda f: _probe_switch(f, "enable_backprop", False),
             counterparts=_SWITCHES),
])
exercise, use_or_reference = STAGE.exercise, STAGE.use_or_reference
