"""Fixtures shared by several test modules."""
import pytest

from feedback_toy import graded_feedback


@pytest.fixture(scope="session")
def feedback_page_path(tmp_path_factory):
    """The feedback page of the toy student whose work tries every way to break it (feedback_toy)."""
    return graded_feedback(tmp_path_factory.mktemp("feedback"))
