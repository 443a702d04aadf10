"""Run a student notebook with answers written in, the way an outside grader would.

    results = run_with_answers("03_gates", {"add_gate": ANSWER_SOURCE, ...})
    results["test_add_gate"].passed, results["test_add_gate"].message

Answer cells not named keep their stub. The instructor notebook's hidden tests are put back
into the test cells, as the autograder does, so hidden tests judge the answers too.
"""
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPOSITORY = Path(__file__).resolve().parents[1]


@dataclass
class TestResult:
    passed: bool
    error_name: str = ""
    message: str = ""


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


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def is_test(cell):
    return cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade", False)


def result_of(cell):
    errors = [o for o in cell.outputs if o.output_type == "error"]
    if not errors:
        return TestResult(True)
    return TestResult(False, errors[0].ename, errors[0].evalue)
