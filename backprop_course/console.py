"""What the terminal shows: a progress bar and tables. Everything else goes to a log file."""
import logging
import shutil
import sys
import time
import warnings


def log_to_file(path):
    """Send all logging and warnings (SQLAlchemy's SAWarning, nbformat's notices...) to `path`."""
    logging.basicConfig(filename=path, level=logging.INFO, force=True,
                        format="%(asctime)s %(process)d %(name)s %(levelname)s %(message)s")
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
            self.stream.write(f"\r[{bar}] {self.done}/{self.total} {label[:30]:<30}")
            if self.done == self.total:
                self.stream.write("\n")
        elif self.done == self.total or self.done % max(1, self.total // 10) == 0:
            self.stream.write(f"{self.done}/{self.total} graded\n")
        self.stream.flush()

    def seconds(self):
        return time.monotonic() - self.started
