"""The warm kernel factory: a process that has imported IPython once and forks every kernel.

Started by `startup.KernelFactory` (in the sandbox when grading) as
`python -m backprop_course.kernels.factory [--sandboxed]`. It reads one JSON request per line
on stdin and answers each with one JSON line:
- {"start": folder name, "arguments", "cwd", "env", "limits"}: fork a kernel; the answer is its handle;
- {"signal": handle, "signum"}: signal that kernel (a confined one directly, past its parent);
- {"poll": handle}: null while it runs, else its exit status (128 + signal when a signal ended it).
It imports only what kernels share, never the grader's machinery.
"""
import json
import os
import signal
import sys

from . import sandbox

# Imported once here. The course library, but not its grading helpers: they must see the
# modules a notebook imports before them, exactly as in a fresh kernel.
PRELOADED = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel.debugger", "sqlite3",
             "pdb", "numpy", "autograd_ref", "autograd_ref.drawing")
SANDBOXED = "--sandboxed"  # the factory's argument when it runs in the sandbox


def become_kernel(request, pid_pipe):
    """In the forked child: take the kernel's folder (confined, with limits) and environment, run ipykernel.

    A confined kernel is a child of this one, and its pid goes to `pid_pipe`; unconfined, this is the kernel.
    """
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    arguments = list(request["arguments"])
    for fd, mode in ((0, os.O_RDONLY), (1, os.O_WRONLY)):  # stdin and stdout are the factory's pipes
        os.dup2(os.open(os.devnull, mode), fd)
    if request["limits"]:
        os.dup2(1, 2)  # what a confined kernel prints to its stderr is not the instructor's log
        with open(os.path.join(sandbox.KERNELS, request["start"], "connection.json")) as file:
            connection = json.load(file)
        sandbox.confine_kernel(request["start"], sandbox.Limits(**request["limits"]), pid_pipe)
        connection["ip"] = os.path.join(sandbox.SOCKETS, "kernel")
        arguments[arguments.index("-f") + 1] = os.path.join(sandbox.SOCKETS, "connection.json")
        with open(arguments[arguments.index("-f") + 1], "w") as file:
            json.dump(connection, file)
        os.chdir(sandbox.WORK)
        environment = {**sandbox.clean_environment(),
                       **{name: value for name, value in request["env"].items() if name.startswith("NBGRADER_")}}
    else:
        os.close(pid_pipe)
        os.setsid()
        os.chdir(request["cwd"])
        environment = dict(request["env"])
        # the kernel stops when the factory goes (ipykernel read JPY_PARENT_PID when the factory imported it)
        arguments.append(f"--IPKernelApp.parent_handle={os.getppid()}")
    os.closerange(3, 1 << 16)
    os.environ.clear()
    os.environ.update(environment)
    from ipykernel import kernelapp

    kernelapp.launch_new_instance(argv=arguments)
    os._exit(0)


def start_kernel(request):
    """Fork a kernel; return (the child's pid, the kernel's pid: the same unless it is confined)."""
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            os.close(reader)
            become_kernel(request, writer)
        finally:
            os._exit(1)
    os.close(writer)
    with os.fdopen(reader) as told:
        kernel = told.read()
    return child, int(kernel) if kernel else child


def serve(requests, answers):
    ended = {}  # pid of a child that ended -> its exit status (128 + signal when a signal ended it)
    kernels = {}  # pid of a child -> pid of its kernel, which gets the signals
    for line in requests:
        request = json.loads(line)
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            ended[pid] = 128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        if "start" in request:
            child, kernels[child] = start_kernel(request)
            answer = child
        elif "signal" in request:
            if request["signal"] not in ended:
                try:
                    os.kill(kernels[request["signal"]], request["signum"])
                except ProcessLookupError:
                    pass
            answer = None
        else:
            answer = ended.get(request["poll"])
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


if __name__ == "__main__":
    if sys.argv[1:] == [SANDBOXED]:
        sandbox.prepare_factory()
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]  # as ipykernel_launcher does; the kernel puts the notebook's folder back
    for module in PRELOADED:
        try:
            __import__(module)
        except ImportError:  # a kernel imports it itself, if it can
            pass
    serve(sys.stdin, sys.stdout)
