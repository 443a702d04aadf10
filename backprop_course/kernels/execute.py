"""Running a submission in a kernel: nbgrader's Execute, made to survive hostile notebooks.

Plain nbgrader loses a student's whole grade when the kernel dies (`os._exit`) or ignores the
interrupt after a timeout. Here the cells that ran keep their outputs, the cell that broke and
every cell after it get an error output saying why (so their tests score 0, never full marks),
and outputs are capped so the grader's memory is not the notebook's to fill: a cell's printed
text per stream (stdout cannot crowd out a failed test's stderr), each display (metadata too),
and all outputs kept together, past which the kernel is stopped as if it would not stop.
The kernel comes from `startup.KernelSupply`, started ahead of need.
"""
import json
import time
from collections import Counter

from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Integer

class KernelStartError(RuntimeError):
    """A kernel died or hung before running any cell: nothing to do with the notebook, worth a retry."""


TRUNCATED = "\n[... the grader kept only the first {kept:,} characters of this output ...]\n"
DROPPED = "[dropped by the grader: too large]"
NOT_RUN = "CellNotRun"


def error_output(ename, evalue):
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def describe_cell(notebook, index):
    """How a student finds a cell: 'cell 7 (answer `square`)', 'cell 9 (`x = Variable(...)`)'."""
    cell = notebook.cells[index]
    nbgrader = cell.metadata.get("nbgrader", {})
    if nbgrader.get("grade_id"):
        kind = "answer" if nbgrader.get("solution") else "test" if nbgrader.get("grade") else "locked cell"
        return f"cell {index + 1} ({kind} `{nbgrader['grade_id']}`)"
    first_line = next((line.strip() for line in cell.source.splitlines() if line.strip()), "")
    return f"cell {index + 1} (`{first_line[:40]}`)"


