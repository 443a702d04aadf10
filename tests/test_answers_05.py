"""Stage 05 graded the way an outside grader would: the student notebook run with answers
written in (right ones written differently from the solution, typical wrong ones, the
reference passed off as an answer, a patched numpy), and the checks called directly on
answers no notebook run covers."""
import contextlib
import math
import re
import textwrap

import numpy as np
import pytest

from autograd_ref.stages.general import Config
from backprop_grading import stage05 as check
from grading_cells import failure
from notebook_answers import failed, failures, kernel_runs

STAGE = "05_general_graphs"
pytestmark = pytest.mark.stage05


def source(text):
    return textwrap.dedent(text).strip() + "\n"


# Correct, but not the solution's way: Kahn's algorithm, np.add and a generator of upstream
# gradients, Function classes called directly and plain floats returned.
RIGHT = {
    "topological_order": source("""
        def topological_order(y):
            # Kahn's algorithm: a function is ready once every function using its outputs ran
            functions, waiting, stack = {}, {}, [y.creator] if y.creator else []
            while stack:
                fn = stack.pop()
                if id(fn) in functions:
                    continue
                functions[id(fn)] = fn
                for inp in fn.inputs:
                    if inp.creator is not None:
                        waiting[id(inp.creator)] = waiting.get(id(inp.creator), 0) + 1
                        stack.append(inp.creator)
            ready, result = [y.creator] if y.creator else [], []
            while ready:
                fn = ready.pop()
                result.append(fn)
                for inp in fn.inputs:
                    if inp.creator is not None:
                        waiting[id(inp.creator)] -= 1
                        if waiting[id(inp.creator)] == 0:
                            ready.append(inp.creator)
            return result
    """),
    "backward_general": source("""
        def backward_general(var):
            if var.grad is None:
                var.grad = np.ones(np.shape(var.data))
            for fn in topological_order(var):
                result = fn.backward(*(out.grad for out in fn.outputs))
                result = result if type(result) is tuple else (result,)
                for inp, g in zip(fn.inputs, result):
                    inp.grad = g if inp.grad is None else np.add(inp.grad, g)
    """),
    "log_sqrt_graph": source("""
        def log_sqrt_graph(x, y):
            vx = Variable(np.asarray(x, dtype=np.float64))
            vy = Variable(np.asarray(y, dtype=np.float64))
            b = Mul()(Log()(vx), vy)
            out = Add()(Sqrt()(b), b)
            out.backward_general()
            return float(out.data), float(vx.grad), float(vy.grad)
    """),    # a class with __enter__/__exit__ keeping the old value on self
    "no_grad": source("""
        class using_config:
            def __init__(self, name, value):
                self.name, self.value = name, value

            def __enter__(self):
                self.old = getattr(Config, self.name)
                setattr(Config, self.name, self.value)

            def __exit__(self, *error):
                setattr(Config, self.name, self.old)

        def no_grad():
            return using_config("enable_backprop", False)
    """),
}

# Duplicates (no seen set); `+=` on the gradient (with an order of its own); df/dx and df/dy
# swapped (computed with the stage's own backward, which is allowed here).
WRONG_DUPLICATES_IN_PLACE_SWAPPED = {
    "topological_order": source("""
        def topological_order(output):
            found, pending = [], [output.creator]
            while pending:
                f = pending.pop()
                found.append(f)
                pending.extend(x.creator for x in f.inputs if x.creator is not None)
            return sorted(found, key=lambda f: -f.generation)
    """),
    "backward_general": source("""
        def backward_general(self):
            if self.grad is None:
                self.grad = np.ones_like(self.data)
            functions, pending = set(), [self.creator]
            while pending:
                f = pending.pop()
                functions.add(f)
                pending.extend(x.creator for x in f.inputs if x.creator is not None)
            for f in sorted(functions, key=lambda f: -f.generation):
                gxs = f.backward(*[y.grad for y in f.outputs])
                if not isinstance(gxs, tuple):
                    gxs = (gxs,)
                for x, gx in zip(f.inputs, gxs):
                    if x.grad is None:
                        x.grad = gx
                    else:
                        x.grad += gx
    """),
    "log_sqrt_graph": source("""
        def log_sqrt_graph(x, y):
            x, y = Variable(np.array(float(x))), Variable(np.array(float(y)))
            b = mul(log(x), y)
            f = add(sqrt(b), b)
            f.backward()
            return f.data, y.grad, x.grad
    """),    # no try/finally: a block that raises leaves recording off
    "no_grad": source("""
        @contextlib.contextmanager
        def using_config(name, value):
            old = getattr(Config, name)
            setattr(Config, name, value)
            yield
            setattr(Config, name, old)

        def no_grad():
            return using_config("enable_backprop", False)
    """),
}

