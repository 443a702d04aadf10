"""One vocabulary for every stage: an exercise, its test block, and its fallback.

A stage module lists its exercises once:

    STAGE = Stage([
        Exercise("sum_to", stand_in=ops.sum_to, probe=lambda f: f(np.ones((2, 3)), (3,))),
        ...
    ])
    exercise, use_or_reference = STAGE.exercise, STAGE.use_or_reference

and a notebook's test cell reads

    with check.exercise("sum_to"):        # own work: the reference's code may not run in here
        check.sum_to_value(sum_to, ...)   # at the worked example
        check.sum_to_random(sum_to, seed=606)   # on random cases

while the cell after it keeps the rest of the notebook running:

    sum_to = check.use_or_reference(sum_to, "sum_to")

A failing test block never raises: it writes a short message to stderr (nbgrader scores a test
cell with anything on stderr 0) and lets Run All go on. Warnings raised while the checks run (a
numpy overflow in an answer) are shown on stdout: on stderr they would cost a passing test its
points. The block also leaves its outcome as a small display of type OUTCOME_MIME, which the
course's pipeline reads: a failed outcome scores 0 there even if an answer kept the message
from stderr, and a reference answer is flagged in the report.
"""
import sys
import warnings
from dataclasses import dataclass

from ._errors import NotImplementedYet, ReferenceAnswerError
from ._watch import ReferenceCode

OUTCOME_MIME = "application/vnd.backprop-grading.outcome+json"

_active = []  # the ReferenceCode of the exercise whose test block is running (at most one)


@dataclass(frozen=True)
class Exercise:
    name: str  # what the answer defines: "sum_to", "Square", "backward_loop"
    stand_in: object  # the reference used when the answer does not run
    probe: object  # probe(answer) runs the answer on a small input (raises if it cannot)
    counterparts: dict = None  # more reference code the answer may not run: {label: object}
    stand_in_name: str = None  # how the fallback note names a stand-in (default: where it lives)

    def reference_code(self):
        return ReferenceCode({where_defined(self.stand_in): self.stand_in, **(self.counterparts or {})})


class Stage:
    """The exercises of one stage, with the test block and the fallback that serve them all."""

    def __init__(self, exercises):
        self.exercises = {exercise.name: exercise for exercise in exercises}
        self.reference_code = {exercise.name: exercise.reference_code() for exercise in exercises}

    def exercise(self, name):
        """The test block of exercise `name` (see the module's docstring)."""
        return TestBlock(name, self.reference_code[name])

    def use_or_reference(self, answer, name):
        """The student's `name` if it runs on a small input, else the reference stand-in (with a note)."""
        exercise = self.exercises[name]
        stand_in = exercise.stand_in_name or f"`{where_defined(exercise.stand_in)}`"
        try:
            exercise.probe(answer)
        except (NotImplementedError, NotImplementedYet):
            print(f"Your `{name}` is not finished yet, so the cells below use {stand_in}.")
            return exercise.stand_in
        except Exception as error:
            print(f"Your `{name}` raised {type(error).__name__} ({error}) on a small test, so the "
                  f"cells below use {stand_in}; fix it and run this cell again.")
            return exercise.stand_in
        return answer


class TestBlock:
    """`with check.exercise(name):` runs the checks, then says in a few lines how they went."""

    def __init__(self, name, reference_code):
        self.name, self.reference_code = name, reference_code

    def __enter__(self):
        _active.append(self.reference_code)
        self._warnings = warnings.catch_warnings(record=True)
        self._warned = self._warnings.__enter__()
        return self

    def __exit__(self, kind, error, traceback):
        _active.remove(self.reference_code)
        self._warnings.__exit__(None, None, None)
        _show_warnings(self.name, self._warned)
        if error is None:
            print(f"{self.name}: the tests in this cell passed")
            _publish(self.name, "passed", "")
            return False
        if not isinstance(error, Exception):  # KeyboardInterrupt (a timeout), SystemExit: not ours
            return False
        outcome, text = outcome_of(error)
        print(text, file=sys.stderr)
        _publish(self.name, outcome, text)
        return True  # handled: Run All goes on to the next cell


def _show_warnings(name, warned, shown=3):
    """Warnings become notes on stdout: on stderr nbgrader would score the test 0."""
    for warning in warned[:shown]:
        print(f"{name}: note: your code warned ({warning.category.__name__}: {warning.message})")
    if len(warned) > shown:
        print(f"{name}: note: and {len(warned) - shown} more warnings")


def outcome_of(error):
    """("unfinished" | "reference answer" | "failed", a short message) for a failed check."""
    if isinstance(error, NotImplementedYet):
        return "unfinished", f"{error} (so this test scores 0)"
    if isinstance(error, ReferenceAnswerError):
        return "reference answer", f"{error} (so this test scores 0)"
    if isinstance(error, AssertionError):
        return "failed", f"{error}"
    return "failed", f"{type(error).__name__}: {error}"


def reference_code_in_force():
    """The ReferenceCode an answer may not run now, or None outside a test block."""
    return _active[-1] if _active else None


def where_defined(obj):
    """`module.Qualified.name` of a function or class (of its class, for an instance)."""
    obj = getattr(obj, "__func__", obj)
    if not hasattr(obj, "__qualname__"):
        obj = type(obj)
    return f"{obj.__module__}.{obj.__qualname__}"


def _publish(name, outcome, message):
    """Leave the outcome for the course's pipeline; nothing outside a kernel."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None and hasattr(shell, "display_pub"):
        shell.display_pub.publish(data={OUTCOME_MIME: {"exercise": name, "outcome": outcome,
                                                       "message": message}})