class GradingExecute(Execute):
    """nbgrader's Execute that keeps going past dead or unresponsive kernels; `notes` says what happened."""

    max_output_chars = Integer(
        100_000, help="Characters of printed text kept per cell and stream, and of one display; the rest is dropped."
    ).tag(config=True)
    max_notebook_seconds = Integer(
        600, help="Seconds a whole notebook may run; the cells after the one that passes them are not run."
    ).tag(config=True)
    max_notebook_output_chars = Integer(
        10_000_000, help="Characters of output kept for a whole notebook; past them the kernel is stopped."
    ).tag(config=True)

    def preprocess(self, nb, resources, km):
        """Run the notebook in `km`'s kernel (started ahead by KernelSupply), which is stopped at the end."""
        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        self.shutdown_kernel = "immediate"
        self.notes = []
        self.printed = Counter()  # (cell index, stream name) -> characters printed
        self.kept = 0  # characters of output kept, in all
        self.dropped = set()  # cells that displayed something too large
        self.flooded = False
        self.interrupted = self.timed_out = False
        self.stopped = None  # "crashed" or "killed" when the kernel did not survive
        self.exit_status = None  # how a kernel that died ended, when its provisioner knows
        self.connect()
        try:
            self.nb.metadata["language_info"] = self.kernel_info()["language_info"]
            self.move_kernel_to(resources.get("metadata", {}).get("path"), resources.get("metadata", {}).get("files"))
            self.run_cells(resources)
        finally:
            self._cleanup_kernel()
        self.note_truncated_outputs()
        self.set_widgets_metadata()
        return self.nb, self.resources

    def connect(self):
        try:
            self.start_new_kernel_client()
        except (RuntimeError, TimeoutError) as error:  # nbclient has stopped the kernel already
            raise KernelStartError(f"the kernel did not start: {error}") from error

    def kernel_info(self):
        return self.wait_for_reply(self.kc.kernel_info())["content"]

    def move_kernel_to(self, path, files=None):
        """A kernel started ahead of need began elsewhere: run in the submission's folder, as nbgrader does.

        With `files` (a folder, as the kernel sees it) the kernel first copies those into `path`.
        """
        if path:
            code = f"import os, shutil\nos.chdir({str(path)!r})"
            if files:
                code += f"\nshutil.copytree({str(files)!r}, '.', dirs_exist_ok=True)"
            code += "\ndel os, shutil"
            self.wait_for_reply(self.kc.execute(code, silent=True, store_history=False))

    def run_cells(self, resources):
        deadline = time.monotonic() + self.max_notebook_seconds
        for index, cell in enumerate(self.nb.cells):
            self.current_index = index
            self.interrupted = False
            if time.monotonic() > deadline:  # many cells, each under the timeout, must not hold up the class
                self.timed_out = True
                seconds = self.max_notebook_seconds
                skipped = self.skip_from(index, f"not run: the notebook ran over {seconds} s in all")
                self.notes.append(f"the notebook ran over {seconds} s in all: the {skipped} code cells from "
                                  f"{describe_cell(self.nb, index)} on were not run")
                return
            try:
                self.preprocess_cell(cell, resources, index)
                if self.flooded:
                    self.stopped = "killed"
                    self.abandon(index, "OutputFlood", f"the notebook's outputs passed "
                                 f"{self.max_notebook_output_chars:,} characters, so the kernel was stopped")
                    return
            except DeadKernelError:
                self.stopped = "crashed"
                self.exit_status = self.km.provisioner.process.poll() if self.km.provisioner.process else None
                self.abandon(index, "KernelDied", "the kernel died while running this cell (os._exit? a crash?)")
                return
            except CellTimeoutError:
                if not self.interrupted:
                    self.notes.append(f"{describe_cell(self.nb, index)}: part of its output arrived too late")
                    continue
                self.stopped = "killed"
                self.abandon(
                    index, "KernelUnresponsive",
                    f"this cell ran over {self.timeout} s and ignored the interrupt, so the kernel was killed",
                )
                return

    async def _async_handle_timeout(self, timeout, cell=None):
        self.interrupted = self.timed_out = True
        self.notes.append(f"{describe_cell(self.nb, self.current_index)}: ran over {timeout} s, interrupted")
        return await super()._async_handle_timeout(timeout, cell)

    def abandon(self, index, ename, reason):
        """Record why cell `index` broke; every later code cell fails with a 'not run' error."""
        self.nb.cells[index].outputs.append(error_output(ename, reason))
        skipped = self.skip_from(index + 1, f"not run: {describe_cell(self.nb, index)} stopped the kernel")
        self.notes.append(f"{describe_cell(self.nb, index)}: {reason}; the {skipped} code cells after it were not run")

    def skip_from(self, index, why):
        """Every code cell from `index` on fails with a 'not run' error saying `why`; return how many."""
        later = [cell for cell in self.nb.cells[index:] if cell.cell_type == "code"]
        for cell in later:
            cell.outputs = [error_output(NOT_RUN, why)]
        return len(later)

    def output(self, outs, msg, display_id, cell_index):
        content = msg["content"]
        size = 0
        if msg["msg_type"] == "stream":
            text = content["text"]
            stream = (cell_index, content.get("name"))
            room = self.max_output_chars - self.printed[stream]
            self.printed[stream] += len(text)
            if room <= 0:
                return None
            if len(text) > room:
                content["text"] = text[:room] + TRUNCATED.format(kept=self.max_output_chars)
            size = len(content["text"])
        elif "data" in content:  # a display or a result: kept whole or not at all
            metadata = content.get("metadata") or {}
            size = (sum(len(str(value)) for value in content["data"].values())
                    + (len(json.dumps(metadata, default=str)) if metadata else 0))
            if size > self.max_output_chars:
                if cell_index not in self.dropped:  # once per cell: the notes are not the notebook's to fill either
                    self.notes.append(f"{describe_cell(self.nb, cell_index)}: displayed {size:,} characters at "
                                      f"once; dropped (the limit is {self.max_output_chars:,})")
                self.dropped.add(cell_index)
                content["data"], content["metadata"] = {"text/plain": DROPPED}, {}
                size = len(DROPPED)
        elif msg["msg_type"] == "error":
            size = self.cap_error(content)
        if not self.keep(size):
            return None
        return super().output(outs, msg, display_id, cell_index)

    def on_cell_executed(self, **kwargs):
        """nbgrader adds the reply's error when no output has its name: the same caps apply to it."""
        if kwargs["execute_reply"]["content"].get("status") == "error":
            self.cap_error(kwargs["execute_reply"]["content"])
        return super().on_cell_executed(**kwargs)

    def cap_error(self, content):
        """Cut an error's name, message and traceback to size (in place); return the characters left."""
        content["ename"] = str(content.get("ename", ""))[:200]
        content["evalue"] = str(content.get("evalue", ""))[:self.max_output_chars]
        content["traceback"] = [str(line)[:self.max_output_chars] for line in content.get("traceback", [])[:200]]
        return len(content["evalue"]) + sum(len(line) for line in content["traceback"])

    def keep(self, size):
        """Whether the notebook's outputs have room for `size` more characters; once not, nothing more is kept."""
        self.kept += size
        self.flooded = self.flooded or self.kept > self.max_notebook_output_chars
        return not self.flooded

    def note_truncated_outputs(self):
        for (index, stream), count in sorted(self.printed.items()):
            if count > self.max_output_chars:
                self.notes.append(f"{describe_cell(self.nb, index)}: printed {count:,} characters on {stream}; "
                                  f"kept {self.max_output_chars:,}")
