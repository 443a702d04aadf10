"""Stage 04 graded the way an outside grader would: the student notebook run in real kernels with
answers written in (right ones written differently from the solution, typical wrong ones, the
reference passed off as an answer, a patched numpy). The checks called directly, on answers no
notebook run covers, are in test_answers_04_checks.py."""
import pytest

from notebook_answers import failed, failures, kernel_runs, source

STAGE = "04_automatic_backprop"
pytestmark = pytest.mark.stage04


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
