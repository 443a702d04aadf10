"""Autograde on a toy stage: every kind of hostile or broken submission, in parallel and in sequence."""
import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from backprop_course.autograde import autograde, record_safely
from backprop_course.config import load_config
from backprop_course.feedback import generate_feedback
from backprop_course.kernels.grader import Graded
from backprop_course.report import report
from pipeline_toy import BENIGN, TOY_CLASS, TOY_STAGE, gradebook_scores, toy_course, write_class

pytestmark = pytest.mark.pipeline

BIN = Path(sys.executable).parent
TIMEOUT = "3"  # seconds per cell: the toy's cells take milliseconds


def run(command, folder):
    environment = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run([str(BIN / command[0]), *command[1:]], cwd=folder, env=environment,
                          capture_output=True, text=True)


SEQUENTIAL = ["ada", "dora", "gil", "ines", "kim"]  # in one process too: the ways a kernel or a file breaks


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The toy class graded by the command line in parallel, and some of it in sequence by the API."""
    root, _ = toy_course(tmp_path_factory.mktemp("parallel"))
    write_class(root)
    sequential = shutil.copytree(root, tmp_path_factory.mktemp("sequential") / "course")
    finished = run(["backprop-course", "autograde", "--course", str(root), "--jobs", "3", "--timeout", TIMEOUT], root)
    autograde(load_config(sequential, timeout=int(TIMEOUT)), students=SEQUENTIAL, jobs=1)
    return root, sequential, finished


def autograded_notebook(root, student):
    return nbformat.read(root / "autograded" / student / TOY_STAGE / f"{TOY_STAGE}.ipynb", as_version=4)


def grading_metadata(root, student):
    return autograded_notebook(root, student).metadata["backprop_course"]


def test_every_submission_earns_exactly_its_expected_points(graded):
    root, _, finished = graded
    assert finished.returncode == 0, finished.stderr
    expected = {student: work.expected_points(TOY_STAGE) for student, work in TOY_CLASS.items()}
    assert gradebook_scores(root) == expected


def test_sequential_grading_gives_the_same_scores(graded):
    root, sequential, _ = graded
    parallel = gradebook_scores(root)
    assert gradebook_scores(sequential) == {student: parallel[student] for student in SEQUENTIAL}


@pytest.mark.parametrize("student", sorted(TOY_CLASS))
def test_every_submission_gets_its_status(graded, student):
    root, _, _ = graded
    assert grading_metadata(root, student)["status"] == TOY_CLASS[student].status


@pytest.mark.parametrize("student, words", [
    ("hugo", "Untitled.ipynb"), ("gil", "not a readable notebook"), ("ines", "kernel died"),
    ("jack", "interrupted"), ("kim", "ignored the interrupt"), ("lou", "printed 20,000,001 characters"),
    ("max", "SystemExit"), ("omar", "RuntimeError: a draft"), ("dora", "pasted"),
    ("eli", "`test_circuit_gradients` was deleted"), ("finn", "`test_numerical_diff` was edited"),
])
def test_notes_say_what_happened(graded, student, words):
    root, _, _ = graded
    assert any(words in note for note in grading_metadata(root, student)["notes"])


def test_a_huge_print_is_cut_before_it_reaches_the_notebook(graded):
    root, _, _ = graded
    path = root / "autograded" / "lou" / TOY_STAGE / f"{TOY_STAGE}.ipynb"
    assert path.stat().st_size < 1_000_000


def test_the_terminal_shows_a_table_not_warnings(graded):
    _, _, finished = graded
    output = finished.stdout + finished.stderr
    assert "kim" in finished.stdout and "total" in finished.stdout
    assert "[kill" in finished.stdout  # the notes list names the status of each troubled submission
    for noise in ("SAWarning", "running over TCP", "Traceback"):
        assert noise not in output


def test_plain_nbgrader_gives_the_same_scores_on_ordinary_submissions_and_less_for_a_deleted_test(tmp_path):
    """As the README says: the same scores, except that plain nbgrader scores a deleted test cell 0
    where backprop-course restores and runs it ("eli" deleted a test of a correct answer)."""
    root, _ = toy_course(tmp_path / "plain")
    write_class(root, {student: TOY_CLASS[student] for student in [*BENIGN, "eli"]})
    ours = shutil.copytree(root, tmp_path / "ours")
    finished = run(["nbgrader", "generate_assignment", TOY_STAGE, "--force"], root)
    assert finished.returncode == 0, finished.stderr
    finished = run(["nbgrader", "autograde", TOY_STAGE], root)
    assert finished.returncode == 0, finished.stderr
    autograde(load_config(ours), jobs=2)
    plain, course = gradebook_scores(root), gradebook_scores(ours)
    assert {student: plain[student] for student in BENIGN} == {student: course[student] for student in BENIGN}
    assert plain["eli"] == {"numerical_diff": 2, "circuit_gradients": None}  # no score: the test never ran
    assert course["eli"] == {"numerical_diff": 2, "circuit_gradients": 2}


def test_feedback_shows_messages_and_status_but_never_hidden_tests(graded):
    root, _, _ = graded
    pages, failures = generate_feedback(load_config(root))
    assert failures == []
    assert len(pages) == len(TOY_CLASS)
    texts = {page.parent.parent.name: page.read_text() for page in pages}
    for student, text in texts.items():
        assert "HIDDEN TESTS" not in text and "3.0001" not in text, student
    assert "use a central difference" in texts["ben"]  # a hidden test's message, without its code
    assert "kernel was killed" in texts["kim"]
    assert "Grading status" not in texts["ada"]


def test_feedback_for_one_student_counts_the_one_page_it_wrote(graded):
    root, _, _ = graded
    pages, failures = generate_feedback(load_config(root), students=["ben"])
    assert failures == [] and [page.parent.parent.name for page in pages] == ["ben"]
    pages, failures = generate_feedback(load_config(root), students=["nobody"])
    assert pages == [] and failures == ["no autograded notebooks for nobody (run autograde first)"]


def test_report_writes_a_row_per_student_and_a_figure(graded, tmp_path):
    root, _, _ = graded
    text, csv_path, png_path = report(load_config(root), tmp_path)
    rows = {row[0]: row for row in csv.reader(csv_path.read_text().splitlines())}
    header = rows.pop("student")
    assert set(rows) == set(TOY_CLASS)
    total, status = header.index("total"), header.index("status")
    assert rows["ada"][total] == "4" and rows["ada"][status] == "ok"
    assert rows["ben"][header.index(f"{TOY_STAGE}/numerical_diff")] == "0"
    assert rows["kim"][status] == "01 killed, flagged"  # signal.signal: the policy flags it
    assert rows["ben"][status] == "ok"
    assert png_path.stat().st_size > 10_000
    assert "numerical_diff" in text and "kim" in text


def test_a_notebook_the_recorder_cannot_process_is_recorded_as_failed_and_the_class_goes_on():
    class Recorder:  # stands in for one that meets something no notebook should hold
        def __init__(self):
            self.recorded = []

        def record(self, graded):
            if graded.status != "failed":
                raise ValueError("an output of a kind nobody planned for")
            self.recorded.append(graded)

    recorder = Recorder()
    result = record_safely(recorder, Graded("ada", TOY_STAGE, "ok", ["a note"], notebook="{}"))
    assert recorder.recorded == [result] and result.status == "failed" and result.notebook is None
    assert result.notes == ["a note", "the grader could not record this notebook: "
                                      "ValueError: an output of a kind nobody planned for"]
