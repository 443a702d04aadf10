"""Stage 04's checks called directly, on answers no notebook run covers: a right loop and the
recursion pass, leaning on the reference earns nothing, and a scalar start, a missing seed, a
leaf or a second walk is named."""
import re

import numpy as np
import pytest

SEED_GRADIENT = 3.297442541400256
pytestmark = pytest.mark.stage04


def _loop(self):
    if self.grad is None:
        self.grad = np.ones_like(self.data)
    pending = [self.creator] if self.creator is not None else []
    while pending:
        f = pending.pop()
        f.input.grad = f.backward(f.output.grad)
        if f.input.creator is not None:
            pending.append(f.input.creator)


def _recursion(self):
    if self.grad is None:
        self.grad = np.ones_like(self.data)
    if self.creator is not None:
        self.creator.input.grad = self.creator.backward(self.grad)
        _recursion(self.creator.input)


def _calls_own_backward(self):
    self.backward()


def _wraps_the_reference(self):
    from autograd_ref.stages import linked
    linked.Variable.backward(self)


def _recursion_through_the_notebook_class(self):
    from autograd_ref.stages import linked
    if self.grad is None:
        self.grad = np.ones_like(self.data)
    if self.creator is not None:
        self.creator.input.grad = self.creator.backward(self.grad)
        linked.Variable.backward_recursive(self.creator.input)


def _scalar_start(self):
    if self.grad is None:
        self.grad = np.array(1.0)  # not the shape of an array output
    _loop(self)


@pytest.mark.grading
def test_every_check_passes_a_right_loop_and_the_recursion_passes_all_but_depth():
    from backprop_grading import stage04 as check
    for answer, name in ((_loop, "backward_loop"), (_recursion, "backward_recursive"),
                         (_recursion_through_the_notebook_class, "backward_recursive")):
        check.chain_value(answer, name, expected=SEED_GRADIENT)
        check.chain_random(answer, name, seed=7)
        check.given_gradient(answer, name, seed=8)
        check.array_chain(answer, name, seed=9)
    check.deep_chain(_loop, "backward_loop")


@pytest.mark.grading
@pytest.mark.parametrize("answer, phrase", [
    (_calls_own_backward, "calls the variable's own"),
    (_wraps_the_reference, "autograd_ref"),
])
def test_leaning_on_the_reference_walk_earns_nothing(capsys, answer, phrase):
    from backprop_grading import stage04 as check
    with check.exercise("backward_loop"):
        check.chain_value(answer, "backward_loop", expected=SEED_GRADIENT)
    report = capsys.readouterr().err
    assert phrase in report and report.endswith("(so this test scores 0)\n")


@pytest.mark.grading
def test_a_scalar_start_fails_on_an_array_output():
    from backprop_grading import stage04 as check
    with pytest.raises(AssertionError, match=r"expected shape \(3,\), got \(\).*np.ones_like"):
        check.array_chain(_scalar_start, "backward_loop", seed=9)


@pytest.mark.grading
def test_use_or_reference_stands_in_for_an_unfinished_answer(capsys):
    from backprop_grading import stage04 as check
    from autograd_ref.stages import linked

    def stub(self):
        raise NotImplementedError()

    assert check.use_or_reference(stub, "backward_loop") is linked.Variable.backward
    assert check.use_or_reference(stub, "backward_recursive") is check.reference_backward_recursive
    assert "not finished yet" in capsys.readouterr().out
    assert check.use_or_reference(_loop, "backward_loop") is _loop
    assert not hasattr(linked.Variable, "backward_loop")  # the checks leave the class as it was



def _no_seed(self):
    f = self.creator
    if f is not None:
        f.input.grad = f.backward(self.grad)
        _no_seed(f.input)


@pytest.mark.grading
def test_a_missing_seed_is_named():
    from backprop_grading import stage04 as check
    hint = ("y.grad was None when backward reached the first function: start with "
            "`if self.grad is None: self.grad = np.ones_like(self.data)`")
    with pytest.raises(AssertionError, match="'NoneType'.*" + re.escape(hint)):
        check.chain_value(_no_seed, "backward_recursive", expected=SEED_GRADIENT)


def _dezeros_loop(self):
    """DeZero's step 8: starts from [self.creator], so it would fail on a leaf (not asked)."""
    if self.grad is None:
        self.grad = np.ones_like(self.data)
    pending = [self.creator]
    while pending:
        f = pending.pop()
        f.input.grad = f.backward(f.output.grad)
        if f.input.creator is not None:
            pending.append(f.input.creator)


def _remembering_what_it_visited(self, _visited=set()):  # noqa: B006  (the slip under test)
    if self.grad is None:
        self.grad = np.ones_like(self.data)
    pending = [self.creator] if self.creator is not None else []
    while pending:
        f = pending.pop()
        if f in _visited:
            continue
        _visited.add(f)
        f.input.grad = f.backward(f.output.grad)
        if f.input.creator is not None:
            pending.append(f.input.creator)


@pytest.mark.grading
def test_a_second_walk_is_named():
    from backprop_grading import stage04 as check
    with pytest.raises(AssertionError, match=re.escape("keep the pending list and any visited set local to the call")):
        check.given_gradient(_remembering_what_it_visited, "backward_loop", seed=412)


@pytest.mark.grading
def test_dezeros_loop_earns_its_points():
    from backprop_grading import stage04 as check
    check.chain_random(_dezeros_loop, "backward_loop", seed=411)
    check.given_gradient(_dezeros_loop, "backward_loop", seed=412)


def _recursion_stopping_after(depth):
    def backward_recursive(self, _depth=0):
        if self.grad is None:
            self.grad = np.ones_like(self.data)
        f = self.creator
        if f is not None and _depth < depth:
            f.input.grad = f.backward(self.grad)
            backward_recursive(f.input, _depth + 1)
    return backward_recursive


@pytest.mark.grading
def test_a_recursion_that_stops_early_is_named_on_random_chains():
    from backprop_grading import stage04 as check
    with pytest.raises(AssertionError, match=re.escape("stopped after 8 of 60 functions")):
        check.chain_random(_recursion_stopping_after(8), "backward_recursive", seed=401)
