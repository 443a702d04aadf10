"""Validate: what a student runs before submitting.

Runs the notebook as the student has it (visible tests only), then says per exercise whether
its visible tests passed, with the test's message when not, and how many hidden tests the
grader will run as well (counted in the instructor's notebook, when this course folder has it).
Unlike `nbgrader validate` (which always exits 0, nbgrader issue #1908) the result is meant to
decide an exit code.
"""
import ast
import os
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader import utils

from . import contract
from .config import stage_path
from .kernels.execute import NOT_RUN, GradingExecute, describe_cell
from .kernels.grader import read_submission
from .kernels.startup import KernelSupply
from .test_cells import failure_message, score_by_outcome

HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


@dataclass
class Validation:
    path: Path
    exercises: dict = field(default_factory=dict)  # exercise -> None when passed, else the message
    problems: list = field(default_factory=list)  # everything else that went wrong, in words
    hidden: dict = field(default_factory=dict)  # exercise -> hidden tests run at grading (if known)

    @property
    def passed(self):
        return not self.problems and all(message is None for message in self.exercises.values())

    def lines(self):
        passed = sum(message is None for message in self.exercises.values())
        lines = [f"{self.path}: the visible tests of {passed} of {len(self.exercises)} exercises pass "
                 f"(only visible tests ran here; hidden tests run when it is graded)"]
        for exercise, message in self.exercises.items():
            result = "  passed  " if message is None else "  FAILED  "
            lines.append(f"{result}{exercise} ({self.hidden_tests(exercise)})"
                         + ("" if message is None else f": {message}"))
        lines += [f"  problem {problem}" for problem in self.problems]
        return lines

    def hidden_tests(self, exercise):
        count = self.hidden.get(exercise)
        if count is None:
            return "visible tests; hidden tests run at grading"
        return f"visible tests; {count} hidden test{'s' * (count != 1)} will run at grading"


def error_message(cell):
    """'Name: message' of the cell's first error, indented to sit under the exercise, or None."""
    for output in cell.get("outputs", []):
        if output.output_type == "error":
            return f"{output.ename}: {output.evalue}".strip().replace("\n", "\n          ")
    return None


def changed_test_cells(notebook):
    return [cell.metadata.nbgrader["grade_id"] for cell in notebook.cells
            if utils.is_grade(cell) and cell.metadata.nbgrader.get("checksum") not in (None, utils.compute_checksum(cell))]


def stage_of(notebook):
    """The stage whose exercises the notebook's test cells test, or None."""
    exercises = {contract.tested_exercise(cell) for cell in notebook.cells} - {None}
    return next((stage for stage, points in contract.CONTRACT.items() if exercises & set(points)), None)


def hidden_test_counts(config, stage):
    """exercise -> how many checks the hidden part of its test cell holds, read from the
    instructor's notebook of `stage`; empty when this course folder does not have it."""
    if stage is None:
        return {}
    source = stage_path(config, "source", ".", stage) / f"{stage}.ipynb"
    if not source.is_file():
        return {}
    cells = nbformat.read(source, as_version=4).cells
    return {contract.tested_exercise(cell): count_hidden(cell.source) for cell in cells
            if contract.tested_exercise(cell)}


def count_hidden(source):
    """Statements between the hidden-test markers (lines of code, if they do not parse alone)."""
    regions = [part.split(HIDDEN_END)[0] for part in source.split(HIDDEN_BEGIN)[1:]]
    count = 0
    for region in regions:
        try:
            count += len(ast.parse(textwrap.dedent(region)).body)
        except SyntaxError:
            count += sum(1 for line in region.splitlines() if line.strip() and not line.strip().startswith("#"))
    return count


def validate_notebook(path, kernels, config):
    path = Path(path)
    notebook, problem = read_submission(path)
    if problem:
        return Validation(path, problems=[problem[1]])
    validation = Validation(path, hidden=hidden_test_counts(config, stage_of(notebook)))
    validation.problems += [f"test cell `{grade_id}` differs from the one handed out: grading uses the original"
                            for grade_id in changed_test_cells(notebook)]
    executor = GradingExecute(config=config)
    resources = {"metadata": {"path": str(path.parent.resolve())}}
    notebook, _ = executor.preprocess(notebook, resources, km=kernels.take())
    score_by_outcome(notebook)
    validation.problems += executor.notes
    for index, cell in enumerate(notebook.cells):
        message = error_message(cell)
        if utils.is_grade(cell):
            message = failure_message(cell)  # a test block reports on stderr
            validation.exercises[contract.exercise_of(cell.metadata.nbgrader["grade_id"])] = (
                message and message.replace("\n", "\n          "))
        elif message and NOT_RUN not in message:
            validation.problems.append(f"{describe_cell(notebook, index)} raised {message}")
    if not validation.exercises:
        validation.problems.append("this notebook has no graded test cells: is it a course notebook?")
    return validation


def validate_notebooks(paths, config, log=None):
    """Run each notebook in a fresh kernel (started ahead of need); return a Validation for each."""
    environment = {**os.environ, "NBGRADER_VALIDATING": "1", "NBGRADER_EXECUTION": "validate"}
    kernels = KernelSupply(config, log=log, env=environment)
    try:
        return [validate_notebook(path, kernels, config) for path in paths]
    finally:
        kernels.close()

