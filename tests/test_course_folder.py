"""A course folder anywhere: `init`, which course a command uses, an installed package, formgrader."""
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from traitlets.config.loader import PyFileConfigLoader

from backprop_course import contract
from backprop_course.config import COURSE_ROOT, CourseError, find_course
from backprop_course.init_course import init_course
from commands import BIN, run

pytestmark = [pytest.mark.course, pytest.mark.pipeline]

REPOSITORY = Path(__file__).resolve().parents[1]
STAGE = contract.STAGES[0]


@pytest.fixture(scope="module")
def own_course(tmp_path_factory):
    return init_course(tmp_path_factory.mktemp("courses") / "ml 101")


def test_init_writes_a_config_the_notebooks_and_a_gitignore(own_course):
    config = PyFileConfigLoader("nbgrader_config.py", path=str(own_course)).load_config()
    assert config.CourseDirectory.root == str(own_course)
    assert config.CourseDirectory.source_directory == "source"
    assert config.CourseDirectory.release_directory == "release"
    assert config.CourseDirectory.course_id == "ml-101"
    assert sorted(path.name for path in (own_course / "source").iterdir()) == list(contract.STAGES)
    assert (own_course / "source" / STAGE / f"{STAGE}.ipynb").read_bytes() == \
        (REPOSITORY / "solutions" / STAGE / f"{STAGE}.ipynb").read_bytes()
    assert "gradebook.db" in (own_course / ".gitignore").read_text().split()


def test_init_refuses_a_folder_that_has_files(own_course):
    with pytest.raises(CourseError, match="not empty"):
        init_course(own_course)
    with pytest.raises(CourseError, match="letters, digits"):
        init_course(own_course.parent / "new", course_id="a b")


def test_a_command_uses_the_current_course_folder_and_says_so(own_course):
    finished = run("backprop-course", "release", "--no-check", STAGE, cwd=own_course)
    assert finished.stdout.startswith(f"course: {own_course} (the current folder has an nbgrader_config.py)")
    assert (own_course / "release" / STAGE / f"{STAGE}.ipynb").is_file()


def test_course_option_wins_then_the_current_folder_then_the_bundled_course(own_course, tmp_path):
    assert find_course(tmp_path, cwd=own_course) == (tmp_path.resolve(), "from --course")
    assert find_course(None, cwd=own_course)[0] == own_course
    assert find_course(None, cwd=tmp_path)[0] == COURSE_ROOT


def test_an_installed_package_makes_a_course_without_the_checkout(tmp_path):
    """A wheel installed (not editable) into a fresh venv: init copies the course from the package alone."""
    wheels, venv, course = tmp_path / "wheels", tmp_path / "venv", tmp_path / "course"
    run("pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet", "-w", wheels, REPOSITORY, cwd=tmp_path)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    [site] = venv.glob("lib/python*/site-packages")
    # the dependencies come from this environment; the package itself only from the wheel
    (site / "dependencies.pth").write_text(next(path for path in sys.path if path.endswith("site-packages")))
    run("pip", "--python", venv / "bin" / "python", "install", "--no-deps", "--quiet", *wheels.glob("*.whl"),
        cwd=tmp_path)
    finished = subprocess.run([venv / "bin" / "backprop-course", "init", course], capture_output=True, text=True,
                              cwd=tmp_path)
    assert finished.returncode == 0, finished.stderr
    assert f"from {site / 'backprop_course' / 'shipped' / 'solutions'}" in finished.stdout
    assert sorted(path.name for path in (course / "source").iterdir()) == list(contract.STAGES)
    assert 'source_directory = "source"' in (course / "nbgrader_config.py").read_text()


def test_formgrader_finds_the_course_of_the_folder_lab_starts_in(own_course):
    """`cd COURSE && jupyter lab`: formgrader's own API lists the course's assignments."""
    port, token = 18000 + os.getpid() % 1000, "course-test"
    server = subprocess.Popen(
        [BIN / "jupyter", "server", "--no-browser", "--allow-root", f"--port={port}",
         f"--IdentityProvider.token={token}"],
        cwd=own_course, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"})
    request = urllib.request.Request(f"http://127.0.0.1:{port}/formgrader/api/assignments",
                                     headers={"Authorization": f"token {token}"})
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                assignments = json.load(urllib.request.urlopen(request, timeout=5))
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "jupyter server did not answer"
                time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert {assignment["name"] for assignment in assignments} == set(contract.STAGES)
    assert {assignment["source_path"] for assignment in assignments} == {f"source/{stage}" for stage in contract.STAGES}
