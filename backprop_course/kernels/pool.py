"""A pool of long-lived grading processes.

Grading is latency-bound (kernel start-up, message round trips), so a few more workers than
cores keep the CPUs busy. Each worker builds one `Grader` (one import of nbgrader, one kernel
always booting ahead) and grades submission after submission; results stream back to the
parent, which alone writes the gradebook. A worker that dies costs only the submission it
was grading, which comes back as "failed".
"""
import logging
import multiprocessing
import os
import queue
import signal
import sys
from contextlib import contextmanager

from ..console import log_to_file
from .grader import Graded, Grader
from .sandbox import die_with_parent

POLL_SECONDS = 1.0


def default_jobs():
    """One worker more than cores: measured fastest on 2 cores (see benchmarks/autograde.py)."""
    return (os.cpu_count() or 1) + 1


def process_context():
    """fork: workers start with everything already imported; spawn where there is no fork."""
    return multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")


def grade_safely(grader, submission):
    """Grade one submission; a grader failure becomes a "failed" result instead of stopping the batch."""
    try:
        return grader.grade(submission)
    except Exception as error:  # the batch must go on, whatever one notebook does
        logging.getLogger(__name__).exception("grading %s/%s failed", submission.student, submission.stage)
        note = f"the grader could not process this notebook: {type(error).__name__}: {error}"
        return Graded(submission.student, submission.stage, "failed", [note[:500]])


@contextmanager
def running_grader(grader_arguments, log_file):
    """A Grader whose kernels write their stderr to the log file (or nowhere), closed at the end."""
    with open(log_file or os.devnull, "a") as kernel_log:
        grader = Grader(*grader_arguments, log=kernel_log)
        try:
            yield grader
        finally:
            grader.close()


def worker(grader_arguments, log_file, tasks, results):
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # so `finally` stops the spare kernel
    die_with_parent(signal.SIGTERM)  # a killed autograde leaves no worker behind
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if log_file:
        log_to_file(log_file)
    with running_grader(grader_arguments, log_file) as grader:
        for index, submission in iter(tasks.get, None):
            results.put(("started", index, os.getpid()))
            results.put(("done", index, grade_safely(grader, submission)))


def grade_in_process(submissions, grader_arguments, log_file):
    with running_grader(grader_arguments, log_file) as grader:
        for submission in submissions:
            yield grade_safely(grader, submission)


def grade_in_pool(submissions, grader_arguments, jobs, log_file):
    """Yield a `Graded` for every submission, in completion order, from `jobs` worker processes."""
    context = process_context()
    tasks, results = context.Queue(), context.Queue()
    for task in enumerate(submissions):
        tasks.put(task)

    def start_worker():
        process = context.Process(target=worker, args=(grader_arguments, log_file, tasks, results), daemon=True)
        process.start()
        return process

    workers = [start_worker() for _ in range(min(jobs, len(submissions)))]
    grading = {}  # worker pid -> index of the submission it is grading, None when idle
    remaining = set(range(len(submissions)))
    try:
        while remaining:
            try:
                kind, index, payload = results.get(timeout=POLL_SECONDS)
            except queue.Empty:
                for lost in replace_dead_workers(workers, grading, start_worker):
                    remaining.discard(lost)
                    yield Graded(submissions[lost].student, submissions[lost].stage, "failed",
                                 ["the grading process died while grading this notebook"])
                continue
            if kind == "started":
                grading[payload] = index
            elif index in remaining:
                grading.update({pid: None for pid, busy in grading.items() if busy == index})
                remaining.discard(index)
                yield payload
    finally:
        for _ in workers:
            tasks.put(None)
        for process in workers:
            process.join(timeout=10)
            if process.is_alive():
                process.terminate()


def replace_dead_workers(workers, grading, start_worker):
    """Restart workers that died; return the submissions they were grading."""
    lost = []
    for position, process in enumerate(workers):
        if not process.is_alive():
            if process.pid not in grading:
                raise RuntimeError(f"a grading process could not start (exit code {process.exitcode}); see the log")
            index = grading.pop(process.pid)
            if index is not None:
                lost.append(index)
            workers[position] = start_worker()
    return lost
