"""grades.png: nothing covers a bar, the class is counted in whole students, bars keep off the frame."""
import matplotlib.pyplot as plt
import pytest

from backprop_course import contract
from backprop_course.figure import grades_figure
from backprop_course.report import StudentGrades, exercise_summary

pytestmark = pytest.mark.pipeline


def student(name, share):
    """A student who submitted every stage and earned all points of the first `share` of exercises."""
    exercises = [(stage, exercise, points) for stage in contract.STAGES
                 for exercise, points in contract.CONTRACT[stage].items()]
    earned = {(stage, exercise): points if index < share * len(exercises) else 0
              for index, (stage, exercise, points) in enumerate(exercises)}
    return StudentGrades(name, scores=earned, statuses=dict.fromkeys(contract.STAGES, "ok"))


@pytest.fixture
def figure():
    grades = [student("ada", 1.0), student("ben", 1.0), student("cy", 0.5)]  # the last bar holds the maximum
    figure = grades_figure(grades, exercise_summary(grades))
    figure.canvas.draw()
    yield figure
    plt.close(figure)


def test_the_legend_covers_no_bar(figure):
    by_exercise = figure.axes[0]
    legend = by_exercise.get_legend().get_window_extent()
    bars = [patch.get_window_extent() for patch in by_exercise.patches]
    assert not [bar for bar in bars if bar.overlaps(legend)]


def test_students_are_counted_in_whole_numbers(figure):
    ticks = figure.axes[1].get_yticks()
    assert all(float(tick).is_integer() for tick in ticks), f"expected whole students, got ticks {list(ticks)}"


def test_no_histogram_bar_touches_the_frame(figure):
    totals = figure.axes[1]
    left, right = totals.get_xlim()
    bars = [bar for bar in totals.patches if bar.get_height() > 0]
    assert bars and min(bar.get_x() for bar in bars) >= left
    assert max(bar.get_x() + bar.get_width() for bar in bars) < right, "the last bar touches the right edge"
