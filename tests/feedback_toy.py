"""A toy class whose feedback pages must stay readable and inert: a student's answer prints a
script, JavaScript, an SVG with a script and a very long error, holds the hidden-test marker in
a comment, and the student added a Markdown cell with a formula and raw HTML."""
import nbformat

from backprop_course.autograde import autograde
from backprop_course.config import load_config
from backprop_course.feedback import generate_feedback
from backprop_course.mistakes import instead
from backprop_course.sample_class import Work, deleted_test
from pipeline_toy import toy_course, write_class

LONG_WORD = "a-very-long-word-without-spaces-" * 40
ACTIVE_ANSWER = f'''\
from IPython.display import HTML, SVG, Javascript, display

display(HTML('<script>document.title = "student html ran"</script><b onmouseover="alert(1)">bold words</b>'))
display(Javascript('document.title = "student javascript ran"'))
display(SVG('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="10">'
            '<script>document.title = "student svg ran"</script><rect width="40" height="10"/></svg>'))


def numerical_diff(f, x, eps=1e-4):
    ### BEGIN HIDDEN TESTS  (the student's own comment, not a test)
    raise ValueError("my own message, long and unbroken: {LONG_WORD}")'''
STUDENT_MARKDOWN = r"My notes: $\frac{\partial L}{\partial x}$ and <script>document.title = 'student markdown ran'</script>"


def with_notes_cell(notebook, path):
    """Damage: the student deletes a test cell (restored, with a note) and adds a Markdown cell."""
    notebook.cells.insert(1, nbformat.v4.new_markdown_cell(STUDENT_MARKDOWN))
    deleted_test("circuit_gradients")(notebook, path)


FEEDBACK_CLASS = {
    "rosa": Work(answers=(instead("numerical_diff", ACTIVE_ANSWER),), damage=with_notes_cell,
                 lost=("numerical_diff",), status="repaired"),
}


def graded_feedback(folder):
    """Autograde the feedback class in a scratch course under `folder`; return its one page."""
    root, _ = toy_course(folder)
    write_class(root, FEEDBACK_CLASS)
    config = load_config(root, timeout=10)
    autograde(config, jobs=1)
    pages, failures = generate_feedback(config)
    assert failures == [] and len(pages) == 1, (pages, failures)
    return pages[0]

