"""What a graded test cell's outputs say: passed, or the message it failed with, and its outcome.

nbgrader scores a test cell 0 when its outputs hold an error or anything on stderr. The
grading package's test blocks write a failure to stderr (so Run All goes on) and leave an
outcome display (`backprop_grading.OUTCOME_MIME`); a test cell may still end in an error
(a check written outside a block, a kernel that died).
"""
from nbgrader import utils

# the grading package's outcome display; spelled here so the instructor's side need not import it
OUTCOME_MIME = "application/vnd.backprop-grading.outcome+json"


def failure_message(cell):
    """The message a test cell failed with ("Name: message" of an error, or its stderr), else None."""
    for output in cell.get("outputs", []):
        if output.output_type == "error":
            return f"{output.ename}: {output.evalue}".strip()
        if output.output_type == "stream" and output.name == "stderr":
            return "".join(output.text).strip() or "(an empty line on stderr)"
    return None


def outcome(cell):
    """The test block's outcome in a cell: "passed", "failed", "unfinished", "reference answer", or None."""
    for output in cell.get("outputs", []):
        if output.output_type == "display_data" and OUTCOME_MIME in output.get("data", {}):
            return output.data[OUTCOME_MIME].get("outcome")
    return None


def test_cells(notebook):
    """(index, cell) of every graded code cell (an nbgrader test cell)."""
    return [(index, cell) for index, cell in enumerate(notebook.cells)
            if cell.cell_type == "code" and utils.is_grade(cell)]


def drop_outcomes(notebook):
    """Remove the outcome displays once read: the feedback page has no use for them."""
    for _, cell in test_cells(notebook):
        cell.outputs = [output for output in cell.outputs
                        if not (output.output_type == "display_data" and OUTCOME_MIME in output.get("data", {}))]
