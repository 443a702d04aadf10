"""`backprop-course init DIR`: a new course folder the instructor owns.

It gets the bundled course's nbgrader_config.py with its own folders and course id, the
instructor notebooks to edit (source/), and a .gitignore for what grading writes. Nothing
in it points back at this package's files, so it works the same from a checkout and from
an installed package, and plain `nbgrader` commands run in it as well.
"""
import re
import shutil
from pathlib import Path

from . import contract
from .config import CONFIG_FILE, COURSE_ROOT, SOLUTIONS, CourseError

# The bundled configuration's lines an own course changes: (line in the bundled file, its replacement).
OWN_FOLDERS = (
    ('c.CourseDirectory.source_directory = "../solutions"', 'c.CourseDirectory.source_directory = "source"'),
    ('c.CourseDirectory.release_directory = "../notebooks"', 'c.CourseDirectory.release_directory = "release"'),
    ('c.CourseDirectory.course_id = "backprop"', "c.CourseDirectory.course_id = {course_id!r}"),
)

GITIGNORE = """\
# written by grading (backprop-course / nbgrader); the course itself is nbgrader_config.py and source/
gradebook.db
gradebook.db-journal
release/
submitted/
autograded/
feedback/
grades.csv
grades.png
*.log
.ipynb_checkpoints/
"""


def course_id_of(folder):
    """A course id from a folder name: letters, digits, '-' and '_' (what nbgrader's exchange accepts)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", Path(folder).resolve().name).strip("-") or "backprop"


def own_config(course_id):
    """The bundled nbgrader_config.py with this course's folders and id."""
    text = (COURSE_ROOT / CONFIG_FILE).read_text()
    for bundled, own in OWN_FOLDERS:
        if bundled not in text:
            raise CourseError(f"the bundled {CONFIG_FILE} no longer has the line {bundled!r}: update init_course.py")
        text = text.replace(bundled, own.format(course_id=course_id))
    return text


def init_course(folder, course_id=None):
    """Make `folder` (new or empty) a course; return its path."""
    folder = Path(folder).resolve()
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise CourseError(f"{folder} already exists and is not empty: choose a new folder")
    course_id = course_id or course_id_of(folder)
    if not re.fullmatch(r"[A-Za-z0-9_-]+", course_id):
        raise CourseError(f"course id {course_id!r}: use only letters, digits, '-' and '_'")
    config = own_config(course_id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / CONFIG_FILE).write_text(config)
    (folder / ".gitignore").write_text(GITIGNORE)
    for stage in contract.STAGES:
        if (SOLUTIONS / stage).is_dir():
            shutil.copytree(SOLUTIONS / stage, folder / "source" / stage,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return folder