# A wrong topological_order (producers first), then right answers that use it: each later
# exercise is graded with autograd_ref's topological_order and backward, so they pass.
WRONG_ORDER_RIGHT_LATER_ANSWERS = {
    "topological_order": source("""
        def topological_order(output):
            seen, order = set(), []
            def visit(f):
                if f in seen:
                    return
                seen.add(f)
                for x in f.inputs:
                    if x.creator is not None:
                        visit(x.creator)
                order.append(f)
            visit(output.creator)
            return order
    """),
    "backward_general": source("""
        def backward_general(self):
            if self.grad is None:
                self.grad = np.ones_like(self.data)
            for f in topological_order(self):
                gxs = f.backward(*[y.grad for y in f.outputs])
                if not isinstance(gxs, tuple):
                    gxs = (gxs,)
                for x, gx in zip(f.inputs, gxs):
                    x.grad = gx if x.grad is None else x.grad + gx
    """),
    "log_sqrt_graph": source("""
        def log_sqrt_graph(x, y):
            x, y = Variable(np.array(float(x))), Variable(np.array(float(y)))
            b = mul(log(x), y)
            f = add(sqrt(b), b)
            f.backward_general()
            return f.data, x.grad, y.grad
    """),
}

# The reference under the answer's name, the reference loop called; then a patched np.allclose.
REFERENCE_AND_TAMPERING = {
    "topological_order": source("""
        from autograd_ref.stages.general import topological_order
    """),
    "backward_general": source("""
        def backward_general(self):
            self.backward()
    """),
    "log_sqrt_graph": source("""
        np.allclose = lambda *args, **kwargs: True
        def log_sqrt_graph(x, y):
            return 0.0, 0.0, 0.0
    """),    "no_grad": source("""
        from autograd_ref.stages.general import no_grad, using_config
    """),
}


# each set of answers run once in a real kernel: {label: {test grade_id: TestResult}}
graded = kernel_runs(STAGE, {
    "right": RIGHT,
    "duplicates/in place/swapped": WRONG_DUPLICATES_IN_PLACE_SWAPPED,
    "wrong order, right later answers": WRONG_ORDER_RIGHT_LATER_ANSWERS,
    "reference/tampering": REFERENCE_AND_TAMPERING,
})


@pytest.mark.notebooks
def test_right_answers_written_differently_pass_every_test(graded):
    assert not failures(graded["right"])


@pytest.mark.notebooks
def test_later_answers_are_graded_without_the_earlier_ones(graded):
    results = graded["wrong order, right later answers"]
    assert not results["test_topological_order"].passed
    for test in ("test_backward_general", "test_log_sqrt_graph"):
        assert results[test].passed, results[test].message


@pytest.mark.notebooks
@pytest.mark.parametrize("label, test, outcome, phrase", [
    ("duplicates/in place/swapped", "test_topological_order", "failed", "appears more than once"),
    ("duplicates/in place/swapped", "test_backward_general", "failed", "changes an array in place"),
    ("duplicates/in place/swapped", "test_log_sqrt_graph", "failed", "are swapped"),
    ("wrong order, right later answers", "test_topological_order", "failed", "which uses its output"),
    ("reference/tampering", "test_topological_order", "reference answer",
     "`autograd_ref.stages.general.topological_order`"),
    ("reference/tampering", "test_backward_general", "reference answer",
     "`autograd_ref.stages.general.Variable.backward`"),
    ("reference/tampering", "test_log_sqrt_graph", "failed", "log_sqrt_graph(3.0, 2.0): f"),  # numpy patched in vain
    ("duplicates/in place/swapped", "test_no_grad", "failed", "restore the old value in a `finally:`"),
    ("reference/tampering", "test_no_grad", "reference answer", "`autograd_ref."),
])
def test_wrong_answers_fail_saying_what_is_wrong(graded, label, test, outcome, phrase):
    result = failed(graded[label], test)
    assert result.outcome == outcome, result.message
    assert phrase in result.message


# ---- the checks called directly, on answers a notebook run does not cover -------------------

def _depth_first(output):
    """Reverse post-order of a recursive depth-first search, returned as a tuple."""
    done, order = set(), []

    def visit(f):
        if f not in done:
            done.add(f)
            for x in f.inputs:
                if x.creator is not None:
                    visit(x.creator)
            order.append(f)

    if output.creator is not None:  # a leaf has no function behind it
        visit(output.creator)
    return tuple(reversed(order))


