"""What reaches the instructor's terminal and log: student text without terminal control characters."""
import logging

import pytest

from backprop_course.console import ProgressBar, log_to_file, plain, say

pytestmark = pytest.mark.pipeline

FORGERIES = {
    "clear the screen": "\x1b[2J\x1b[H",
    "recolour": "\x1b[1;32m",
    "set the window title": "\x1b]0;all tests passed\x07",
    "a hyperlink": "\x1b]8;;http://example.invalid\x1b\\",
    "carriage return over the line": "\r",
    "backspaces": "\x08\x08\x08",
    "an 8-bit CSI": "\x9b31m",
    "reorder text right to left": "\u202e",
    "a bell and a NUL": "\x07\x00",
}


@pytest.mark.parametrize("control", FORGERIES.values(), ids=FORGERIES)
def test_plain_removes_every_control_and_keeps_the_text(control):
    assert plain(f"ada{control}/01 ok") == "ada/01 ok"


def test_newlines_tabs_and_unicode_text_stay():
    assert plain("grad:\t0.5\nλ = 3 · x — ok ✓") == "grad:\t0.5\nλ = 3 · x — ok ✓"


def test_say_prints_plain_text(capsys):
    say("student", "\x1b[2Jmallory\r", "[ok]")
    assert capsys.readouterr().out == "student mallory [ok]\n"


def test_the_progress_bar_shows_a_plain_label(capsys):
    class Terminal:
        written = []

        def isatty(self):
            return True

        def write(self, text):
            self.written.append(text)

        def flush(self):
            pass

    terminal = Terminal()
    ProgressBar(1, stream=terminal).advance("\x1b[2Jeve/01")
    assert "\x1b" not in "".join(terminal.written) and "eve/01" in "".join(terminal.written)


def test_the_log_file_gets_plain_text(tmp_path):
    log = tmp_path / "run.log"
    log_to_file(log)
    try:
        logging.getLogger("student").warning("printed: %s", "\x1b[31mall passed\x1b[0m\rX")
    finally:  # leave the test process's logging as pytest set it up
        logging.captureWarnings(False)
        logging.basicConfig(force=True, handlers=[logging.NullHandler()])
    assert "printed: all passedX" in log.read_text() and "\x1b" not in log.read_text()
