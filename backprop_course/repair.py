"""Repairing a submission's locked cells before nbgrader sees it.

Students delete, edit and copy-paste test cells. nbgrader restores edited ones, but a deleted
test cell silently loses its points and a pasted copy (duplicated nbgrader metadata) makes
nbgrader abort the whole class's run. Here every locked cell of the student version (tests and
read-only cells) is put back as released, extra copies go, and each repair is noted.
"""
import copy

from nbgrader import utils


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def grading(metadata):
    """What of a cell's nbgrader metadata decides its grading (a checksum may differ between releases)."""
    return {key: metadata.get(key) for key in ("grade", "solution", "locked", "task", "points")}


def restore_grading_metadata(notebook, template):
    """A cell's nbgrader metadata is the course's, never the student's: a cell that claims an id the
    template lacks (a made-up test worth 100 points, a cell pasted from another stage) becomes an
    ordinary cell, and an answer cell made a test (or given points) gets the template's back."""
    released = {grade_id(cell): cell for cell in template.cells if grade_id(cell)}
    notes = []
    for cell in notebook.cells:
        claimed = cell.metadata.get("nbgrader")
        if claimed is None:
            continue
        name = claimed.get("grade_id") if isinstance(claimed, dict) else None
        if not isinstance(name, str) or name not in released:
            del cell.metadata["nbgrader"]
            if isinstance(name, str):
                notes.append(f"a cell claimed to be the course's cell `{name[:80]}`, which this notebook never had: "
                             "graded as an ordinary cell")
        elif not is_locked_in(released[name]) and grading(claimed) != grading(released[name].metadata.nbgrader):
            cell.metadata["nbgrader"] = copy.deepcopy(released[name].metadata.nbgrader)
            notes.append(f"answer cell `{name}` had its grading metadata changed: restored")
    return notes


def is_locked_in(template_cell):
    return utils.is_locked(template_cell) or utils.is_grade(template_cell)


def kind(cell):
    return "test cell" if utils.is_grade(cell) else "locked cell"


def repair_locked_cells(notebook, template):
    """Make `notebook`'s locked cells match `template` (the released version); return notes."""
    notes = restore_grading_metadata(notebook, template)
    locked = {grade_id(cell): cell for cell in template.cells if grade_id(cell) and is_locked_in(cell)}
    notes += remove_duplicates(notebook, locked)
    for cell in notebook.cells:
        original = locked.get(grade_id(cell))
        if original is not None and differs(cell, original):
            notes.append(f"{kind(original)} `{grade_id(cell)}` was edited: restored")
            restore(cell, original)
    notes += put_back_deleted(notebook, template, locked)
    return notes


def differs(cell, original):
    return (cell.cell_type, cell.source, cell.metadata.get("nbgrader")) != (
        original.cell_type, original.source, original.metadata.nbgrader)


def restore(cell, original):
    cell.cell_type = original.cell_type
    cell.source = original.source
    cell.metadata["nbgrader"] = copy.deepcopy(original.metadata.nbgrader)


def remove_duplicates(notebook, locked):
    """Keep the last copy of each nbgrader cell (as nbgrader does): locked copies go, answer copies become plain cells."""
    notes, seen, kept = [], set(), []
    for cell in reversed(notebook.cells):
        name = grade_id(cell)
        if name is None:
            cell.metadata.pop("nbgrader", None)  # a stray, incomplete nbgrader entry makes nbgrader abort
            kept.append(cell)
        elif name not in seen:
            seen.add(name)
            kept.append(cell)
        elif name in locked:
            notes.append(f"{kind(locked[name])} `{name}` was pasted more than once: the extra copy was removed")
        else:
            notes.append(f"answer cell `{name}` was pasted more than once: the last copy is graded")
            del cell.metadata["nbgrader"]
            kept.append(cell)
    notebook.cells = kept[::-1]
    return notes[::-1]


def put_back_deleted(notebook, template, locked):
    """Insert each missing locked cell after the nearest cell that precedes it in the template."""
    notes = []
    present = {grade_id(cell) for cell in notebook.cells}
    for position, original in enumerate(template.cells):
        name = grade_id(original)
        if name in locked and name not in present:
            anchor = insertion_point(notebook, template.cells[:position])
            notebook.cells.insert(anchor, copy.deepcopy(original))
            present.add(name)
            notes.append(f"{kind(original)} `{name}` was deleted: restored")
    return notes


def insertion_point(notebook, cells_before):
    """Index just after the last of `cells_before` (by grade_id) found in `notebook`, else 0."""
    positions = {grade_id(cell): index for index, cell in enumerate(notebook.cells) if grade_id(cell)}
    for cell in reversed(cells_before):
        if grade_id(cell) in positions:
            return positions[grade_id(cell)] + 1
    return 0
