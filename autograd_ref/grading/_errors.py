"""The failures a test cell can report besides a wrong value.

They are AssertionErrors, so nbgrader counts them as failed tests. The instructor's pipeline
recognises them by class name in a cell's error output: keep the names stable.
"""


class TamperingError(AssertionError):
    """Something the grader relies on (numpy, math, builtins, the grader itself) was replaced."""


class ReferenceAnswerError(AssertionError):
    """The answer is autograd_ref's own implementation, not the student's."""


class NotImplementedYet(AssertionError):
    """The answer still raises the NotImplementedError of its stub."""
