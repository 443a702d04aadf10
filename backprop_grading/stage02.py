"""Checks for stage 02 (manual backprop): `Square`, `Exp` and `manual_backward`.

Functions are called the way the notebook calls them, through the stage's `Function.__call__`;
their backward is compared with central differences for random inputs and random upstream
gradients. `manual_backward` runs with logging stand-ins for `Square` and `Exp`, so its test
judges the order of the backward calls, and a mistake in Square or Exp is not counted twice.
"""
import numpy as np

from autograd_ref import core, ops
from autograd_ref.stages import general, linked, manual
from ._arrays import matches, numbers_match, to_floats
from ._describe import short_repr
from ._errors import NotImplementedYet, ReferenceAnswerError
from ._exercise import Exercise, Stage
from ._stand_ins import stand_ins
from .checks import call, expect_close, expect_gradient, expect_true, rng

_GRADER_ERRORS = (ReferenceAnswerError, NotImplementedYet)
_SHAPES = ((), (3,), (2, 3))


def _square(x):
    return x ** 2


def _twice(x):
    return 2 * x


# name -> (reference class, the function, its derivative, range for random inputs)
_FUNCTIONS = {
    "Square": (manual.Square, _square, _twice, 3.0),
    "Exp": (manual.Exp, np.exp, np.exp, 2.0),
}


def _composed(x):
    return np.exp(x ** 2) ** 2


def _reference_manual_backward(x_value):
    """The stand-in for an unfinished `manual_backward`."""
    A, B, C = manual.Square(), manual.Exp(), manual.Square()
    C(B(A(manual.Variable(np.array(x_value)))))  # forward: each function keeps its input
    return A.backward(B.backward(C.backward(np.array(1.0))))


def _probe_function(cls):
    function = cls()
    function(manual.Variable(np.array(0.5)))
    function.backward(np.array(1.0))


def _every(name, *modules):
    """{label: object} for `name` in each module: all of autograd_ref's versions of a class."""
    return {f"{module.__name__}.{name}": getattr(module, name) for module in modules}


_ENGINE_WALKS = {"autograd_ref.Variable.backward": core.Variable.backward,
                 **{f"{module.__name__}.Variable.backward": module.Variable.backward
                    for module in (linked, general)}}

STAGE = Stage([
    Exercise("Square", manual.Square, _probe_function,
             counterparts={**_every("Square", ops, linked, general), "autograd_ref.square": ops.square}),
    Exercise("Exp", manual.Exp, _probe_function,
             counterparts={**_every("Exp", ops, linked, general), "autograd_ref.exp": ops.exp}),
    # the backward calls must be the student's: no engine walking the chain, no engine ops
    # (the staged Square and Exp share manual's forward and backward, which the logging stand-ins
    # run too: their linking __call__ is what tells them apart)
    Exercise("manual_backward", _reference_manual_backward, lambda answer: answer(0.5),
             counterparts={**_ENGINE_WALKS, **_every("Square", ops), **_every("Exp", ops),
                           **{f"{module.__name__}.Function.__call__": module.Function.__call__
                              for module in (linked, general)}},
             stand_in_name="a manual_backward built on autograd_ref.stages.manual's Square and Exp"),
])
exercise, use_or_reference = STAGE.exercise, STAGE.use_or_reference


# ---- Square and Exp ---------------------------------------------------------------------------

def function_value(cls, x, expected):
    """cls()(Variable(x)) must hold `expected` in its .data."""
    name = _name(cls)
    output = _forward(cls(), name, np.array(x, dtype=float))
    expect_close(getattr(output, "data", output), expected,
                 f"{name}()(Variable({short_repr(x)})).data")


def function_backward(cls, x, gy, expected):
    """After cls()(Variable(x)), backward(gy) must return `expected`."""
    name = _name(cls)
    function = cls()
    x, gy = np.array(x, dtype=float), np.array(gy, dtype=float)
    _forward(function, name, x)
    got = _backward(function, name, x, gy)
    _check_backward(got, name, x, gy, expected)


