"""Find a `dot` program for graphviz: the system Graphviz, else the graphviz-pure port.

The graphviz package runs the command `dot` it finds on PATH. graphviz-pure installs its port
under the name `graphviz-pure`, so when PATH has no `dot` we make a private directory holding a
link named `dot` to the port and add that directory to the end of PATH (once per process).
Everything that runs `dot` then finds it: `.pipe()`, `.render()`, and Jupyter's display.
"""
import atexit
import functools
import os
import shutil
import sys
import tempfile
from pathlib import Path

PORT_NAME = "graphviz-pure"


def dot_program() -> str | None:
    """Path of the `dot` program graphviz will run, or None when there is none.

    Installs the graphviz-pure fallback on PATH if no system Graphviz is found.
    """
    found = shutil.which("dot")
    if found is not None:
        return found
    port = _graphviz_pure()
    if port is None:
        return None
    link = _dot_link_to(port)
    os.environ["PATH"] = os.environ.get("PATH", "") + os.pathsep + str(link.parent)
    return str(link)


def _graphviz_pure() -> Path | None:
    """The port's binary: on PATH, or beside this Python (a venv used without activating it)."""
    beside_python = str(Path(sys.executable).parent)
    found = shutil.which(PORT_NAME) or shutil.which(PORT_NAME, path=beside_python)
    return Path(found) if found else None


@functools.cache
def _dot_link_to(port: Path) -> Path:
    """A fresh private directory (removed at exit) holding `dot`, a link to the port."""
    directory = Path(tempfile.mkdtemp(prefix="autograd_ref-dot-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    link = directory / ("dot" + port.suffix)  # keeps `.exe` on Windows
    try:
        link.symlink_to(port)
    except OSError:  # Windows without the right to make symbolic links
        shutil.copy2(port, link)
    return link
