"""nbgrader's exchange end to end, as on a JupyterHub: release, students fetch and submit (each
with their own folder and cache), collect, autograde, feedback, release and fetch feedback.

The instructor's steps go through formgrader's API and the students' through nbgrader's exchange
classes, exactly as the Lab extensions call them (the `nbgrader` commands wrap the same
classes); `backprop-course autograde` runs as a command.
"""
import nbformat
import pytest
from nbgrader.apps.api import NbGraderAPI
from nbgrader.auth import Authenticator
from nbgrader.exchange import ExchangeFactory
from traitlets.config import Config

from backprop_course.config import course_directory, load_config
from backprop_course.feedback import generate_feedback
from backprop_course.sample_class import submission
from commands import run
from pipeline_toy import TOY_CLASS, TOY_STAGE, toy_course

pytestmark = [pytest.mark.course, pytest.mark.pipeline]

STUDENTS = ["ada", "ben"]


def succeeded(result):
    assert result["success"], result.get("error") or result.get("log")


def as_student(student, homes, exchange, step):
    """A student's fetch, submit or fetch-feedback (what the Lab's Assignments tab does for them)."""
    config = Config()  # what a hub's nbgrader_config.py gives every student: the exchange and the course
    config.CourseDirectory.course_id = "backprop"
    config.Exchange.root = str(exchange)
    config.Exchange.assignment_dir = str(homes / student)
    config.Exchange.cache = str(homes / student / ".nbgrader_cache")
    # on a hub nbgrader takes the name of the student's account; every test student is this one account
    config.CourseDirectory.student_id = student
    config.CourseDirectory.assignment_id = TOY_STAGE
    factory = ExchangeFactory(config=config)
    app = getattr(factory, step)(coursedir=course_directory(config), authenticator=Authenticator(config=config),
                                 config=config)
    app.start()


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course whose assignment went through the exchange and back, with feedback fetched."""
    scratch = tmp_path_factory.mktemp("hub")
    exchange, homes = scratch / "exchange", scratch / "home"
    root, source = toy_course(scratch / "course")
    with open(root / "nbgrader_config.py", "a") as config:
        config.write(f"c.Exchange.root = {str(exchange)!r}\n")
    config = load_config(root)
    api = NbGraderAPI(coursedir=course_directory(config), config=config)
    succeeded(api.generate_assignment(TOY_STAGE))
    succeeded(api.release_assignment(TOY_STAGE))
    solution = nbformat.read(source, as_version=4)
    for student in STUDENTS:
        (homes / student).mkdir(parents=True)
        as_student(student, homes, exchange, "FetchAssignment")
        fetched = homes / student / TOY_STAGE / f"{TOY_STAGE}.ipynb"
        nbformat.write(submission(nbformat.read(fetched, as_version=4), solution, TOY_CLASS[student]), fetched)
        as_student(student, homes, exchange, "Submit")
    succeeded(api.collect(TOY_STAGE))
    graded = run("backprop-course", "autograde", "--timeout", "5", cwd=root)
    generate_feedback(config)
    succeeded(api.release_feedback(TOY_STAGE))
    for student in STUDENTS:
        as_student(student, homes, exchange, "FetchFeedback")
    return root, homes, graded


def test_collect_puts_each_submission_where_autograde_finds_it(course):
    root, _, graded = course
    assert sorted(path.name for path in (root / "submitted").iterdir()) == STUDENTS
    assert f"grading {len(STUDENTS)} submissions" in graded.stdout


def test_each_student_fetches_their_own_feedback(course):
    _, homes, _ = course
    pages = {student: list((homes / student / TOY_STAGE / "feedback").glob("*/*.html")) for student in STUDENTS}
    assert all(len(found) == 1 for found in pages.values()), pages
    ada, ben = (pages[student][0].read_text() for student in STUDENTS)
    assert "use a central difference" in ben and "use a central difference" not in ada
    assert "HIDDEN TESTS" not in ben
