"""Checks for stage 05's `using_config` and `no_grad` on `Config` (the engine's switch, which the
stage classes share).

Every check sets `Config.enable_backprop` back to True afterwards, so that a wrong answer does
not leave the rest of the notebook without graphs. `stage05` hands them to the test cells.
"""
import numpy as np

from autograd_ref.stages import general
from .checks import call, expect_true

Config = general.Config


def no_grad_value(no_grad):
    """Inside `with no_grad():` square(x) records no creator; afterwards graphs are recorded again."""
    with _restoring():
        _expect_switches_off_and_back(no_grad)


def no_grad_scenarios(using_config, no_grad):
    """Two blocks in a row, a block that raises, nested blocks, another switch's name."""
    with _restoring():
        _two_blocks_in_a_row(no_grad)
        _a_block_that_raises(no_grad)
        _nested_blocks(using_config, no_grad)
        _another_name(using_config)


class _restoring:
    def __enter__(self):
        return self

    def __exit__(self, *error):
        Config.enable_backprop = True


def _enter(no_grad, label="no_grad"):
    """The context manager no_grad() returns, entered like `with` does: (manager, exit function)."""
    manager = call(no_grad, name=label)
    expect_true(hasattr(manager, "__enter__") and hasattr(manager, "__exit__"),
                f"no_grad() returned {manager!r}, not a context manager: return "
                f"using_config(\"enable_backprop\", False)")
    return manager


def _expect_switches_off_and_back(no_grad):
    x = general.Variable(np.array(3.0))
    manager = _enter(no_grad)
    call(manager.__enter__, name="entering `with no_grad():`")
    inside = Config.enable_backprop
    y = general.square(x)
    call(manager.__exit__, None, None, None, name="leaving `with no_grad():`")
    expect_true(inside is False,
                f"inside `with no_grad():` Config.enable_backprop is {inside!r}, expected False: set the "
                f"attribute on the class Config itself (setattr(Config, name, value))")
    expect_true(y.creator is None, "under no_grad, square(x) still recorded a creator")
    expect_true(Config.enable_backprop is True,
                f"after the with block Config.enable_backprop is {Config.enable_backprop!r}: put the old "
                f"value back")
    expect_true(general.square(x).creator is not None,
                "after the with block, square(x) records no graph any more")


def _two_blocks_in_a_row(no_grad):
    try:
        for _ in range(2):
            with call(no_grad, name="no_grad"):
                pass
    except (RuntimeError, TypeError, AttributeError) as error:
        raise AssertionError(f"a second `with no_grad():` failed ({type(error).__name__}: {error}): "
                             f"no_grad() must return a new context manager each time it is called") from None


def _a_block_that_raises(no_grad):
    try:
        with call(no_grad, name="no_grad"):
            raise KeyError("raised inside the block by the test")
    except KeyError:
        pass
    expect_true(Config.enable_backprop is True,
                f"after a with block that raised an exception, Config.enable_backprop is "
                f"{Config.enable_backprop!r}: restore the old value in a `finally:` (try: yield / finally: ...)")


def _nested_blocks(using_config, no_grad):
    with call(no_grad, name="no_grad"):
        with call(no_grad, name="no_grad"):
            pass
        expect_true(Config.enable_backprop is False,
                    f"after a no_grad block nested inside another, Config.enable_backprop is "
                    f"{Config.enable_backprop!r} while the outer block is still running: restore the value "
                    f"read on entry, not True")
        with call(using_config, "enable_backprop", True, name="using_config"):
            expect_true(Config.enable_backprop is True,
                        "using_config('enable_backprop', True) inside no_grad did not set True")
        expect_true(Config.enable_backprop is False,
                    f"a using_config block nested in no_grad left Config.enable_backprop = "
                    f"{Config.enable_backprop!r} behind: each block restores what it found on entry")
    expect_true(Config.enable_backprop is True,
                f"after two nested blocks Config.enable_backprop is {Config.enable_backprop!r}, not True: the "
                f"inner block overwrote the value the outer one had saved. Keep the old value in a local "
                f"variable of each call (or on self), not in one shared place")


def _another_name(using_config):
    Config.probe_switch = "before"
    try:
        with call(using_config, "probe_switch", 0, name="using_config"):
            expect_true(Config.probe_switch == 0 and Config.enable_backprop is True,
                        "using_config('probe_switch', 0) must set Config.probe_switch to 0 and leave "
                        "enable_backprop alone: use the name you are given (setattr(Config, name, value))")
        expect_true(Config.probe_switch == "before", "using_config did not restore Config.probe_switch")
    finally:
        del Config.probe_switch
