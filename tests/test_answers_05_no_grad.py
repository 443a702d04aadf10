"""Stage 05's no_grad checks called directly: each slip on the stage classes' Config is named
and leaves recording back on, and the alternatives that must pass do."""
import contextlib

import pytest

from autograd_ref.stages.general import Config
from backprop_grading import stage05 as check
from grading_cells import failure

pytestmark = pytest.mark.stage05


def _switch(enter_and_exit):
    """(using_config, no_grad) from `enter_and_exit(name, value)`: a generator that yields once."""
    using_config = contextlib.contextmanager(enter_and_exit)
    return using_config, lambda: using_config("enable_backprop", False)


def _restoring_in_finally(name, value):
    old = getattr(Config, name)
    setattr(Config, name, value)
    try:
        yield
    finally:
        setattr(Config, name, old)


def _restoring_true(name, value):
    setattr(Config, name, value)
    try:
        yield
    finally:
        setattr(Config, name, True)


_SAVED = {}


def _one_shared_slot(name, value):
    _SAVED["old"] = getattr(Config, name)
    setattr(Config, name, value)
    try:
        yield
    finally:
        setattr(Config, name, _SAVED["old"])


def _ignoring_the_name(name, value):
    old = Config.enable_backprop
    Config.enable_backprop = value
    try:
        yield
    finally:
        Config.enable_backprop = old


def _on_an_instance(name, value):
    config = Config()
    old = getattr(config, name)
    setattr(config, name, value)
    try:
        yield
    finally:
        setattr(config, name, old)


def _one_manager_for_every_call():
    using_config, _ = _switch(_restoring_in_finally)
    manager = using_config("enable_backprop", False)
    return using_config, lambda: manager


@pytest.mark.grading
@pytest.mark.parametrize("answer, phrase", [
    (_switch(_restoring_true), "restore the value read on entry, not True"),
    (_switch(_one_shared_slot), "not in one shared place"),
    (_switch(_ignoring_the_name), "use the name you are given"),
    (_switch(_on_an_instance), "set the attribute on the class Config itself"),
    (_one_manager_for_every_call(), "must return a new context manager each time"),
])
def test_no_grad_slips_are_named_and_recording_is_back_on(answer, phrase):
    using_config, no_grad = answer
    message = failure(lambda: (check.no_grad_value(no_grad), check.no_grad_scenarios(using_config, no_grad)))
    assert phrase in message
    assert Config.enable_backprop is True


@pytest.mark.grading
def test_the_generator_with_finally_passes():
    using_config, no_grad = _switch(_restoring_in_finally)
    check.no_grad_value(no_grad)
    check.no_grad_scenarios(using_config, no_grad)
