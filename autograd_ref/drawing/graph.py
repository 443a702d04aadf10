"""Pictures of computational graphs: variables as ellipses, functions as boxes."""
from .labels import FUNCTION, VARIABLE, short, value_label
from .picture import new_picture
from .trace import trace


def draw(y, *, verbose=True, title=None, chain=()):
    """The graph that produced `y` (a variable, or a list of them), drawn left to right.

    verbose: show values and, after backward, gradients (else names only).
    chain: stage 02 only, see `trace`. A stage-07 Node (with `value` and `children`) is drawn
    by `draw_nodes`.
    """
    outputs = list(y) if isinstance(y, (list, tuple)) else [y]
    if outputs and all(_is_node(output) for output in outputs):
        return draw_nodes(outputs, verbose=verbose, title=title)
    graph = trace(outputs, chain)
    return render(graph, grad_of=lambda variable: getattr(variable, "grad", None),
                  verbose=verbose, title=title)


def render(graph, *, grad_of, verbose=True, title=None,
           styles=None, edge_styles=None, edge_labels=None):
    """The picture of a traced graph.

    grad_of(variable): the gradient to show, or None.
    styles: extra node attributes by id(object); edge_styles: attributes for every edge of a
    function, by id(function); edge_labels: text on input edges, by (id(function), position).
    """
    styles = styles or {}
    edge_styles = edge_styles or {}
    edge_labels = edge_labels or {}
    picture = new_picture(title)
    for variable in graph.variables:
        label = value_label(getattr(variable, "name", None), variable, grad_of(variable), verbose)
        picture.node(graph.node_id(variable), label, **{**VARIABLE, **styles.get(id(variable), {})})
    for function in graph.functions:
        node = graph.node_id(function)
        picture.node(node, type(function).__name__, **{**FUNCTION, **styles.get(id(function), {})})
        look = edge_styles.get(id(function), {})
        for position, variable in enumerate(graph.inputs[id(function)]):
            label = edge_labels.get((id(function), position))
            picture.edge(graph.node_id(variable), node, label, **look)
        for variable in graph.outputs[id(function)]:
            if variable is not None:
                picture.edge(node, graph.node_id(variable), **look)
    return picture


def _is_node(obj) -> bool:
    return hasattr(obj, "value") and hasattr(obj, "children")


def draw_nodes(root, *, verbose=True, title=None):
    """A stage-07 Node graph: each node once (value, and gradient once known), and an edge
    child -> parent for each `(child, jacobian)` pair, labelled with the jacobian."""
    roots = list(root) if isinstance(root, (list, tuple)) else [root]
    picture = new_picture(title)
    seen = set()
    pending = list(reversed(roots))
    while pending:
        node = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        label = value_label(getattr(node, "name", None), node.value,
                            getattr(node, "gradient", None), verbose)
        picture.node(_node_id(node), label, **VARIABLE)
        for child, jacobian in node.children:
            jacobian_label = f"J {short(jacobian)}" if verbose else None
            picture.edge(_node_id(child), _node_id(node), jacobian_label,
                         tooltip="d parent / d child")
        pending.extend(child for child, _ in reversed(node.children))
    return picture


def _node_id(node) -> str:
    return f"n{id(node)}"
