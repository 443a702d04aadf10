"""Release: generate the student notebooks from the instructor notebooks, then prove them.

The proof grades each instructor notebook (it must earn every point) and each student
notebook as handed out (it must earn none) in a throwaway course, so the repository gets
no gradebook or other grading leftovers.
"""
import copy
import tempfile
from pathlib import Path

import nbformat
from nbgrader.converters import GenerateAssignment

from . import contract
from .answers import fill_answers, solution_sources
from .config import CourseError, course_directory, load_config, run_nbgrader, stage_path, write_scratch_course
from .test_cells import failure_message, test_cells


def released_stages(config, stages=None):
    """The stages to release: those asked for, or every contract stage that has a source notebook."""
    if not stages:
        stages = [stage for stage in contract.STAGES if source_notebook(config, stage).exists()]
        if not stages:
            raise CourseError("there is no instructor notebook yet (solutions/<stage>/<stage>.ipynb)")
    stages = contract.check_stages(stages)
    missing = [str(source_notebook(config, stage)) for stage in stages
               if not source_notebook(config, stage).exists()]
    if missing:
        raise CourseError("no instructor notebook at " + ", ".join(missing))
    return stages


def source_notebook(config, stage):
    return stage_path(config, "source", ".", stage) / f"{stage}.ipynb"


def student_notebook(config, stage):
    return stage_path(config, "release", ".", stage) / f"{stage}.ipynb"


def generate_student_notebooks(stages=None, config=None, register=False):
    """Regenerate the student version of each stage (outputs cleared); return their paths.

    Without `register` nothing is written to a gradebook (nbgrader's --no-db); with it the
    stages and their cells are recorded in the course's gradebook, as grading needs.
    """
    config = copy.deepcopy(config or load_config())
    if not register:
        config.SaveCells.enabled = False
        config.GenerateAssignment.no_database = True
    written = []
    for stage in released_stages(config, stages):
        coursedir = course_directory(config, assignment_id=stage)
        converter = GenerateAssignment(coursedir=coursedir, config=config)
        converter.force = True
        run_nbgrader(converter, f"generating the student notebook of {stage}")
        written.append(student_notebook(config, stage))
    return written


def check_release(config, stages=None, jobs=1, log_file=None):
    """Grade each student notebook as released and with the instructor's answers; return the problems found.

    With the answers it must earn every point of every test cell (hidden tests included), as
    released none: a test that passes without an answer proves nothing.
    """
    from .autograde import autograde  # release must not need the grading machinery to generate notebooks
    from .report import collect

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
        autograde(scratch_config, stages, jobs=jobs, log_file=log_file)
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
