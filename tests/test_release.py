"""Release: student notebooks generated from the instructor's, and the proof that the tests mean something."""
import filecmp
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from backprop_course import contract
from backprop_course.config import SOLUTIONS, load_config, write_scratch_course
from backprop_course.assignments import generate_student_notebooks
from pipeline_toy import TESTS, TOY_STAGE, toy_course

pytestmark = pytest.mark.pipeline

BIN = Path(sys.executable).parent
REPOSITORY = Path(__file__).resolve().parents[1]


def backprop_course(*arguments):
    environment = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run([str(BIN / "backprop-course"), *map(str, arguments)], env=environment,
                          capture_output=True, text=True)


def test_student_version_has_no_solution_no_hidden_test_and_no_output(tmp_path):
    root, source = toy_course(tmp_path)
    [student_version] = generate_student_notebooks(config=load_config(root))
    text = student_version.read_text()
    assert "(2 * eps)" in source.read_text() and "(2 * eps)" not in text
    assert "HIDDEN" not in text and "3.0001" not in text
    assert "raise NotImplementedError()" in text
    assert all(not cell.get("outputs") for cell in nbformat.read(student_version, as_version=4).cells)
    assert not list(root.rglob("gradebook.db")), "generating the student notebooks must not leave a gradebook"


def test_generating_twice_gives_identical_files(tmp_path):
    root, _ = toy_course(tmp_path)
    [first] = generate_student_notebooks(config=load_config(root))
    kept = first.read_bytes()
    [second] = generate_student_notebooks(config=load_config(root))
    assert second.read_bytes() == kept


def test_release_fails_when_a_test_passes_without_answer_or_the_solution_fails(tmp_path):
    root, source = toy_course(tmp_path, tests={**TESTS, "circuit_gradients": "assert True"})
    source.write_text(source.read_text().replace("(2 * eps)", "(3 * eps)"))
    finished = backprop_course("release", "--course", root, "--jobs", "1")
    assert finished.returncode == 1
    assert "passes test_circuit_gradients without any answer" in finished.stdout
    assert "answers fail test_numerical_diff" in finished.stdout
    assert "release check failed" in finished.stdout


def test_release_rejects_an_unknown_stage(tmp_path):
    root, _ = toy_course(tmp_path)
    finished = backprop_course("release", "--no-check", "--course", root, "08_nothing")
    assert finished.returncode == 2
    assert "unknown stage 08_nothing" in finished.stderr and TOY_STAGE in finished.stderr


@pytest.mark.parametrize("stage", [stage for stage in contract.STAGES if (SOLUTIONS / stage).is_dir()])
def test_committed_student_notebooks_are_generated_from_the_solutions(tmp_path, stage):
    """notebooks/ is never edited by hand: regenerating it changes nothing (else run `make notebooks`)."""
    [fresh] = generate_student_notebooks([stage], load_config(write_scratch_course(tmp_path)))
    committed = REPOSITORY / "notebooks" / stage / f"{stage}.ipynb"
    assert committed.exists(), f"{committed} is missing: run `make notebooks`"
    assert filecmp.cmp(fresh, committed, shallow=False), f"{committed} is out of date: run `make notebooks`"
    cells = nbformat.read(committed, as_version=4).cells
    assert all(not c.get("outputs") and not c.get("execution_count") for c in cells if c.cell_type == "code")