def function_random(cls, name, seed):
    """Random x and upstream gy (scalars and arrays): forward against the function, backward
    against central differences; backward reads the latest input and changes neither array."""
    _, forward, _, spread = _FUNCTIONS[name]
    generator = rng(seed)
    for shape in _SHAPES:
        x = generator.uniform(-spread, spread, size=shape)
        gy = generator.uniform(-2.0, 2.0, size=shape)
        function = cls()
        _forward(function, name, generator.uniform(-spread, spread, size=shape))  # an older call
        output = _forward(function, name, x)
        expect_close(getattr(output, "data", output), forward(x),
                     f"{name}()(Variable({short_repr(x)})).data")
        got = _backward(function, name, x, gy)
        _check_backward(got, name, x, gy, None)


def _forward(function, name, x):
    given = x.copy()
    try:
        output = call(function, manual.Variable(given), name=f"{name}()")
    except _GRADER_ERRORS:
        raise
    except AssertionError as error:
        if np.ndim(x) == 0:
            raise
        raise AssertionError(f"{error}. Hint: use numpy functions (np.exp, **) so that "
                             f"{name} works on arrays elementwise") from error
    _unchanged(given, x, f"{name}.forward changed its input array")
    return output


def _backward(function, name, x, gy):
    given = gy.copy()
    got = call(function.backward, given, name=f"{name}.backward")
    _unchanged(given, gy, f"{name}.backward changed the gy it was given (for example with "
               f"`gy *= ...`); compute a new array instead, since gy may be shared")
    return got


def _unchanged(array, original, message):
    expect_true(bool(matches(to_floats(array), original, 0.0, 0.0)), message)


def _check_backward(got, name, x, gy, expected):
    """got must be gy * f'(x); a known slip is named first."""
    _, forward, derivative, _ = _FUNCTIONS[name]
    what = f"{name}.backward(gy={short_repr(gy)}) after {name}()(Variable({short_repr(x)}))"
    slip = _backward_slip(got, forward, derivative, x, gy)
    expect_true(slip is None, f"{what}: expected {short_repr(derivative(x) * gy)}, "
                f"got {short_repr(got)}; {slip}")
    if expected is not None:
        expect_close(got, expected, what)
        return
    # the gradient of sum(f(x) * gy) is f'(x) * gy, elementwise
    expect_gradient(got, lambda value: np.sum(forward(value) * gy), x, what)


def _backward_slip(got, forward, derivative, x, gy):
    """Name the mistake that explains got, or None."""
    try:
        got = to_floats(got)
    except (TypeError, ValueError):
        return None  # expect_close explains what is not a number
    right = derivative(x) * gy
    slips = [
        (derivative(x), "multiply the local gradient by the upstream gradient gy: "
         "backward returns gy * dy/dx"),
        (derivative(forward(x)) * gy, "the local gradient must be taken at the input "
         "x = self.input.data, not at the output"),
        (gy, "multiply gy by the local gradient dy/dx"),
    ]
    for value, message in slips:
        if got.shape == np.shape(value) and matches(got, value, 1e-9, 1e-12) \
                and not matches(to_floats(value), right, 1e-9, 1e-12):
            return message
    return None


def _name(cls):
    return getattr(cls, "__name__", type(cls).__name__)


# ---- manual_backward --------------------------------------------------------------------------

def manual_backward_value(manual_backward, x_value, expected):
    """manual_backward(x_value) must be `expected`, by backward calls C -> B -> A from 1."""
    got = _run_manual_backward(manual_backward, x_value)
    expect_close(got, expected, f"manual_backward({short_repr(x_value)})", rtol=1e-9, atol=1e-12)


def manual_backward_random(manual_backward, seed):
    """Random scalars and an array, against central differences of (e^(x^2))^2."""
    generator = rng(seed)
    inputs = [float(value) for value in generator.uniform(-1.2, 1.2, size=3)]
    inputs.append(generator.uniform(-1.2, 1.2, size=4))
    for x_value in inputs:
        got = _run_manual_backward(manual_backward, np.copy(x_value) if np.ndim(x_value) else x_value)
        hint = "an array of inputs gives the array of derivatives, elementwise" if np.ndim(x_value) else None
        # the gradient of sum(y) is dy/dx elementwise
        expect_gradient(got, lambda value: np.sum(_composed(value)), x_value,
                        f"manual_backward({short_repr(x_value)})", atol=1e-6, hint=hint)


