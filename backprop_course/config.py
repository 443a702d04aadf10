"""Course folders: which one a command uses, how its nbgrader configuration is loaded, how to run nbgrader.

The bundled course is `course/` (sources in ../solutions, student versions in ../notebooks): in
a checkout, the repository's folders; in an installed package, the copy the build put in
`backprop_course/shipped/` (see setup.py). An instructor's own course (`backprop-course init`)
is any folder with an nbgrader_config.py. A scratch course (demo, tests, benchmark) is a folder
whose nbgrader_config.py loads the bundled one and then points root and release at itself.
"""
import copy
import io
import logging
import os
from pathlib import Path

from nbgrader.coursedir import CourseDirectory
from traitlets.config.loader import PyFileConfigLoader

CONFIG_FILE = "nbgrader_config.py"


def bundle_folder():
    """The folder holding course/, solutions/ and notebooks/: the package's shipped copy, else the checkout."""
    shipped = Path(__file__).resolve().parent / "shipped"
    return shipped if (shipped / "course" / CONFIG_FILE).is_file() else Path(__file__).resolve().parents[1]


BUNDLE = bundle_folder()
COURSE_ROOT = BUNDLE / "course"
SOLUTIONS = BUNDLE / "solutions"

SCRATCH_CONFIG = '''\
"""A scratch course (written by backprop-course): the course below, graded in this folder."""
import os

c = get_config()  # noqa: F821
load_subconfig({base_config!r})
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.source_directory = {solutions!r}
c.CourseDirectory.release_directory = "release"
'''


class CourseError(Exception):
    """Something about the course folder or an nbgrader step went wrong; the message says what."""


def find_course(course=None, cwd=None):
    """(course folder, why it was chosen): `--course`, else the current folder if it is a course, else the bundled one."""
    if course:
        return Path(course).resolve(), "from --course"
    cwd = Path(cwd or os.getcwd()).resolve()
    if (cwd / CONFIG_FILE).is_file():
        return cwd, f"the current folder has an {CONFIG_FILE}"
    return COURSE_ROOT, f"the bundled course: no --course, and no {CONFIG_FILE} in the current folder"


def load_config(course_root=COURSE_ROOT, db_url=None, timeout=None):
    """The nbgrader Config of the course in `course_root` (nbgrader's API never reads it itself)."""
    course_root = Path(course_root).resolve()
    if not (course_root / CONFIG_FILE).is_file():
        raise CourseError(
            f"{course_root} is not a course folder: it has no {CONFIG_FILE} "
            "(pass --course pointing at one, or run `backprop-course demo` for a scratch course)"
        )
    config = PyFileConfigLoader(CONFIG_FILE, path=str(course_root)).load_config()
    config.CourseDirectory.root = str(course_root)
    if db_url:
        config.CourseDirectory.db_url = db_url
    check_database(config)
    if timeout:
        config.Execute.timeout = timeout
    return config


def check_database(config):
    """A gradebook other than SQLite needs a course id (nbgrader's default "" breaks its foreign keys) and a driver."""
    coursedir = course_directory(config)
    if coursedir.db_url.startswith("sqlite"):
        return
    if not coursedir.course_id:
        raise CourseError(f"set c.CourseDirectory.course_id in {coursedir.root}/{CONFIG_FILE}: "
                          "a gradebook server needs a course id")
    if coursedir.db_url.startswith("postgresql"):
        from sqlalchemy.engine import make_url

        try:
            make_url(coursedir.db_url).get_dialect().import_dbapi()
        except ImportError as error:
            raise CourseError(f"no PostgreSQL driver ({error}): pip install 'backprop-course[postgres]'") from None


def course_directory(config, **traits):
    """An nbgrader CourseDirectory for `config`, with `traits` (e.g. assignment_id) set."""
    coursedir = CourseDirectory(config=copy.deepcopy(config))
    for name, value in traits.items():
        setattr(coursedir, name, value)
    return coursedir


def stage_path(config, step, student, stage):
    """Folder of `stage` for `student` at nbgrader `step` ("source", "release", "submitted", ...)."""
    coursedir = course_directory(config)
    directory = getattr(coursedir, f"{step}_directory")
    return Path(coursedir.format_path(directory, student, stage)).resolve()


def write_scratch_course(root, base=COURSE_ROOT, source=SOLUTIONS):
    """Make `root` a course folder grading the stages of `base` (sources in `source`); return its path."""
    root = Path(root).resolve()
    root.mkdir(parents=True, exist_ok=True)
    text = SCRATCH_CONFIG.format(
        base_config=str(Path(base).resolve() / CONFIG_FILE), solutions=str(Path(source).resolve())
    )
    (root / CONFIG_FILE).write_text(text)
    return root


def run_nbgrader(converter, what):
    """Run an nbgrader converter; on failure raise CourseError with nbgrader's own error lines."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setLevel(logging.ERROR)
    converter.log.addHandler(handler)
    try:
        converter.start()
    except Exception as error:
        details = buffer.getvalue().strip() or repr(error)
        raise CourseError(f"{what} failed:\n{details}") from error
    finally:
        converter.log.removeHandler(handler)
