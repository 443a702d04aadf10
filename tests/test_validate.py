"""`backprop-course validate`: what a student runs before submitting, with a meaningful exit code."""
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from backprop_course.config import load_config
from backprop_course.assignments import generate_student_notebooks
from backprop_course.sample_class import Work, submission
from pipeline_toy import FORWARD, TOY_STAGE, toy_course

pytestmark = pytest.mark.pipeline

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return toy_course(tmp_path_factory.mktemp("course"))


@pytest.fixture(scope="module")
def notebooks(course, tmp_path_factory):
    """The toy's student notebook: as released, solved, and with a forward difference."""
    root, source = course
    [released] = generate_student_notebooks(config=load_config(root))
    blank, solution = nbformat.read(released, as_version=4), nbformat.read(source, as_version=4)
    folder = tmp_path_factory.mktemp("student")
    paths = {}
    for name, work in {"blank": Work(unanswered=("*",)), "solved": Work(), "forward": Work(answers=(FORWARD,))}.items():
        paths[name] = folder / f"{name}.ipynb"
        nbformat.write(submission(blank, solution, work), paths[name])
    return paths


def validate(*paths, options=(), temporary=None):
    """Run `backprop-course validate`; `temporary`: the temporary folder it sees (for its logs)."""
    environment = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    if temporary:
        environment["TMPDIR"] = str(temporary)
    return subprocess.run([str(BIN / "backprop-course"), "validate", *options, *map(str, paths)], env=environment,
                          capture_output=True, text=True, cwd=Path(paths[0]).parent)


@pytest.fixture
def temporary():
    """A fresh temporary folder of a short name (kernels do not start under a very long TMPDIR)."""
    with tempfile.TemporaryDirectory(prefix="validate-") as folder:
        yield Path(folder)


def details_log(finished):
    return Path(re.search(r"\(details: (.+)\)", finished.stdout).group(1))


def test_passing_notebooks_exit_with_0_and_leave_no_log(notebooks, temporary):
    """A forward difference passes too: a student has only the visible tests (hidden ones are the grader's)."""
    finished = validate(notebooks["solved"], notebooks["forward"], temporary=temporary)
    assert finished.returncode == 0, finished.stdout
    assert "the visible tests of 2 of 2 exercises pass (only visible tests ran here" in finished.stdout
    assert "passed  numerical_diff (visible tests; 3 hidden tests will run at grading)" in finished.stdout  # solutions/
    assert "2 of 2 notebooks pass" in finished.stdout
    assert "details:" not in finished.stdout and not list(temporary.iterdir())


def test_a_log_that_cannot_be_written_is_a_usage_error_not_a_traceback(notebooks):
    finished = validate(notebooks["solved"], options=["--log", "/dev/null/validate.log"])
    assert finished.returncode == 2
    assert "cannot write the log file /dev/null/validate.log" in finished.stderr and "--log FILE" in finished.stderr
    assert "Traceback" not in finished.stderr


def test_help_names_the_real_default_log(notebooks):
    finished = subprocess.run([str(BIN / "backprop-course"), "validate", "--help"], capture_output=True, text=True)
    assert "for validate, a new file per run" in " ".join(finished.stdout.split())


def test_failures_are_named_with_their_message_and_exit_code_1_and_logged_in_a_file_of_their_own(
        notebooks, tmp_path, temporary):
    """Without the instructor's notebook (a student's copy of the course) hidden tests are announced, uncounted."""
    broken = tmp_path / f"{TOY_STAGE}.ipynb"
    broken.write_text('{"cells": [')
    finished = validate(notebooks["blank"], broken, notebooks["solved"], options=["--course", str(tmp_path)],
                        temporary=temporary)
    assert finished.returncode == 1
    assert "FAILED  numerical_diff (visible tests; hidden tests run at grading): NotImplementedError" in finished.stdout
    assert "not a readable notebook" in finished.stdout
    assert "1 of 3 notebooks pass" in finished.stdout
    log = details_log(finished)
    assert log.parent == temporary and log.name.startswith("backprop-course-validate-") and log.stat().st_size


def test_a_missing_notebook_is_a_usage_error(tmp_path):
    finished = validate(tmp_path / "nothing.ipynb")
    assert finished.returncode == 2
    assert "no such notebook" in finished.stderr
