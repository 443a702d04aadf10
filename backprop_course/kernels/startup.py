"""Kernel start-up: every grading kernel is forked from one process that has already imported IPython.

Starting a Python kernel costs most of a second of CPU (importing IPython, ipykernel, numpy),
and on two cores CPU is what limits grading. A *factory* process pays that once; for each
kernel it forks, and the child becomes an ordinary IPython kernel (its own session, fresh
namespace, the connection file jupyter_client wrote). Only modules are shared, never state
a notebook can see. jupyter_client manages the child through `WarmProvisioner`.

With `Limits` the factory runs in the sandbox and every child enters namespaces of its own
before it becomes a kernel (see `sandbox`); without, kernels run as the instructor.

Each kernel has a folder of its own, `<kernels folder>/<kernel id>/`: `connection.json` (seen
by the grader and the factory only), `sockets/` (the kernel's `SOCKETS`) and `work/` (the stage's
files: the unconfined kernel's work folder, the sandboxed one's `COURSE_FILES`).

The factory itself is `factory.py`, started by `KernelFactory`.
"""
import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from jupyter_core.utils import run_sync
from traitlets import Any, Unicode

from . import factory, sandbox
from .execute import GradingExecute

LAUNCHER = ["-m", "ipykernel_launcher"]


class KernelFactory:
    """The grader's side: starts the factory process (sandboxed when given limits) and asks it for kernels."""

    def __init__(self, folder, limits=None, log=None):
        self.limits = limits
        self.lock = threading.Lock()  # one request, one answer
        program = [sys.executable, "-m", factory.__name__]
        if limits:
            self.process = sandbox.start_factory([*program, factory.SANDBOXED], folder, log=log)
        else:
            self.process = subprocess.Popen(program, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                                            text=True)

    def ask(self, **request):
        with self.lock:
            try:
                self.process.stdin.write(json.dumps(request) + "\n")
                self.process.stdin.flush()
                answer = self.process.stdout.readline()
            except (BrokenPipeError, ValueError):
                answer = ""
        if not answer:
            raise RuntimeError("the warm kernel factory stopped (see the log)")
        return json.loads(answer)

    def fork_kernel(self, folder_name, arguments, cwd, env):
        limits = self.limits and dataclasses.asdict(self.limits)
        return self.ask(start=folder_name, arguments=arguments, cwd=cwd, env=env, limits=limits)

    def close(self):
        self.process.stdin.close()  # end of requests: the factory exits, and with it its sandbox
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class ForkedProcess:
    """What jupyter_client needs of a Popen, for a kernel that is the factory's child, not ours."""

    stdin = stdout = stderr = None

    def __init__(self, factory, pid):
        self.factory = factory
        self.pid = pid
        self.returncode = None

    def poll(self):
        if self.returncode is None:
            try:
                self.returncode = self.factory.ask(poll=self.pid)
            except RuntimeError:
                self.returncode = -signal.SIGKILL  # the factory is gone, and its kernels with it
        return self.returncode

    def wait(self, timeout=None):
        while self.poll() is None:
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum):
        if self.poll() is None:
            self.factory.ask(signal=self.pid, signum=int(signum))

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
    """Launches ipykernel kernels by forking the factory; anything else the usual way."""

    factory = Any()
    folder = Unicode()  # this kernel's own folder

    async def launch_kernel(self, cmd, **kwargs):
        arguments = kernel_arguments(cmd)
        if arguments is None:
            return await super().launch_kernel(cmd, **kwargs)
        cwd = str(kwargs.get("cwd") or os.getcwd())
        env = dict(kwargs.get("env") or os.environ)
        if self.factory.limits:  # the sandbox runs as another uid, which must read the key
            os.chown(self.parent.connection_file, sandbox.sandbox_uid(), -1)
        self.pid = self.factory.fork_kernel(os.path.basename(self.folder), arguments, cwd, env)
        self.process = ForkedProcess(self.factory, self.pid)
        self.pgid = None  # the factory signals the kernel: its pid means nothing here
        self.cwd = cwd
        return self.connection_info

    async def send_signal(self, signum):
        if self.process:
            self.process.send_signal(signum)

    async def kill(self, restart=False):
        await self.send_signal(signal.SIGKILL)

    async def terminate(self, restart=False):
        await self.send_signal(signal.SIGTERM)

    async def cleanup(self, restart=False):
        await super().cleanup(restart)
        remove_folder(self.folder)


