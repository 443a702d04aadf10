"""Seconds per submission graded by the local pool and by Dask workers, in one run, on one class.

Both grade identical copies of one class of a stage (perfect answers, the stage's typical
mistakes, untouched notebooks in turn) in this process, as `backprop-course autograde` does;
the Dask workers are a LocalCluster of single-threaded worker processes on this machine. The
scores of every test cell must agree. It also times the command's own share of each
submission (recording it in the gradebook, the one writer), which no number of workers shares.

    python benchmarks/dask_grading.py [--stage 03_gates] [--students 24] [--workers 3]
"""
import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from distributed import LocalCluster

from backprop_course import autograde as autograde_module
from backprop_course.config import SOLUTIONS, load_config
from backprop_course.pool import default_jobs

sys.path.insert(0, str(Path(__file__).resolve().parent))
from autograde import class_of, make_course, scores  # noqa: E402 (the sibling benchmark's class and course)


class RecordingClock:
    """Wraps the command's Recorder.record to add up the seconds spent writing results."""

    def __init__(self):
        self.seconds = 0.0
        self.original = autograde_module.Recorder.record

    def __enter__(self):
        clock = self

        def timed_record(recorder, graded):
            started = time.monotonic()
            clock.original(recorder, graded)
            clock.seconds += time.monotonic() - started

        autograde_module.Recorder.record = timed_record
        return self

    def __exit__(self, *exc):
        autograde_module.Recorder.record = self.original


def grade(root, **where):
    with RecordingClock() as recording:
        started = time.monotonic()
        autograde_module.autograde(load_config(root), **where)
        return time.monotonic() - started, recording.seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", default="03_gates")
    parser.add_argument("--students", type=int, default=24)
    parser.add_argument("--workers", type=int, default=default_jobs(), help="local pool processes and Dask workers")
    parser.add_argument("--source", default=str(SOLUTIONS), help="folder of instructor notebooks")
    arguments = parser.parse_args()
    works, count, workers = class_of(arguments.stage, arguments.students), arguments.students, arguments.workers
    with tempfile.TemporaryDirectory(prefix="backprop-bench-dask-") as scratch:
        local = make_course(Path(scratch) / "local", arguments.stage, works, arguments.source)
        remote = make_course(Path(scratch) / "dask", arguments.stage, works, arguments.source)
        local_seconds, local_recording = grade(local, jobs=workers)
        started = time.monotonic()
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            cluster_seconds = time.monotonic() - started
            dask_seconds, dask_recording = grade(remote, scheduler=cluster.scheduler_address)
        expected, got = scores(local, arguments.stage), scores(remote, arguments.stage)
    if expected != got:
        sys.exit(f"scores differ for {sum(expected.get(key) != got.get(key) for key in expected | got)} test cells")
    print(f"{count} submissions of {arguments.stage}, {os.cpu_count()} cores, {workers} workers each; "
          f"all {len(got)} test-cell scores agree")
    print(f"local pool:        {local_seconds:6.1f} s  {local_seconds / count:.2f} s per submission")
    print(f"Dask LocalCluster: {dask_seconds:6.1f} s  {dask_seconds / count:.2f} s per submission "
          f"(cluster started in {cluster_seconds:.1f} s, not counted)")
    print(f"Dask / local: {dask_seconds / local_seconds:.2f}x")
    print(f"worker time per submission (Dask, {workers} workers on {os.cpu_count()} cores): "
          f"{dask_seconds * workers / count:.2f} s")
    print(f"the command's own share, recording: {local_recording / count:.3f} s per submission (local run), "
          f"{dask_recording / count:.3f} s (Dask run)")


if __name__ == "__main__":
    main()