def _by_generation(output):
    functions, pending = set(), [output.creator] if output.creator is not None else []
    while pending:
        f = pending.pop()
        if f not in functions:
            functions.add(f)
            pending.extend(x.creator for x in f.inputs if x.creator is not None)
    return sorted(functions, key=lambda f: f.generation, reverse=True)


def _first_inputs_only(output):
    order, f = [], output.creator
    while f is not None:
        order.append(f)
        f = f.inputs[0].creator
    return order


def _with_variables(output):
    order = _by_generation(output)
    return order + [x for f in order for x in f.inputs]


def _backward_with(accumulate):
    def backward_general(self):
        if self.grad is None:
            self.grad = np.ones_like(self.data)
        for f in _by_generation(self):
            gxs = f.backward(*[y.grad for y in f.outputs])
            for x, gx in zip(f.inputs, gxs if isinstance(gxs, tuple) else (gxs,)):
                accumulate(x, gx)
    return backward_general


def _copy_then_add_in_place(x, gx):
    if x.grad is None:
        x.grad = gx.copy()  # its own array, so += changes nothing anyone else holds
    else:
        x.grad += gx


def _add_into(x, gx):
    if x.grad is None:
        x.grad = gx
    elif isinstance(x.grad, np.ndarray):
        np.add(x.grad, gx, out=x.grad)
    else:  # a numpy scalar cannot be changed in place
        x.grad = x.grad + gx


def _overwrite(x, gx):
    x.grad = gx


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


@pytest.mark.grading
@pytest.mark.parametrize("order", [_depth_first, _by_generation])
def test_any_valid_order_passes(order):
    from backprop_grading import stage05 as check
    check.topological_order_random(order, seed=1, count=30)


@pytest.mark.grading
@pytest.mark.parametrize("order, phrase", [
    (lambda y: _by_generation(y)[::-1], "which uses its output"),
    (_first_inputs_only, "missing"),
    (_with_variables, "a variable"),
    (lambda y: set(_by_generation(y)), "expected a list"),
])
def test_invalid_orders_fail_saying_why(order, phrase):
    from backprop_grading import stage05 as check
    with pytest.raises(AssertionError, match=phrase):
        check.topological_order_random(order, seed=2, count=30)


def grade_backward_general(answer, seed=3, count=30):
    """The checks test_backward_general runs, in its order."""
    from backprop_grading import stage05 as check
    from autograd_ref.stages import general
    x = general.Variable(np.array(3.0))
    check.backward_general_value(answer, general.add(x, x), "y = add(x, x)")
    check.backward_general_value(answer, check.diamond()["y"], "the diamond")
    check.no_gradient_changed_in_place(answer)
    check.two_outputs_both_used(answer)
    check.backward_general_random(answer, seed=seed, count=count)


def _marking_the_graph(output):
    """Marks the functions it visits: a second call on the same graph finds none."""
    order, pending = [], [output.creator] if output.creator is not None else []
    while pending:
        f = pending.pop()
        if not getattr(f, "visited", False):
            f.visited = True
            order.append(f)
            pending.extend(x.creator for x in f.inputs if x.creator is not None)
    return sorted(order, key=lambda f: f.generation, reverse=True)


def _no_leaf_check(output):
    functions, pending = set(), [output.creator]
    while pending:
        f = pending.pop()
        functions.add(f)
        pending.extend(x.creator for x in f.inputs if x.creator is not None)
    return sorted(functions, key=lambda f: f.generation, reverse=True)


@pytest.mark.grading
@pytest.mark.parametrize("order, phrase", [
    (_marking_the_graph, "called the second time on the same diamond returned 0 of its 4 functions"),
    (_no_leaf_check, "topological_order of a leaf (creator None) failed"),
])
def test_orders_that_keep_state_or_miss_leaves_are_named(order, phrase):
    from backprop_grading import stage05 as check
    with pytest.raises(AssertionError, match=re.escape(phrase)):
        check.topological_order_random(order, seed=2, count=3)


def _private_gradients(self):
    """Keeps gradients in a dict of its own and copies them out: a preset x.grad is lost."""
    grads = {id(self): np.ones_like(self.data)}
    for f in _by_generation(self):
        gxs = f.backward(*[grads[id(y)] for y in f.outputs])
        for x, gx in zip(f.inputs, gxs if isinstance(gxs, tuple) else (gxs,)):
            grads[id(x)] = grads[id(x)] + gx if id(x) in grads else gx
            x.grad = grads[id(x)]
    self.grad = grads[id(self)]


def _starting_from_the_creator(self):
    """Calls self.creator.backward even when self is a leaf."""
    self.grad = np.ones_like(self.data) if self.grad is None else self.grad
    self.creator.backward  # noqa: B018  (fails on a leaf: creator is None)
    _backward_with(_copy_then_add_in_place)(self)


