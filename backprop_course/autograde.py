"""Autograde a class: find the submissions, grade them in parallel, record every grade.

Workers only read a snapshot of the gradebook; this process is the only writer and records
one submission at a time with nbgrader's own SaveAutoGrades, so sqlite never sees two writers
and the scores are nbgrader's. Every submission gets a status in its autograded notebook's
metadata (`backprop_course`), which feedback and report read, with its flags: `flagged` when
the answer policy (policy.py) found something to review in the student's code (the affected
test cells then need a manual grade in nbgrader's gradebook), `reference answer` when a test
found an answer running its exercise's reference implementation.
"""
import copy
import logging
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from . import contract, policy
from .config import CourseError, course_directory, stage_path
from .assignments import generate_student_notebooks, released_stages
from .kernels.grader import (Graded, Submission, copy_course_files, handed_in_files, linked_submission,
                             nbgrader_resources, nbgrader_steps, open_plain, run_preprocessors)
from .kernels.pool import grade_in_pool, grade_in_process
from .kernels.sandbox import Limits, sandbox_problem
from .test_cells import drop_outcomes, outcome, score_by_outcome, test_cells


def autograde(config, stages=None, students=None, jobs=1, log_file=None, on_result=None, on_start=None,
              sandbox=True, scheduler=None):
    """Grade submitted/ (the given stages and students, default all); return the `Graded` results.

    Every kernel runs in its own sandbox (`kernels.sandbox`). Where none can run this refuses,
    saying how to get one, unless `sandbox=False`: then student code runs as the instructor and
    every autograded notebook records that it was graded unconfined. With `scheduler` (a Dask
    scheduler's address) the submissions are graded on that cluster's workers, each in its own
    sandbox, instead of `jobs` local processes; either way only this process writes.
    """
    limits = confinement(sandbox)
    with tempfile.TemporaryDirectory(prefix="backprop-autograde-") as scratch:
        submissions = find_submissions(config, stages, students)
        stages = sorted({submission.stage for submission in submissions})
        templates = register_stages(config, stages, Path(scratch))
        for submission in submissions:
            prepare_workdir(config, submission)
        grader_arguments = (config, templates, snapshot(database_url(config), Path(scratch)), limits, scratch)
        if on_start:
            on_start(submissions)
        if scheduler:
            from .dask_grading import grade_on_cluster

            results = grade_on_cluster(submissions, grader_arguments, scheduler)
        elif jobs == 1:
            results = grade_in_process(submissions, grader_arguments, log_file)
        else:
            results = grade_in_pool(submissions, grader_arguments, jobs, log_file)
        recorder = Recorder(config, templates, confined=limits is not None)
        graded = []
        for result in results:
            result = record_safely(recorder, result)
            graded.append(replace(result, notebook=None))
            if on_result:
                on_result(result)
    return sorted(graded, key=lambda result: (result.student, result.stage))


def record_safely(recorder, graded):
    """Record `graded`; one the recorder cannot process (a kernel can forge any output) is recorded as
    failed, with no points, and the class goes on. Return what was recorded."""
    try:
        recorder.record(graded)
        return graded
    except Exception as error:  # the batch must go on, whatever one notebook holds
        logging.getLogger(__name__).exception("recording %s/%s failed", graded.student, graded.stage)
        note = f"the grader could not record this notebook: {type(error).__name__}: {error}"[:500]
        failed = Graded(graded.student, graded.stage, "failed", [*graded.notes, note])
        recorder.record(failed)
        return failed


def confinement(sandbox):
    """The kernels' `Limits`, or None to run them unconfined; a CourseError when no sandbox can run."""
    if not sandbox:
        return None
    problem = sandbox_problem()
    if problem:
        raise CourseError(f"refusing to run student code unconfined: {problem}")
    return Limits()


def database_url(config):
    return course_directory(config).db_url


def find_submissions(config, stages=None, students=None):
    """Every submitted/<student>/<stage> folder for the stages and students asked for."""
    submitted = Path(course_directory(config).root) / course_directory(config).submitted_directory
    everyone = sorted(path.name for path in submitted.glob("*") if path.is_dir())
    unknown = sorted(set(students or []) - set(everyone))
    if unknown:
        raise CourseError(f"no submissions from {', '.join(unknown)} in {submitted}")
    stages = released_stages(config, stages)
    found = []
    for student in students or everyone:
        for folder in sorted(path for path in (submitted / student).glob("*") if path.is_dir()):
            if folder.name in stages:
                workdir = stage_path(config, "autograded", student, folder.name)
                found.append(Submission(student, folder.name, folder / f"{folder.name}.ipynb", workdir))
    if not found:
        raise CourseError(f"nothing to grade: no submitted/<student>/<stage>/ folders in {submitted.parent}")
    return found


