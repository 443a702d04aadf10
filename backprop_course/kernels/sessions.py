"""One session per kernel: its processes share the CPU as one, however many it starts.

Linux shares the CPU fairly between sessions (autogroups), not between processes, so a kernel
whose forty children each call setsid() took forty shares from the honest kernels graded beside
it (measured: their notebooks ran twenty times slower). A seccomp filter makes setsid() fail
with EPERM in the kernel and in everything it starts; nothing else changes.
"""
import ctypes
import errno
import os
import platform

# (the audit architecture the kernel reports, setsid's system call numbers there)
SETSID = {"x86_64": (0xC000003E, (112, 0x40000000 | 112)),  # and its x32 twin
          "aarch64": (0xC00000B7, (157,))}
PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
LOAD_WORD, JUMP_IF_EQUAL, RETURN = 0x20, 0x15, 0x06  # BPF_LD|BPF_W|BPF_ABS, BPF_JMP|BPF_JEQ|BPF_K, BPF_RET|BPF_K
ALLOW, REFUSE = 0x7FFF0000, 0x00050000 | errno.EPERM  # SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO
ARCH_OFFSET, NUMBER_OFFSET = 4, 0  # in struct seccomp_data


class Instruction(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jump_true", ctypes.c_uint8), ("jump_false", ctypes.c_uint8),
                ("value", ctypes.c_uint32)]


class Program(ctypes.Structure):
    _fields_ = [("length", ctypes.c_ushort), ("instructions", ctypes.POINTER(Instruction))]


def filter_program(arch, numbers):
    """BPF: on `arch`, a call whose number is one of `numbers` returns EPERM; everything else runs.
    A jump's offsets count the instructions skipped after it."""
    allow = 3 + len(numbers)  # where ALLOW stands; REFUSE follows it
    program = [(LOAD_WORD, 0, 0, ARCH_OFFSET), (JUMP_IF_EQUAL, 0, allow - 2, arch), (LOAD_WORD, 0, 0, NUMBER_OFFSET)]
    program += [(JUMP_IF_EQUAL, allow - position, 0, number) for position, number in enumerate(numbers, start=3)]
    return program + [(RETURN, 0, 0, ALLOW), (RETURN, 0, 0, REFUSE)]


def forbid_new_sessions():
    """In a confined kernel, after its own setsid(): no process of it may start another session.
    Needs no_new_privs or capabilities; a machine of another architecture goes without (and says so)."""
    machine = platform.machine()
    if machine not in SETSID:
        os.write(2, f"sessions: no filter for {machine}; a kernel may start sessions\n".encode())
        return
    instructions = [Instruction(*instruction) for instruction in filter_program(*SETSID[machine])]
    program = Program(len(instructions), (Instruction * len(instructions))(*instructions))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(program), 0, 0) != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"prctl(PR_SET_SECCOMP): {os.strerror(code)}")
