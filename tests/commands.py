"""Running this environment's commands (backprop-course, nbgrader, jupyter) as a person would."""
import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def run(program, *arguments, cwd, env=None, check=True):
    """Run BIN/program in `cwd`; with `check`, fail the test with the command's output if it exits non-zero."""
    environment = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", **(env or {})}
    finished = subprocess.run([str(BIN / program), *map(str, arguments)], cwd=cwd, env=environment,
                              capture_output=True, text=True)
    if check:
        assert finished.returncode == 0, f"{program} {arguments} exited {finished.returncode}:\n" \
                                         f"{finished.stdout}\n{finished.stderr}"
    return finished
