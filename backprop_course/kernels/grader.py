"""Grading one submission in a worker: read it, repair it, sanitize it, run it.

This is nbgrader's autograde with the database writes left out (the parent process records
grades, one submission at a time). The steps and their order are nbgrader's own
(`Autograde.sanitize_preprocessors`, then `Execute`), read from the course configuration.
"""
import json
import os
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbconvert.exporters import Exporter
from nbgrader import utils
from nbgrader.converters import Autograde
from nbgrader.preprocessors import Execute

from .execute import NOT_RUN, GradingExecute, KernelStartError, describe_cell
from .startup import KernelSupply
from ..config import course_directory, stage_path
from ..repair import repair_locked_cells
from .contained import contained_notes

# Every status a submission can get, most severe first (it gets the first that applies), with
# what its feedback page tells the student.
STATUSES = {
    "missing": "not graded: the notebook was not found",
    "unreadable": "not graded: the notebook could not be read",
    "failed": "not graded: the grader could not process the notebook",
    "contained": "graded; the sandbox stopped something the notebook tried (see the notes)",
    "crashed": "graded up to the cell where the kernel died",
    "killed": "graded up to a cell that would not stop or flooded the grader with output; the kernel was stopped there",
    "timeout": "graded; a cell ran too long and was interrupted, or the whole notebook did",
    "exited": "graded; a cell called sys.exit(), so the rest of that cell did not run",
    "repaired": "graded after restoring test cells you changed",
    "errors": "graded; cells other than tests raised errors",
    "ok": "graded",
}
MiB = 1 << 20
MAX_HANDED_IN = 64 * MiB  # a notebook with its outputs cleared has well under 1 MiB
QUIET_ERRORS = {"NotImplementedError", "KeyboardInterrupt", "CellTimeoutError", NOT_RUN,
                "KernelDied", "KernelUnresponsive"}


@dataclass
class Submission:
    student: str
    stage: str
    path: Path  # submitted/<student>/<stage>/<stage>.ipynb
    workdir: Path  # autograded/<student>/<stage>: where the kernel runs


@dataclass
class Graded:
    student: str
    stage: str
    status: str
    notes: list = field(default_factory=list)
    notebook: str = None  # the executed notebook as JSON text; None when there was nothing to run


def nbgrader_steps(config):
    """nbgrader's autograde preprocessors split around Execute: (before, after)."""
    autograde = Autograde(config=config)
    steps = list(autograde.autograde_preprocessors)
    at = next(index for index, step in enumerate(steps) if isinstance(step, type) and issubclass(step, Execute))
    return list(autograde.sanitize_preprocessors) + steps[:at], steps[at + 1:]


def run_preprocessors(preprocessors, notebook, resources, config):
    """Run nbgrader/nbconvert preprocessors the way nbgrader's converters do (same enabling rules)."""
    exporter = Exporter(config=config)
    exporter._preprocessors = []
    for preprocessor in preprocessors:
        exporter.register_preprocessor(preprocessor)
    return exporter.from_notebook_node(notebook, resources)


def nbgrader_resources(submission, db_url):
    return {
        "unique_key": submission.stage,
        "output_files_dir": f"{submission.stage}_files",
        "metadata": {"name": submission.stage, "path": str(submission.workdir)},
        "nbgrader": {"student": submission.student, "assignment": submission.stage,
                     "notebook": submission.stage, "db_url": db_url},
    }


def read_submission(path):
    """(notebook, None) or (None, (status, note)) when it is missing or unreadable."""
    if not path.exists():
        others = sorted(other.name for other in path.parent.glob("*.ipynb"))
        found = f" (found {', '.join(others)}: rename it to {path.name})" if others else ""
        return None, ("missing", f"no {path.name} was submitted{found}")
    problem = not_plain(path, follow_links=True)
    if problem:
        return None, ("unreadable", f"{path.name} {problem}")
    try:
        with open_plain(path, follow_links=True) as file:
            return nbformat.read(file, as_version=4), None
    except (json.JSONDecodeError, nbformat.reader.NotJSONError, nbformat.ValidationError, UnicodeDecodeError,
            KeyError, ValueError, RecursionError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return None, ("unreadable", f"{path.name} is not a readable notebook: {first_line}")


def not_plain(path, follow_links=False):
    """Why the grader will not read a handed-in file, or None: it reads plain files of at most
    MAX_HANDED_IN bytes, never a link (to anything the instructor can read), a pipe or a device."""
    status = os.stat(path) if follow_links else os.lstat(path)
    if stat.S_ISLNK(status.st_mode):
        return "is a symbolic link, which the grader does not follow: hand in the file itself"
    if not stat.S_ISREG(status.st_mode):
        return "is not a plain file (a pipe? a device?): hand in the file itself"
    if status.st_size > MAX_HANDED_IN:
        return (f"has {status.st_size / MiB:,.0f} MiB; the grader reads files of up to {MAX_HANDED_IN // MiB} MiB "
                "(clear a notebook's outputs before handing it in)")
    return None


def open_plain(path, follow_links=False):
    """`path` opened for reading in binary, without waiting on a pipe or (unless told) following a link."""
    flags = os.O_RDONLY | os.O_NONBLOCK | (0 if follow_links else os.O_NOFOLLOW)
    file = os.fdopen(os.open(path, flags), "rb")
    if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):  # swapped since `not_plain` looked
        file.close()
        raise OSError(f"{path} is not a plain file")
    return file


