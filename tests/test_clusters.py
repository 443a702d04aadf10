"""The cluster configurations the README documents, checked without SLURM or Kubernetes: the job
script SLURM would run, the DaskCluster resource the Dask operator would get."""
import sys

import pytest

from backprop_course.clusters import kubernetes_spec, slurm_cluster
from backprop_course.config import CourseError

pytestmark = pytest.mark.course


def test_slurm_jobs_run_single_threaded_workers_of_this_package():
    with slurm_cluster(cores=4, memory="8GB", walltime="00:30:00", queue="short", account="cs101",
                       python="/opt/course/bin/python") as cluster:
        script = cluster.job_script()
        address = cluster.scheduler_address
    directives = [line for line in script.splitlines() if line.startswith("#SBATCH")]
    for directive in ("-J backprop-grading", "-p short", "-A cs101", "--cpus-per-task=4", "--mem=8G", "-t 00:30:00"):
        assert f"#SBATCH {directive}" in directives, script
    [command] = [line for line in script.splitlines() if "dask_worker" in line]
    assert command.startswith("/opt/course/bin/python -m distributed.cli.dask_worker " + address)
    for option in ("--nthreads 1", "--nworkers 4", "--local-directory $TMPDIR"):
        assert option in command, command


def test_kubernetes_workers_are_single_threaded_pods_of_the_hub_image(monkeypatch):
    monkeypatch.setenv("JUPYTER_IMAGE_SPEC", "registry.example/course-hub:2026")
    spec = kubernetes_spec(workers=12, cpu="1", memory="2Gi")
    assert spec["kind"] == "DaskCluster" and spec["metadata"]["name"] == "backprop-grading"
    worker = spec["spec"]["worker"]
    [container] = worker["spec"]["containers"]
    assert worker["replicas"] == 12
    assert container["image"] == "registry.example/course-hub:2026"
    assert container["args"][0] == "dask-worker" and container["args"][-2:] == ["--nthreads", "1"]
    assert container["resources"]["limits"] == {"cpu": "1", "memory": "2Gi"}


def test_kubernetes_without_an_image_says_what_to_pass(monkeypatch):
    monkeypatch.delenv("JUPYTER_IMAGE_SPEC", raising=False)
    with pytest.raises(CourseError, match="--image"):
        kubernetes_spec(workers=2)


def test_a_missing_extra_is_named(monkeypatch):
    monkeypatch.setitem(sys.modules, "dask_jobqueue", None)
    with pytest.raises(CourseError, match=r"pip install 'backprop-course\[slurm\]'"):
        slurm_cluster()
