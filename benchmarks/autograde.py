"""Autograde 40 submissions of one stage with plain `nbgrader autograde` and with `backprop-course autograde`.

All run as commands, as an instructor would run them, on identical copies of one class:
perfect answers, the stage's typical mistakes and untouched notebooks, in turn. Ours runs
twice, with every kernel sandboxed (as it grades) and with `--no-sandbox`, which prices the
sandbox per kernel. The scores of every test cell must agree; the last line reads
`speedup N.NNx ...` (sandboxed against plain nbgrader, which has no sandbox).

    python benchmarks/autograde.py [--stage 03_gates] [--students 40] [--jobs N]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from jupyter_client.blocking import BlockingKernelClient
from jupyter_core.utils import run_sync
from nbgrader.api import Gradebook
from traitlets.config import Config

from backprop_course.config import SOLUTIONS, load_config, stage_path, write_scratch_course
from backprop_course.mistakes import TYPICAL_MISTAKES
from backprop_course.kernels.pool import default_jobs
from backprop_course.kernels.sandbox import Limits
from backprop_course.kernels.startup import KernelSupply
from backprop_course.assignments import generate_student_notebooks
from backprop_course.sample_class import Work, submission

BIN = Path(sys.executable).parent


def class_of(stage, size):
    """`size` pieces of work for `stage`: perfect, each typical mistake, untouched, in turn."""
    kinds = [Work(), *[Work(answers=m.answers) for m in TYPICAL_MISTAKES[stage]], Work(unanswered=("*",))]
    return [kinds[index % len(kinds)] for index in range(size)]


def make_course(folder, stage, works, source):
    """A scratch course with the stage registered in its gradebook and one submission per work."""
    root = write_scratch_course(folder, source=source)
    config = load_config(root)
    [student_version] = generate_student_notebooks([stage], config, register=True)
    blank = nbformat.read(student_version, as_version=4)
    solution = nbformat.read(Path(source) / stage / f"{stage}.ipynb", as_version=4)
    for number, work in enumerate(works):
        target = stage_path(config, "submitted", f"student{number:02d}", stage)
        target.mkdir(parents=True)
        nbformat.write(submission(blank, solution, work), target / f"{stage}.ipynb")
    return root


def timed(command, folder):
    environment = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    started = time.monotonic()
    finished = subprocess.run(command, cwd=folder, env=environment, capture_output=True, text=True)
    if finished.returncode != 0:
        sys.exit(f"{' '.join(map(str, command))} failed:\n{finished.stdout}\n{finished.stderr}")
    return time.monotonic() - started


def scores(root, stage):
    """(student, test cell) -> auto score, from the course's gradebook."""
    with Gradebook(f"sqlite:///{root}/gradebook.db") as gradebook:
        return {(submitted.student.id, grade.name): grade.auto_score
                for submitted in gradebook.assignment_submissions(stage)
                for grade in submitted.notebooks[0].grades}


def kernel_ready_seconds(rounds):
    """Median seconds from asking for a kernel to its first reply, sandboxed and unconfined, taken in turns."""
    supplies = {"sandboxed": KernelSupply(Config(), limits=Limits()), "unconfined": KernelSupply(Config())}
    seconds = {name: [] for name in supplies}
    try:
        for _ in range(rounds):
            for name, supply in supplies.items():
                started = time.monotonic()
                manager = supply.start()
                client = BlockingKernelClient()
                client.load_connection_info(manager.get_connection_info())
                client.start_channels()
                client.wait_for_ready(timeout=60)
                seconds[name].append(time.monotonic() - started)
                client.stop_channels()
                run_sync(manager.shutdown_kernel)(now=True)
    finally:
        for supply in supplies.values():
            supply.close()
    return {name: statistics.median(values) for name, values in seconds.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", default="03_gates")
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=default_jobs())
    parser.add_argument("--source", default=str(SOLUTIONS), help="folder of instructor notebooks")
    parser.add_argument("--kernels", type=int, default=20, help="kernels started per kind to price the sandbox")
    arguments = parser.parse_args()
    works = class_of(arguments.stage, arguments.students)
    with tempfile.TemporaryDirectory(prefix="backprop-bench-") as scratch:
        plain = make_course(Path(scratch) / "plain", arguments.stage, works, arguments.source)
        ours = make_course(Path(scratch) / "ours", arguments.stage, works, arguments.source)
        unconfined = make_course(Path(scratch) / "unconfined", arguments.stage, works, arguments.source)
        plain_seconds = timed([BIN / "nbgrader", "autograde", arguments.stage], plain)
        command = [BIN / "backprop-course", "autograde", arguments.stage, "--jobs", str(arguments.jobs), "--course"]
        our_seconds = timed([*command, str(ours)], ours)
        unconfined_seconds = timed([*command, str(unconfined), "--no-sandbox"], unconfined)
        expected = scores(plain, arguments.stage)
        for course in (ours, unconfined):
            got = scores(course, arguments.stage)
            if len(expected) != len(got) or expected != got:
                differing = sorted(key for key in expected.keys() | got.keys() if expected.get(key) != got.get(key))
                sys.exit(f"scores of {course.name} differ for {len(differing)} test cells, e.g. {differing[:5]}")
    count = len(works)
    print(f"{count} submissions of {arguments.stage}, {os.cpu_count()} cores; "
          f"all {len(got)} test-cell scores agree")
    print(f"plain nbgrader autograde:   {plain_seconds:7.1f} s  {plain_seconds / count:.2f} s per submission")
    print(f"backprop-course autograde:  {our_seconds:7.1f} s  {our_seconds / count:.2f} s per submission "
          f"({arguments.jobs} workers, every kernel sandboxed)")
    print(f"  the same --no-sandbox:    {unconfined_seconds:7.1f} s  {unconfined_seconds / count:.2f} s per submission")
    ready = kernel_ready_seconds(arguments.kernels)
    print(f"a warm kernel ready to run (median of {arguments.kernels}): sandboxed {ready['sandboxed'] * 1000:.0f} ms, "
          f"unconfined {ready['unconfined'] * 1000:.0f} ms; the sandbox costs "
          f"{(ready['sandboxed'] - ready['unconfined']) * 1000:+.0f} ms per kernel")
    print(f"speedup {plain_seconds / our_seconds:.2f}x ({arguments.jobs} workers, {count} submissions of "
          f"{arguments.stage}, {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
