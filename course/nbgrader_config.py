"""nbgrader configuration of the backprop course.

The course root is this folder. Instructor notebooks live in source_directory and the student
versions nbgrader generates from them in release_directory (set below). Students' work goes to
submitted/, and autograded/, feedback/ and gradebook.db appear here when grading (git-ignored).
`backprop-course` loads this file explicitly; plain `nbgrader` commands run here read it too.
"""
import os

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import ClearHiddenTests, GetGrades

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.source_directory = "../solutions"
c.CourseDirectory.release_directory = "../notebooks"
# The exchange and a gradebook server key everything by course id (nbgrader's default "" breaks
# PostgreSQL's foreign keys).
c.CourseDirectory.course_id = "backprop"
# The gradebook defaults to sqlite:///<root>/gradebook.db; a PostgreSQL server works as well
# (pip install 'backprop-course[postgres]'):
# c.CourseDirectory.db_url = "postgresql://user:password@host/backprop"
# On a JupyterHub, the folder shared by instructors and students for nbgrader's exchange:
# c.Exchange.root = "/srv/nbgrader/exchange"

# Seconds a single cell may run while grading before it is interrupted.
c.Execute.timeout = 60

# nbgrader's default feedback shows the hidden tests' code: clear it.
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]

# Grade on a Dask cluster instead of this machine's processes (pip install 'backprop-course[dask]'),
# as `backprop-course autograde --scheduler ADDRESS` does:
# c.DaskGrading.scheduler = "tcp://scheduler-host:8786"