def register_stages(config, stages, scratch):
    """Record the stages in the gradebook (nbgrader generate_assignment); return the student versions' paths."""
    config = copy.deepcopy(config)
    config.CourseDirectory.release_directory = str(scratch / "release")
    paths = generate_student_notebooks(stages, config, register=True)
    return dict(zip(stages, paths))


def prepare_workdir(config, submission):
    """A fresh autograded/<student>/<stage> with the student's other files, then the course's (as nbgrader).

    Only for the record: kernels run in folders of their own, with the course's files alone. Only
    plain files are copied: a link could bring in anything the instructor can read (feedback
    copies these files on to the student), a pipe would never end. The grader notes the rest.
    """
    shutil.rmtree(submission.workdir, ignore_errors=True)
    submission.workdir.mkdir(parents=True)
    folder = submission.path.parent
    files, _ = ([], None) if linked_submission(submission) else handed_in_files(folder, course_directory(config).ignore)
    for name in files:
        target = submission.workdir / Path(name).relative_to(folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open_plain(name) as source, open(target, "wb") as copy:
                shutil.copyfileobj(source, copy)
        except OSError:  # changed or gone since it was listed: the grader's note says what it is now
            pass
    copy_course_files(config, submission.stage, submission.workdir)


def snapshot(db_url, scratch):
    """A read-only copy of an sqlite gradebook for the workers; other databases are shared as they are."""
    prefix = "sqlite:///"
    if not db_url.startswith(prefix):
        return db_url
    copied = scratch / "gradebook-snapshot.db"
    shutil.copy(db_url[len(prefix):], copied)
    return prefix + str(copied)


class Recorder:
    """Writes graded submissions into the gradebook and autograded/, one at a time."""

    def __init__(self, config, templates, confined=True):
        self.config = config
        self.confined = confined
        self.coursedir = course_directory(config)
        self.templates = templates
        _, self.after_execute = nbgrader_steps(config)

    def record(self, graded):
        folder = stage_path(self.config, "submitted", graded.student, graded.stage)
        submission = Submission(graded.student, graded.stage, folder / f"{graded.stage}.ipynb",
                                stage_path(self.config, "autograded", graded.student, graded.stage))
        self.create_submission(submission)
        notes, flags = list(graded.notes), []
        if graded.notebook is None:
            notebook = nbformat.read(self.templates[graded.stage], as_version=4)
            self.give_zero(submission)
        else:
            resources = nbgrader_resources(submission, self.coursedir.db_url)
            notebook = nbformat.reads(graded.notebook, as_version=4)
            score_by_outcome(notebook)
            notebook, _ = run_preprocessors(self.after_execute, notebook, resources, self.config)
            findings = policy.judge(notebook, nbformat.read(self.templates[graded.stage], as_version=4))
            if findings:
                flags.append("flagged")
                notes += [finding.note() for finding in findings]
                self.flag_for_review(submission, notebook, min(finding.cell for finding in findings))
            if any(outcome(cell) == "reference answer" for _, cell in test_cells(notebook)):
                flags.append("reference answer")
            drop_outcomes(notebook)
        notebook.metadata[contract.METADATA_KEY] = {"status": graded.status, "notes": notes, "flags": flags,
                                                    **({} if self.confined else {"unconfined": True})}
        submission.workdir.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, submission.workdir / f"{graded.stage}.ipynb")

    def gradebook(self):
        return Gradebook(self.coursedir.db_url, self.coursedir.course_id)

    def create_submission(self, submission):
        timestamp = self.coursedir.get_existing_timestamp(str(submission.path.parent))
        extra = {"timestamp": timestamp} if timestamp else {}
        with self.gradebook() as gradebook:
            gradebook.update_or_create_student(submission.student)
            gradebook.update_or_create_submission(submission.stage, submission.student, **extra)

    def flag_for_review(self, submission, notebook, first_cell):
        """Every test cell after `first_cell` needs a manual grade, so formgrader lists the
        submission (its autograded score stays until a grader decides)."""
        affected = {cell.metadata.nbgrader["grade_id"] for index, cell in test_cells(notebook) if index > first_cell}
        with self.gradebook() as gradebook:
            graded = gradebook.find_submission_notebook(submission.stage, submission.stage, submission.student)
            for grade in graded.grades:
                if grade.name in affected:
                    grade.needs_manual_grade = True
            gradebook.db.commit()

    def give_zero(self, submission):
        """Nothing could be run: every test scores 0, as nbgrader does for a missing notebook."""
        with self.gradebook() as gradebook:
            notebook = gradebook.find_submission_notebook(submission.stage, submission.stage, submission.student)
            for grade in notebook.grades:
                grade.auto_score = 0
                grade.needs_manual_grade = False
            gradebook.db.commit()
