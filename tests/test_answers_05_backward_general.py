"""Stage 05's backward_general checks called directly: each slip (in-place accumulation, a
function run twice or too early, a missing seed, a preset gradient lost) is named, and the
answer is graded with the reference topological order, whatever the notebook's one does."""
import re

import numpy as np
import pytest

from graph_walks import _backward_with, _by_generation, _copy_then_add_in_place, _first_inputs_only
from notebook_answers import source

pytestmark = pytest.mark.stage05


def _add_into(x, gx):
    if x.grad is None:
        x.grad = gx
    elif isinstance(x.grad, np.ndarray):
        np.add(x.grad, gx, out=x.grad)
    else:  # a numpy scalar cannot be changed in place
        x.grad = x.grad + gx


def _overwrite(x, gx):
    x.grad = gx


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
    """DeZero's loop, which starts from self.creator and so would fail on a leaf (the contract
    does not ask about a leaf as the output, so the checks do not try one)."""
    self.grad = np.ones_like(self.data) if self.grad is None else self.grad
    self.creator.backward  # noqa: B018  (fails on a leaf: creator is None)
    _backward_with(_copy_then_add_in_place)(self)


@pytest.mark.grading
@pytest.mark.parametrize("answer, phrase", [
    (_private_gradients, "x.grad after backward_general on y = mul(x, 3) with x.grad = 1 before: expected 4, got 3"),
])
def test_preset_gradients_are_checked(answer, phrase):
    from backprop_grading import stage05 as check
    with pytest.raises(AssertionError, match=re.escape(phrase)):
        check.backward_general_random(answer, seed=4, count=3)


@pytest.mark.grading
def test_a_private_copy_may_be_updated_in_place():
    grade_backward_general(_backward_with(_copy_then_add_in_place))


@pytest.mark.grading
def test_a_loop_that_would_fail_on_a_leaf_output_earns_its_points():
    grade_backward_general(_starting_from_the_creator)


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
