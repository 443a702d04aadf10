"""The sandbox a grading kernel runs in: what it sees, what it may do, how much it may use.

Two layers, because warm kernels are forked, not exec'd:
- the kernel *factory* (`factory`) runs under bubblewrap: a read-only view of the system,
  the interpreter, the venv and the course's own packages; no network, no course folder, no
  home, a scrubbed environment; as an unprivileged uid (`nobody` when the instructor is root);
- each kernel it forks then enters namespaces of its own (`confine_kernel`): user, mount, PID,
  IPC, UTS, network and cgroup. It sees its own work folder (`WORK`, also its HOME), its own
  socket folder, the stage's files read-only and a private `/tmp` and `/dev/shm`, all in memory
  and size-limited, nothing of the other kernels
  or of the factory, has no capabilities, runs under resource limits and in one session (`sessions`).
Unix sockets in a shared folder cross network namespaces, so the grader still reaches the
kernel over jupyter's `ipc` transport; TCP and abstract sockets do not.
"""
import ctypes
import functools
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from importlib.util import find_spec

from .sessions import forbid_new_sessions

MiB = 1 << 20
GiB = 1 << 30
WORK = "/home/student"  # the kernel's work folder and HOME: a size-limited file system of its own
COURSE_FILES = "/run/course-files"  # the stage's files, read-only: the kernel copies them into WORK
SOCKETS = "/run/kernel"  # its ipc sockets
KERNELS = "/run/kernels"  # the factory's folder of kernel folders; hidden from every kernel
FULL_PROC = "/run/proc"  # a /proc without bubblewrap's covers, which a kernel needs to mount its own; hidden
KERNEL_UID = 1000  # the kernel's uid inside its user namespace
NOBODY = 65534
# The course's packages that notebooks import. Installed editable, they resolve to the checkout,
# so only these folders are shown, never the repository (solutions/, course/).
COURSE_PACKAGES = ("autograd_ref", "backprop_grading")
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/localtime", "/etc/fonts", "/etc/mime.types")
HOW_TO_GET_IT = ("install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`, or `make system` as root) "
                 "on a Linux kernel that allows user namespaces, or grade unconfined with --no-sandbox "
                 "(only for notebooks you trust)")

UNCONFINED = ("WARNING: graded WITHOUT the sandbox (--no-sandbox): student code ran with your rights and could "
              "read, change or send anything you can")


@dataclass(frozen=True)
class Limits:
    """What one kernel may use. Address space and CPU time are per process; processes per kernel."""

    memory: int = 2 * GiB
    file_size: int = 64 * MiB
    cpu_seconds: int = 600
    processes: int = 64  # threads count too: an idle ipykernel has about 10
    scratch: int = 256 * MiB  # each of the work folder, /tmp and /dev/shm (memory, only as used)

    def words(self):
        return {"memory": f"{self.memory / GiB:g} GiB", "file_size": f"{self.file_size // MiB} MiB",
                "cpu_seconds": f"{self.cpu_seconds} s", "processes": str(self.processes)}


# --- the factory's sandbox (bubblewrap) -------------------------------------------------------

def sandbox_uid():
    """The uid the sandbox runs as: the instructor's own, or `nobody` for root (whose processes no limit binds)."""
    return NOBODY if os.geteuid() == 0 else os.geteuid()


def package_folders():
    """Folders of the course's packages (where an editable install points), and this package's own files."""
    folders = []
    for name in COURSE_PACKAGES:
        spec = find_spec(name)
        if spec and spec.submodule_search_locations:
            folders.append(list(spec.submodule_search_locations)[0])
    here = os.path.dirname(os.path.abspath(__file__))
    return [*folders, here, os.path.join(os.path.dirname(here), "__init__.py")]


def read_only_paths():
    """Everything the factory sees, read-only, at the same path as outside."""
    system = []
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "usr"):
        path = f"/{name}"
        if os.path.islink(path):
            continue  # a merged-/usr symlink: recreated by `--symlink` below
        if os.path.isdir(path):
            system.append(path)
    paths = [*system, *[path for path in SYSTEM_FILES if os.path.exists(path)],
             sys.base_prefix, sys.prefix, *package_folders()]
    return list(dict.fromkeys(os.path.realpath(path) for path in paths))


