"""A class of cheats, graded end to end on the real stage 01 (and one cheat on stage 06): each
cheat the grading redesign was written against, and one per rule of the answer policy, is
flagged; none earns points silently; honest students are never flagged. The same notebooks,
untouched and solved, score 0 and full marks under plain `nbgrader autograde` too.
"""
import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from backprop_course import contract
from backprop_course.autograde import autograde
from backprop_course.config import SOLUTIONS, load_config, write_scratch_course
from backprop_course.feedback import generate_feedback
from backprop_course.mistakes import after, instead
from backprop_course.report import collect
from backprop_course.sample_class import STUDENT_NOTEBOOKS, Work, submission, write_notebook

pytestmark = pytest.mark.pipeline
S01, S06 = contract.STAGES[0], contract.STAGES[5]
EVERYTHING = ("*",)

FAKE_GRADER = """\
import sys, types, contextlib
import backprop_grading
fake = types.ModuleType("fake")
fake.exercise = lambda name: contextlib.nullcontext()
fake.__getattr__ = lambda name: (lambda *args, **kwargs: None)
sys.modules["backprop_grading.stage01"] = fake
backprop_grading.stage01 = fake
def numerical_diff(f, x, eps=1e-4):
    return 0.0"""

FRAME_WALK = """\
import sys
def numerical_diff(f, x, eps=1e-4):
    frame = sys._getframe(1)
    while frame is not None:
        if "expected" in frame.f_locals:
            return frame.f_locals["expected"]
        frame = frame.f_back"""

REBUILT = """\
import inspect
from autograd_ref import numeric
exec(inspect.getsource(numeric.numerical_diff))"""

# stderr swapped before the first test cell imports the grader: the outcome still counts
SILENCER = """\
import contextlib
class Quiet:
    def write(self, text):
        return len(text)
    def flush(self):
        pass
contextlib.redirect_stderr(Quiet()).__enter__()
def numerical_diff(f, x, eps=1e-4):
    return 0.0"""

WARNER = """\
import warnings
def numerical_diff(f, x, eps=1e-4):
    warnings.warn("the step is fixed")
    return (f(x + eps) - f(x - eps)) / (2 * eps)"""

# student -> (stage, work, flags the report must show)
CHEATS = {
    # the cheats of the issue that asked for this design
    # every later cell blanked: the test cells report no outcome, which scores 0
    "blanker": (S01, Work(answers=(instead("numerical_diff", "get_ipython().input_transformers_cleanup.append("
                                                             "lambda lines: [])"),), lost=EVERYTHING), ("flagged",)),
    # a fake grader reports no outcome, so nothing earns points
    "faker": (S01, Work(answers=(instead("numerical_diff", FAKE_GRADER),), lost=EVERYTHING), ("flagged",)),
    # the visible test's `expected` is found; the hidden ones compute theirs after the call
    "walker": (S01, Work(answers=(instead("numerical_diff", FRAME_WALK),), lost=("numerical_diff",)), ("flagged",)),
    "silencer": (S01, Work(answers=(instead("numerical_diff", SILENCER),), unanswered=("circuit_gradients",),
                           lost=EVERYTHING), ("flagged",)),
    "rebuilder": (S01, Work(answers=(instead("numerical_diff", REBUILT),), lost=("numerical_diff",)),
                  ("flagged", "reference answer")),
    "looker": (S06, Work(answers=(instead("sum_to", "def sum_to(g, shape):\n    engine = ag.ops\n"
                                                    "    return engine.sum_to(g, shape)"),), lost=("sum_to",)),
               ("reference answer",)),  # no rule sees `engine.sum_to`: the behaviour check does
    # one per policy rule the cheats above leave out
    "importer": (S01, Work(answers=(instead("numerical_diff", "from autograd_ref import numerical_diff"),),
                           lost=("numerical_diff",)), ("flagged", "reference answer")),
    "dunder": (S01, Work(answers=(after("numerical_diff", "namespace = (lambda: 0).__globals__"),)), ("flagged",)),
    "computer": (S01, Work(answers=(after("numerical_diff", "exp = getattr(np, 'ex' + 'p')"),)), ("flagged",)),
    "reader": (S01, Work(answers=(after("numerical_diff", "open('/dev/null').close()"),)), ("flagged",)),
    "patcher": (S01, Work(answers=(after("numerical_diff", "np.exp = np.exp"),)), ("flagged",)),
    "grader": (S01, Work(answers=(after("numerical_diff", "from backprop_grading import stage01"),)), ("flagged",)),
    "stranger": (S01, Work(answers=(after("numerical_diff", "import json"),)), ("flagged",)),
    # honest ones, never flagged
    "honest": (S01, Work(), ()),
    "beginner": (S01, Work(unanswered=EVERYTHING, lost=EVERYTHING), ()),
    "honest06": (S06, Work(), ()),
    "honest_warner": (S01, Work(answers=(instead("numerical_diff", WARNER),)), ()),  # a warning is a note
}


