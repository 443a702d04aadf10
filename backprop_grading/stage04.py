"""Checks for stage 04 (automatic backprop): `backward_recursive` and `backward_loop`.

An answer is a function `answer(self)` meant to become a Variable method. The checks run it on
chains built from the grader's own small linked classes (`_chains`), whose variables have no
`backward` an answer could quietly call instead of walking the chain itself. A chain of 20,000
functions tells a loop from a recursion (which runs into Python's recursion limit).
"""
import sys

import numpy as np

from autograd_ref import core
from autograd_ref.stages import general, linked
from ._arrays import matches, to_floats
from ._chains import Exp, Negate, Square, build, chain_output, chain_text, random_chain
from ._exercise import Exercise, Stage
from ._stand_ins import attribute_stand_in
from .checks import call, expect_close, expect_gradient, expect_true, rng


def _on_notebook_variable(answer, name):
    """For the duration, the notebook's Variable has the answer as `name` too, so an answer
    that recurses with `Variable.<name>(x)` finds itself, not an earlier stand-in."""
    return attribute_stand_in(linked.Variable, name, answer)


def _run(answer, name, kinds, x, given=None):
    """Build the chain, set y.grad = given, run y.<name>() as the notebook would; the variables."""
    variables = build(answer, name, kinds, x)
    y = variables[-1]
    y.grad = given
    with _on_notebook_variable(answer, name):
        try:
            call(getattr(y, name), name=f"y.{name}")
        except AssertionError as error:
            if y.grad is not None or not _none_in_arithmetic(error.__cause__):
                raise  # a failure the missing seed did not cause
            raise AssertionError(
                f"{error}. Hint: y.grad was None when backward reached the first function: "
                f"start with `if self.grad is None: self.grad = np.ones_like(self.data)`"
            ) from error.__cause__
    return variables


def _none_in_arithmetic(error):
    """error is what `gradient * None` raises."""
    return isinstance(error, TypeError) and "'NoneType'" in str(error)


def _expect_start(variables, name, given, where):
    y = variables[-1]
    start = np.ones_like(y.data) if given is None else given
    hint = ("when self.grad is None, start from np.ones_like(self.data)" if given is None else
            "y.grad was already set before the call: start from it, and use "
            "np.ones_like(self.data) only when self.grad is None")
    expect_true(y.grad is not None, f"{where}: y.grad is still None after y.{name}(): {hint}")
    expect_close(y.grad, start, f"{where}: y.grad", rtol=1e-12, atol=0, hint=hint)
    return start


def _expect_reached(variables, name, where):
    """Every variable got a gradient; else say after how many functions the walk stopped."""
    count = len(variables) - 1
    for position in range(count - 1, -1, -1):
        if variables[position].grad is None:
            done = count - 1 - position
            raise AssertionError(
                f"{where}: {_which(variables, position)} has no gradient (grad is None): y.{name}() "
                f"stopped after {done} of {count} functions. Keep going: after each function, "
                f"continue with the creator of its input, until you reach a variable whose "
                f"creator is None")


def _which(variables, position):
    count = len(variables) - 1
    consumer = type(variables[position + 1].creator).__name__
    who = "x, the input" if position == 0 else "the input"
    return f"{who} of {consumer} (function {position + 1} of {count})"


def _slip(got, function, start):
    """The hint for a gradient that is a known wrong one, else None."""
    try:
        got = to_floats(got)
    except (TypeError, ValueError):
        return "a gradient is a number or an array of numbers"
    local = function.local(function.input.data)
    if any(got.shape == np.shape(wrong) and matches(got, to_floats(wrong), 1e-9, 1e-12)
           for wrong in (local, local * start)):
        return ("this is only the local derivative of the function: multiply it by the upstream "
                "gradient, i.e. call f.backward with the gradient of f's output (f.output.grad)")
    if matches(got, np.ones_like(got), 1e-12, 0):
        return ("a gradient of 1 here: was a gradient that was already set replaced by "
                "np.ones_like? start from ones only when self.grad is None")
    return None


def _judge(variables, name, kinds, x, given):
    """Every variable's gradient, from y back to x, against central differences."""
    where = f"{name} on {chain_text(kinds, x)}"
    start = _expect_start(variables, name, given, where)
    _expect_reached(variables, name, where)
    for position in range(len(kinds) - 1, -1, -1):
        variable, function = variables[position], variables[position + 1].creator
        hint = _slip(variable.grad, function, start)
        rest = [kind() for kind in kinds[position:]]
        expect_gradient(variable.grad, lambda t: np.sum(start * chain_output(rest, t)), variable.data,
                        f"{where}: gradient of {_which(variables, position)}", hint=hint)


# ---- the checks test cells call ------------------------------------------------------------

