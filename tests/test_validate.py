"""`backprop-course validate`: what a student runs before submitting, with a meaningful exit code."""
import os
import subprocess
import sys
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
def notebooks(tmp_path_factory):
    """The toy's student notebook: as released, solved, and with a forward difference."""
    root, source = toy_course(tmp_path_factory.mktemp("course"))
    [released] = generate_student_notebooks(config=load_config(root))
    blank, solution = nbformat.read(released, as_version=4), nbformat.read(source, as_version=4)
    folder = tmp_path_factory.mktemp("student")
    paths = {}
    for name, work in {"blank": Work(unanswered=("*",)), "solved": Work(), "forward": Work(answers=(FORWARD,))}.items():
        paths[name] = folder / f"{name}.ipynb"
        nbformat.write(submission(blank, solution, work), paths[name])
    return paths


def validate(*paths):
    environment = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run([str(BIN / "backprop-course"), "validate", *map(str, paths)], env=environment,
                          capture_output=True, text=True, cwd=Path(paths[0]).parent)


def test_passing_notebooks_exit_with_0(notebooks):
    """A forward difference passes too: a student has only the visible tests (hidden ones are the grader's)."""
    finished = validate(notebooks["solved"], notebooks["forward"])
    assert finished.returncode == 0, finished.stdout
    assert "2 of 2 exercises pass" in finished.stdout
    assert "passed  numerical_diff" in finished.stdout
    assert "2 of 2 notebooks pass" in finished.stdout


def test_failures_are_named_with_their_message_and_exit_code_1(notebooks, tmp_path):
    broken = tmp_path / f"{TOY_STAGE}.ipynb"
    broken.write_text('{"cells": [')
    finished = validate(notebooks["blank"], broken, notebooks["solved"])
    assert finished.returncode == 1
    assert "FAILED  numerical_diff: NotImplementedError" in finished.stdout
    assert "not a readable notebook" in finished.stdout
    assert "1 of 3 notebooks pass" in finished.stdout


def test_a_missing_notebook_is_a_usage_error(tmp_path):
    finished = validate(tmp_path / "nothing.ipynb")
    assert finished.returncode == 2
    assert "no such notebook" in finished.stderr
