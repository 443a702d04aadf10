"""Feedback: one HTML page per graded notebook, with every failed test's message and no hidden test.

nbgrader's default feedback shows the hidden tests' code (nbgrader issue #917), and a failed
hidden test's traceback quotes the lines around the failing one. Here hidden tests are always
cleared, test cells keep only "ErrorName: message" from their errors, a student's output never
runs in the page, and a banner at the top says how the grading went (timeout, killed kernel,
restored test cells, ...): see feedback_page.
"""
import copy
from pathlib import Path

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.converters import GenerateFeedback
from nbgrader.preprocessors import ClearHiddenTests, GetGrades

from .config import CourseError, course_directory, run_nbgrader
from .feedback_page import (NBGRADER_TEMPLATES, TEMPLATES, ClearHiddenTestsOfTestCells, FeedbackExporter, OutputsAsData,
                            PageLabels, TestMessagesOnly)
from .kernels.pool import process_context


def feedback_preprocessors(config):
    """The course's feedback preprocessors, made safe: hidden tests cleared, messages only, outputs as data."""
    configured = list(config.GenerateFeedback.get("preprocessors", [GetGrades, CSSHTMLHeaderPreprocessor]))
    safe = [step for step in configured if not issubclass(step, (ClearHiddenTests, CSSHTMLHeaderPreprocessor))]
    return safe + [ClearHiddenTestsOfTestCells, TestMessagesOnly, OutputsAsData, PageLabels,
                   CSSHTMLHeaderPreprocessor]


def feedback_config(config):
    """`config` with the course's exporter, template and preprocessors for feedback."""
    config = copy.deepcopy(config)
    config.GenerateFeedback.preprocessors = feedback_preprocessors(config)
    config.GenerateFeedback.exporter_class = FeedbackExporter
    config.HTMLExporter.template_name = "course_feedback"
    config.HTMLExporter.extra_template_basedirs = [str(TEMPLATES), str(NBGRADER_TEMPLATES)]
    return config


def generate_feedback(config, stages=None, students=None, jobs=1):
    """Write feedback/<student>/<stage>/<stage>.html for the autograded notebooks asked for.

    Stages are rendered in `jobs` processes at once (the gradebook is only read). Returns
    (the feedback pages this call wrote, what nbgrader could not render): one failure spares
    the rest.
    """
    config = feedback_config(config)
    coursedir = course_directory(config)
    autograded = Path(coursedir.root) / coursedir.autograded_directory
    found = sorted({path.parent.name for path in autograded.glob("*/*/*.ipynb")})
    if not found:
        raise CourseError(f"nothing to give feedback on: no autograded notebooks in {autograded} (run autograde first)")
    asked = [(stage, student) for stage in (stages or found) for student in (students or ["*"])]
    work = [(config, stage, student) for stage, student in asked if any(autograded.glob(f"{student}/{stage}/*.ipynb"))]
    # a stage named on the command line must exist; of all stages, a student needs only those handed in
    failures = [f"no autograded notebook of {stage} for {student.replace('*', 'anyone')}" for stage, student in asked
                if stages and (config, stage, student) not in work]
    failures += [f"no autograded notebooks for {student} (run autograde first)" for student in students or []
                 if not any(autograded.glob(f"{student}/*/*.ipynb"))]
    feedback = Path(coursedir.root) / coursedir.feedback_directory
    pages = [feedback / path.parent.relative_to(autograded) / f"{path.stem}.html"
             for _, stage, student in work for path in autograded.glob(f"{student}/{stage}/*.ipynb")]
    before = {page: modified(page) for page in pages}
    if jobs > 1 and len(work) > 1:
        with process_context().Pool(min(jobs, len(work))) as pool:
            results = pool.starmap(render, work)
    else:
        results = [render(*item) for item in work]
    failures += [failure for result in results for failure in result]
    return sorted(page for page in pages if modified(page) not in (None, before[page])), failures


def modified(path):
    """When `path` last changed (nanoseconds), or None if there is no such file."""
    return path.stat().st_mtime_ns if path.is_file() else None


def render(config, stage, student):
    """nbgrader's GenerateFeedback for one stage and student (or "*"); return its failures."""
    converter = GenerateFeedback(coursedir=course_directory(config, assignment_id=stage, student_id=student),
                                 config=config)
    converter.force = True
    try:
        run_nbgrader(converter, f"feedback for {stage}")
    except CourseError as error:
        return [str(error)]
    return []
