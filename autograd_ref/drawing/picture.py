"""The Digraph every drawing returns: it fits a notebook's output area and never shows a
traceback in a notebook."""
import re

import graphviz

from .program import dot_program

NO_DOT = "no Graphviz `dot` program was found (install Graphviz, or the graphviz-pure package)"
# Widest picture, in points (1 pt = 4/3 px): 600 pt = 800 px, inside the 848-px output area
# JupyterLab leaves with a 1280-px window and the file browser open.
MAX_WIDTH_PT = 600
SVG_WIDTH = re.compile(r'<svg[^>]*?\swidth="([\d.]+)pt"')


class Picture(graphviz.Digraph):
    """A graphviz.Digraph that fits MAX_WIDTH_PT and, when it cannot be rendered, displays why
    plus its DOT source."""

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        if dot_program() is None:
            return self._unrendered(NO_DOT)
        try:
            return super()._repr_mimebundle_(include, exclude, **kwargs)
        except (graphviz.ExecutableNotFound, graphviz.CalledProcessError, OSError) as error:
            return self._unrendered(f"`dot` failed: {str(error).splitlines()[0]}")

    def _repr_image_svg_xml(self):
        """The SVG Jupyter shows: laid out top to bottom when left to right is too wide, scaled
        down only when that is too wide as well, and marked to shrink with a narrower page."""
        svg = super()._repr_image_svg_xml()
        if svg_width(svg) > MAX_WIDTH_PT and self.graph_attr.get("rankdir") == "LR":
            svg = min(svg, self._relaid(rankdir="TB"), key=svg_width)
        if svg_width(svg) > MAX_WIDTH_PT:
            svg = self._relaid(size=f"{MAX_WIDTH_PT / 72:.2f},1000")  # inches; shrinks, never grows
        return svg.replace("<svg ", '<svg style="max-width: 100%; height: auto" ', 1)

    def _relaid(self, **graph_attr):
        copy = self.copy()
        copy.graph_attr.update(graph_attr)
        return graphviz.Digraph._repr_image_svg_xml(copy)

    def _unrendered(self, reason):
        headline = f"Graph not drawn: {reason}. Its DOT source:"
        return {
            "text/plain": f"{headline}\n{self.source}",
            "text/markdown": f"*{headline}*\n\n```dot\n{self.source}\n```",
        }


def svg_width(svg: str) -> float:
    """Width in points of an SVG that graphviz wrote."""
    return float(SVG_WIDTH.search(svg).group(1))


def new_picture(title=None, **layout) -> Picture:
    """An empty left-to-right picture, with `title` above it if given; `layout`: more graph
    attributes (e.g. nodesep)."""
    graph_attr = {"rankdir": "LR", "fontname": "Helvetica", **layout}
    if title is not None:
        graph_attr.update(label=str(title), labelloc="t")
    return Picture(
        graph_attr=graph_attr,
        node_attr={"fontname": "Helvetica", "fontsize": "12"},
        edge_attr={"fontname": "Helvetica", "fontsize": "10"},
    )
