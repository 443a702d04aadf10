"""What a graded test cell's outputs say: passed, or the message it failed with, and its outcome.

nbgrader scores a test cell 0 when its outputs hold an error or anything on stderr. The
grading package's test blocks write a failure to stderr (so Run All goes on) and leave an
outcome display (`backprop_grading.OUTCOME_MIME`); a test cell may still end in an error
(a check written outside a block, a kernel that died).
"""
import re

from nbformat.v4 import new_output
from nbgrader import utils

# the grading package's outcome display; spelled here so the instructor's side need not import it
OUTCOME_MIME = "application/vnd.backprop-grading.outcome+json"
TEST_BLOCK = re.compile(r"\.exercise\(")  # a test cell that runs a test block, `with check.exercise(...)`


def failure_message(cell):
    """The message a test cell failed with ("Name: message" of an error, or its stderr), else None."""
    for output in cell.get("outputs", []):
        if output.output_type == "error":
            return f"{output.ename}: {output.evalue}".strip()
        if output.output_type == "stream" and output.name == "stderr":
            return "".join(output.text).strip() or "(an empty line on stderr)"
    return None


def outcome(cell):
    """The outcome that counts in a cell: the first that is not "passed" ("failed", "unfinished",
    "reference answer"), else "passed", else None."""
    reported = [report.get("outcome") for report in outcomes(cell)]
    return next((name for name in reported if name != "passed"), reported[0] if reported else None)


def outcomes(cell):
    """Every outcome display in a cell ({"exercise", "outcome", "message"}), in order."""
    reports = [output.data[OUTCOME_MIME] for output in cell.get("outputs", []) if _is_outcome(output)]
    return [report for report in reports if isinstance(report, dict)]  # an answer may publish anything


def score_by_outcome(notebook):
    """A test block that did not pass scores 0 whatever reached stderr, and so does a test cell
    whose block reported nothing: an answer that silenced stderr (or the report) before the
    block's message got there gains nothing. The message goes to stderr, where nbgrader looks."""
    for _, cell in test_cells(notebook):
        if failure_message(cell) is not None or not TEST_BLOCK.search(cell.source):
            continue
        reported = outcomes(cell)
        failed = [report for report in reported if report.get("outcome") != "passed"]
        if failed:
            text = str(failed[0].get("message") or failed[0].get("outcome"))
        elif not reported:
            text = "this test reported no outcome: something in the notebook kept it from reporting"
        else:
            continue
        cell.outputs.append(new_output("stream", name="stderr", text=f"{text}\n"))


def test_cells(notebook):
    """(index, cell) of every graded code cell (an nbgrader test cell)."""
    return [(index, cell) for index, cell in enumerate(notebook.cells)
            if cell.cell_type == "code" and utils.is_grade(cell)]


def drop_outcomes(notebook):
    """Remove the outcome displays once read: the feedback page has no use for them."""
    for _, cell in test_cells(notebook):
        cell.outputs = [output for output in cell.outputs if not _is_outcome(output)]


def _is_outcome(output):
    return output.output_type == "display_data" and OUTCOME_MIME in output.get("data", {})
