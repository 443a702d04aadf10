"""Tamper resistance: a patched comparison is reported, and a wrong answer still fails."""
import builtins
import math

import numpy as np
import pytest

import autograd_ref
from autograd_ref import grading, nodes, numeric
from autograd_ref.grading import (
    NotImplementedYet, ReferenceAnswerError, TamperingError, call, checks, expect_close,
    expect_gradient, expect_true,
)
from grading_cells import always_true, notebook, run_cell

pytestmark = pytest.mark.grading


@pytest.mark.parametrize("owner, name, fake, label", [
    (np, "allclose", always_true, "numpy.allclose"),
    (np, "isclose", always_true, "numpy.isclose"),
    (np, "asarray", lambda value, *a, **k: np.zeros(()), "numpy.asarray"),
    (np, "abs", lambda value: 0.0, "numpy.abs"),
    (np.testing, "assert_allclose", lambda *a, **k: None, "numpy.testing.assert_allclose"),
    (math, "isclose", always_true, "math.isclose"),
    (builtins, "abs", lambda value: 0.0, "builtins.abs"),
    (numeric, "numerical_diff", lambda f, x, eps=1e-4: 3.0301, "autograd_ref.numeric.numerical_diff"),
    (autograd_ref.Square, "backward", lambda self, gy: gy, "Square.backward"),
    (nodes.Node, "backward", lambda self: None, "autograd_ref.nodes.Node.backward"),  # stage 07's stand-in
])
def test_a_patched_function_is_reported_and_a_wrong_answer_still_fails(monkeypatch, owner, name, fake, label):
    monkeypatch.setattr(owner, name, fake)
    reported = rf"Tampering detected: `[^`]*{label}` was replaced"
    with pytest.raises(TamperingError, match=reported):
        expect_close(3.0301, 3.0001, "numerical_diff")
    with pytest.raises(TamperingError, match=reported):
        expect_true(True, "even a passing check reports the patch")
    # the comparison itself never used what was patched: with the guard skipped it still fails
    with pytest.raises(AssertionError, match="expected 3.0001, got 3.0301"):
        expect_close.__wrapped__(3.0301, 3.0001, "numerical_diff")


def test_the_captured_numerical_diff_is_used_even_when_numeric_is_patched(monkeypatch):
    monkeypatch.setattr(numeric, "numerical_diff", lambda f, x, eps=1e-4: 3.0301)
    with pytest.raises(AssertionError, match="expected 3.0001 from central difference, got 3.0301"):
        expect_gradient.__wrapped__(3.0301, lambda x: x ** 3, 1.0, "numerical_diff", eps=1e-2)


def test_swapping_code_or_defaults_inside_a_function_is_reported(monkeypatch):
    monkeypatch.setattr(np.allclose._implementation, "__code__", always_true.__code__)
    with pytest.raises(TamperingError, match="`numpy.allclose`"):
        expect_close(1.0, 1.0, "y")
    monkeypatch.undo()
    monkeypatch.setattr(numeric.numerical_diff, "__defaults__", (1.0,))
    with pytest.raises(TamperingError, match="`autograd_ref.numeric.numerical_diff`"):
        expect_close(1.0, 1.0, "y")


def test_grader_functions_cannot_be_replaced_and_a_bypass_is_reported(monkeypatch):
    for module in (grading, checks):
        with pytest.raises(TamperingError, match=rf"`{module.__name__}.expect_close` is part of the grader"):
            monkeypatch.setattr(module, "expect_close", always_true)
        assert module.expect_close is expect_close
    with pytest.raises(TamperingError):
        del grading.call
    monkeypatch.setitem(vars(grading), "expect_close", always_true)  # around the guard
    with pytest.raises(TamperingError, match="`autograd_ref.grading.expect_close` was replaced"):
        checks.expect_close(0.5, 1.0, "a wrong answer checked by any other way in")


def test_a_patch_made_while_a_check_runs_answer_code_is_reported(monkeypatch):
    def sneaky_square(x):
        monkeypatch.setattr(np, "allclose", always_true)
        return x * x

    with pytest.raises(TamperingError, match="`numpy.allclose`"):
        call(sneaky_square, 3.0)


def test_a_notebook_that_patches_numpy_fails_its_test_cell_and_recovers_after_a_restart(monkeypatch):
    monkeypatch.setattr(np, "allclose", np.allclose)  # remember the original, for monkeypatch to restore
    cells = notebook(
        "np.allclose = lambda *args, **kwargs: True\n"
        "def numerical_diff(f, x, eps=1e-4):\n    return (f(x + eps) - f(x)) / eps"
    )
    test_cell = (
        "from autograd_ref.grading import call, expect_close\n"
        "expect_close(call(numerical_diff, lambda x: x ** 3, 1.0, 1e-2), 3.0001, 'numerical_diff')"
    )
    with pytest.raises(TamperingError, match="`numpy.allclose` was replaced"):
        run_cell(test_cell, cells)
    monkeypatch.undo()  # the restart
    with pytest.raises(AssertionError, match="expected 3.0001, got 3.0301"):
        run_cell(test_cell, cells)


def test_grader_failures_keep_their_names_for_the_instructors_pipeline():
    for error in (TamperingError, ReferenceAnswerError, NotImplementedYet):
        assert issubclass(error, AssertionError) and getattr(grading, error.__name__) is error
    assert {"TamperingError", "ReferenceAnswerError", "NotImplementedYet"} <= set(grading.__all__)
