"""Release: generate the student notebooks from the instructor notebooks, then prove them.

The proof grades each instructor notebook (it must earn every point) and each student
notebook as handed out (it must earn none) in a throwaway course, so the repository gets
no gradebook or other grading leftovers.
"""
import tempfile
from pathlib import Path

import nbformat

from . import contract
from .answers import fill_answers, solution_sources
from .assignments import generate_student_notebooks, released_stages, source_notebook
from .autograde import autograde
from .config import course_directory, load_config, stage_path, write_scratch_course
from .kernels.sandbox import sandbox_problem
from .report import collect
from .test_cells import failure_message, test_cells


def check_release(config, stages=None, jobs=1, log_file=None):
    """Grade each student notebook as released and with the instructor's answers; return the problems found.

    With the answers it must earn every point of every test cell (hidden tests included), as
    released none: a test that passes without an answer proves nothing.
    """
    stages = released_stages(config, stages)
    coursedir = course_directory(config)
    with tempfile.TemporaryDirectory(prefix="backprop-release-check-") as scratch:
        root = write_scratch_course(scratch, base=coursedir.root,
                                    source=Path(coursedir.root) / coursedir.source_directory)
        scratch_config = load_config(root)
        for stage, path in zip(stages, generate_student_notebooks(stages, scratch_config)):
            blank = nbformat.read(path, as_version=4)
            solved = fill_answers(blank, solution_sources(nbformat.read(source_notebook(config, stage), as_version=4)))
            for student, notebook in (("solution", solved), ("blank", blank)):
                target = stage_path(scratch_config, "submitted", student, stage)
                target.mkdir(parents=True)
                nbformat.write(notebook, target / f"{stage}.ipynb")
        # the course's own notebooks: sandboxed where a sandbox can run, else unconfined
        autograde(scratch_config, stages, jobs=jobs, log_file=log_file, sandbox=sandbox_problem() is None)
        return [problem for row in collect(scratch_config) for stage in stages
                for problem in release_problems(scratch_config, row, stage)]


def release_problems(config, row, stage):
    """What is wrong with the grading of the `solution` or `blank` notebook of `stage`."""
    autograded = nbformat.read(stage_path(config, "autograded", row.student, stage) / f"{stage}.ipynb", as_version=4)
    messages = {cell.metadata.nbgrader["grade_id"]: failure_message(cell) for _, cell in test_cells(autograded)}
    problems = []
    if row.statuses[stage] != "ok":
        notes = autograded.metadata.get(contract.METADATA_KEY, {}).get("notes", [])
        problems.append(f"{stage}: the {row.student} notebook was graded with status {row.statuses[stage]}: "
                        + "; ".join(notes))
    if row.flags.get(stage):
        problems.append(f"{stage}: the {row.student} notebook is flagged ({', '.join(row.flags[stage])}): "
                        + "; ".join(note for note in autograded.metadata.get(contract.METADATA_KEY, {}).get("notes", [])))
    for test_id, message in messages.items():
        if row.student == "solution" and message:
            problems.append(f"{stage}: the instructor's answers fail {test_id}: {message}")
        if row.student == "blank" and not message:
            problems.append(f"{stage}: the student notebook passes {test_id} without any answer")
    return problems
