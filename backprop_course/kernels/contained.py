"""What the sandbox stopped a notebook from doing, in words for the report and the feedback.

The sandbox itself keeps everyone else safe whatever the notebook does; this only reads the
traces it leaves (the errors the notebook's cells got, how the kernel ended) to say what was
tried. A notebook that hides its errors gets no such note, and no more than that.
"""
import re
import signal

from .execute import describe_cell

# (pattern of an error "Name: message", what the notebook tried); the first that matches applies.
ERRORS = [
    (r"^MemoryError", "ran out of memory (limit {memory} per process)"),
    (r"\[Errno (30|13)\]", "tried to write outside its folder"),
    (r"\[Errno 27\]", "wrote a file over the size limit ({file_size})"),
    (r"\[Errno (101|99|111|-2|-3|-5)\]|Network is unreachable|Name or service not known",
     "tried to use the network"),
    (r"^BlockingIOError: \[Errno 11\]|can't start new thread", "tried to start too many processes (limit {processes})"),
    (r"^ProcessLookupError|^PermissionError: \[Errno 1\]",
     "tried to reach a process outside its sandbox or to start a session of its own"),
    (r"\[Errno 2\] No such file or directory: '/(?!home/student/)|unable to open database file",
     "tried to reach files outside its folder (the sandbox does not show them)"),
    (r"\[Errno 1\]", "tried something the sandbox forbids"),
]
ENDINGS = {signal.SIGXCPU: "used up its CPU time (limit {cpu_seconds})",
           signal.SIGXFSZ: "wrote a file over the size limit ({file_size})"}


def contained_notes(notebook, exit_status, limits):
    """One note per thing the sandbox stopped, with where it happened first."""
    words = limits.words()
    found = {}
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.output_type != "error":
                continue
            error = f"{output.ename}: {output.evalue}"
            reason = next((reason for pattern, reason in ERRORS if re.search(pattern, error)), None)
            if reason and reason not in found:
                found[reason] = f"{describe_cell(notebook, index)}: {error}"[:200]
    notes = [f"contained: {reason.format(**words)} ({where})" for reason, where in found.items()]
    if exit_status is not None and exit_status - 128 in ENDINGS:
        notes.append(f"contained: {ENDINGS[exit_status - 128].format(**words)}; the kernel was stopped")
    return notes
