"""Report: the class's grades as grades.csv, two printed tables and grades.png.

Scores come from the gradebook (a grader's manual score wins over the autograder's, as in
nbgrader). Each submission's status and flags come from its autograded notebook's metadata,
written by autograde: `flagged` (the answer policy found code to review) and `reference
answer` (an answer ran its exercise's reference implementation), whatever the score.
"""
import csv
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from . import contract
from .config import CourseError, course_directory, stage_path
from .console import one_line

FORMULA_STARTS = ("=", "+", "-", "@")  # what makes a spreadsheet read a cell as a formula


@dataclass
class StudentGrades:
    student: str
    scores: dict = field(default_factory=dict)  # (stage, exercise) -> points earned
    statuses: dict = field(default_factory=dict)  # stage -> status of the submission
    flags: dict = field(default_factory=dict)  # stage -> sorted flags ("flagged", "reference answer")

    def stage_score(self, stage):
        if stage not in self.statuses:
            return None
        return sum(self.scores.get((stage, exercise), 0) for exercise in contract.CONTRACT[stage])

    def total(self):
        return sum(self.stage_score(stage) or 0 for stage in contract.STAGES)

    def remarks(self):
        """'ok', or what went wrong per stage: '03 killed; 02 reference answer'."""
        remarks = []
        for stage, status in self.statuses.items():
            words = ([] if status == "ok" else [status]) + list(self.flags.get(stage, []))
            if words:
                remarks.append(f"{stage[:2]} {', '.join(words)}")
        return "; ".join(remarks) or "ok"


def collect(config):
    """Every student in the gradebook with their scores, statuses and flags."""
    coursedir = course_directory(config)
    sqlite_file = coursedir.db_url.removeprefix("sqlite:///")
    if coursedir.db_url.startswith("sqlite:///") and not Path(sqlite_file).exists():
        raise CourseError(f"there is no gradebook at {sqlite_file} yet (run autograde first)")
    grades = []
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        for student in sorted(gradebook.students, key=lambda student: student.id):
            row = StudentGrades(student.id)
            for stage in contract.STAGES:
                try:
                    submitted = gradebook.find_submission_notebook(stage, stage, student.id)
                except MissingEntry:
                    continue
                for grade in submitted.grades:
                    row.scores[(stage, contract.exercise_of(grade.name))] = grade.score or 0
                row.statuses[stage], row.flags[stage] = status_and_flags(config, student.id, stage)
            grades.append(row)
    if not grades:
        raise CourseError(f"the gradebook {coursedir.db_url} has no graded students yet (run autograde first)")
    return grades


def status_and_flags(config, student, stage):
    path = stage_path(config, "autograded", student, stage) / f"{stage}.ipynb"
    if not path.exists():  # e.g. plain nbgrader found no notebook to grade
        return "missing", []
    grading = nbformat.read(path, as_version=4).metadata.get(contract.METADATA_KEY, {})
    return grading.get("status", "ok"), sorted(grading.get("flags", []))


def number(value):
    return "" if value is None else f"{value:g}"


def write_csv(grades, path):
    """One row per student: a column per exercise, per stage, the total and the remarks."""
    columns = [f"{stage}/{exercise}" for stage in contract.STAGES for exercise in contract.CONTRACT[stage]]
    header = ["student", *columns, *contract.STAGES, "total", "status"]
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        for row in grades:
            exercises = [number(row.scores.get((stage, exercise)) if stage in row.statuses else None)
                         for stage in contract.STAGES for exercise in contract.CONTRACT[stage]]
            stages = [number(row.stage_score(stage)) for stage in contract.STAGES]
            writer.writerow([as_text(row.student), *exercises, *stages, number(row.total()), row.remarks()])
    return path


def as_text(name):
    """A student's id for a spreadsheet: on one line, and never a formula (`=HYPERLINK(...)` stays text)."""
    name = one_line(name)
    return f"'{name}" if name.startswith(FORMULA_STARTS) else name


def exercise_summary(grades):
    """(stage, exercise, points, mean, share of full marks, submissions) over the submitted notebooks."""
    summary = []
    for stage in contract.STAGES:
        submitted = [row for row in grades if stage in row.statuses]
        for exercise, points in contract.CONTRACT[stage].items():
            earned = [row.scores.get((stage, exercise), 0) for row in submitted]
            mean = sum(earned) / len(earned) if earned else None
            full = sum(score >= points for score in earned) / len(earned) if earned else None
            summary.append((stage, exercise, points, mean, full, len(earned)))
    return summary


def format_table(header, rows):
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(line, widths)).rstrip()
             for line in [header, *rows]]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def exercise_table(grades):
    """Per exercise: mean points and share of full marks over the submitted notebooks."""
    rows = [(stage, exercise, points, f"{mean:.2f}", f"{full:.0%}", count)
            for stage, exercise, points, mean, full, count in exercise_summary(grades) if count]
    return format_table(["stage", "exercise", "points", "mean", "full marks", "graded"], rows)


def student_table(grades):
    """Per student: points per stage ("-": not submitted), total and status."""
    maximum = sum(contract.max_points(stage) for stage in contract.STAGES)
    rows = [(one_line(row.student), *[number(row.stage_score(stage)) or "-" for stage in contract.STAGES],
             f"{number(row.total())}/{maximum}", row.remarks()) for row in grades]
    return format_table(["student", *[stage[:2] for stage in contract.STAGES], "total", "status"], rows)


def summary_tables(grades):
    return f"{exercise_table(grades)}\n\n{student_table(grades)}"


def graded_unconfined(config):
    """Whether any autograded notebook says it was graded without the sandbox (--no-sandbox)."""
    folder = Path(course_directory(config).root) / course_directory(config).autograded_directory
    return any(nbformat.read(path, as_version=4).metadata.get(contract.METADATA_KEY, {}).get("unconfined")
               for path in folder.glob("*/*/*.ipynb"))


def report(config, output_dir=None):
    """Write grades.csv and grades.png (in the course folder by default); return (summary text, csv, png)."""
    from .kernels.sandbox import UNCONFINED

    from .figure import plot_grades  # matplotlib loads only when a report is made

    output_dir = Path(output_dir or course_directory(config).root)
    output_dir.mkdir(parents=True, exist_ok=True)
    grades = collect(config)
    csv_path = write_csv(grades, output_dir / "grades.csv")
    png_path = plot_grades(grades, exercise_summary(grades), output_dir / "grades.png")
    warning = f"{UNCONFINED}\n\n" if graded_unconfined(config) else ""
    return warning + summary_tables(grades), csv_path, png_path
