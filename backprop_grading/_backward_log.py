"""Watch backward_general at work on a stage-05 graph: which functions' backward ran, in which
order, with how many gradients, what each returned, and whether a returned array changed later.
"""
from dataclasses import dataclass, field

import numpy as np

from ._arrays import matches, to_floats
from ._dags import describe, functions_behind
from ._describe import a_value
from .checks import expect_true

ORDER_HINT = "sort the functions by generation, newest first, or use a depth-first search"
_VISIT_IN_ORDER = (f"Visit the functions in an order where each comes after all functions using "
                   f"its outputs: `topological_order(self)` gives one ({ORDER_HINT})")
_IN_PLACE = (
    "your accumulation changes an array in place (`x.grad += gx`). A backward may hand the very "
    "same array to several variables (Add.backward returns gy for both inputs), so an in-place "
    "update changes all of them at once; write `x.grad = x.grad + gx`, which makes a new array"
)


@dataclass
class BackwardCall:
    """One call of a function's backward: the gradients it got, what it returned, and each
    ndarray it returned with a copy taken at once (to notice later in-place changes)."""
    function: object
    given: tuple
    result: object = None
    arrays: list = field(default_factory=list)


def _logged(f, log):
    """f.backward, also appending a BackwardCall to log for every call."""
    backward = f.backward

    def logged_backward(*gys):
        entry = BackwardCall(f, gys)
        log.append(entry)  # before running, so that a call that fails is logged too
        entry.result = backward(*gys)
        grads = entry.result if isinstance(entry.result, tuple) else (entry.result,)
        entry.arrays = [(g, np.array(g, copy=True)) for g in grads if isinstance(g, np.ndarray)]
        return entry.result

    return logged_backward


def log_backwards(output):
    """Log every backward behind output (wrapped on the instance: the class stays as it is);
    returns the log, a list of BackwardCall in call order."""
    log = []
    for f in functions_behind(output):
        f.backward = _logged(f, log)
    return log


def explain_failure(log, failure, output, what):
    """Raise a clearer AssertionError when the log shows why `what` (backward_general on output)
    failed (failure, None if it did not) or went wrong: a gradient missing for an output, a
    backward run before its output's gradient existed, a single gradient iterated over."""
    _require_one_gradient_per_output(log, failure, what)
    if failure is not None:
        _explain_missing_gradient(log, failure, output, what)
        _explain_single_gradient(log, failure, what)


def _require_one_gradient_per_output(log, failure, what):
    for entry in log:
        given, outputs = len(entry.given), len(entry.function.outputs)
        if given != outputs:
            raise AssertionError(
                f"{what}: {given} gradient{'s' * (given != 1)} went to the backward of "
                f"{describe(entry.function)}, which has {outputs} output{'s' * (outputs != 1)}: "
                f"pass the gradient of every output, `f.backward(*[y.grad for y in f.outputs])`"
            ) from failure


def _explain_missing_gradient(log, failure, output, what):
    """A backward given None: the seed was never set, or the function ran too early."""
    entry = next((entry for entry in log if any(g is None for g in entry.given)), None)
    if entry is None:
        return
    if entry.function is output.creator and output.grad is None:
        raise AssertionError(
            f"{what}: the backward of {describe(entry.function)} got None, as self.grad was "
            f"never set: begin with `if self.grad is None: self.grad = np.ones_like(self.data)`"
        ) from failure
    raise AssertionError(
        f"{what}: the backward of {describe(entry.function)} ran while the gradient of one of "
        f"its outputs was still None, before a function using that output. {_VISIT_IN_ORDER}"
    ) from failure


def _explain_single_gradient(log, failure, what):
    """A single returned gradient iterated over, as if it were a tuple: say so."""
    cause = failure.__cause__
    last = log[-1].result if log else ()
    single = last is not None and not isinstance(last, tuple)
    if isinstance(cause, TypeError) and "iter" in str(cause) and single:
        raise AssertionError(
            f"{what}: your code failed ({cause}) right after the backward of "
            f"{describe(log[-1].function)} returned a single gradient, {a_value(last)}: a function "
            f"with one input returns one gradient; wrap it: "
            f"`if not isinstance(gxs, tuple): gxs = (gxs,)`") from failure


def check_log(log, output, what):
    """Every function behind output ran once, after all functions using its outputs, and no
    array a backward returned changed afterwards."""
    functions = functions_behind(output)
    for f in functions:
        runs = sum(entry.function is f for entry in log)
        expect_true(runs == 1, f"{what}: the backward of {describe(f)} ran {runs} times; each "
                               f"function must run exactly once, after every function using its "
                               f"output has added its share ({ORDER_HINT}, and skip functions "
                               f"seen)")
    position = {id(entry.function): i for i, entry in enumerate(log)}
    producer, consumer = producer_before_consumer(functions, position)
    if producer is not None:
        raise AssertionError(
            f"{what}: the backward of {describe(producer)} ran before that of "
            f"{describe(consumer)}, which uses its output, so its gradient was not complete yet. "
            f"{_VISIT_IN_ORDER}")
    for entry in log:
        for index, (array, snapshot) in enumerate(entry.arrays):
            if not matches(to_floats(array), to_floats(snapshot), 0.0, 0.0):
                raise AssertionError(
                    f"{what}: the gradient that the backward of {describe(entry.function)} "
                    f"returned for its input {index} was {snapshot.tolist()} and later became "
                    f"{array.tolist()}: {_IN_PLACE}")


def producer_before_consumer(functions, position):
    """(producer, consumer): the first function placed before one using its output, or Nones."""
    for f in functions:
        for x in f.inputs:
            producer = x.creator
            if producer is not None and position[id(producer)] < position[id(f)]:
                return producer, f
    return None, None
