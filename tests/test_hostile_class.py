"""A hostile class on the toy stage: one attack per student, an honest student before and after each.

Graded twice, by the command line with the pool and through the API with one process, in real
sandboxes. Nothing an attacker does may change anyone else's grade, any file outside its own
work folder, the network or the processes left behind, nor reveal a secret.
"""
import csv
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from backprop_course.autograde import autograde
from backprop_course.cli import main
from backprop_course.config import load_config
from backprop_course.kernels.sandbox import sandbox_problem
from backprop_course.sample_class import Work
from hostile_attacks import (ATTACKS, CONTAINED, MARKER, MAX_KEPT, NOTEBOOK_SECONDS, REPOSITORY, SECRET, SEQUENTIAL,
                             hostile_class, plant)
from pipeline_toy import TOY_STAGE, gradebook_scores, toy_course, write_class

pytestmark = pytest.mark.pipeline

BIN = Path(sys.executable).parent
SITE_PACKAGES = Path(nbformat.__file__).resolve().parent.parent


def fingerprint(*folders, skip=("autograded", "__pycache__")):
    """Path -> (size, modification time, content hash) of every file under the folders (but `skip` subfolders)."""
    hashes = {}
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file() and not any(part in skip for part in path.relative_to(folder).parts):
                status = path.stat()
                content = hashlib.sha256(path.read_bytes()).hexdigest() if status.st_size < 1 << 20 else None
                hashes[str(path)] = (status.st_size, status.st_mtime_ns, content)
    return hashes


def surviving_processes():
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and MARKER.encode() in (entry / "cmdline").read_bytes():
                found.append(entry.name)
        except OSError:
            pass
    return found


