"""Dask clusters to grade on (`backprop-course cluster`): SLURM jobs, or pods beside a Kubernetes JupyterHub.

Either way a worker is one process with one thread (a grading task mostly waits on its kernel),
one per core, and needs this package installed but nothing of the course: submissions travel
with their tasks (see dask_grading.py). The cluster runs as long as the command that started it;
`backprop-course autograde --scheduler ADDRESS` grades on it meanwhile.
"""
import importlib
import os
import sys
import time

from .config import CourseError


def require(module, extra):
    """Import `module`, or a one-line error naming the extra that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise CourseError(f"this needs {module.split('.')[0]}: pip install 'backprop-course[{extra}]'") from None


def slurm_cluster(cores=4, memory="8GB", walltime="01:00:00", queue=None, account=None, python=None):
    """A dask-jobqueue SLURMCluster whose every job runs `cores` single-threaded workers.

    The scheduler runs here (the login node); the jobs' workers connect back to it. `python`
    is the interpreter on the compute nodes that has backprop-course installed (default: this
    one, right when the nodes share the software folder).
    """
    jobqueue = require("dask_jobqueue", "slurm")
    return jobqueue.SLURMCluster(
        job_name="backprop-grading", cores=cores, processes=cores, memory=memory, walltime=walltime,
        queue=queue, account=account, python=python or sys.executable,
        local_directory="$TMPDIR",  # kernels write their scratch files to the node's disk, not a shared one
        scheduler_options={"dashboard_address": None})


def kubernetes_spec(workers, image=None, cpu="1", memory="2Gi", name="backprop-grading"):
    """The DaskCluster resource for the Dask operator: `workers` pods of one single-threaded worker.

    `image` defaults to the image of the JupyterHub pod this runs in (KubeSpawner sets
    JUPYTER_IMAGE_SPEC), which has backprop-course installed since students use it.
    """
    operator = require("dask_kubernetes.operator", "kubernetes")
    image = image or os.environ.get("JUPYTER_IMAGE_SPEC")
    if not image:
        raise CourseError("no image for the workers: pass --image (one with backprop-course installed)")
    size = {"cpu": cpu, "memory": memory}
    spec = operator.make_cluster_spec(name, image=image, n_workers=workers,
                                      resources={"requests": size, "limits": size})
    spec["spec"]["worker"]["spec"]["containers"][0]["args"] += ["--nthreads", "1"]
    return spec


def kubernetes_cluster(workers, image=None, cpu="1", memory="2Gi"):
    """A dask-kubernetes KubeCluster from `kubernetes_spec` (needs the Dask operator in the Kubernetes cluster)."""
    operator = require("dask_kubernetes.operator", "kubernetes")
    return operator.KubeCluster(custom_cluster_spec=kubernetes_spec(workers, image, cpu, memory))


def serve(cluster, workers_asked):
    """Print how to grade on `cluster`, then keep it running until Ctrl-C."""
    print(f"scheduler: {cluster.scheduler_address} ({workers_asked} workers asked for; they join as they start)")
    print(f"grade with: backprop-course autograde --scheduler {cluster.scheduler_address}")
    print("Ctrl-C stops the cluster", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        cluster.close()
