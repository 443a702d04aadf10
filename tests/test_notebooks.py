"""Every stage notebook, executed in a real kernel as Run All does (stopping at the first error):
the instructor version earns every point, the untouched student version runs every cell and
scores 0 on every test with a short message (unfinished exercises fall back to the reference),
and the student version holds no solution and no hidden test (that it is exactly what nbgrader
generates is test_release's).

Run one stage with `pytest -m stage03`.
"""
import functools
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbgrader.utils import determine_grade

from autograd_ref.drawing.picture import MAX_WIDTH_PT, svg_width
from backprop_course import contract

pytestmark = pytest.mark.notebooks
REPOSITORY = Path(__file__).resolve().parents[1]
DRAWING_CALL = re.compile(r"\b(draw|draw_circuit|draw_nodes|show_backward_steps)\(")
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


def notebook_path(kind, stage):
    return REPOSITORY / kind / stage / f"{stage}.ipynb"


def stage_params():
    return [pytest.param(stage, marks=getattr(pytest.mark, f"stage{stage[:2]}")) for stage in contract.STAGES]


@functools.cache
def executed(kind, stage):
    """The notebook after running it top to bottom in a fresh kernel, stopping at the first
    error as JupyterLab's Run All does (an error fails the test that asked for the notebook)."""
    path = notebook_path(kind, stage)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", allow_errors=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    return nb


def nbgrader(cell):
    return cell.metadata.get("nbgrader", {})


def is_test_cell(cell):
    return nbgrader(cell).get("grade", False) and cell.cell_type == "code"


def score(cell):
    """What nbgrader gives the test cell: (points, out of)."""
    return determine_grade(cell)


def text_of(cell):
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


@pytest.mark.parametrize("stage", stage_params())
def test_instructor_notebook_runs_and_earns_every_point(stage):
    tests = [cell for cell in executed("solutions", stage).cells if is_test_cell(cell)]
    assert tests and all(score(cell)[0] == score(cell)[1] for cell in tests), \
        [(nbgrader(cell)["grade_id"], text_of(cell)) for cell in tests if score(cell)[0] != score(cell)[1]]


@pytest.mark.parametrize("stage", stage_params())
def test_untouched_student_notebook_runs_every_cell_and_scores_0_with_short_messages(stage):
    cells = executed("notebooks", stage).cells  # Run All: no cell raised, or this fails
    code = [cell for cell in cells if cell.cell_type == "code"]
    assert all(cell.get("execution_count") for cell in code), "a cell did not run"
    for cell in filter(is_test_cell, code):
        grade_id, message = nbgrader(cell)["grade_id"], text_of(cell)
        assert score(cell)[0] == 0, f"{grade_id} earns points with no answer written"
        assert "is not implemented yet" in message and len(message.splitlines()) <= 3, (grade_id, message)
        assert "Traceback" not in message and "backprop_grading" not in message, (grade_id, message)


@pytest.mark.parametrize("stage", stage_params())
def test_every_drawing_cell_shows_an_svg_picture_that_fits_the_output_area(stage):
    cells = [c for c in executed("solutions", stage).cells if c.cell_type == "code" and DRAWING_CALL.search(c.source)]
    assert cells, "the notebook draws no graph"
    without_svg = [c.source.splitlines()[0] for c in cells
                   if not any("image/svg+xml" in o.get("data", {}) for o in c.outputs)]
    assert not without_svg, f"drawing cells without an SVG picture: {without_svg}"
    too_wide = [(c.source.splitlines()[0], svg_width(o.data["image/svg+xml"])) for c in cells for o in c.outputs
                if "image/svg+xml" in o.get("data", {}) and svg_width(o.data["image/svg+xml"]) > MAX_WIDTH_PT]
    assert not too_wide, f"pictures wider than the output area's {MAX_WIDTH_PT} pt: {too_wide}"


@pytest.mark.parametrize("stage", stage_params())
def test_student_notebook_holds_no_solution_and_no_hidden_test(stage):
    solution = nbformat.read(notebook_path("solutions", stage), as_version=4)
    student_text = notebook_path("notebooks", stage).read_text()
    assert not [m for m in MARKERS if m in student_text]
    for cell in solution.cells:
        for secret in secret_lines(cell.source):
            assert secret not in student_text, f"{nbgrader(cell).get('grade_id')}: leaked line {secret!r}"


def secret_lines(source):
    """Distinctive lines inside solution and hidden-test regions."""
    inside, lines = False, []
    for line in source.splitlines():
        if "### BEGIN" in line:
            inside = True
        elif "### END" in line:
            inside = False
        elif inside and len(line.strip()) > 25:
            lines.append(line.strip())
    return lines


@pytest.mark.parametrize("stage", stage_params())
def test_answer_and_test_cells_follow_the_contract(stage):
    cells = nbformat.read(notebook_path("solutions", stage), as_version=4).cells
    answers = [nbgrader(c)["grade_id"] for c in cells if nbgrader(c).get("solution") and not nbgrader(c).get("grade")]
    tests = {nbgrader(c)["grade_id"]: c for c in cells if is_test_cell(c)}
    assert answers == list(contract.CONTRACT[stage])
    assert set(tests) == {contract.tests_grade_id(a) for a in answers}
    for answer, points in contract.CONTRACT[stage].items():
        test = tests[contract.tests_grade_id(answer)]
        assert nbgrader(test)["points"] == points and nbgrader(test)["locked"]
        assert "### BEGIN HIDDEN TESTS" in test.source, f"{answer}: no hidden tests"
        visible = test.source.split("### BEGIN HIDDEN TESTS")[0]
        assert re.search(r"\w+\(", visible), f"{answer}: no visible test a student can run"
    order = [nbgrader(c).get("grade_id") for c in cells]
    for answer in answers:
        assert order.index(answer) < order.index(contract.tests_grade_id(answer))