@pytest.fixture(scope="module")
def graded(tmp_path_factory, request):
    if sandbox_problem():
        pytest.fail(f"the sandbox cannot run here, so containment cannot be tested: {sandbox_problem()}")
    home = tmp_path_factory.mktemp("home")
    (home / ".ssh").mkdir()
    (home / ".ssh" / "id_rsa").write_text(SECRET)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.setblocking(False)
    runs = {}
    scratch = Path(tempfile.mkdtemp(prefix="hostile-"))  # the run's own temporary folder: short, for sockets
    request.addfinalizer(lambda: shutil.rmtree(scratch, ignore_errors=True))
    for name in ("pool", "sequential"):
        root, _ = toy_course(tmp_path_factory.mktemp(name))
        students = hostile_class(root, home, listener.getsockname()[1], ATTACKS if name == "pool" else SEQUENTIAL)
        with open(root / "nbgrader_config.py", "a") as config:
            config.write(f"c.GradingExecute.max_notebook_seconds = {NOTEBOOK_SECONDS}\n")
        write_class(root, students)
        if "beside" in students:
            (root / "submitted" / "beside" / TOY_STAGE / "beside_helper.py").write_text("SHADOWED = True\n")
        for attack in students:
            plant(attack, root / "submitted" / attack / TOY_STAGE, root, home)
        protected = (REPOSITORY / "autograd_ref", REPOSITORY / "backprop_course", REPOSITORY / "solutions",
                     SITE_PACKAGES, root)
        before_run = fingerprint(*protected)
        environment = {**os.environ, "HOME": str(home), "BACKPROP_SECRET": SECRET, "TMPDIR": str(scratch),
                       "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
        if name == "pool":
            finished = subprocess.run([str(BIN / "backprop-course"), "autograde", "--course", str(root),
                                       "--jobs", "3", "--timeout", "20"], env=environment, capture_output=True,
                                      text=True)
            # exit code 0: every submission was graded, the attackers with a status that says why
            assert finished.returncode == 0 and f"graded {len(students)} submissions" in finished.stdout, (
                finished.stdout + finished.stderr)
        else:
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("HOME", str(home))
                patch.setenv("BACKPROP_SECRET", SECRET)
                patch.setattr(tempfile, "tempdir", str(scratch))
                autograde(load_config(root, timeout=20), jobs=1)
        after_run = fingerprint(*protected)
        changed = {path for path in set(before_run) | set(after_run) if before_run.get(path) != after_run.get(path)}
        runs[name] = (root, students, changed - {str(root / "gradebook.db"), str(root / "backprop-course.log")})
    try:
        connection, _ = listener.accept()
        received = connection.recv(1 << 16)
    except BlockingIOError:
        received = None
    listener.close()
    leftovers = sorted(path.name for path in scratch.iterdir())
    return runs, received, surviving_processes(), leftovers


@pytest.fixture(params=["pool", "sequential"])
def run(request, graded):
    return graded[0][request.param]


def metadata(root, student):
    notebook = nbformat.read(root / "autograded" / student / TOY_STAGE / f"{TOY_STAGE}.ipynb", as_version=4)
    return notebook.metadata["backprop_course"]


def test_honest_students_keep_full_marks(run):
    root, students, _ = run
    scores = gradebook_scores(root)
    honest = [student for student in students if student not in ATTACKS]
    assert {student: scores[student] for student in honest} == {
        student: students[student].expected_points(TOY_STAGE) for student in honest}
    assert all(metadata(root, student)["status"] == "ok" for student in honest)


def test_the_gradebook_holds_only_what_the_grader_wrote(run):
    root, students, _ = run
    scores = gradebook_scores(root)
    assert set(scores) == set(students)
    for student, work in students.items():
        full = work.expected_points(TOY_STAGE)
        assert all(scores[student][name] <= full[name] for name in full), f"{student} scored {scores[student]}"


def test_no_file_outside_the_attackers_folders_changes(run):
    _, _, changed = run
    assert changed == set()


@pytest.mark.parametrize("name, attack", [("pool", attack) for attack in ATTACKS]
                         + [("sequential", attack) for attack in SEQUENTIAL])
def test_every_attacker_has_a_status_that_says_what_it_tried(graded, name, attack):
    root, _, _ = graded[0][name]
    status, words = CONTAINED[attack]
    graded = metadata(root, attack)
    assert graded["status"] == status, graded
    assert any(words in note for note in graded["notes"]), graded["notes"]


def test_a_linked_or_piped_notebook_earns_nothing(graded):
    root, _, _ = graded[0]["pool"]
    scores = gradebook_scores(root)
    assert {attack: set(scores[attack].values()) for attack in ("linked_folder", "linked_notebook", "pipe_notebook")
            } == dict.fromkeys(("linked_folder", "linked_notebook", "pipe_notebook"), {0})


def test_no_notebook_makes_the_grader_keep_more_than_its_limit(graded):
    root, _, _ = graded[0]["pool"]
    sizes = {path.parent.parent.name: path.stat().st_size for path in (root / "autograded").glob("*/*/*.ipynb")}
    assert max(sizes.values()) < 1.1 * MAX_KEPT, sorted(sizes.items(), key=lambda item: -item[1])[:3]


def test_the_report_shows_each_student_on_one_line_and_no_id_as_a_formula(graded, capsys):
    root, students, _ = graded[0]["pool"]
    assert main(["report", "--course", str(root)]) == 0
    table = capsys.readouterr().out.split("\n\nstudent")[1].split("\n\n")[0]
    rows = table.splitlines()[2:]
    assert len(rows) == len(students), table
    assert "a_honest\\u202e " in table and "b\\nz_honest" in table, table
    with open(root / "grades.csv", newline="") as file:
        ids = [row[0] for row in csv.reader(file)][1:]
    assert len(ids) == len(students) and not [name for name in ids if name[0] in "=+-@"], ids
    assert {"'=HYPERLINK(\"evil.example\")&honest", "'+cmd|calc!honest"} <= set(ids), ids


def test_nothing_reaches_the_network(graded):
    assert graded[1] is None


def test_no_process_or_folder_of_the_run_remains(graded):
    _, _, survivors, leftovers = graded
    assert survivors == [] and leftovers == []


def test_secrets_stay_unread(graded):
    for root, _, _ in graded[0].values():
        written = [path for path in root.rglob("*") if path.is_file() and SECRET.encode() in path.read_bytes()
                   and "submitted" not in path.parts]
        assert written == []


def test_without_a_sandbox_autograde_refuses_unless_told_and_then_warns(tmp_path, monkeypatch, capsys):
    root, _ = toy_course(tmp_path / "course")
    write_class(root, {"ada": Work()})
    monkeypatch.setattr("backprop_course.autograde.sandbox_problem", lambda: "no bubblewrap here: install bubblewrap")
    command = ["autograde", "--course", str(root), "--jobs", "1"]
    assert main(command) == 2
    refused = capsys.readouterr().err
    assert "refusing to run student code unconfined: no bubblewrap here" in refused, refused
    assert not (root / "autograded").exists()
    assert main([*command, "--no-sandbox"]) == 0
    assert after_course_line(capsys.readouterr().out).startswith("WARNING: graded WITHOUT the sandbox")
    assert gradebook_scores(root) == {"ada": Work().expected_points(TOY_STAGE)}
    assert main(["report", "--course", str(root)]) == 0
    assert after_course_line(capsys.readouterr().out).startswith("WARNING: graded WITHOUT the sandbox")


def after_course_line(output):
    """What a command says after its first line, which names the course it uses."""
    first, _, rest = output.partition("\n")
    assert first.startswith("course: "), first
    return rest
