"""The demo on the bundled sample class: every student and stage earns exactly its recorded points.

One `backprop-course demo` run (release with its check, parallel autograde, feedback, report)
is shared by the tests of this module.
"""
import filecmp
import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from backprop_course import contract
from backprop_course.autograde import autograde
from backprop_course.config import load_config
from backprop_course.kernels.grader import STATUSES
from backprop_course.report import collect
from backprop_course.sample_class import BUNDLED, STUDENTS, work_of, write_sample_class

pytestmark = pytest.mark.pipeline

BIN = Path(sys.executable).parent
SUBMISSIONS = [(student, stage) for student in STUDENTS for stage in contract.STAGES]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo") / "course"
    environment = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    finished = subprocess.run([str(BIN / "backprop-course"), "demo", "--folder", str(folder)],
                              env=environment, capture_output=True, text=True)
    return folder, finished, {row.student: row for row in collect(load_config(folder))}


def test_the_bundled_sample_class_is_generated_from_the_notebooks(tmp_path):
    """course/sample_class is never edited by hand (else: python -m backprop_course.sample_class)."""
    fresh = write_sample_class(tmp_path / "sample_class")
    comparison = filecmp.dircmp(fresh, BUNDLED)
    paths = sorted(path.relative_to(fresh) for path in fresh.rglob("*") if path.is_file())
    assert paths == sorted(path.relative_to(BUNDLED) for path in BUNDLED.rglob("*") if path.is_file())
    assert all(filecmp.cmp(fresh / path, BUNDLED / path, shallow=False) for path in paths), comparison.report()


def test_the_sample_class_walks_every_status_and_flag_in_every_stage():
    works = [work_of(student, stage) for student in STUDENTS for stage in contract.STAGES]
    assert {work.status for work in works} == set(STATUSES) - {"failed"}  # failed: the grader's own breakdown
    assert {flag for work in works for flag in work.flags} == {"flagged", "reference answer"}
    assert len(list(BUNDLED.glob("*/*/"))) == len(STUDENTS) * len(contract.STAGES)


@pytest.mark.parametrize("student, stage", SUBMISSIONS)
def test_each_submission_earns_its_recorded_points_status_and_flags(demo, student, stage):
    _, _, grades = demo
    row, work = grades[student], work_of(student, stage)
    earned = {exercise: row.scores[(stage, exercise)] for exercise in contract.CONTRACT[stage]}
    assert earned == work.expected_points(stage)
    assert row.statuses[stage] == work.status
    assert tuple(row.flags[stage]) == tuple(work.flags)


def test_every_kind_of_typical_mistake_costs_points_in_every_stage(demo):
    _, _, grades = demo
    for stage in contract.STAGES:
        lost = {student for student in STUDENTS if work_of(student, stage).lost}
        assert {"ben", "cleo"} & lost, stage
        assert all(grades[student].stage_score(stage) < contract.max_points(stage) for student in lost)


def test_sequential_grading_agrees_with_the_parallel_demo(demo, tmp_path):
    folder, _, grades = demo
    students = ["gus", "hana", "ivo"]  # reference answers, flagged patches, repaired tests, broken files
    stages = contract.STAGES[:3]
    course = shutil.copytree(folder, tmp_path / "course", ignore=shutil.ignore_patterns("gradebook.db", "autograded"))
    autograde(load_config(course), stages=stages, students=students, jobs=1)
    again = {row.student: row for row in collect(load_config(course))}
    for student in students:
        assert again[student].scores == {key: value for key, value in grades[student].scores.items()
                                         if key[0] in stages}
        assert again[student].statuses == {stage: grades[student].statuses[stage] for stage in stages}


def code_lines_of_tests(stage):
    """(visible, hidden): lines of the test cells a student sees, and hidden-test lines they never see."""
    solution = nbformat.read(contract_path("solutions", stage), as_version=4)
    released = nbformat.read(contract_path("notebooks", stage), as_version=4).cells
    visible = {line.strip() for cell in released for line in cell.source.splitlines() if line.strip()}
    hidden = []
    for cell in solution.cells:
        inside = False
        for line in cell.source.splitlines():
            if "BEGIN HIDDEN TESTS" in line or "END HIDDEN TESTS" in line:
                inside = "BEGIN" in line
            elif inside and line.strip() and line.strip() not in visible:
                hidden.append(line.strip())
    shown = [line.strip() for cell in released if cell.metadata.get("nbgrader", {}).get("grade")
             for line in cell.source.splitlines() if line.strip()]
    return shown, hidden


def page_text(page):
    """What a feedback page shows, as plain text (code is split into highlighted spans in the HTML)."""
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text()))


def contract_path(folder, stage):
    return Path(__file__).resolve().parents[1] / folder / stage / f"{stage}.ipynb"


@pytest.mark.parametrize("stage", contract.STAGES)
def test_feedback_never_shows_hidden_test_code(demo, stage):
    folder, _, _ = demo
    shown, hidden = code_lines_of_tests(stage)
    assert hidden, f"{stage} has no hidden tests to look for"
    pages = sorted((folder / "feedback").glob(f"*/{stage}/{stage}.html"))
    assert len(pages) == len(STUDENTS)
    for page in pages:
        text = page_text(page)
        assert shown[0] in text, f"{page}: not even the visible test code is found: the search is blind"
        leaked = [line for line in hidden if line in text]
        assert not leaked, f"{page} shows hidden test code: {leaked[:3]}"


def test_feedback_tells_troubled_students_what_happened(demo):
    folder, _, _ = demo
    page = page_text(folder / "feedback" / "emil" / "03_gates" / "03_gates.html")
    assert "Grading status" in page and "ignored the interrupt" in page
    page = page_text(folder / "feedback" / "ivo" / "02_manual_backprop" / "02_manual_backprop.html")
    assert "Untitled.ipynb" in page


def test_the_demo_passes_and_says_where_everything_went(demo):
    folder, finished, _ = demo
    output = finished.stdout
    assert finished.returncode == 0, output + finished.stderr
    assert "release check passed" in output
    for name in ("grades.csv", "grades.png", "feedback", "autograded"):
        assert str(folder / name) in output and (folder / name).exists()
    assert "full marks" in output  # the exercise summary table
    assert "emil" in output and "killed" in output  # the student table, with statuses