def linked_submission(submission):
    """The note when the student's folder, the stage's folder or the notebook is a symbolic link
    (to someone else's work? the solutions?), else None."""
    for path in (submission.path.parent.parent, submission.path.parent, submission.path):
        if path.is_symlink():
            return f"{path.name}{'/' if path != submission.path else ''} {not_plain(path)}"
    return None


def handed_in_files(folder, ignore):
    """(the plain files handed in beside the notebook, a note for each other file, which is left out)."""
    files, notes = [], []
    for name in utils.find_all_files(str(folder), ignore + ["*.ipynb"]):
        problem = not_plain(name)
        if problem:
            notes.append(f"`{Path(name).relative_to(folder)}` beside the notebook {problem}; it was left out")
        else:
            files.append(name)
    return files, notes


def cell_errors(notebook):
    """(error name, note) for errors outside test cells the student should hear about (SystemExit...)."""
    return [(output.ename, f"{describe_cell(notebook, index)} raised {output.ename}: {output.evalue}"[:300])
            for index, cell in enumerate(notebook.cells) if cell.cell_type == "code" and not utils.is_grade(cell)
            for output in cell.get("outputs", [])
            if output.output_type == "error" and output.ename not in QUIET_ERRORS]


def status_of(repairs, executor, errors, contained=()):
    """The most severe status that applies (see STATUSES)."""
    names = {name for name, _ in errors}
    severe_first = [(contained, "contained"), (executor.stopped, executor.stopped), (executor.timed_out, "timeout"),
                    ("SystemExit" in names, "exited"), (repairs, "repaired"), (errors, "errors")]
    return next((status for applies, status in severe_first if applies), "ok")


def copy_course_files(config, stage, folder):
    """Copy the stage's own files (all but notebooks and nbgrader's ignored ones) into `folder`."""
    source = stage_path(config, "source", ".", stage)
    for name in utils.find_all_files(str(source), course_directory(config).ignore + ["*.ipynb"]):
        target = Path(folder) / Path(name).relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(name, target)


class Grader:
    """Grades submissions one after another, each in a fresh kernel started ahead of need.

    Sandboxed with `limits` (a `sandbox.Limits`), unconfined without. A kernel's work folder
    holds only the course's own files for the stage, never what a student handed in beside
    the notebook, so nothing of theirs is on the kernel's import path.
    """

    def __init__(self, config, templates, db_url, limits=None, scratch=None, log=None):
        self.config = config
        self.templates = {stage: nbformat.read(path, as_version=4) for stage, path in templates.items()}
        self.db_url = db_url
        self.limits = limits
        self.before_execute, _ = nbgrader_steps(config)
        environment = {**os.environ, "NBGRADER_EXECUTION": "autograde"}
        self.kernels = KernelSupply(config, log=log, env=environment, limits=limits, scratch=scratch)

    def grade(self, submission):
        linked = linked_submission(submission)
        notebook, problem = (None, ("unreadable", linked)) if linked else read_submission(submission.path)
        if problem:
            status, note = problem
            return Graded(submission.student, submission.stage, status, [note])
        _, left_out = handed_in_files(submission.path.parent, course_directory(self.config).ignore)
        notes = repair_locked_cells(notebook, self.templates[submission.stage])
        resources = nbgrader_resources(submission, self.db_url)
        notebook, resources = run_preprocessors(self.before_execute, notebook, resources, self.config)
        executor = self.execute(notebook, resources, submission.stage)
        errors = cell_errors(notebook)
        contained = contained_notes(notebook, executor.exit_status, self.limits) if self.limits else []
        status = status_of(notes, executor, errors, contained)
        notes += left_out + contained + executor.notes + [note for _, note in errors]
        return Graded(submission.student, submission.stage, status, notes, nbformat.writes(notebook))

    def execute(self, notebook, resources, stage, attempts=3):
        """Run the notebook; a kernel that fails to start (a rare race of the OS) is replaced."""
        for attempt in range(attempts):
            executor = GradingExecute(config=self.config)
            kernel = self.kernels.take()
            here, there, files = self.kernels.work_folder(kernel)
            copy_course_files(self.config, stage, here)
            in_kernel = {**resources, "metadata": {**resources["metadata"], "path": there, "files": files}}
            try:
                executor.preprocess(notebook, in_kernel, km=kernel)
                return executor
            except KernelStartError:
                if attempt == attempts - 1:
                    raise

    def close(self):
        self.kernels.close()
