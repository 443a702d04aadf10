"""The sample class: fictional students whose submissions walk every path of the pipeline.

Each submission is written from the student notebook of its stage: answer cells get the
instructor's solution (markers removed), or a typical mistake made by a small edit of it, or
are left as released; some notebooks are then damaged the way real ones get damaged. What
each submission must score is recorded here (`lost`: the exercises worth 0), with the status
and report flags it must get, and the tests hold the autograder to it.

Regenerate the bundled copy (course/sample_class/) after a notebook changes:
    python -m backprop_course.sample_class
"""
import argparse
import copy
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import nbformat

from . import contract
from .answers import fill_answers, solution_sources
from .config import COURSE_ROOT, SOLUTIONS
from .mistakes import TYPICAL_MISTAKES, after, before, instead

BUNDLED = COURSE_ROOT / "sample_class"
STUDENT_NOTEBOOKS = COURSE_ROOT.parent / "notebooks"


@dataclass(frozen=True)
class Work:
    """What one student handed in for one stage, and what it must earn."""

    answers: tuple = ()  # Answer edits applied to the solutions
    unanswered: tuple = ()  # exercises left as released; ("*",) for all of them
    damage: object = None  # damage(notebook, path) writes a damaged file instead of the notebook
    lost: tuple = ()  # exercises that must score 0; ("*",) for all of them
    status: str = "ok"
    flags: tuple = ()  # report flags, sorted: ("flagged", "reference answer")

    def expected_points(self, stage):
        points = contract.CONTRACT[stage]
        return {name: 0 if name in self.lost or "*" in self.lost else value for name, value in points.items()}


# --- damage a notebook the way real submissions get damaged -----------------------------------

def write_notebook(notebook, path):
    nbformat.write(notebook, path)


def test_cell_index(notebook, exercise):
    test_id = contract.tests_grade_id(exercise)
    return next(index for index, cell in enumerate(notebook.cells)
                if cell.metadata.get("nbgrader", {}).get("grade_id") == test_id)


def deleted_test(exercise):
    def damage(notebook, path):
        del notebook.cells[test_cell_index(notebook, exercise)]
        write_notebook(notebook, path)
    return damage


def edited_test(exercise, source="pass  # the test was in my way"):
    def damage(notebook, path):
        notebook.cells[test_cell_index(notebook, exercise)].source = source
        write_notebook(notebook, path)
    return damage


def pasted_test(exercise):
    """A test cell copied and pasted at the end, nbgrader metadata and all (what JupyterLab does)."""
    def damage(notebook, path):
        pasted = copy.deepcopy(notebook.cells[test_cell_index(notebook, exercise)])
        pasted.id = "pasted-test-cell"
        notebook.cells.append(pasted)
        write_notebook(notebook, path)
    return damage


def cell_at_top(source):
    def damage(notebook, path):
        notebook.cells.insert(0, nbformat.v4.new_code_cell(source, id="added-at-top"))
        write_notebook(notebook, path)
    return damage


def saved_as(name):
    def damage(notebook, path):
        write_notebook(notebook, path.with_name(name))
    return damage


