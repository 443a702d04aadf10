"""A test cell scores by its test block's outcome as well as by its stderr: a failure an answer
kept from stderr, or a block that reported nothing, still scores 0 under nbgrader's own rule."""
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output
from nbgrader.utils import determine_grade

from backprop_course.test_cells import OUTCOME_MIME, failure_message, outcome, score_by_outcome

pytestmark = pytest.mark.grading

BLOCK = 'with check.exercise("sum_to"):\n    check.sum_to_random(sum_to, seed=1)'


def graded_cell(source=BLOCK, outputs=()):
    cell = new_code_cell(source, outputs=list(outputs))
    cell.metadata.nbgrader = {"grade": True, "solution": False, "locked": True, "points": 3,
                              "grade_id": "test_sum_to", "schema_version": 3}
    return cell


def reported(outcome, message=""):
    return new_output("display_data", data={OUTCOME_MIME: {"exercise": "sum_to", "outcome": outcome,
                                                           "message": message}})


def scored(cell):
    score_by_outcome(new_notebook(cells=[cell]))
    return determine_grade(cell)[0], failure_message(cell)


def test_a_failure_kept_from_stderr_scores_0_with_its_message():
    cell = graded_cell(outputs=[reported("failed", "sum_to((2, 3) -> (3,)): expected [5 7 9], got 0")])
    assert scored(cell) == (0, "sum_to((2, 3) -> (3,)): expected [5 7 9], got 0")


def test_any_outcome_but_passed_counts_even_after_a_passed_one():
    cell = graded_cell(outputs=[reported("passed"), reported("reference answer", "runs the reference")])
    assert scored(cell) == (0, "runs the reference")


def test_a_test_block_that_reported_nothing_scores_0():
    points, message = scored(graded_cell())
    assert points == 0 and "reported no outcome" in message


@pytest.mark.parametrize("cell", [
    graded_cell(outputs=[new_output("stream", name="stdout", text="sum_to: the tests in this cell passed\n"),
                       reported("passed")]),
    graded_cell(source="assert sum_to([1, 2], ()) == 3"),  # a lecturer's own test, without a block
], ids=["passed", "no test block"])
def test_a_passed_block_and_a_plain_test_keep_their_points(cell):
    assert scored(cell) == (3, None)


def test_what_an_answer_publishes_as_an_outcome_cannot_hide_the_real_one():
    forged = new_output("display_data", data={OUTCOME_MIME: "passed"})
    cell = graded_cell(outputs=[forged, reported("passed"), reported("reference answer", "runs the reference")])
    assert outcome(cell) == "reference answer" and scored(cell) == (0, "runs the reference")


def test_a_failure_already_on_stderr_is_not_written_twice():
    cell = graded_cell(outputs=[new_output("stream", name="stderr", text="expected 3, got 2\n"),
                              reported("failed", "expected 3, got 2")])
    assert scored(cell) == (0, "expected 3, got 2") and len(cell.outputs) == 2