def _run_manual_backward(manual_backward, x_value):
    log = []
    where = f"manual_backward({short_repr(x_value)})"
    with _logging_functions(manual_backward, log):
        try:
            got = call(manual_backward, x_value, name="manual_backward")
        except _GRADER_ERRORS:
            raise
        except AssertionError:
            if log:  # the calls made before the error may say why (e.g. gy was None)
                _check_backward_calls(log, where, np.shape(x_value), finished=False)
            raise
    _check_backward_calls(log, where, np.shape(x_value))
    return got


def _check_backward_calls(log, where, shape, finished=True):
    """log: [class name, forward position, gy, result] for each backward call, in order.

    shape: the shape of y (that of x: the functions are elementwise).
    finished: False when manual_backward raised, so that only the calls made so far count.
    """
    expect_true(len(log) > 0, f"{where} called no backward method of a Square or Exp "
                f"object: build A, B, C = Square(), Exp(), Square(), run y = C(B(A(x))), "
                f"then call C.backward, B.backward and A.backward")
    stranger = next((name for name, position, _, _ in log if position < 0), None)
    expect_true(stranger is None, f"{where} called backward on a new {stranger}() "
                f"that the forward pass never used; a function object remembers its own input, "
                f"so call backward on the very objects A, B, C that computed y = C(B(A(x)))")
    order = [position for _, position, _, _ in log]
    wanted = [2, 1, 0] if finished else [2, 1, 0][:len(order)]
    names = " -> ".join(_label(name, position) for name, position, _, _ in log)
    expect_true(order == wanted, f"{where} called {names}; backpropagation calls each "
                f"function's backward once, from the last function to the first: "
                f"C.backward, then B.backward, then A.backward")
    first_gy = log[0][2]
    expect_true(_is_seed(first_gy, shape), f"{where}: C.backward received gy = "
                f"{short_repr(first_gy)}; backward starts from dy/dy = 1, so set "
                f"y.grad = np.array(1.0) (or np.ones_like(y.data)) and pass it to C.backward")
    for (_, _, _, result), (name, position, gy, _) in zip(log, log[1:]):
        expect_true(_equal(gy, result), f"{where}: {_label(name, position)} received "
                    f"{short_repr(gy)}, but the backward before it returned "
                    f"{short_repr(result)}; each backward gets the gradient of its own output "
                    f"(e.g. a.grad = B.backward(b.grad))")


def _label(name, position):
    """C.backward for the function applied third; the class name for one never called."""
    return f"{'ABC'[position] if 0 <= position < 3 else name}.backward"


def _is_seed(gy, shape):
    """gy is 1 everywhere y is: np.array(1.0), 1.0 or np.ones_like(y.data) all are."""
    try:
        gy = to_floats(gy)
    except (TypeError, ValueError):
        return False
    fits = gy.ndim <= len(shape) and all(size in (1, wanted) for size, wanted in
                                         zip(gy.shape[::-1], shape[::-1]))
    return fits and bool(matches(gy, np.ones(gy.shape), 0.0, 0.0))


def _equal(value, other):
    """Exactly the same numbers (None equals only None)."""
    if value is None or other is None:
        return value is other
    return numbers_match(value, other, 0.0, 0.0)


def _logging_functions(answer, log):
    """While the block runs, Square and Exp in the answer's module are logging copies of the
    stage's (see `_stand_ins`)."""
    made = []  # functions in the order they were called forward

    def logged(reference):
        class Logged(reference):
            def __call__(self, input):
                made.append(self)
                return super().__call__(input)

            def backward(self, gy):
                position = next((i for i, f in enumerate(made) if f is self), -1)
                entry = [reference.__name__, position, gy, None]
                log.append(entry)  # before running, so a call that fails is logged too
                entry[3] = super().backward(gy)
                return entry[3]

        Logged.__name__ = Logged.__qualname__ = f"Logged{reference.__name__}"
        return Logged

    return stand_ins(answer, {"Square": logged(manual.Square), "Exp": logged(manual.Exp)})