def cut_off_json(notebook, path):
    """The file ends half-way, as after a crash while saving."""
    text = nbformat.writes(notebook)
    path.write_text(text[: len(text) // 3])


# --- the students ---------------------------------------------------------------------------

S01, S02, S03, S04, S05, S06, S07, S08 = contract.STAGES
EVERYTHING = ("*",)


def typical(index):
    """Each stage's index-th typical mistake (stages with fewer have none), as Work."""
    return {stage: Work(answers=mistakes[index].answers, lost=mistakes[index].lost, status=mistakes[index].status)
            for stage, mistakes in TYPICAL_MISTAKES.items() if len(mistakes) > index}


STUDENTS = {
    "ada": {},  # full marks everywhere
    "ben": typical(0),  # a typical mistake in every stage
    "cleo": typical(1),  # another one in every stage
    "dev": {  # gave up half-way through the course
        S04: Work(unanswered=("backward_loop",), lost=("backward_loop",)),
        S05: Work(unanswered=EVERYTHING, lost=EVERYTHING),
        S06: Work(unanswered=EVERYTHING, lost=EVERYTHING),
        S07: Work(unanswered=EVERYTHING, lost=EVERYTHING),
        S08: Work(unanswered=EVERYTHING, lost=EVERYTHING),
    },
    "emil": {  # runaway code
        S01: Work(answers=(before("circuit_gradients", "while True:\n    pass"),),
                  lost=("circuit_gradients",), status="timeout"),
        S02: Work(answers=(after("exp", "print('x' * 100_000_000)"),)),
        S03: Work(answers=(before("max_gate", "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                                              "while True:\n    pass"),),
                  lost=("max_gate", "copy_gate", "sigmoid_gate", "neuron_circuit"), status="killed",
                  flags=("flagged",)),  # signals are the system's: the policy flags them
        S05: Work(answers=(before("backward_general", "import os\nos._exit(1)"),),
                  lost=("backward_general", "log_sqrt_graph", "no_grad"), status="crashed", flags=("flagged",)),
    },
    "fumi": {  # quits early or fails at the top
        S02: Work(answers=(before("exp", "import sys\nsys.exit('done for today')"),), lost=("exp",), status="exited",
                  flags=("flagged",)),
        S04: Work(damage=cell_at_top("raise RuntimeError('this notebook is a draft')"), status="errors"),
    },
    "gus": {  # lets the reference do the work, patches what checks might use: flagged for review
        S02: Work(answers=(instead("square", "from autograd_ref import Square"),),
                  lost=("square",), flags=("flagged", "reference answer")),
        # right answers, so the points stay until the instructor looks: the flag is what matters
        S03: Work(answers=(after("add_gate", "import numpy as np\nnp.allclose = lambda *args, **kwargs: True"),),
                  flags=("flagged",)),
        S06: Work(answers=(after("relu", "import backprop_grading.checks as checks\n"
                                         "checks.expect_close = lambda *args, **kwargs: None"),),
                  flags=("flagged",)),
    },
    "hana": {  # fights the test cells
        S01: Work(damage=deleted_test("numerical_diff"), status="repaired"),
        # hides a typical mistake by emptying its test cell
        S02: replace(typical(0)[S02], damage=edited_test("square"), status="repaired"),
        S03: Work(damage=pasted_test("multiply_gate"), status="repaired"),
    },
    "ivo": {  # file trouble
        S01: Work(damage=cut_off_json, lost=EVERYTHING, status="unreadable"),
        S02: Work(damage=saved_as("Untitled.ipynb"), lost=EVERYTHING, status="missing"),
        # looks for the gradebook: the sandbox shows no such folder (and no host has one to harm)
        S04: Work(answers=(after("backward_loop", "scores = open('/course/gradebook.db', 'a')"),),
                  status="contained", flags=("flagged",)),
    },
    "june": typical(2),  # a third kind of slip, where a stage has one
}


def work_of(student, stage):
    return STUDENTS[student].get(stage, Work())


def expected_points(student, stage):
    return work_of(student, stage).expected_points(stage)


# --- writing the submissions ----------------------------------------------------------------

def submission(student_notebook, solution_notebook, work):
    """The student notebook with this student's answers filled in."""
    solutions = solution_sources(solution_notebook)
    answers = {exercise: source for exercise, source in solutions.items()
               if exercise not in work.unanswered and "*" not in work.unanswered}
    for answer in work.answers:
        answers[answer.exercise] = answer.apply(answers[answer.exercise])
    return fill_answers(student_notebook, answers)


def write_sample_class(target, student_notebooks=STUDENT_NOTEBOOKS, solutions=SOLUTIONS, stages=contract.STAGES):
    """Write <target>/<student>/<stage>/<stage>.ipynb for every student and stage; return target."""
    target = Path(target)
    shutil.rmtree(target, ignore_errors=True)
    for stage in stages:
        student_notebook = nbformat.read(Path(student_notebooks) / stage / f"{stage}.ipynb", as_version=4)
        solution_notebook = nbformat.read(Path(solutions) / stage / f"{stage}.ipynb", as_version=4)
        for student in STUDENTS:
            work = work_of(student, stage)
            path = target / student / stage / f"{stage}.ipynb"
            path.parent.mkdir(parents=True)
            (work.damage or write_notebook)(submission(student_notebook, solution_notebook, work), path)
    return target


def main(argv=None):
    parser = argparse.ArgumentParser(description="Regenerate the bundled sample class from the notebooks.")
    parser.add_argument("--target", default=BUNDLED, help="where to write it (default: %(default)s)")
    arguments = parser.parse_args(argv)
    print(f"wrote {write_sample_class(arguments.target)}")


if __name__ == "__main__":
    main()
