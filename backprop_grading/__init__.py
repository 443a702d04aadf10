"""What the notebooks' test cells call: checks with messages a student can act on.

One vocabulary for every stage (each stage module, `stage01` ... `stage08`, lists its exercises
in a `Stage`; see `_exercise`):

    with check.exercise("sum_to"):             own work: the exercise's reference code may
                                               not run while the answer does; a failure is
                                               a short message on stderr, never a traceback
        check.sum_to_value(sum_to, ...)        the answer at the worked example
        check.sum_to_random(sum_to, seed=606)  the answer on random cases
    sum_to = check.use_or_reference(sum_to, "sum_to")
                                               the answer if it runs, else the reference
                                               stand-in, so the rest of the notebook runs

A failing check starts with the thing checked: "Square.backward at x=0.5: expected 1, got 0.5;
your answer is 0.5 times the right one (check the constant factors)".

Checks (each raises an AssertionError with a readable message):
    expect_close(got, expected, what, *, rtol=1e-6, atol=1e-8, hint=None)
        got matches expected (numbers, numpy scalars, ndarrays, Variables, lists of these):
        shape first (and "this is the transpose of the right answer"), then values.
    expect_gradient(got, f, x, what, *, eps=1e-6, rtol=1e-5, atol=1e-7, hint=None)
        got matches the central difference of f at x.
    expect_true(condition, message)          condition holds, else fail with message.
    expect_type(got, expected_type, what, *, hint=None)   isinstance(got, expected_type).

Calling answers:
    call(fn, *args, name=None, **kwargs)
        fn(*args, **kwargs); NotImplementedError becomes NotImplementedYet, any other error an
        AssertionError naming the call, its inputs and the answer's line that failed; inside a
        test block, running the exercise's reference code is a ReferenceAnswerError.

Inputs, numbers and messages (for writing checks of your own):
    rng(seed), random_inputs(seed, shape=(), low=-2.0, high=2.0), to_floats(value),
    matches(got, expected, rtol=1e-6, atol=1e-8), short_repr(value), a_value(value).

This package judges answers for the student's benefit; it is no defence against a student who
wants to cheat, since it runs in the same interpreter as the answers. Integrity is judged
outside the kernel, by the course's answer policy (backprop_course.policy).
"""
from ._arrays import matches, to_floats
from ._describe import a_value, short_repr
from ._errors import NotImplementedYet, ReferenceAnswerError
from ._exercise import OUTCOME_MIME, Exercise, Stage
from .checks import call, expect_close, expect_gradient, expect_true, expect_type, random_inputs, rng

__all__ = [
    "expect_close", "expect_gradient", "expect_true", "expect_type", "call", "rng",
    "random_inputs", "to_floats", "matches", "short_repr", "a_value",
    "Exercise", "Stage", "OUTCOME_MIME", "ReferenceAnswerError", "NotImplementedYet",
]
