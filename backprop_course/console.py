"""What the terminal shows: a progress bar and tables. Everything else goes to a log file.

Student text (names of folders, messages of their errors, what their code printed) reaches the
terminal and the log only through `plain`, so nothing a student writes can move the cursor,
clear the screen, recolour or reorder what the instructor reads.
"""
import logging
import re
import shutil
import sys
import time
import warnings

# ANSI/VT escape sequences (CSI, OSC, and two-byte ones), then every other control character
# but newline and tab: C0, DEL, C1, and the Unicode controls that reorder text (bidi).
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]|\x9b[0-?]*[ -/]*[@-~]")
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def plain(text):
    """text without terminal escape sequences and control characters (newlines and tabs stay)."""
    return _CONTROLS.sub("", _ESCAPES.sub("", str(text)))


def one_line(text):
    """text on one line with nothing hidden: a character that does not print (newline, escape,
    a bidi control) shows as its escape, so `ada\\u202e` cannot pass for `ada` nor a name for two rows."""
    return "".join(char if char.isprintable() and char != "\\" else char.encode("unicode_escape").decode()
                   for char in str(text))


def say(*parts, sep=" ", end="\n", file=None):
    """print(), made plain: for anything that may carry student text."""
    print(plain(sep.join(str(part) for part in parts)), end=end, file=file or sys.stdout)


class PlainFormatter(logging.Formatter):
    def format(self, record):
        return plain(super().format(record))


def log_to_file(path):
    """Send all logging and warnings (SQLAlchemy's SAWarning, nbformat's notices...) to `path`."""
    handler = logging.FileHandler(path)
    handler.setFormatter(PlainFormatter("%(asctime)s %(process)d %(name)s %(levelname)s %(message)s"))
    logging.basicConfig(handlers=[handler], level=logging.INFO, force=True)
    logging.captureWarnings(True)
    warnings.simplefilter("default")


def stop_logging():
    """Close the log file; later logging and warnings (at interpreter exit, too) are dropped."""
    logging.captureWarnings(False)
    warnings.simplefilter("ignore")
    for handler in logging.root.handlers[:]:
        handler.close()
        logging.root.removeHandler(handler)
    logging.root.addHandler(logging.NullHandler())


class ProgressBar:
    """`[#####-----] 12/40 ada/03_gates` on one terminal line; on a pipe, a line per tenth."""

    def __init__(self, total, stream=None):
        self.total = total
        self.done = 0
        self.stream = stream or sys.stderr
        self.interactive = self.stream.isatty()
        self.started = time.monotonic()

    def advance(self, label=""):
        self.done += 1
        if self.interactive:
            width = max(10, min(40, shutil.get_terminal_size().columns - 40))
            filled = width * self.done // self.total
            bar = "#" * filled + "-" * (width - filled)
            self.stream.write(f"\r[{bar}] {self.done}/{self.total} {one_line(label)[:30]:<30}")
            if self.done == self.total:
                self.stream.write("\n")
        elif self.done == self.total or self.done % max(1, self.total // 10) == 0:
            self.stream.write(f"{self.done}/{self.total} graded\n")
        self.stream.flush()

    def seconds(self):
        return time.monotonic() - self.started
