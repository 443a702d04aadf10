"""grades.png: how each exercise went across the class, and the class's totals."""
import matplotlib

matplotlib.use("Agg")  # files only: no display needed on a server
import matplotlib.pyplot as plt  # noqa: E402

from . import contract  # noqa: E402


def plot_grades(grades, exercise_summary, path):
    """Write grades.png (see grades_figure) to `path`."""
    figure = grades_figure(grades, exercise_summary)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def grades_figure(grades, exercise_summary):
    """Left: share of full marks per exercise (over submitted notebooks). Right: histogram of totals."""
    figure, (by_exercise, totals) = plt.subplots(
        1, 2, figsize=(13, 7), gridspec_kw={"width_ratios": [3, 2]}, layout="constrained")

    graded = [row for row in exercise_summary if row[-1]]  # exercises someone submitted
    labels = [f"{stage[:2]} {exercise}" for stage, exercise, *_ in graded]
    full = [share for *_, share, _count in graded]
    positions = range(len(labels))
    by_exercise.barh(positions, full, color="tab:green", label="full marks")
    by_exercise.barh(positions, [1 - share for share in full], left=full, color="tab:red", alpha=0.35,
                     label="less than full marks")
    by_exercise.set_yticks(positions, labels, fontsize=8)
    by_exercise.invert_yaxis()
    by_exercise.set_xlim(0, 1)
    by_exercise.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    by_exercise.set_title("Share of submitted notebooks earning each exercise's points")
    # below the axis, where it covers no bar
    by_exercise.legend(loc="upper center", bbox_to_anchor=(0.5, -0.05), ncols=2, frameon=False)

    maximum = sum(contract.max_points(stage) for stage in contract.STAGES)
    edges = range(0, maximum + 5, 5)  # the last bin holds the maximum
    totals.hist([row.total() for row in grades], bins=edges, color="tab:blue", edgecolor="white")
    totals.set_xlim(edges[0] - 2, edges[-1] + 2)  # a margin on both sides: no bar touches the frame
    totals.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))  # whole students
    totals.set_xlabel(f"total points (of {maximum})")
    totals.set_ylabel("students")
    totals.set_title(f"Class totals ({len(grades)} students)")
    return figure