def bubblewrap_command(program, kernels_folder):
    """The command line running `program` as the kernel factory under bubblewrap.

    A root instructor's factory runs as root in its sandbox (it must read an interpreter under
    /root) and each kernel drops to `nobody` before it confines itself; anyone else's factory
    runs in a user namespace of their own.
    """
    argv = ["bwrap"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64"):
        if os.path.islink(f"/{name}"):
            argv.extend(["--symlink", os.readlink(f"/{name}"), f"/{name}"])
    paths = read_only_paths()
    argv += ["--tmpfs", "/tmp"]  # first, so a venv or checkout that lives in /tmp is bound on top of it
    # bubblewrap would make missing parent folders private to root: the kernels could not pass
    for parent in sorted({os.path.dirname(path) for path in [*paths, KERNELS, WORK]} - {"/"}):
        argv.extend(["--perms", "0755", "--dir", parent])
    for path in paths:
        argv.extend(["--ro-bind", path, path])
    argv += ["--bind", kernels_folder, KERNELS, "--proc", "/proc", "--dev", "/dev",
             *[item for folder in (WORK, SOCKETS, FULL_PROC, COURSE_FILES) for item in ("--dir", folder)],
             "--remount-ro", "/", "--remount-ro", "/dev",
             *([] if os.geteuid() == 0 else ["--unshare-user"]),
             "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
             "--die-with-parent", "--new-session", "--cap-add", "ALL", "--clearenv",
             *[item for name, value in clean_environment().items() for item in ("--setenv", name, value)],
             "--chdir", "/", *program]
    return argv


def clean_environment():
    """All a kernel's environment holds: nothing of the instructor's."""
    return {"PATH": f"{os.path.dirname(sys.executable)}:/usr/local/bin:/usr/bin:/bin", "HOME": WORK,
            "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "agg", "TMPDIR": "/tmp",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            # one thread per numerical library: threads count against the process limit
            "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def start_factory(program, kernels_folder, log=None):
    """Popen of the kernel factory in its sandbox; `kernels_folder` must belong to `sandbox_uid()`."""
    return subprocess.Popen(bubblewrap_command(program, kernels_folder), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=log, text=True)


@functools.lru_cache(maxsize=None)
def sandbox_problem():
    """None when kernels can be sandboxed here, else what is missing and how to get it."""
    if not sys.platform.startswith("linux"):
        return f"the grading sandbox needs Linux (this is {sys.platform}): {HOW_TO_GET_IT}"
    if shutil.which("bwrap") is None:
        return f"bubblewrap (`bwrap`) is not installed: {HOW_TO_GET_IT}"
    import tempfile

    with tempfile.TemporaryDirectory(prefix="backprop-sandbox-check-") as folder:
        for name in ("", "probe", "probe/work", "probe/sockets"):
            os.makedirs(os.path.join(folder, name), exist_ok=True)
            os.chown(os.path.join(folder, name), sandbox_uid(), sandbox_uid())
        program = [sys.executable, "-c", "from backprop_course.kernels import sandbox; sandbox.confine_probe()"]
        process = start_factory(program, folder, log=subprocess.PIPE)
        _, error = process.communicate(timeout=60)
    if process.returncode != 0:
        last = (error.strip().splitlines() or ["no message"])[-1]
        return f"bubblewrap could not start a sandboxed kernel here ({last}): {HOW_TO_GET_IT}"
    return None


def confine_probe():
    """In a factory: confine a child as every kernel is confined; exit 0 when that worked."""
    prepare_factory()
    child = os.fork()
    if child == 0:
        try:
            confine_kernel("probe", Limits(), os.open(os.devnull, os.O_WRONLY))
        except BaseException as error:  # said on stderr, which sandbox_problem reads
            print(f"{type(error).__name__}: {error}", file=sys.stderr, flush=True)
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(child, 0)
    sys.exit(os.waitstatus_to_exitcode(status))


# --- each kernel's own namespaces (in the factory's forked child) -----------------------------

LIBC = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC = 0x20000, 0x2000000, 0x4000000, 0x8000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 1, 2, 4, 8, 32
MS_BIND, MS_REC, MS_PRIVATE = 0x1000, 0x4000, 0x40000
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 4, 24, 38


def checked(result, what):
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{what}: {os.strerror(code)}")


def mount(source, target, fstype=None, flags=0, data=None):
    encode = lambda text: text.encode() if text else None  # noqa: E731
    checked(LIBC.mount(encode(source), encode(target), encode(fstype), flags, encode(data)), f"mount {target}")


def die_with_parent(signum=signal.SIGKILL):
    """Linux sends `signum` to this process when its parent ends (elsewhere: nothing to do)."""
    if sys.platform.startswith("linux"):
        checked(LIBC.prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0), "prctl")


def prepare_factory():
    """In the factory, once: a /proc that is fully visible, so that each kernel may mount its own.

    The kernel's namespaces are less privileged than the factory's, and Linux lets them mount a
    proc file system only where one is already fully visible (bubblewrap covers parts of /proc).
    """
    mount("proc", FULL_PROC, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)


def leave_root():
    """Root's processes are exempt from RLIMIT_NPROC: a kernel of root's runs as `nobody`."""
    if os.geteuid() == 0:
        os.setgroups([])
        os.setresgid(NOBODY, NOBODY, NOBODY)
        os.setresuid(NOBODY, NOBODY, NOBODY)
        checked(LIBC.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), "prctl")  # else its /proc/self is root's