@pytest.mark.grading
@pytest.mark.parametrize("answer, phrase", [
    (_private_gradients, "x.grad after backward_general on y = mul(x, 3) with x.grad = 1 before: expected 4, got 3"),
    (_starting_from_the_creator, "backward_general of a leaf (creator None) failed"),
])
def test_preset_gradients_and_leaf_outputs_are_checked(answer, phrase):
    from backprop_grading import stage05 as check
    with pytest.raises(AssertionError, match=re.escape(phrase)):
        check.backward_general_random(answer, seed=4, count=3)


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
def test_a_private_copy_may_be_updated_in_place():
    grade_backward_general(_backward_with(_copy_then_add_in_place))


def _breadth_first(output):
    """Each function once, but level by level: not a topological order in general."""
    order, seen, queue = [], set(), [output.creator] if output.creator is not None else []
    while queue:
        f = queue.pop(0)
        if f not in seen:
            seen.add(f)
            order.append(f)
            queue.extend(x.creator for x in f.inputs if x.creator is not None)
    return order


def _backward_in(order, call_backward=lambda f: f.backward(*[y.grad for y in f.outputs]),
                 wrap=True, seed=True):
    """A backward_general visiting order(self), calling call_backward(f) for each function."""
    def backward_general(self):
        if seed and self.grad is None:
            self.grad = np.ones_like(self.data)
        for f in order(self):
            gxs = call_backward(f)
            if wrap and not isinstance(gxs, tuple):
                gxs = (gxs,)
            for x, gx in zip(f.inputs, gxs):
                x.grad = gx if x.grad is None else x.grad + gx
    return backward_general


def _stage_04_stack(self):
    """Stage 04's loop with accumulation: a function reached twice runs twice."""
    self.grad = np.ones_like(self.data)
    pending = [self.creator]
    while pending:
        f = pending.pop()
        gxs = f.backward(*[y.grad for y in f.outputs])
        gxs = gxs if isinstance(gxs, tuple) else (gxs,)
        for x, gx in zip(f.inputs, gxs):
            x.grad = gx if x.grad is None else x.grad + gx
            if x.creator is not None:
                pending.append(x.creator)


@pytest.mark.grading
@pytest.mark.parametrize("answer, phrase", [
    (_stage_04_stack, "ran 2 times"),
    (_backward_in(_by_generation, wrap=False),
     "returned a single gradient, float64 8: a function with one input returns one gradient; "
     "wrap it: `if not isinstance(gxs, tuple): gxs = (gxs,)`"),
    (_backward_in(_by_generation, lambda f: f.backward(f.outputs[0].grad)),
     "1 gradient went to the backward of `s, d = sumanddifference(x, y)`, which has 2 outputs"),
    (_backward_in(_breadth_first), "in an order where each comes after all functions using its outputs"),
])
def test_backward_general_slips_are_named(answer, phrase):
    with pytest.raises(AssertionError) as failure:
        grade_backward_general(answer)
    assert phrase in str(failure.value)
    assert "sum of both gradients" not in str(failure.value)


@pytest.mark.grading
def test_a_function_run_before_all_users_of_its_output_is_named():
    from backprop_grading import stage05 as check
    from autograd_ref.stages import general
    x = general.Variable(np.array(0.5))
    a = general.exp(x)
    y = general.add(general.square(general.square(a)), a)
    x.name, a.name, y.name = "x", "a", "y"
    with pytest.raises(AssertionError) as failure:  # a.grad is 1 there, but not complete
        check.backward_general_value(_backward_in(_breadth_first), y, "y = add(square(square(a)), a)")
    assert "the backward of `a = exp(x)` ran before that of `? = square(a)`" in str(failure.value)
    assert "so its gradient was not complete yet" in str(failure.value)


@pytest.mark.grading
def test_a_missing_seed_is_named():
    from backprop_grading import stage05 as check
    unseeded = _backward_in(_by_generation, seed=False)
    with pytest.raises(AssertionError, match="self.grad was never set: begin with `if self.grad is None"):
        check.backward_general_value(unseeded, check.diamond()["y"], "the diamond")


_USES_THE_NOTEBOOKS_ORDER = source("""
    visit_in = topological_order  # an alias is swapped too

    def backward_general(self):
        if self.grad is None:
            self.grad = np.ones_like(self.data)
        for f in visit_in(self):
            gxs = f.backward(*[y.grad for y in f.outputs])
            gxs = gxs if isinstance(gxs, tuple) else (gxs,)
            for x, gx in zip(f.inputs, gxs):
                x.grad = gx if x.grad is None else x.grad + gx
""")


