"""Kernel start-up: every grading kernel is forked from one process that has already imported IPython.

Starting a Python kernel costs most of a second of CPU (importing IPython, ipykernel, numpy),
and on two cores CPU is what limits grading. A *zygote* process pays that once; for each
kernel it forks, and the child becomes an ordinary IPython kernel (its own session, fresh
namespace, the connection file jupyter_client wrote). Only modules are shared, never state
a notebook can see. jupyter_client manages the child through `WarmProvisioner`.

Run as `python -m backprop_course.kernels.startup` (by `Zygote`); it reads one JSON request per
line on stdin and answers with the new kernel's pid.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from jupyter_core.utils import run_sync
from traitlets import Any

from .execute import GradingExecute

# Imported once in the zygote. The course library, but not its grading helpers: they must see
# the modules a notebook imports before them, exactly as in a fresh kernel.
PRELOADED = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel.debugger", "sqlite3",
             "pdb", "numpy", "autograd_ref", "autograd_ref.drawing")
LAUNCHER = ["-m", "ipykernel_launcher"]


class Zygote:
    """The parent side: starts the zygote and asks it for kernels."""

    def __init__(self, log=None):
        self.process = subprocess.Popen([sys.executable, "-m", __name__], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=log, text=True)

    def fork_kernel(self, arguments, cwd, env):
        request = {"arguments": arguments, "cwd": cwd, "env": env}
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            raise RuntimeError("the warm kernel factory stopped (see the log)")
        return int(answer)

    def close(self):
        self.process.stdin.close()  # end of requests: the zygote exits
        self.process.wait(timeout=10)


class ForkedProcess:
    """What jupyter_client needs of a Popen, for a kernel that is the zygote's child, not ours."""

    stdin = stdout = stderr = None

    def __init__(self, pid):
        self.pid = pid

    def poll(self):
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return 0  # gone (the zygote reaps it, so its exit code is not ours to know)
        return None

    def wait(self):
        while self.poll() is None:
            time.sleep(0.02)
        return 0

    def send_signal(self, signum):
        try:
            os.kill(self.pid, signum)
        except ProcessLookupError:
            pass

    def kill(self):
        self.send_signal(signal.SIGKILL)

    def terminate(self):
        self.send_signal(signal.SIGTERM)


def kernel_arguments(command):
    """The ipykernel arguments of a kernel command line, or None when it is not a plain ipykernel."""
    for start in range(len(command) - 1):
        if command[start:start + 2] == LAUNCHER:
            return command[start + 2:]
    return None


class WarmProvisioner(LocalProvisioner):
    """Launches ipykernel kernels by forking the zygote; anything else the usual way."""

    zygote = Any()

    async def launch_kernel(self, cmd, **kwargs):
        arguments = kernel_arguments(cmd)
        if arguments is None:
            return await super().launch_kernel(cmd, **kwargs)
        cwd = str(kwargs.get("cwd") or os.getcwd())
        env = dict(kwargs.get("env") or os.environ)
        self.pid = self.zygote.fork_kernel(arguments, cwd, env)
        self.process = ForkedProcess(self.pid)
        self.pgid = self.pid  # the child leads its own session
        self.cwd = cwd
        return self.connection_info


class KernelSupply:
    """Kernels started one ahead, warm (forked from a zygote): `take()` hands one over and starts the next."""

    def __init__(self, config, kernel_name="python3", home=None, log=None, env=None):
        self.config = config
        self.kernel_name = kernel_name
        self.home = home
        self.env = env or dict(os.environ)
        self.sockets = tempfile.TemporaryDirectory(prefix="backprop-kernels-")
        self.zygote = Zygote(log=log)
        self.spare = self.start()

    def start(self):
        # ipc: the sockets are files of this kernel's own (in a folder of ours, with its connection
        # file), so no TCP port chosen here can be taken by another process before the kernel binds it
        kernel_id = str(uuid.uuid4())
        files = os.path.join(self.sockets.name, kernel_id)
        manager = AsyncKernelManager(kernel_name=self.kernel_name, config=self.config, transport="ipc",
                                     ip=files, connection_file=f"{files}.json")
        manager.kernel_id = kernel_id
        manager.provisioner = WarmProvisioner(
            kernel_id=manager.kernel_id, kernel_spec=manager.kernel_spec, parent=manager, zygote=self.zygote)
        options = GradingExecute(config=self.config)
        arguments = [*options.extra_arguments, f"--HistoryManager.hist_file={options.ipython_hist_file}"]
        run_sync(manager.start_kernel)(extra_arguments=arguments, cwd=self.home, env=self.env)
        return manager

    def take(self):
        manager, self.spare = self.spare, self.start()
        return manager

    def close(self):
        if self.spare is not None and run_sync(self.spare.is_alive)():
            run_sync(self.spare.shutdown_kernel)(now=True)
        self.spare = None
        self.zygote.close()
        self.sockets.cleanup()


# --- the zygote side --------------------------------------------------------------------------

def become_kernel(request):
    """In the forked child: detach, take the request's folder and environment, run ipykernel."""
    os.setsid()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)  # stdin and stdout are the zygote's pipes
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    # the kernel stops when the zygote goes (ipykernel read JPY_PARENT_PID when the zygote imported it)
    parent = f"--IPKernelApp.parent_handle={os.getppid()}"
    from ipykernel import kernelapp

    kernelapp.launch_new_instance(argv=[*request["arguments"], parent])
    os._exit(0)


def serve(requests, answers):
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # finished kernels are reaped at once
    for line in requests:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            try:
                become_kernel(request)
            finally:
                os._exit(1)
        answers.write(f"{pid}\n")
        answers.flush()


if __name__ == "__main__":
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]  # as ipykernel_launcher does; the kernel puts the notebook's folder back
    for module in PRELOADED:
        try:
            __import__(module)
        except ImportError:  # a kernel imports it itself, if it can
            pass
    serve(sys.stdin, sys.stdout)
