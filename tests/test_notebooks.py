"""Every stage notebook, executed in a real kernel: the instructor version passes all its tests,
the student version fails every graded test and runs everything else, and the student version
is exactly what nbgrader generates from the instructor version.

Run one stage with `pytest -m stage03`.
"""
import functools
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from autograd_ref.drawing.picture import MAX_WIDTH_PT, svg_width
from backprop_course import contract
from backprop_course.config import load_config
from backprop_course.release import generate_student_notebooks

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
    """The notebook after running it top to bottom in a fresh kernel (errors kept as outputs)."""
    path = notebook_path(kind, stage)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    return nb


def nbgrader(cell):
    return cell.metadata.get("nbgrader", {})


def is_test_cell(cell):
    return nbgrader(cell).get("grade", False) and cell.cell_type == "code"


def errors(cell):
    return [o for o in cell.get("outputs", []) if o.output_type == "error"]


def describe(cell):
    error = errors(cell)
    where = nbgrader(cell).get("grade_id") or cell.source.strip().splitlines()[0][:60]
    detail = f"{error[0].ename}: {error[0].evalue[:300]}" if error else "no error"
    return f"cell {where!r}: {detail}"


@pytest.mark.parametrize("stage", stage_params())
def test_instructor_notebook_runs_and_passes_every_test(stage):
    failing = [describe(cell) for cell in executed("solutions", stage).cells if errors(cell)]
    assert not failing, "the instructor notebook raised:\n" + "\n".join(failing)


@pytest.mark.parametrize("stage", stage_params())
def test_student_notebook_fails_every_graded_test_and_runs_the_rest(stage):
    nb = executed("notebooks", stage)
    passing_tests = [describe(c) for c in nb.cells if is_test_cell(c) and not errors(c)]
    broken_cells = [describe(c) for c in nb.cells if not is_test_cell(c) and errors(c)]
    assert not passing_tests, "graded tests that pass with no answer written:\n" + "\n".join(passing_tests)
    assert not broken_cells, "cells that fail before the student writes anything:\n" + "\n".join(broken_cells)


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
def test_student_notebook_is_what_nbgrader_generates(stage, tmp_path):
    config = load_config()
    config.CourseDirectory.release_directory = str(tmp_path)
    generate_student_notebooks([stage], config=config)
    fresh = nbformat.read(tmp_path / stage / f"{stage}.ipynb", as_version=4)
    committed = nbformat.read(notebook_path("notebooks", stage), as_version=4)
    assert [(c.cell_type, c.source, c.metadata) for c in committed.cells] == \
           [(c.cell_type, c.source, c.metadata) for c in fresh.cells], \
        "notebooks/ is out of date: run `make notebooks`"
    assert all(not c.get("outputs") and not c.get("execution_count") for c in committed.cells if c.cell_type == "code")


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
