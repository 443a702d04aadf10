"""Grading on a Dask cluster: each submission is a task; only the command writes the gradebook.

A task carries everything a worker needs, so workers share no folder with the course: the
submission's files (its notebook JSON included) and, once per run and per worker, a parcel
with the course configuration, the student version of each stage and a snapshot of an SQLite
gradebook (a gradebook server is read by its URL). A worker thread keeps one `Grader` per run,
so its kernels start ahead of need as in the local pool, and calls the same "grade one
submission" function. If a worker dies mid-task, the scheduler gives its submission to another
worker; a submission that fails the same way on several workers comes back as "failed".

Workers need this package installed (`pip install 'backprop-course[dask]'`) and should run one
task at a time each (`--nthreads 1`), one worker per core.
"""
import shutil
import tempfile
import threading
import uuid
from pathlib import Path

from .config import CourseError
from .kernels.grader import Graded, Grader, Submission
from .kernels.pool import grade_safely

SQLITE = "sqlite:///"
IN_FLIGHT_PER_WORKER = 4  # tasks sent ahead per worker: enough to keep it busy, few to hold in memory
WORKER_WAIT_SECONDS = 600  # a cluster's first worker may wait in a queue (SLURM) before it joins
RETRIES = 2  # a task that raised (not a submission that failed: that is a result) runs again


def connect(scheduler):
    """A dask.distributed Client for `scheduler` (an address), or a one-line error naming the extra."""
    try:
        from distributed import Client
    except ImportError:
        raise CourseError("grading on a Dask cluster needs Dask: pip install 'backprop-course[dask]'") from None
    try:
        return Client(scheduler, timeout="20s")
    except (OSError, TimeoutError) as error:
        raise CourseError(f"cannot reach the Dask scheduler at {scheduler}: {error}") from None


def files_under(folder):
    """{relative path: bytes} of every file below `folder`."""
    folder = Path(folder)
    if not folder.is_dir():
        return {}
    return {str(path.relative_to(folder)): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def write_files(folder, files):
    for name, data in files.items():
        target = Path(folder) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def course_parcel(grader_arguments):
    """What every worker needs once per run, as plain data."""
    config, templates, db_url, limits, _ = grader_arguments
    gradebook = Path(db_url[len(SQLITE):]).read_bytes() if db_url.startswith(SQLITE) else None
    return {"run": uuid.uuid4().hex, "config": config, "db_url": db_url, "gradebook": gradebook, "limits": limits,
            "templates": {stage: Path(path).read_bytes() for stage, path in templates.items()}}


def submission_parcel(submission):
    """One task's data: who, which stage, the submitted folder's files and the prepared work folder's."""
    return {"student": submission.student, "stage": submission.stage, "notebook": submission.path.name,
            "submitted": files_under(submission.path.parent), "workdir": files_under(submission.workdir)}


# --- the worker side ----------------------------------------------------------------------------

_graders = {}  # (run, thread) -> (Grader, its scratch folder, its kernel log)
_graders_lock = threading.Lock()


def worker_grader(parcel):
    """This worker thread's Grader for the parcel's run, made on first use from the parcel's data.

    One per thread: a Grader's kernel clients belong to the event loop of the thread that made
    them, and a worker may run its next task on a new thread (used from another thread they
    fail with "bound to a different event loop", which would fail an honest submission)."""
    key = (parcel["run"], threading.get_ident())
    with _graders_lock:
        if key not in _graders:
            scratch = Path(tempfile.mkdtemp(prefix="backprop-dask-"))
            write_files(scratch / "templates", {f"{stage}.ipynb": data for stage, data in parcel["templates"].items()})
            templates = {stage: scratch / "templates" / f"{stage}.ipynb" for stage in parcel["templates"]}
            db_url = parcel["db_url"]
            if parcel["gradebook"] is not None:
                write_files(scratch, {"gradebook.db": parcel["gradebook"]})
                db_url = SQLITE + str(scratch / "gradebook.db")
            log = open(scratch / "kernels.log", "a")  # the kernels' stderr, on the worker's disk
            grader = Grader(parcel["config"], templates, db_url, parcel["limits"], str(scratch), log=log)
            _graders[key] = (grader, scratch, log)
        return _graders[key]


def grade_on_worker(parcel, task):
    """Rebuild the submission in a scratch folder, grade it, send back the `Graded`."""
    grader, scratch, _ = worker_grader(parcel)
    folder = Path(tempfile.mkdtemp(prefix=f"{task['student']}-", dir=scratch))
    try:
        write_files(folder / "submitted", task["submitted"])
        write_files(folder / "work", task["workdir"])
        (folder / "work").mkdir(exist_ok=True)
        submission = Submission(task["student"], task["stage"], folder / "submitted" / task["notebook"],
                                folder / "work")
        return grade_safely(grader, submission)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def close_graders(run):
    """Stop this worker's kernels for `run` (a task sent to every worker at the end)."""
    with _graders_lock:
        closing = [_graders.pop(key) for key in list(_graders) if key[0] == run]
    for grader, scratch, log in closing:
        grader.close()
        log.close()
        shutil.rmtree(scratch, ignore_errors=True)


# --- the command side ---------------------------------------------------------------------------

def grade_on_cluster(submissions, grader_arguments, scheduler):
    """Yield a `Graded` for every submission, in completion order, graded by the cluster's workers."""
    from distributed import as_completed

    client = connect(scheduler)
    course = course_parcel(grader_arguments)
    try:
        wait_for_a_worker(client, scheduler)
        parcel = client.scatter(course, broadcast=True, hash=False)  # workers joining later fetch it from others
        waiting = submissions[::-1]
        running, sent = as_completed(), {}

        def top_up():
            """Keep a few tasks per worker in flight; more as workers join (SLURM starts jobs one by one)."""
            while waiting and running.count() < IN_FLIGHT_PER_WORKER * len(client.scheduler_info()["workers"]):
                submission = waiting.pop()
                key = f"grade-{submission.student}-{submission.stage}-{course['run']}"
                sent[key] = submission
                running.add(client.submit(grade_on_worker, parcel, submission_parcel(submission), retries=RETRIES,
                                          key=key))

        top_up()
        for future in running:
            yield result_of(future, sent.pop(future.key))
            top_up()
    finally:
        close_on_workers(client, course["run"])
        client.close()


def wait_for_a_worker(client, scheduler):
    try:
        client.wait_for_workers(1, timeout=WORKER_WAIT_SECONDS)
    except TimeoutError:
        raise CourseError(f"no Dask worker joined the scheduler at {scheduler} within {WORKER_WAIT_SECONDS} s") from None


def close_on_workers(client, run):
    """Stop every worker's kernels for `run`, as a task: in the thread that graded, whose event loop they use."""
    from distributed import wait

    closing = [client.submit(close_graders, run, workers=[worker], allow_other_workers=False, key=f"close-{run}-{worker}")
               for worker in client.scheduler_info()["workers"]]
    wait(closing, timeout=60)


def result_of(future, submission):
    """The task's `Graded`, or "failed" when the cluster could not grade it (e.g. its workers kept dying)."""
    try:
        return future.result()
    except Exception as error:  # a lost submission must still get a status
        note = f"the Dask cluster could not grade this notebook: {type(error).__name__}: {error}"
        return Graded(submission.student, submission.stage, "failed", [note[:500]])
