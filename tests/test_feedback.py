"""Feedback pages: readable offline, exercises named, no hidden test, nothing a student made runs.

(What a browser makes of the page is checked in test_browser.py.)
"""
import re

import pytest

from feedback_toy import LONG_WORD

pytestmark = pytest.mark.pipeline


@pytest.fixture(scope="module")
def page(feedback_page_path):
    return feedback_page_path.read_text()


def test_the_students_page_is_written_despite_the_hidden_test_marker_in_an_answer(page):
    assert "### BEGIN HIDDEN TESTS  (the student" in page  # their own comment, shown as they wrote it
    assert "3.0001" not in page, "a hidden test's code reached the page"


def test_nothing_the_student_made_can_run(page):
    assert not re.findall(r"<script\b", page, flags=re.I), "the page needs no script, and carries none"
    assert not re.findall(r"<\w+[^<>]*\son\w+\s*=", page), "an element with an event handler"
    assert '&lt;script&gt;document.title = "student html ran"&lt;/script&gt;<b>bold words</b>' in page
    assert "&lt;script&gt;document.title = 'student markdown ran'&lt;/script&gt;" in page
    assert "<svg" not in page, "SVG is shown as an image, where scripts never run"


def test_formulas_are_mathml_and_nothing_is_fetched(page):
    assert "<math" in page and "<mfrac>" in page
    assert not re.search(r"""(src|href)=["']?https?://""", page), "the page loads something from the network"
    assert "MathJax" not in page


def test_the_status_banner_names_the_restored_test_once_escaped(page):
    banner = re.search(r'<div class="alert alert-info grading-status">(.*?)</div>', page, flags=re.S).group(1)
    assert "graded after restoring test cells you changed" in banner
    assert "<code>test_circuit_gradients</code> was deleted: restored" in banner
    assert "&amp;" not in banner and "&quot;" not in banner


def test_the_summary_names_each_exercise(page):
    assert re.findall(r"Tests of <b>(\w+)</b>", page) == ["numerical_diff", "circuit_gradients"]


def test_a_test_cells_error_is_its_message_only(page):
    assert f"<pre>\nValueError: my own message, long and unbroken: {LONG_WORD}</pre>" in page
    assert "most recent call last" not in page