def write_cheats(root):
    for student, (stage, work, _) in CHEATS.items():
        blank = nbformat.read(STUDENT_NOTEBOOKS / stage / f"{stage}.ipynb", as_version=4)
        solution = nbformat.read(SOLUTIONS / stage / f"{stage}.ipynb", as_version=4)
        path = root / "submitted" / student / stage / f"{stage}.ipynb"
        path.parent.mkdir(parents=True)
        write_notebook(submission(blank, solution, work), path)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = write_scratch_course(tmp_path_factory.mktemp("cheats") / "course")
    write_cheats(root)
    config = load_config(root)
    autograde(config, stages=[S01, S06], jobs=2)
    return root, {row.student: row for row in collect(config)}


@pytest.mark.parametrize("student", CHEATS)
def test_each_cheat_is_flagged_and_no_honest_student_is(graded, student):
    _, rows = graded
    stage, work, flags = CHEATS[student]
    assert tuple(rows[student].flags[stage]) == flags, rows[student].remarks()


@pytest.mark.parametrize("student", CHEATS)
def test_no_cheat_earns_points_silently(graded, student):
    root, rows = graded
    stage, work, flags = CHEATS[student]
    earned = {exercise: rows[student].scores[(stage, exercise)] for exercise in contract.CONTRACT[stage]}
    assert earned == work.expected_points(stage)
    review = needs_manual_grade(root, student, stage)
    assert bool(review) == ("flagged" in flags)  # flagged: formgrader lists the submission for review
    assert all(points == 0 or test in review or "flagged" not in flags
               for test, points in earned.items())
    assert flags or not any(earned.values()) or student.startswith("honest")


def needs_manual_grade(root, student, stage):
    with Gradebook(f"sqlite:///{root}/gradebook.db") as gradebook:
        notebook = gradebook.find_submission_notebook(stage, stage, student)
        return {grade.name.removeprefix("test_") for grade in notebook.grades if grade.needs_manual_grade}


def test_the_feedback_page_names_the_flagged_line_and_the_rule(graded):
    root, _ = graded
    generate_feedback(load_config(root), stages=[S01], students=["patcher"])
    page = html.unescape(re.sub(r"<[^>]+>", "", (root / "feedback" / "patcher" / S01 / f"{S01}.html").read_text()))
    assert "flagged for review (patches module): answer numerical_diff, line 4: np.exp = np.exp" in page
    assert "For the instructor's review: the answer policy found code to look at" in page


def test_plain_nbgrader_scores_the_untouched_notebook_0_and_the_solved_one_in_full(tmp_path):
    root = write_scratch_course(tmp_path / "plain")
    for student in ("honest", "beginner"):
        stage, work, _ = CHEATS[student]
        blank = nbformat.read(STUDENT_NOTEBOOKS / stage / f"{stage}.ipynb", as_version=4)
        solution = nbformat.read(SOLUTIONS / stage / f"{stage}.ipynb", as_version=4)
        path = root / "submitted" / student / stage / f"{stage}.ipynb"
        path.parent.mkdir(parents=True)
        write_notebook(submission(blank, solution, work), path)
    environment = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for command in (["generate_assignment", S01, "--force"], ["autograde", S01]):
        finished = subprocess.run([shutil.which("nbgrader", path=environment["PATH"]), *command], cwd=root,
                                  env=environment, capture_output=True, text=True)
        assert finished.returncode == 0, finished.stderr[-2000:]
    with Gradebook(f"sqlite:///{root}/gradebook.db") as gradebook:
        scores = {student: {grade.name: grade.auto_score for grade in
                            gradebook.find_submission_notebook(S01, S01, student).grades}
                  for student in ("honest", "beginner")}
    points = {f"test_{exercise}": float(value) for exercise, value in contract.CONTRACT[S01].items()}
    assert scores == {"honest": points, "beginner": dict.fromkeys(points, 0.0)}
