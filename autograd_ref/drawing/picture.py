"""The Digraph every drawing returns: it never shows a traceback in a notebook."""
import graphviz

from .program import dot_program

NO_DOT = "no Graphviz `dot` program was found (install Graphviz, or the graphviz-pure package)"


class Picture(graphviz.Digraph):
    """A graphviz.Digraph that, when it cannot be rendered, displays why plus its DOT source."""

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        if dot_program() is None:
            return self._unrendered(NO_DOT)
        try:
            return super()._repr_mimebundle_(include, exclude, **kwargs)
        except (graphviz.ExecutableNotFound, graphviz.CalledProcessError, OSError) as error:
            return self._unrendered(f"`dot` failed: {str(error).splitlines()[0]}")

    def _unrendered(self, reason):
        headline = f"Graph not drawn: {reason}. Its DOT source:"
        return {
            "text/plain": f"{headline}\n{self.source}",
            "text/markdown": f"*{headline}*\n\n```dot\n{self.source}\n```",
        }


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
