"""nbgrader configuration of the backprop course.

The course root is this folder. Instructor notebooks live in ../solutions and the student
versions nbgrader generates from them in ../notebooks. Students' work goes to submitted/, and
autograded/, feedback/ and gradebook.db appear here when grading (all git-ignored).
`backprop-course` loads this file explicitly; plain `nbgrader` commands run here read it too.
"""
import os

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import ClearHiddenTests, GetGrades

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.source_directory = "../solutions"
c.CourseDirectory.release_directory = "../notebooks"
# The gradebook defaults to sqlite:///<root>/gradebook.db; a PostgreSQL URL works as well:
# c.CourseDirectory.db_url = "postgresql://user:password@host/backprop"

# Seconds a single cell may run while grading before it is interrupted.
c.Execute.timeout = 60

# nbgrader's default feedback shows the hidden tests' code: clear it.
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]
