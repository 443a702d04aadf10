"""Grading on a Dask cluster (a LocalCluster of two worker processes): the same scores and statuses
as local grading, nothing lost when a worker is killed mid-run, a clear error without Dask."""
import os
import shutil
import signal
import sys
import threading
import time

import pytest
from distributed import Client, LocalCluster

from backprop_course.autograde import autograde
from backprop_course.cli import scheduler_of
from backprop_course.config import CourseError, load_config
from backprop_course import dask_grading
from backprop_course.dask_grading import connect
from pipeline_toy import TOY_CLASS, TOY_STAGE, gradebook_scores, toy_course, write_class

pytestmark = [pytest.mark.course, pytest.mark.pipeline]

# every path a worker must reproduce: answers right and wrong, repaired, unreadable, missing, a timeout
STUDENTS = ["ada", "ben", "dora", "gil", "hugo", "jack"]
LONG_TASK = "jack"  # runs into the 3 s limit: the task the test kills a worker in the middle of


def statuses(results):
    return {result.student: (result.status, result.notes) for result in results}


def kill_the_worker_grading(client, student, killed):
    """Wait until `student`'s task is on a worker, let it run a moment, then SIGKILL that worker process."""
    pids = client.run(os.getpid)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for worker, keys in client.processing().items():
            if any(f"grade-{student}-" in str(key) for key in keys):
                time.sleep(1.0)
                os.kill(pids[worker], signal.SIGKILL)
                killed.append(worker)
                return
        time.sleep(0.05)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The class graded locally, then on the cluster while one of its workers is killed."""
    root, _ = toy_course(tmp_path_factory.mktemp("local"))
    write_class(root, {student: TOY_CLASS[student] for student in STUDENTS})
    on_cluster = shutil.copytree(root, tmp_path_factory.mktemp("cluster") / "course")
    local = autograde(load_config(root, timeout=3), jobs=2)
    # workers start as `dask worker` starts them, in fresh interpreters (a fork of this process would
    # inherit the event loops of the kernels earlier tests ran)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        killed = []
        killer = threading.Thread(target=kill_the_worker_grading, args=(client, LONG_TASK, killed))
        killer.start()
        remote = autograde(load_config(on_cluster, timeout=3), scheduler=cluster.scheduler_address)
        killer.join()
    return (root, local), (on_cluster, remote), killed


def test_the_cluster_gives_exactly_the_scores_of_local_grading(graded):
    (root, _), (on_cluster, _), _ = graded
    assert gradebook_scores(root) == {student: TOY_CLASS[student].expected_points(TOY_STAGE) for student in STUDENTS}
    assert gradebook_scores(on_cluster) == gradebook_scores(root)


def test_a_killed_worker_loses_no_submission(graded):
    (_, local), (_, remote), killed = graded
    assert len(killed) == 1, f"the test never found {LONG_TASK}'s task on a worker to kill"
    assert statuses(remote) == statuses(local)


def test_without_dask_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(CourseError, match=r"pip install 'backprop-course\[dask\]'"):
        connect("tcp://127.0.0.1:1")


def test_the_course_configuration_can_name_the_scheduler(tmp_path):
    root, _ = toy_course(tmp_path)
    with open(root / "nbgrader_config.py", "a") as config:
        config.write('c.DaskGrading.scheduler = "tcp://grading.example:8786"\n')
    assert scheduler_of(load_config(root)) == "tcp://grading.example:8786"
    assert scheduler_of(load_config(toy_course(tmp_path / "plain")[0])) is None


def test_a_scheduler_without_workers_is_reported_not_waited_on_forever(monkeypatch):
    monkeypatch.setattr(dask_grading, "WORKER_WAIT_SECONDS", 1)
    with LocalCluster(n_workers=0, processes=False, dashboard_address=None) as cluster, \
            connect(cluster.scheduler_address) as client:
        with pytest.raises(CourseError, match="no Dask worker joined the scheduler at .* within 1 s"):
            dask_grading.wait_for_a_worker(client, cluster.scheduler_address)
