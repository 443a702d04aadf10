"""The failures a check can report besides a wrong value.

They are AssertionErrors, so a check that fails for any reason fails its test. The test block
(`_exercise.TestBlock`) turns each into a short message and an outcome.
"""


class ReferenceAnswerError(AssertionError):
    """The answer runs the reference implementation of its own exercise."""


class NotImplementedYet(AssertionError):
    """The answer still raises the NotImplementedError of its stub."""
