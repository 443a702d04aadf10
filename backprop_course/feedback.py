"""Feedback: one HTML page per graded notebook, with every failed test's message and no hidden test.

nbgrader's default feedback shows the hidden tests' code (nbgrader issue #917), and a failed
hidden test's traceback quotes the lines around the failing one. Here ClearHiddenTests always
runs, test cells keep only "ErrorName: message" from their errors, and a banner at the top
says how the grading went (timeout, killed kernel, restored test cells, ...).
"""
import copy
import html
from pathlib import Path

import nbformat
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader import utils
from nbgrader.converters import GenerateFeedback
from nbgrader.preprocessors import ClearHiddenTests, GetGrades, NbGraderPreprocessor

from . import contract
from .config import CourseError, course_directory, run_nbgrader
from .kernels.grader import STATUSES
from .kernels.pool import process_context

class TestMessagesOnly(NbGraderPreprocessor):
    """In test cells, replace each error's traceback (which quotes test code) by its one-line message."""

    def preprocess_cell(self, cell, resources, index):
        if utils.is_grade(cell) and cell.cell_type == "code":
            for output in cell.outputs:
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources


class StatusBanner(NbGraderPreprocessor):
    """Put the grading status and the grader's notes in a cell at the top."""

    def preprocess(self, nb, resources):
        grading = nb.metadata.get(contract.METADATA_KEY, {})
        status, notes = grading.get("status", "ok"), grading.get("notes", [])
        if status != "ok" or notes:
            lines = [f"**Grading status: {STATUSES.get(status, status)}.**", ""]
            lines += [f"- {html.escape(note)}" for note in notes]
            nb.cells.insert(0, nbformat.v4.new_markdown_cell("\n".join(lines)))
        return nb, resources


def feedback_preprocessors(config):
    """The course's feedback preprocessors, made safe: hidden tests cleared, messages only, status banner."""
    configured = list(config.GenerateFeedback.get("preprocessors", [GetGrades, CSSHTMLHeaderPreprocessor]))
    safe = [step for step in configured if step not in (ClearHiddenTests, CSSHTMLHeaderPreprocessor)]
    return safe + [ClearHiddenTests, TestMessagesOnly, StatusBanner, CSSHTMLHeaderPreprocessor]


def generate_feedback(config, stages=None, students=None, jobs=1):
    """Write feedback/<student>/<stage>/<stage>.html for the autograded notebooks asked for.

    Stages are rendered in `jobs` processes at once (the gradebook is only read). Returns
    (every feedback page, what nbgrader could not render): one failure spares the rest.
    """
    config = copy.deepcopy(config)
    config.GenerateFeedback.preprocessors = feedback_preprocessors(config)
    coursedir = course_directory(config)
    autograded = Path(coursedir.root) / coursedir.autograded_directory
    found = sorted({path.parent.name for path in autograded.glob("*/*/*.ipynb")})
    if not found:
        raise CourseError(f"nothing to give feedback on: no autograded notebooks in {autograded} (run autograde first)")
    work = [(config, stage, student) for stage in (stages or found) for student in (students or ["*"])]
    if jobs > 1 and len(work) > 1:
        with process_context().Pool(min(jobs, len(work))) as pool:
            results = pool.starmap(render, work)
    else:
        results = [render(*item) for item in work]
    failures = [failure for result in results for failure in result]
    feedback = Path(coursedir.root) / coursedir.feedback_directory
    return sorted(feedback.glob("*/*/*.html")), failures


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
