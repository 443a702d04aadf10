"""The demo's scratch course: the repository's stages, with the bundled sample class handed in.

Everything the demo makes lives in that folder, so the repository stays clean.
"""
import shutil
import tempfile
from pathlib import Path

from .config import CONFIG_FILE, CourseError, write_scratch_course
from .sample_class import BUNDLED

WRITTEN_BY_US = "written by backprop-course"
DEMO_SETTINGS = """
# The sample class loops forever on purpose: a shorter limit per cell keeps the demo quick
# (the slowest honest cell takes a few seconds).
c.Execute.timeout = 30
"""


def prepare_demo_course(folder=None):
    """A fresh scratch course in `folder` (default: a new temporary folder) with the sample class submitted."""
    folder = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="backprop-course-demo-"))
    config_file = folder / CONFIG_FILE
    if folder.exists() and any(folder.iterdir()):
        if not (config_file.exists() and WRITTEN_BY_US in config_file.read_text()):
            raise CourseError(f"{folder} is not empty and is not an earlier demo: choose another --folder")
        shutil.rmtree(folder)
    if not BUNDLED.is_dir():
        raise CourseError(f"the sample class is missing ({BUNDLED}): run `python -m backprop_course.sample_class`")
    root = write_scratch_course(folder)
    with open(root / CONFIG_FILE, "a") as config:
        config.write(DEMO_SETTINGS)
    shutil.copytree(BUNDLED, root / "submitted")
    return root