def chain_value(answer, name, expected):
    """square(exp(square(x))) at 0.5 from y.grad = None: every gradient, and x.grad = expected."""
    kinds = [Square, Exp, Square]
    variables = _run(answer, name, kinds, 0.5)
    _judge(variables, name, kinds, 0.5, None)
    expect_close(variables[0].grad, expected, f"{name} on {chain_text(kinds, 0.5)}: x.grad",
                 rtol=1e-9, atol=0)


def chain_random(answer, name, seed, count=8):
    """Random Square/Exp chains of 1 to 5 functions at random x, against central differences,
    then a chain of 60 functions (a walk that stops after a few steps is found there)."""
    generator = rng(seed)
    for _ in range(count):
        kinds, x = random_chain(generator)
        _judge(_run(answer, name, kinds, x), name, kinds, x, None)
    deep_chain(answer, name, length=60)


def _second_walk(answer, name):
    """A second backward on one graph, every grad cleared, gives the same x.grad (nothing kept
    from the first walk). (A leaf as the output is left open: the contract does not say, and
    DeZero's loop, which starts from [self.creator], fails there.)"""
    variables = _run(answer, name, [Square, Exp], 0.5)
    first = variables[0].grad
    for variable in variables:
        variable.grad = None
    with _on_notebook_variable(answer, name):
        call(getattr(variables[-1], name), name=f"y.{name}")
    expect_true(variables[0].grad is not None and bool(matches(to_floats(variables[0].grad), first, 0, 0)),
                f"the second {name} on the same graph, every grad cleared, left x.grad "
                f"{variables[0].grad!r} (the first gave {float(first):.6g}): keep the pending list and any "
                f"visited set local to the call")


def given_gradient(answer, name, seed, count=3):
    """y.grad already set before the call: the walk starts from it, not from ones; then a second
    walk on one graph."""
    generator = rng(seed)
    for _ in range(count):
        kinds, x = random_chain(generator)
        given = np.array(generator.choice([-1, 1]) * generator.uniform(1.5, 3.0))
        _judge(_run(answer, name, kinds, x, given), name, kinds, x, given)
    _second_walk(answer, name)


def array_chain(answer, name, seed):
    """x an array of 3 values: y.grad starts as ones of y's shape, gradients elementwise."""
    kinds, x = random_chain(rng(seed), shape=(3,))
    _judge(_run(answer, name, kinds, x), name, kinds, x, None)


def deep_chain(answer, name, length=20_000):
    """A chain of `length` Negate functions; at 20,000 a loop handles it, a recursion cannot."""
    kinds = [Negate] * length
    where = f"{name} on a chain of {length:,} Negate functions (y = -x)"
    try:
        variables = _run(answer, name, kinds, 0.5)
    except AssertionError as error:
        if isinstance(error.__cause__, RecursionError):
            raise AssertionError(
                f"{where}: y.{name}() goes one call deeper for every function, so on this chain "
                f"it runs into Python's recursion limit ({sys.getrecursionlimit()} calls). Use a "
                f"loop, not recursion (and do not call backward_recursive): keep the functions "
                f"still to run in a list, and while it is not empty, pop one, pass the gradient "
                f"to its input, and append the input's creator if it has one") from None
        raise
    _expect_start(variables, name, None, where)
    _expect_reached(variables, name, where)
    for position in (length - 1, length // 2, 0):  # near y, the middle, x
        sign = (-1) ** (length - position)
        function = variables[position + 1].creator
        expect_close(variables[position].grad, sign,
                     f"{where}: gradient of {_which(variables, position)}", rtol=1e-12, atol=0,
                     hint=_slip(variables[position].grad, function, 1.0))


def _probe(name):
    """Run an answer on a short chain, raising what it raises (NotImplementedError included)."""
    def probe(answer):
        y = build(answer, name, [Square, Exp], 0.5)[-1]
        with _on_notebook_variable(answer, name):
            getattr(y, name)()
    return probe


# autograd_ref's walks (the notebook's Variable.backward is the linked one) earn nothing
_WALKS = {"autograd_ref.Variable.backward": core.Variable.backward,
          "autograd_ref.stages.general.Variable.backward": general.Variable.backward}


def reference_backward_recursive(self):
    """The stand-in for an unfinished `backward_recursive`: it recurses like the answer it
    replaces, so the notebook's 20,000-function chain still overflows Python's stack."""
    if self.grad is None:
        self.grad = np.ones_like(self.data)
    f = self.creator
    if f is not None:
        f.input.grad = f.backward(self.grad)
        reference_backward_recursive(f.input)


STAGE = Stage([
    Exercise("backward_recursive", reference_backward_recursive, _probe("backward_recursive"),
             counterparts={**_WALKS, "autograd_ref.stages.linked.Variable.backward": linked.Variable.backward},
             stand_in_name="a recursive reference backward"),
    Exercise("backward_loop", linked.Variable.backward, _probe("backward_loop"), counterparts=_WALKS),
])
exercise, use_or_reference = STAGE.exercise, STAGE.use_or_reference
