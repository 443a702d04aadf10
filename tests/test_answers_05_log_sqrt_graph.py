"""Stage 05's log_sqrt_graph checks called directly: Variables, arrays and floats are accepted;
an answer must run through the engine, make new Variables on every call and keep both paths;
it is graded with the reference backward_general."""
import math

import numpy as np
import pytest

from graph_walks import _backward_with, _copy_then_add_in_place, _first_inputs_only
from notebook_answers import source

pytestmark = pytest.mark.stage05


def _as_is(value):
    return value  # f as a Variable, the gradients as numpy scalars or 0-d arrays


def _array_of(value):
    return np.asarray(value.data if hasattr(value, "creator") else value)


def _float_of(value):
    return float(_array_of(value))


def _log_sqrt(wrap):
    def log_sqrt_graph(x, y):
        from autograd_ref.stages import general
        vx, vy = general.Variable(np.array(float(x))), general.Variable(np.array(float(y)))
        b = general.mul(general.log(vx), vy)
        f = general.add(general.sqrt(b), b)
        _backward_with(_copy_then_add_in_place)(f)
        return wrap(f), wrap(vx.grad), wrap(vy.grad)
    return log_sqrt_graph


_LEAVES = {}


def _log_sqrt_reusing_leaves(x, y):
    """Makes its Variables on the first call only; later calls reuse them, grads and all."""
    from autograd_ref.stages import general
    if not _LEAVES:
        _LEAVES.update(x=general.Variable(np.array(0.0)), y=general.Variable(np.array(0.0)))
    vx, vy = _LEAVES["x"], _LEAVES["y"]
    vx.data, vy.data = np.array(float(x)), np.array(float(y))
    b = general.mul(general.log(vx), vy)
    f = general.add(general.sqrt(b), b)
    _backward_with(_copy_then_add_in_place)(f)
    return f.data, vx.grad, vy.grad


@pytest.mark.grading
def test_log_sqrt_graph_keeping_state_between_calls_is_named():
    from backprop_grading import stage05 as check
    with pytest.raises(AssertionError, match="the third time .* make new Variables on every call"):
        check.log_sqrt_graph_random(_log_sqrt_reusing_leaves, seed=1, count=2)


@pytest.mark.grading
@pytest.mark.parametrize("wrap", [_as_is, _array_of, _float_of])
def test_log_sqrt_graph_accepts_variables_arrays_and_floats(wrap):
    from backprop_grading import stage05 as check
    check.log_sqrt_graph_value(_log_sqrt(wrap), 3, 2)
    check.log_sqrt_graph_random(_log_sqrt(wrap), seed=5, count=5)


def _closed_form(x, y):
    b = y * math.log(x)
    dfdb = 1 + 1 / (2 * math.sqrt(b))
    return math.sqrt(b) + b, dfdb * y / x, dfdb * math.log(x)


def _engine_forward_only(x, y):
    from autograd_ref.stages import general
    vx, vy = general.Variable(np.array(x)), general.Variable(np.array(y))
    b = general.mul(general.log(vx), vy)
    f = general.add(general.sqrt(b), b)
    return (f.data, *_closed_form(x, y)[1:])


@pytest.mark.grading
@pytest.mark.parametrize("answer, phrase", [
    (_closed_form, "none of the engine's Log, Mul, Sqrt, Add ran"),
    (_engine_forward_only, "Log.backward, Mul.backward, Sqrt.backward, Add.backward never ran"),
])
def test_log_sqrt_graph_must_run_through_the_engine(answer, phrase):
    from backprop_grading import stage05 as check
    with pytest.raises(AssertionError) as failure:
        check.log_sqrt_graph_value(answer, 3.0, 2.0)
    assert phrase in str(failure.value) and "the numbers are right" in str(failure.value)


_THROUGH_BACKWARD_GENERAL = source("""
    def log_sqrt_graph(x, y):
        x, y = Variable(np.array(float(x))), Variable(np.array(float(y)))
        b = mul(log(x), y)
        f = add(sqrt(b), b)
        f.backward_general()
        for fn in topological_order(f):  # the earlier answer, used directly too
            pass
        return f.data, x.grad, y.grad
""")


@pytest.mark.grading
@pytest.mark.parametrize("attached", [True, False])
def test_log_sqrt_graph_is_graded_with_the_reference_backward(attached):
    from backprop_grading import stage05 as check
    from autograd_ref.stages import general

    def broken(self):
        raise RuntimeError("a broken backward_general")

    notebook = {"np": np, "topological_order": _first_inputs_only}
    for name in ("Variable", "mul", "log", "add", "sqrt"):
        notebook[name] = getattr(general, name)
    exec(_THROUGH_BACKWARD_GENERAL, notebook)
    if attached:
        general.Variable.backward_general = broken
    try:
        check.log_sqrt_graph_value(notebook["log_sqrt_graph"], 3.0, 2.0)
        check.log_sqrt_graph_random(notebook["log_sqrt_graph"], seed=6, count=3)
        assert vars(general.Variable).get("backward_general") is (broken if attached else None)
        assert notebook["topological_order"] is _first_inputs_only
    finally:
        vars(general.Variable).get("backward_general") and delattr(general.Variable, "backward_general")


@pytest.mark.grading
def test_log_sqrt_graph_names_a_lost_direct_path():
    from backprop_grading import stage05 as check

    def only_the_direct_path(x, y):
        b = y * math.log(x)
        return math.sqrt(b) + b, y / x, math.log(x)

    with pytest.raises(AssertionError, match="from f = c \\+ b only"):
        check.log_sqrt_graph_value(only_the_direct_path, 3.0, 2.0)
