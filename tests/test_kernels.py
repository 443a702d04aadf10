"""Grading shipped submissions with the pieces any backend uses (Grader, grade_safely), in a real sandbox."""
import os
import pickle
import shutil
import tempfile
from pathlib import Path

import nbformat
import pytest

from backprop_course.assignments import generate_student_notebooks
from backprop_course.kernels.grader import MAX_HANDED_IN, Grader, Submission, handed_in_files, read_submission
from backprop_course.kernels.pool import grade_safely
from backprop_course.kernels.sandbox import Limits, sandbox_problem
from backprop_course.mistakes import before
from backprop_course.sample_class import Work
from pipeline_toy import TOY_STAGE, toy_course, write_class

pytestmark = pytest.mark.pipeline


def test_a_shipped_submission_is_graded_in_a_sandbox_and_nothing_is_left(tmp_path, request):
    if sandbox_problem():
        pytest.fail(f"the sandbox cannot run here: {sandbox_problem()}")
    root, _ = toy_course(tmp_path / "course")
    students = {"ada": Work(), "cy": Work(answers=(before("numerical_diff", "open('/etc/motd', 'w')"),))}
    config = write_class(root, students)
    [template] = generate_student_notebooks(config=config, register=True)
    scratch = Path(tempfile.mkdtemp(prefix="kernels-test-"))  # short enough for the kernels' sockets
    request.addfinalizer(lambda: shutil.rmtree(scratch, ignore_errors=True))
    arguments = (config, {TOY_STAGE: template}, f"sqlite:///{root}/gradebook.db", Limits(), str(scratch))
    submissions = [Submission(student, TOY_STAGE, root / "submitted" / student / TOY_STAGE / f"{TOY_STAGE}.ipynb",
                              root / "autograded" / student / TOY_STAGE) for student in students]
    shipped = pickle.loads(pickle.dumps((arguments, submissions)))  # as a scheduler sends them to a worker
    grader = Grader(*shipped[0])
    try:
        graded = [pickle.loads(pickle.dumps(grade_safely(grader, submission))) for submission in shipped[1]]
    finally:
        grader.close()
    assert [(result.student, result.status) for result in graded] == [("ada", "ok"), ("cy", "contained")]
    assert any("tried to write outside its folder" in note for note in graded[1].notes), graded[1].notes
    errors = [output for cell in nbformat.reads(graded[0].notebook, as_version=4).cells
              for output in cell.get("outputs", []) if output.output_type == "error"]
    assert errors == []
    assert list(scratch.iterdir()) == []


def test_only_plain_files_handed_in_are_read_or_copied(tmp_path):
    folder = tmp_path / "submitted" / "mallory" / TOY_STAGE
    folder.mkdir(parents=True)
    (folder / "data.csv").write_text("x,y\n")
    (folder / "key.txt").symlink_to("/etc/hostname")
    (folder / "shared").symlink_to(tmp_path, target_is_directory=True)
    os.mkfifo(folder / "pipe")
    with open(folder / "huge.bin", "wb") as huge:  # sparse: no disk used
        huge.truncate(MAX_HANDED_IN + 1)
    files, notes = handed_in_files(folder, [])
    assert files == [str(folder / "data.csv")]
    assert sorted(note.split("`")[1] for note in notes) == ["huge.bin", "key.txt", "pipe"], notes
    os.mkfifo(folder / f"{TOY_STAGE}.ipynb")  # reading it would wait for ever
    assert read_submission(folder / f"{TOY_STAGE}.ipynb") == (
        None, ("unreadable", f"{TOY_STAGE}.ipynb is not a plain file (a pipe? a device?): hand in the file itself"))
