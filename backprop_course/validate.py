"""Validate: what a student runs before submitting.

Runs the notebook as the student has it (visible tests only), then says per exercise whether
its test passed, with the test's message when not. Unlike `nbgrader validate` (which always
exits 0, nbgrader issue #1908) the result is meant to decide an exit code.
"""
import os
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader import utils

from . import contract
from .kernels.execute import NOT_RUN, GradingExecute, describe_cell
from .kernels.grader import read_submission
from .kernels.startup import KernelSupply
from .test_cells import failure_message


@dataclass
class Validation:
    path: Path
    exercises: dict = field(default_factory=dict)  # exercise -> None when passed, else the message
    problems: list = field(default_factory=list)  # everything else that went wrong, in words

    @property
    def passed(self):
        return not self.problems and all(message is None for message in self.exercises.values())

    def lines(self):
        passed = sum(message is None for message in self.exercises.values())
        lines = [f"{self.path}: {passed} of {len(self.exercises)} exercises pass"]
        for exercise, message in self.exercises.items():
            lines.append(f"  passed  {exercise}" if message is None else f"  FAILED  {exercise}: {message}")
        lines += [f"  problem {problem}" for problem in self.problems]
        return lines


def error_message(cell):
    """'Name: message' of the cell's first error, indented to sit under the exercise, or None."""
    for output in cell.get("outputs", []):
        if output.output_type == "error":
            return f"{output.ename}: {output.evalue}".strip().replace("\n", "\n          ")
    return None


def changed_test_cells(notebook):
    return [cell.metadata.nbgrader["grade_id"] for cell in notebook.cells
            if utils.is_grade(cell) and cell.metadata.nbgrader.get("checksum") not in (None, utils.compute_checksum(cell))]


def validate_notebook(path, kernels, config):
    path = Path(path)
    notebook, problem = read_submission(path)
    if problem:
        return Validation(path, problems=[problem[1]])
    validation = Validation(path)
    validation.problems += [f"test cell `{grade_id}` differs from the one handed out: grading uses the original"
                            for grade_id in changed_test_cells(notebook)]
    executor = GradingExecute(config=config)
    resources = {"metadata": {"path": str(path.parent.resolve())}}
    notebook, _ = executor.preprocess(notebook, resources, km=kernels.take())
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

