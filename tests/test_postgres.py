"""A gradebook on a real PostgreSQL server (started here from the pgserver package): autograde,
feedback, report and formgrader's API all work on it, also while a grader writes manual scores."""
import sys
import threading

import pytest

if sys.version_info >= (3, 13):  # no PostgreSQL server can be installed here, so say so
    pytest.skip("pgserver (PostgreSQL in a wheel) has no wheel for Python 3.13 yet: run the PostgreSQL "
                "tests on Python 3.11 or 3.12 (make setup PYTHON=python3.12)", allow_module_level=True)
import pgserver  # noqa: E402  (the test extra installs it on Python 3.11 and 3.12)
from nbgrader.api import Gradebook
from nbgrader.apps.api import NbGraderAPI

from backprop_course.config import CourseError, course_directory, load_config
from backprop_course.feedback import generate_feedback
from backprop_course.report import report
from commands import run
from pipeline_toy import TOY_CLASS, TOY_STAGE, toy_course, write_class

pytestmark = [pytest.mark.course, pytest.mark.pipeline]

STUDENTS = ["ada", "ben", "cy"]


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    server = pgserver.get_server(tmp_path_factory.mktemp("postgres"), cleanup_mode="stop")
    yield server.get_uri()
    server.cleanup()


@pytest.fixture(scope="module")
def course(tmp_path_factory, database):
    """The toy class autograded into the PostgreSQL gradebook by the command line."""
    root, _ = toy_course(tmp_path_factory.mktemp("course"))
    write_class(root, {student: TOY_CLASS[student] for student in STUDENTS})
    finished = run("backprop-course", "autograde", "--db-url", database, "--jobs", "2", "--timeout", "3", cwd=root)
    return root, finished


def scores(database):
    with Gradebook(database, "backprop") as gradebook:
        return {submitted.student.id: {grade.name.removeprefix("test_"): grade.score
                                       for grade in submitted.notebooks[0].grades}
                for submitted in gradebook.assignment_submissions(TOY_STAGE)}


def test_autograde_records_every_score_in_postgresql(course, database):
    _, finished = course
    assert "total" in finished.stdout
    assert scores(database) == {student: TOY_CLASS[student].expected_points(TOY_STAGE) for student in STUDENTS}


def test_feedback_and_report_read_the_postgresql_gradebook(course, database, tmp_path):
    root, _ = course
    config = load_config(root, db_url=database)
    pages, failures = generate_feedback(config)
    assert failures == [] and sorted(page.parent.parent.name for page in pages) == STUDENTS
    _, csv_path, _ = report(config, tmp_path)
    rows = [line.split(",") for line in csv_path.read_text().splitlines()]
    assert sorted(row[0] for row in rows[1:]) == STUDENTS


def test_formgrader_api_reads_while_a_grader_writes_manual_scores(course, database):
    root, _ = course
    config = load_config(root, db_url=database)
    api = NbGraderAPI(coursedir=course_directory(config), config=config)
    written = []

    def grade_by_hand():
        with Gradebook(database, "backprop") as gradebook:
            grade = gradebook.find_grade("test_numerical_diff", TOY_STAGE, TOY_STAGE, "ben")
            for score in (0.5, 1.0, 1.5):
                grade.manual_score = score
                gradebook.db.commit()
                written.append(score)

    grader = threading.Thread(target=grade_by_hand)
    grader.start()
    seen = []
    while grader.is_alive() or not seen:
        seen.append({row["student"]: row["score"] for row in api.get_submissions(TOY_STAGE)}["ben"])
    grader.join()
    assert written == [0.5, 1.0, 1.5]
    assert set(seen) <= {2.0, 2.5, 3.0, 3.5}  # circuit_gradients' 2 plus whatever the grader had written
    assert {row["student"]: row["score"] for row in api.get_submissions(TOY_STAGE)}["ben"] == 3.5
    assert api.get_assignment(TOY_STAGE)["num_submissions"] == len(STUDENTS)


def test_a_gradebook_server_without_a_course_id_is_refused_with_what_to_set(tmp_path, database):
    root, _ = toy_course(tmp_path)
    with open(root / "nbgrader_config.py", "a") as config:
        config.write('c.CourseDirectory.course_id = ""\n')
    with pytest.raises(CourseError, match=r"set c\.CourseDirectory\.course_id in .*nbgrader_config\.py"):
        load_config(root, db_url=database)


def test_a_missing_postgresql_driver_names_the_extra(tmp_path, database, monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)
    monkeypatch.setitem(sys.modules, "psycopg2", None)
    with pytest.raises(CourseError, match=r"pip install 'backprop-course\[postgres\]'"):
        load_config(toy_course(tmp_path)[0], db_url=database)
