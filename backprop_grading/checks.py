"""The checks test cells call: compare values, call answers, make reproducible random inputs."""
import linecache
import os

import numpy as np

from autograd_ref import numeric
from . import _describe, _exercise, _watch
from ._arrays import to_floats
from ._errors import NotImplementedYet, ReferenceAnswerError

# the grader's own failures pass through `call` untouched
_GRADER_ERRORS = (ReferenceAnswerError, NotImplementedYet)


def call(fn, *args, name=None, **kwargs):
    """fn(*args, **kwargs), with its errors turned into messages that say what to do.

    NotImplementedError becomes NotImplementedYet; any other error becomes an AssertionError
    naming the call, its inputs and the line of the answer that failed. Inside a test block
    (`with check.exercise(...)`), running the exercise's reference code is a
    ReferenceAnswerError.
    """
    return _call(fn, args, kwargs, name or _describe.name_of(fn))


def _call(fn, args, kwargs, label):
    reference = _exercise.reference_code_in_force()
    if reference is None:
        return _run(fn, args, kwargs, label)
    _refuse_reference(reference, _watch.code_of(fn), label)  # imported, aliased or subclassed
    try:
        result, ran = _watch.running(lambda: _run(fn, args, kwargs, label))
    except Exception as error:
        _refuse_reference(reference, getattr(error, "ran_code", ()), label)
        raise
    _refuse_reference(reference, ran, label)
    return result


def _refuse_reference(reference, ran, label):
    found = reference.find(ran)
    if found:
        raise ReferenceAnswerError(f"`{label}` runs the reference implementation's `{found}`: "
                                   f"write your own to earn these points")


def _run(fn, args, kwargs, label):
    try:
        return fn(*args, **kwargs)
    except _GRADER_ERRORS:
        raise
    except NotImplementedError as error:
        raise NotImplementedYet(_not_implemented_message(fn, label, error)) from error
    except Exception as error:
        raise AssertionError(
            f"{_describe.call_text(label, args, kwargs)} raised {type(error).__name__}: {error}"
            f"{_where_it_failed(error)}"
        ) from error


_LIBRARIES = tuple(os.path.dirname(os.path.dirname(module.__file__)) + os.sep
                   for module in (np, numeric))  # numpy's and the course's own code


def _where_it_failed(error):
    """' (line 3 of `square`: return x * y)': the answer's innermost line in the traceback."""
    found = None
    frame = error.__traceback__
    while frame is not None:
        code = frame.tb_frame.f_code
        if not code.co_filename.startswith(_LIBRARIES) and not code.co_filename.startswith("<frozen"):
            found = frame
        frame = frame.tb_next
    if found is None:
        return ""
    code = found.tb_frame.f_code
    line = found.tb_lineno - code.co_firstlineno + 1
    text = linecache.getline(code.co_filename, found.tb_lineno).strip()
    return f" (line {line} of `{getattr(code, 'co_qualname', code.co_name)}`: {text})" if text else ""


def _not_implemented_message(fn, label, error):
    frame = error.__traceback__
    while frame.tb_next is not None:  # the innermost frame is where the stub raised
        frame = frame.tb_next
    code = frame.tb_frame.f_code
    where = getattr(code, "co_qualname", code.co_name)
    if where in (label, _describe.name_of(fn)):
        unfinished = f"`{label}`"
    else:  # something fn needs: a method, a helper, an earlier answer
        unfinished = f"`{where}` (needed by `{label}`)"
    return f"{unfinished} is not implemented yet: replace `raise NotImplementedError()` with your code"


def expect_close(got, expected, what, *, rtol=1e-6, atol=1e-8, hint=None):
    """Fail unless got is close to expected: |got - expected| <= atol + rtol * |expected|.

    got and expected may be numbers, numpy scalars, ndarrays of any shape, Variables (their
    `.data` is compared) or lists/tuples of these. The shape is checked first.
    """
    _compare(got, to_floats(expected), what, rtol, atol, hint, source="")


def _make_central_difference():
    """The reference numerical derivatives, held in a closure a notebook cannot reach."""
    numerical_diff, numerical_grad = numeric.numerical_diff, numeric.numerical_grad
    as_float_copy, ndim = np.array, np.ndim

    def central_difference(f, x, eps):
        if ndim(x) == 0:
            return to_floats(numerical_diff(f, x, eps))  # elementwise f allowed
        return numerical_grad(f, as_float_copy(x, dtype=np.float64), eps)  # f must return a scalar

    return central_difference


_central_difference = _make_central_difference()


def expect_gradient(got, f, x, what, *, eps=1e-6, rtol=1e-5, atol=1e-7, hint=None):
    """Fail unless got is close to the central difference of f at x.

    x is a number (f may then work elementwise) or an ndarray (f must return a single number);
    f gets x nudged by +-eps and may return a number, an ndarray or a Variable.
    """
    # f is the check's own function (it may run reference code): no watch, only the messages
    expected = _central_difference(lambda value: _run(f, (value,), {}, what), x, eps)
    _compare(got, expected, what, rtol, atol, hint, source=" from central difference")


def _compare(got, expected, what, rtol, atol, hint, source):
    _require_what(what)
    got = _floats_of_answer(got, what)
    problem = _describe.shape_problem(got, expected, rtol, atol) or _describe.value_problem(
        got, expected, rtol, atol, source, guess_cause=hint is None
    )
    if problem:
        raise AssertionError(_with_hint(f"{what}: {problem}", hint))


def _floats_of_answer(got, what):
    if got is None:
        raise AssertionError(f"{what}: got {_describe.a_value(None)}")
    try:
        return to_floats(got)
    except _GRADER_ERRORS:
        raise
    except Exception as error:  # a Variable's .data can run any code
        raise AssertionError(
            f"{what}: expected a number or an array of numbers, got {_describe.a_value(got)}"
        ) from error


def expect_true(condition, message):
    """Fail with message (say what is wrong and what to try) unless condition holds."""
    if not isinstance(message, str) or not message:
        raise TypeError("expect_true needs a message that says what is wrong and what to try")
    if isinstance(condition, np.ndarray) and condition.size != 1:
        raise TypeError("expect_true needs a single True/False; compare arrays with expect_close")
    if not condition:
        raise AssertionError(message)


def expect_type(got, expected_type, what, *, hint=None):
    """Fail unless isinstance(got, expected_type); expected_type may be a tuple of types."""
    _require_what(what)
    if not isinstance(got, expected_type):
        types = expected_type if isinstance(expected_type, tuple) else (expected_type,)
        wanted = " or ".join(_with_article(kind.__name__) for kind in types)
        message = f"{what}: expected {wanted}, got {_describe.a_value(got)}"
        raise AssertionError(_with_hint(message, hint))


def rng(seed):
    """A numpy Generator seeded with seed, so hidden tests draw the same inputs every run."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    return np.random.default_rng(seed)


def random_inputs(seed, shape=(), low=-2.0, high=2.0):
    """Floats drawn uniformly from [low, high), an ndarray of the given shape (0-d for ())."""
    if not low < high:
        raise ValueError(f"low must be below high, got low={low!r}, high={high!r}")
    return np.asarray(rng(seed).uniform(low, high, size=shape), dtype=np.float64)


def _require_what(what):
    if not isinstance(what, str) or not what:
        raise TypeError("say what is checked, e.g. 'Square.backward at x=0.5'")


def _with_hint(text, hint):
    return f"{text}. Hint: {hint}" if hint else text


def _with_article(noun):
    return f"{'an' if noun[0] in 'aeiouAEIOU' else 'a'} {noun}"
