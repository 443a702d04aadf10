"""A toy instructor notebook in a scratch course, for pipeline tests that must not wait for the real stages."""
import nbformat
from nbgrader.api import Gradebook

from backprop_course.config import load_config, write_scratch_course
from backprop_course.mistakes import after, before, mistake
from backprop_course.assignments import generate_student_notebooks
from backprop_course.sample_class import (Work, cell_at_top, cut_off_json, deleted_test, edited_test, pasted_test,
                                          saved_as, submission, write_notebook)

TOY_STAGE = "01_computational_graphs"

SETUP = "import math"

ANSWERS = {
    "numerical_diff": '''\
def numerical_diff(f, x, eps=1e-4):
    ### BEGIN SOLUTION
    return (f(x + eps) - f(x - eps)) / (2 * eps)
    ### END SOLUTION''',
    "circuit_gradients": '''\
def circuit_gradients(x, y, z):
    ### BEGIN SOLUTION
    q = x + y
    return z, z, q
    ### END SOLUTION''',
}

TESTS = {
    "numerical_diff": '''\
assert abs(numerical_diff(lambda x: x * x, 3.0) - 6.0) < 1e-3, "d(x*x)/dx at 3 should be 6"
### BEGIN HIDDEN TESTS
assert abs(numerical_diff(lambda x: x ** 3, 1.0, eps=1e-2) - 3.0001) < 1e-9, "use a central difference"
### END HIDDEN TESTS''',
    "circuit_gradients": '''\
assert circuit_gradients(-2, 5, -4) == (-4, -4, 3), "expected (-4, -4, 3)"''',
}

POINTS = {"numerical_diff": 2, "circuit_gradients": 2}


def nbgrader_metadata(grade_id, solution=False, points=None):
    metadata = {"grade_id": grade_id, "schema_version": 3, "solution": solution, "task": False,
                "grade": points is not None, "locked": not solution}
    if points is not None:
        metadata["points"] = points
    return {"nbgrader": metadata}


def toy_notebook(tests=TESTS):
    cells = [nbformat.v4.new_markdown_cell("# A toy stage"), nbformat.v4.new_code_cell(SETUP)]
    for name, answer in ANSWERS.items():
        cells.append(nbformat.v4.new_code_cell(answer, metadata=nbgrader_metadata(name, solution=True)))
        cells.append(nbformat.v4.new_code_cell(
            tests[name], metadata=nbgrader_metadata(f"test_{name}", points=POINTS[name])))
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return notebook


def toy_course(root, tests=TESTS):
    """A scratch course whose source folder holds the toy stage; return (course root, source path)."""
    root = write_scratch_course(root)
    config_file = root / "nbgrader_config.py"
    config_file.write_text(config_file.read_text() + 'c.CourseDirectory.source_directory = "source"\n')
    source = root / "source" / TOY_STAGE / f"{TOY_STAGE}.ipynb"
    source.parent.mkdir(parents=True)
    nbformat.write(toy_notebook(tests), source)
    return root, source


# --- a toy class: every kind of submission the autograder must cope with ------------------------

CENTRAL = "(f(x + eps) - f(x - eps)) / (2 * eps)"
FORWARD = mistake("numerical_diff", CENTRAL, "(f(x + eps) - f(x)) / eps")
EVERYTHING = ("*",)

TOY_CLASS = {
    "ada": Work(),
    "ben": Work(answers=(FORWARD,), lost=("numerical_diff",)),
    "cy": Work(unanswered=EVERYTHING, lost=EVERYTHING),
    "dora": Work(damage=pasted_test("numerical_diff"), status="repaired"),
    "eli": Work(damage=deleted_test("circuit_gradients"), status="repaired"),
    "finn": Work(answers=(FORWARD,), damage=edited_test("numerical_diff"), lost=("numerical_diff",),
                 status="repaired"),
    "gil": Work(damage=cut_off_json, lost=EVERYTHING, status="unreadable"),
    "hugo": Work(damage=saved_as("Untitled.ipynb"), lost=EVERYTHING, status="missing"),
    "ines": Work(answers=(before("circuit_gradients", "import os\nos._exit(1)"),), lost=("circuit_gradients",),
                 status="crashed"),
    "jack": Work(answers=(before("numerical_diff", "while True:\n    pass"),), lost=("numerical_diff",),
                 status="timeout"),
    "kim": Work(answers=(before("numerical_diff", "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                                                  "while True:\n    pass"),),
                lost=EVERYTHING, status="killed"),
    "lou": Work(answers=(after("numerical_diff", "print('x' * 20_000_000)"),)),  # the sample class prints 100 MB
    "max": Work(answers=(before("circuit_gradients", "import sys\nsys.exit('bye')"),), lost=("circuit_gradients",),
                status="exited"),
    "nia": Work(answers=(FORWARD, before("numerical_diff", "get_ipython().showtraceback = lambda *a, **k: None")),
                lost=("numerical_diff",)),
    "omar": Work(damage=cell_at_top("raise RuntimeError('a draft')"), status="errors"),
}
BENIGN = ["ada", "ben", "finn"]  # what plain nbgrader grades without trouble


def write_class(root, students=TOY_CLASS):
    """Submit each toy student's work into the course at `root`."""
    config = load_config(root)
    [student_version] = generate_student_notebooks(config=config)
    blank = nbformat.read(student_version, as_version=4)
    solution = nbformat.read(root / "source" / TOY_STAGE / f"{TOY_STAGE}.ipynb", as_version=4)
    for student, work in students.items():
        path = root / "submitted" / student / TOY_STAGE / f"{TOY_STAGE}.ipynb"
        path.parent.mkdir(parents=True)
        (work.damage or write_notebook)(submission(blank, solution, work), path)
    return config


def gradebook_scores(root, stage=TOY_STAGE):
    """student -> {exercise: auto score} from the course's gradebook."""
    scores = {}
    with Gradebook(f"sqlite:///{root}/gradebook.db") as gradebook:
        for submitted in gradebook.assignment_submissions(stage):
            scores[submitted.student.id] = {grade.name.removeprefix("test_"): grade.auto_score
                                           for grade in submitted.notebooks[0].grades}
    return scores
