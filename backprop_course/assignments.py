"""The course's stages as nbgrader assignments: which are released, where their notebooks live,
and generating the student version of each.

Shared by the commands that hand notebooks out (release) and grade them (autograde), so neither
reaches into the other.
"""
import copy

from nbgrader.converters import GenerateAssignment

from . import contract
from .config import CourseError, course_directory, load_config, run_nbgrader, stage_path


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