def short_folder(preferred):
    """`preferred` if kernel sockets fit below it (a socket's path has at most 107 bytes), else the temporary folder."""
    for folder in (preferred, tempfile.gettempdir(), "/tmp"):
        if folder and len(os.path.join(folder, "backprop-kernels-12345678/12345678/sockets/kernel-65535")) <= 107:
            return folder
    raise RuntimeError(f"no folder with a path short enough for kernel sockets (tried {preferred} and /tmp)")


def remove_folder(path):
    """Remove a folder a kernel has written in, even folders it made unreadable."""
    def allow(function, failed, _):
        os.chmod(os.path.dirname(failed), 0o700)
        os.chmod(failed, 0o700) if os.path.isdir(failed) else None
        function(failed)

    if os.path.exists(path):
        shutil.rmtree(path, onerror=allow)


class KernelSupply:
    """Kernels started one ahead, warm (forked from the factory): `take()` hands one over and starts the next.

    With `limits` every kernel is sandboxed (see `sandbox`), without it runs as the instructor.
    The kernels' folders go in `scratch` (default: the temporary folder), which the caller
    removes at the end even when this process is killed before it could.
    """

    def __init__(self, config, kernel_name="python3", log=None, env=None, limits=None, scratch=None):
        self.config = config
        self.kernel_name = kernel_name
        self.env = env or dict(os.environ)
        self.limits = limits
        self.folder = tempfile.mkdtemp(prefix="backprop-kernels-", dir=short_folder(scratch))
        self.owner = sandbox.sandbox_uid() if limits else os.geteuid()
        os.chown(self.folder, self.owner, -1)
        self.factory = KernelFactory(self.folder, limits, log=log)
        self.spare = self.start()

    def start(self):
        # ipc: the sockets are files in this kernel's own folder, so no TCP port chosen here can
        # be taken by another process before the kernel binds it, and the sandbox can share them
        kernel_id = str(uuid.uuid4())
        folder = os.path.join(self.folder, kernel_id[:8])  # short: see short_folder
        for name in ("sockets", "work"):
            os.makedirs(os.path.join(folder, name))
            os.chown(os.path.join(folder, name), self.owner, -1)
        manager = AsyncKernelManager(kernel_name=self.kernel_name, config=self.config, transport="ipc",
                                     ip=os.path.join(folder, "sockets", "kernel"),
                                     connection_file=os.path.join(folder, "connection.json"))
        manager.kernel_id = kernel_id
        manager.provisioner = WarmProvisioner(kernel_id=kernel_id, kernel_spec=manager.kernel_spec, parent=manager,
                                              factory=self.factory, folder=folder)
        options = GradingExecute(config=self.config)
        arguments = [*options.extra_arguments, f"--HistoryManager.hist_file={options.ipython_hist_file}"]
        run_sync(manager.start_kernel)(extra_arguments=arguments, cwd=os.path.join(folder, "work"), env=self.env)
        return manager

    def take(self):
        manager, self.spare = self.spare, self.start()
        return manager

    def work_folder(self, manager):
        """(folder for the stage's files here, the kernel's work folder, where it copies them from or None).

        A sandboxed kernel sees the files read-only and works in a folder of its own; an
        unconfined one works where the files are.
        """
        here = os.path.join(manager.provisioner.folder, "work")
        return (here, sandbox.WORK, sandbox.COURSE_FILES) if self.limits else (here, here, None)

    def close(self):
        if self.spare is not None and run_sync(self.spare.is_alive)():
            run_sync(self.spare.shutdown_kernel)(now=True)
        self.spare = None
        self.factory.close()
        remove_folder(self.folder)