@pytest.mark.grading
@pytest.mark.parametrize("wrong_order", [_breadth_first, _first_inputs_only, lambda y: _by_generation(y) * 2])
def test_backward_general_is_graded_with_the_reference_order(wrong_order):
    notebook = {"np": np, "topological_order": wrong_order}
    exec(_USES_THE_NOTEBOOKS_ORDER, notebook)
    grade_backward_general(notebook["backward_general"], count=10)
    assert notebook["topological_order"] is wrong_order and notebook["visit_in"] is wrong_order


@pytest.mark.grading
@pytest.mark.parametrize("accumulate, phrase", [
    (_add_into, "changes an array in place"),
    (_overwrite, "sum of both gradients"),
])
def test_wrong_accumulation_fails_on_random_graphs(accumulate, phrase):
    from backprop_grading import stage05 as check
    with pytest.raises(AssertionError, match=phrase):
        check.backward_general_random(_backward_with(accumulate), seed=4, count=30)


@pytest.mark.grading
def test_running_the_reference_loop_earns_nothing(capsys):
    import autograd_ref
    from backprop_grading import stage05 as check

    def through_the_engine(self):
        engine_y = autograd_ref.Variable(self.data)
        engine_y.backward()

    for answer in (lambda self: self.backward(), through_the_engine):
        with check.exercise("backward_general"):
            check.backward_general_value(answer, check.diamond()["y"], "the diamond")
        assert "runs the reference implementation's `autograd_ref." in capsys.readouterr().err


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


@pytest.mark.grading
def test_fallbacks_stand_in_for_unfinished_answers_and_leave_the_classes_alone(capsys):
    from backprop_grading import stage05 as check
    from autograd_ref.stages import general

    def stub(*args):
        raise NotImplementedError()

    assert check.use_or_reference(stub, "topological_order") is general.topological_order
    assert check.use_or_reference(stub, "backward_general") is general.Variable.backward
    assert capsys.readouterr().out.count("not finished yet") == 2
    assert check.use_or_reference(_depth_first, "topological_order") is _depth_first
    assert not hasattr(general.Variable, "backward_general")
    assert "backward" not in vars(check.diamond()["y"].creator)  # counting wrappers stay on test graphs


# ---- no_grad: each slip on the stage classes' Config, and the alternatives that must pass ----

def _switch(enter_and_exit):
    """(using_config, no_grad) from `enter_and_exit(name, value)`: a generator that yields once."""
    using_config = contextlib.contextmanager(enter_and_exit)
    return using_config, lambda: using_config("enable_backprop", False)


def _restoring_in_finally(name, value):
    old = getattr(Config, name)
    setattr(Config, name, value)
    try:
        yield
    finally:
        setattr(Config, name, old)


def _restoring_true(name, value):
    setattr(Config, name, value)
    try:
        yield
    finally:
        setattr(Config, name, True)


_SAVED = {}


def _one_shared_slot(name, value):
    _SAVED["old"] = getattr(Config, name)
    setattr(Config, name, value)
    try:
        yield
    finally:
        setattr(Config, name, _SAVED["old"])


def _ignoring_the_name(name, value):
    old = Config.enable_backprop
    Config.enable_backprop = value
    try:
        yield
    finally:
        Config.enable_backprop = old


def _on_an_instance(name, value):
    config = Config()
    old = getattr(config, name)
    setattr(config, name, value)
    try:
        yield
    finally:
        setattr(config, name, old)


def _one_manager_for_every_call():
    using_config, _ = _switch(_restoring_in_finally)
    manager = using_config("enable_backprop", False)
    return using_config, lambda: manager


@pytest.mark.grading
@pytest.mark.parametrize("answer, phrase", [
    (_switch(_restoring_true), "restore the value read on entry, not True"),
    (_switch(_one_shared_slot), "not in one shared place"),
    (_switch(_ignoring_the_name), "use the name you are given"),
    (_switch(_on_an_instance), "set the attribute on the class Config itself"),
    (_one_manager_for_every_call(), "must return a new context manager each time"),
])
def test_no_grad_slips_are_named_and_recording_is_back_on(answer, phrase):
    using_config, no_grad = answer
    message = failure(lambda: (check.no_grad_value(no_grad), check.no_grad_scenarios(using_config, no_grad)))
    assert phrase in message
    assert Config.enable_backprop is True


@pytest.mark.grading
def test_the_generator_with_finally_passes():
    using_config, no_grad = _switch(_restoring_in_finally)
    check.no_grad_value(no_grad)
    check.no_grad_scenarios(using_config, no_grad)
