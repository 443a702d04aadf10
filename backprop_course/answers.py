"""Answer cells: the instructor's answers, and a student notebook with answers filled in."""
import copy

SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def answer_id(cell):
    """The grade_id of an answer cell, None for any other cell."""
    nbgrader = cell.metadata.get("nbgrader", {})
    return nbgrader.get("grade_id") if nbgrader.get("solution") else None


def solution_sources(solution_notebook):
    """grade_id -> the instructor's answer with nbgrader's solution markers removed."""
    return {
        answer_id(cell): "\n".join(line for line in cell.source.splitlines() if line.strip() not in SOLUTION_MARKERS)
        for cell in solution_notebook.cells if answer_id(cell)
    }


def fill_answers(student_notebook, answers):
    """A copy of the student notebook whose answer cells hold `answers` (grade_id -> source)."""
    notebook = copy.deepcopy(student_notebook)
    for cell in notebook.cells:
        if answer_id(cell) in answers:
            cell.source = answers[answer_id(cell)]
    return notebook
