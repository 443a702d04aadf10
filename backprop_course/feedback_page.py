"""What one feedback page shows: nbgrader's feedback template, made safe and readable offline.

- Hidden tests: cleared from test cells only (a student's answer that happens to contain the
  marker is the student's own text), and a test's error keeps only "ErrorName: message".
- A student's output is data: HTML is cleaned (a `<script>` shows as text), Markdown renders
  with its raw HTML escaped, JavaScript and widgets are left out, SVG is shown as an image
  (where scripts never run).
- Formulas become MathML when the page is written, which browsers draw without MathJax, so the
  page needs no network.
- The status banner, the cell numbers the grader's notes refer to, and exercise names in the
  summary are put where the template (templates/course_feedback) shows them.
"""
import html
import re
from pathlib import Path

import latex2mathml.converter
import nbgrader
from jinja2 import FileSystemLoader, PrefixLoader, pass_context
from nbconvert.exporters import HTMLExporter
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbconvert.filters.strings import clean_html
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor
from traitlets import default

from . import contract
from .kernels.grader import STATUSES

TEMPLATES = Path(__file__).parent / "templates"
NBGRADER_TEMPLATES = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates"
# Markdown is safe as is: this exporter renders it with raw HTML escaped.
SHOWN_AS_IS = {"text/plain", "text/markdown", "image/png", "image/jpeg", "image/gif", "image/svg+xml"}
CELL_REFERENCE = re.compile(r"\bcell (\d+)\b")
CODE_SPAN = re.compile(r"`([^`]*)`")


class ClearHiddenTestsOfTestCells(ClearHiddenTests):
    """nbgrader's ClearHiddenTests, for test cells only: a student's cell is never cut."""

    def preprocess_cell(self, cell, resources, index):
        if contract.tested_exercise(cell):
            return super().preprocess_cell(cell, resources, index)
        return cell, resources


class TestMessagesOnly(NbGraderPreprocessor):
    """In test cells, replace each error's traceback (which quotes test code) by its one-line message."""

    def preprocess_cell(self, cell, resources, index):
        if contract.tested_exercise(cell) and cell.cell_type == "code":
            for output in cell.outputs:
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources


class OutputsAsData(NbGraderPreprocessor):
    """Keep only outputs a page can show without running anything the student made."""

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            if "data" not in output:
                continue
            left_out = sorted(set(output.data) - SHOWN_AS_IS - {"text/html"})
            for mimetype in left_out:
                del output.data[mimetype]
            if "text/html" in output.data:
                output.data["text/html"] = clean_html(output.data["text/html"])
            if not output.data:
                output.data["text/plain"] = f"(output of type {', '.join(left_out)}: not shown here)"
        return cell, resources


class PageLabels(NbGraderPreprocessor):
    """Number the cells as the grader's notes do, name each test cell's exercise, and write the
    grading status banner (notes escaped, "cell 7" linked to that cell)."""

    def preprocess(self, nb, resources):
        for number, cell in enumerate(nb.cells, start=1):
            cell.metadata["feedback_page"] = {"number": number, "exercise": contract.tested_exercise(cell)}
        grading = nb.metadata.get(contract.METADATA_KEY, {})
        status, notes, flags = grading.get("status", "ok"), grading.get("notes", []), grading.get("flags", [])
        resources["banner"] = banner(status, notes, flags) if status != "ok" or notes or flags else ""
        return nb, resources


FLAG_WORDS = {"flagged": "the answer policy found code to look at (the lines are named below)",
              "reference answer": "an answer runs its exercise's reference implementation and earns nothing"}


def banner(status, notes, flags=()):
    items = "".join(f"<li>{linked(note)}</li>" for note in notes)
    # a flag is the instructor's to decide: say so before the notes that explain it
    reasons = "; ".join(FLAG_WORDS.get(flag, flag) for flag in flags)
    review = f"<br><b>For the instructor's review: {html.escape(reasons)}.</b>" if flags else ""
    return (f'<div class="alert alert-info grading-status"><b>Grading status: '
            f"{html.escape(STATUSES.get(status, status))}.</b>{review}<ul>{items}</ul></div>")


def linked(note):
    """A note as HTML: escaped, `code` as code, "cell 7" as a link to cell 7."""
    text = CODE_SPAN.sub(r"<code>\1</code>", html.escape(note, quote=False))
    return CELL_REFERENCE.sub(r'<a href="#cell-\1">cell \1</a>', text)


class MathMLRenderer(IPythonRenderer):
    """Markdown to HTML with formulas as MathML; raw HTML is shown as text."""

    def inline_math(self, body):
        return mathml(body, "inline")

    def block_math(self, body):
        return mathml(body, "block")

    def latex_environment(self, name, body):
        return mathml(f"\\begin{{{name}}}{body}\\end{{{name}}}", "block")


def mathml(tex, display):
    """MathML of a formula; the TeX source as code when it cannot be converted."""
    try:
        return latex2mathml.converter.convert(tex, display=display)
    except Exception:  # latex2mathml raises many kinds for TeX it does not know
        return f"<code>{html.escape(tex)}</code>"


class FeedbackExporter(HTMLExporter):
    """nbconvert's HTML exporter with the course's feedback template and MathML formulas."""

    @default("extra_loaders")
    def _nbgrader_templates(self):
        # our template extends nbgrader's by the name "nbgrader/feedback/index.html.j2"
        return [PrefixLoader({"nbgrader": FileSystemLoader(NBGRADER_TEMPLATES)})]

    @pass_context
    def markdown2html(self, context, source):
        # as HTMLExporter.markdown2html, with MathMLRenderer, raw HTML escaped, no javascript: links
        cell = context.get("cell", {})
        renderer = MathMLRenderer(
            escape=True, allow_harmful_protocols=False, attachments=cell.get("attachments", {}),
            embed_images=self.embed_images,
            path=context.get("resources", {}).get("metadata", {}).get("path", ""),
            anchor_link_text=self.anchor_link_text, exclude_anchor_links=self.exclude_anchor_links,
            **self.lexer_options)
        return MarkdownWithMath(renderer=renderer).render(source)
