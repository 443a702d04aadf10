"""Stage 04 graded the way an outside grader would: the student notebook run with answers
written in (right ones written differently from the solution, typical wrong ones, the
reference passed off as an answer, a patched numpy), and the checks called directly on
answers no notebook run covers."""
import re
import textwrap

import numpy as np
import pytest

from notebook_answers import failed, failures, kernel_runs

STAGE = "04_automatic_backprop"
SEED_GRADIENT = 3.297442541400256
pytestmark = pytest.mark.stage04


def source(text):
    return textwrap.dedent(text).strip() + "\n"


# Correct, but not the solution's way: another parameter name, np.full / np.ones instead of
# np.ones_like, recursion through the method, a loop that follows one variable (no list).
RIGHT = {
    "backward_recursive": source("""
        def backward_recursive(variable):
            if variable.grad is None:
                variable.grad = np.full(np.shape(variable.data), 1.0)
            maker = variable.creator
            if maker is not None:
                earlier = maker.input
                earlier.grad = maker.backward(maker.output.grad)
                earlier.backward_recursive()
    """),
    "backward_loop": source("""
        def backward_loop(self):
            if self.grad is None:
                self.grad = np.ones(np.shape(self.data))
            current = self
            while current.creator is not None:
                step = current.creator
                step.input.grad = step.backward(current.grad)
                current = step.input
    """),
}

# The recursion forgets the upstream gradient; the "loop" recurses.
WRONG_UPSTREAM_AND_RECURSING = {
    "backward_recursive": source("""
        def backward_recursive(self):
            if self.grad is None:
                self.grad = np.ones_like(self.data)
            f = self.creator
            if f is not None:
                f.input.grad = f.backward(np.ones_like(self.data))
                backward_recursive(f.input)
    """),
    "backward_loop": source("""
        def backward_loop(self):
            if self.grad is None:
                self.grad = np.ones_like(self.data)
            f = self.creator
            if f is not None:
                f.input.grad = f.backward(self.grad)
                backward_loop(f.input)
    """),
}

# The recursion stops after one step (and its cell swaps the name `check` for a grader that
# passes everything); the loop always starts from ones.
WRONG_ONE_STEP_AND_ALWAYS_ONES = {
    "backward_recursive": source("""
        check = type("Lenient", (), {"__getattr__": lambda self, name: lambda *a, **k: None})()
        def backward_recursive(self):
            if self.grad is None:
                self.grad = np.ones_like(self.data)
            f = self.creator
            f.input.grad = f.backward(self.grad)
    """),
    "backward_loop": source("""
        def backward_loop(self):
            self.grad = np.ones_like(self.data)
            pending = [self.creator]
            while pending:
                f = pending.pop()
                f.input.grad = f.backward(f.output.grad)
                if f.input.creator is not None:
                    pending.append(f.input.creator)
    """),
}

# The reference under the answer's name; then a wrong loop behind a patched np.allclose.
REFERENCE_AND_TAMPERING = {
    "backward_recursive": source("""
        from autograd_ref.stages.linked import Variable as Linked
        backward_recursive = Linked.backward
    """),
    "backward_loop": source("""
        np.allclose = lambda *args, **kwargs: True
        def backward_loop(self):
            self.grad = np.ones_like(self.data)
    """),
}


# each set of answers run once in a real kernel: {label: {test grade_id: TestResult}}
graded = kernel_runs(STAGE, {
    "right": RIGHT,
    "upstream/recursing": WRONG_UPSTREAM_AND_RECURSING,
    "one step/ones": WRONG_ONE_STEP_AND_ALWAYS_ONES,
    "reference/tampering": REFERENCE_AND_TAMPERING,
})


@pytest.mark.notebooks
def test_right_answers_written_differently_pass_every_test(graded):
    assert not failures(graded["right"])


@pytest.mark.notebooks
@pytest.mark.parametrize("label, test, outcome, phrase", [
    ("upstream/recursing", "test_backward_recursive", "failed", "only the local derivative"),
    ("upstream/recursing", "test_backward_loop", "failed", "Use a loop, not recursion"),
    ("one step/ones", "test_backward_recursive", "failed", "stopped after 1 of 3 functions"),
    ("one step/ones", "test_backward_loop", "failed", "y.grad was already set before the call"),
    ("reference/tampering", "test_backward_recursive", "reference answer",
     "`autograd_ref.stages.linked.Variable.backward`"),
    ("reference/tampering", "test_backward_loop", "failed", "stopped after 0 of 3 functions"),  # numpy patched in vain
])
def test_wrong_answers_fail_saying_what_is_wrong(graded, label, test, outcome, phrase):
    result = failed(graded[label], test)
    assert result.outcome == outcome, result.message
    assert phrase in result.message


# ---- the checks called directly, on answers a notebook run does not cover -------------------

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


def _no_check_for_a_leaf(self):
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
@pytest.mark.parametrize("answer, phrase", [
    (_no_check_for_a_leaf, "start from an empty list when self.creator is None"),
    (_remembering_what_it_visited, "keep the pending list and any visited set local to the call"),
])
def test_a_leaf_and_a_second_walk_are_named(answer, phrase):
    from backprop_grading import stage04 as check
    with pytest.raises(AssertionError, match=re.escape(phrase)):
        check.given_gradient(answer, "backward_loop", seed=412)