def confine_kernel(kernel_id, limits, pid_pipe):
    """Enter this kernel's own namespaces; return in the kernel, which is PID 1 of its own PID namespace.

    The calling process stays behind as the kernel's parent: it writes the kernel's pid to
    `pid_pipe` (the factory signals the kernel itself, whose death ends everything it started)
    and exits with the kernel's status (128 + signal when a signal ended it).
    """
    die_with_parent()
    leave_root()
    uid, gid = os.geteuid(), os.getegid()
    checked(LIBC.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET
                         | CLONE_NEWCGROUP), "unshare")
    maps = (("setgroups", "deny"), ("uid_map", f"{KERNEL_UID} {uid} 1"), ("gid_map", f"{KERNEL_UID} {gid} 1"))
    for name, text in maps:
        with open(f"/proc/self/{name}", "w") as file:
            file.write(text)
    mount(None, "/", flags=MS_REC | MS_PRIVATE)
    folder = os.path.join(KERNELS, kernel_id)
    mount(os.path.join(folder, "work"), COURSE_FILES, flags=MS_BIND)
    mount(None, COURSE_FILES, flags=MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    mount(os.path.join(folder, "sockets"), SOCKETS, flags=MS_BIND)
    mount("none", KERNELS, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k")  # the other kernels
    for target in (WORK, "/tmp", "/dev/shm"):  # in memory: a kernel cannot fill the disk
        cover_keeping(target, limits.scratch)
    kernel = os.fork()
    if kernel == 0:
        os.close(pid_pipe)
        become_confined(limits)
        return
    os.write(pid_pipe, str(kernel).encode())
    os.close(pid_pipe)
    _, status = os.waitpid(kernel, 0)
    os._exit(128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status))


def cover_keeping(folder, size):
    """Mount a private tmpfs on `folder`, then bind back the read-only paths it covered (a venv
    or checkout that lives in /tmp); a bind keeps its source's read-only flag."""
    inside = folder.rstrip("/") + "/"
    kept = [(path, os.open(path, os.O_PATH)) for path in read_only_paths() if path.startswith(inside)]
    mount("none", folder, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode=1777")
    for path, handle in kept:
        if os.path.isdir(f"/proc/self/fd/{handle}"):
            os.makedirs(path, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            open(path, "x").close()
        mount(f"/proc/self/fd/{handle}", path, flags=MS_BIND | MS_REC)
        os.close(handle)


def become_confined(limits):
    """In the kernel (PID 1 of its namespace): its own /proc, limits, no capabilities, no way back."""
    die_with_parent()
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    mount("none", FULL_PROC, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k")  # the factory's
    with open("/proc/sys/user/max_user_namespaces", "w") as file:
        file.write("0")  # no nested user namespace: capabilities could be had there again
    socket.sethostname("sandbox")
    os.setsid()
    for name, value in ((resource.RLIMIT_AS, limits.memory), (resource.RLIMIT_FSIZE, limits.file_size),
                        (resource.RLIMIT_CPU, limits.cpu_seconds), (resource.RLIMIT_NPROC, limits.processes),
                        (resource.RLIMIT_CORE, 0)):
        resource.setrlimit(name, (value, value))
    drop_capabilities()
    forbid_new_sessions()  # after its own: the kernel's processes share the CPU as one


def drop_capabilities():
    last = int(open("/proc/sys/kernel/cap_last_cap").read())
    for capability in range(last + 1):
        checked(LIBC.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0), "prctl")
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this thread
    checked(LIBC.capset(header, (ctypes.c_uint32 * 6)()), "capset")
    checked(LIBC.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl")
