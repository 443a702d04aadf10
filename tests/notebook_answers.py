"""Run a student notebook with answers written in, the way an outside grader would.

    results = run_with_answers("03_gates", {"add_gate": ANSWER_SOURCE, ...})
    results["test_add_gate"].passed, results["test_add_gate"].message

A test module usually runs each set of answers once, as a fixture (`correct =
kernel_run(STAGE, CORRECT)`), then reads the results with `failures` and `failed`.

Answer cells not named keep their stub. The instructor notebook's hidden tests are put back
into the test cells, as the autograder does, so hidden tests judge the answers too.
"""
import textwrap
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from backprop_course.test_cells import failure_message, outcome

REPOSITORY = Path(__file__).resolve().parents[1]


@dataclass
class TestResult:
    passed: bool
    outcome: str = "passed"  # the test block's: "failed", "unfinished", "reference answer"
    message: str = ""


def source(text):
    """An answer cell's source from an indented triple-quoted string."""
    return textwrap.dedent(text).strip() + "\n"


def run_with_answers(stage, answers, timeout=120):
    student = nbformat.read(REPOSITORY / "notebooks" / stage / f"{stage}.ipynb", as_version=4)
    instructor = nbformat.read(REPOSITORY / "solutions" / stage / f"{stage}.ipynb", as_version=4)
    tests_with_hidden = {grade_id(c): c.source for c in instructor.cells if is_test(c)}
    unknown = set(answers) - {grade_id(c) for c in student.cells}
    if unknown:
        raise KeyError(f"{stage} has no answer cell {sorted(unknown)}")
    for cell in student.cells:
        if grade_id(cell) in answers:
            cell.source = answers[grade_id(cell)]
        elif is_test(cell):
            cell.source = tests_with_hidden[grade_id(cell)]
    path = REPOSITORY / "notebooks" / stage
    NotebookClient(student, timeout=timeout, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path)}}).execute()
    return {grade_id(c): result_of(c) for c in student.cells if is_test(c)}


def kernel_run(stage, answers):
    """A fixture for one test module: `stage` run once in a real kernel with `answers`."""
    @pytest.fixture(scope="module")
    def results():
        return run_with_answers(stage, answers)
    return results


def kernel_runs(stage, answer_sets):
    """kernel_run for several sets of answers: the fixture gives {label: results}."""
    @pytest.fixture(scope="module")
    def results():
        return {label: run_with_answers(stage, answers) for label, answers in answer_sets.items()}
    return results


def failures(results):
    """{test cell: "outcome: message"} for every test cell that failed."""
    return {cell: f"{r.outcome}: {r.message}" for cell, r in results.items() if not r.passed}


def failed(results, cell):
    """The result of a test cell that these answers must fail."""
    result = results[cell]
    assert not result.passed, f"{cell} passed, but the answers written in should fail it"
    return result


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def is_test(cell):
    return cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade", False)


def result_of(cell):
    """What nbgrader would score (an error or stderr is a failure), with the test block's outcome."""
    message = failure_message(cell)
    if message is None:
        return TestResult(True)
    return TestResult(False, outcome(cell) or "error", message)
