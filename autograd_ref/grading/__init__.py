"""Helpers the notebooks' locked test cells call.

A failing check says what is wrong in words a student can act on, and starts with the thing
checked: "Square.backward at x=0.5: expected 1, got 0.5; your answer is 0.5 times the right
one (check the constant factors)".

Checks (each raises an AssertionError with a readable message):
    expect_close(got, expected, what, *, rtol=1e-6, atol=1e-8, hint=None)
        got matches expected (numbers, numpy scalars, ndarrays, Variables, lists of these):
        shape first (and "this is the transpose of the right answer"), then values (which
        rows/columns, which elements, and a likely cause such as a flipped sign).
    expect_gradient(got, f, x, what, *, eps=1e-6, rtol=1e-5, atol=1e-7, hint=None)
        got matches the central difference of f at x: "expected 3.0001 from central
        difference, got 3.0301". x a number (f may be elementwise) or an ndarray (f returns
        one number).
    expect_true(condition, message)          condition holds, else fail with message.
    expect_type(got, expected_type, what, *, hint=None)   isinstance(got, expected_type).
    require_own(obj, reference, name=None)
        ReferenceAnswerError if obj is autograd_ref's reference (imported, aliased,
        subclassed, its code reused, or called through autograd_ref).

Calling answers:
    call(fn, *args, name=None, **kwargs)
        fn(*args, **kwargs); NotImplementedError becomes NotImplementedYet ("`square` is not
        implemented yet: replace `raise NotImplementedError()` with your code"), any other
        error an AssertionError naming the call and its inputs (original error chained).
    use_or_reference(student_obj, reference_obj, name, probe=None, reference_name=None)
        student_obj if probe(student_obj) runs, else prints a one-line note naming the stand-in
        (reference_name, else where reference_obj lives, e.g. `autograd_ref.nodes.Node`) and
        returns reference_obj, so a student who skipped an exercise can run the rest.

Inputs, numbers and messages (for writing checks of your own):
    rng(seed)                                       a seeded numpy Generator.
    random_inputs(seed, shape=(), low=-2.0, high=2.0)   reproducible float64 inputs.
    to_floats(value)        a number/array/Variable/list as a float64 ndarray (else TypeError).
    matches(got, expected, rtol=1e-6, atol=1e-8)    close everywhere? (same shapes; ufuncs only)
    short_repr(value)                               a value as short text for a message.
    a_value(value)                                  "float 0.5", "None (does your code ...)".
    guarded                 decorator: the check verifies the environment before and after.

Failures besides wrong values (AssertionError subclasses; the instructor's pipeline reads
these class names in a cell's error output, so they never change):
    TamperingError, ReferenceAnswerError, NotImplementedYet.

Tamper resistance: this package is imported by a locked setup cell before any answer cell.
At that moment it remembers the real numpy/math/builtins functions it watches, its own
functions, and those of autograd_ref (top level, `numeric`, loaded `stages`). Every check
verifies them before and after it runs and raises TamperingError naming anything replaced;
assigning to a grader function (`grading.expect_close = ...`) fails at once. Comparisons use
numpy ufuncs captured at import, never `np.allclose`/`np.isclose`.

In a notebook: start each test cell with its own import, so it uses the grader's functions
even if an answer cell rebound the names:
    from autograd_ref.grading import call, expect_close, require_own

For per-stage modules (`stage01.py` ... `stage07.py` beside this file): build checks from the
helpers above, and decorate every public check with `guarded` (it then verifies the
environment too). Stage modules, and the private modules beside them that they import
(`_gate_patterns`, `_node_checks`), are imported and protected when this package is.
"""
import importlib
import pkgutil
import sys

from . import _trust
from ._arrays import matches, to_floats
from ._describe import a_value, short_repr
from ._errors import NotImplementedYet, ReferenceAnswerError, TamperingError
from ._own import require_own, use_or_reference
from ._trust import guarded
from .checks import (
    call, expect_close, expect_gradient, expect_true, expect_type, random_inputs, rng,
)

__all__ = [
    "expect_close", "expect_gradient", "expect_true", "expect_type", "require_own",
    "call", "use_or_reference", "rng", "random_inputs", "to_floats", "matches", "short_repr",
    "a_value", "guarded",
    "TamperingError", "ReferenceAnswerError", "NotImplementedYet",
]


def _load_stage_checks_and_protect():
    """Import the per-stage modules, then remember everything the checks trust."""
    for module_info in pkgutil.iter_modules(__path__):
        if not module_info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module_info.name}")
    for module_name, module in list(sys.modules.items()):
        if module_name == __name__ or module_name.startswith(__name__ + "."):
            _trust.watch_module(module, guard=True)
        elif module_name in ("autograd_ref", "autograd_ref.numeric") or module_name.startswith(
            "autograd_ref.stages"
        ):
            _trust.watch_module(module)


_load_stage_checks_and_protect()
