"""The backward pass one function at a time, without touching the graph.

Gradients are kept in a private dict (no `.grad` is set): the output starts at ones, and each
function's `backward(*upstream)` is called in the order backward would call it.
"""
import numpy as np

from ..core import no_grad
from .graph import render
from .labels import CURRENT, PENDING, is_scalar, shape_of, short, unwrap
from .trace import backward_order, trace


def draw_backward_steps(y, *, verbose=True, chain=()) -> list:
    """One picture per backward step: the function being run in orange, its input edges
    labelled "upstream * local = downstream", gradients so far in red, the rest greyed."""
    return [picture for _, picture in _backward_steps(y, verbose, chain)]


def show_backward_steps(y, *, verbose=True, chain=()):
    """Display the backward steps of `y` in a notebook, each under a one-line caption."""
    from IPython.display import Markdown, display

    for caption, picture in _backward_steps(y, verbose, chain):
        display(Markdown(caption))
        display(picture)


def _backward_steps(y, verbose, chain):
    graph = trace([y], chain)
    order = backward_order(graph)
    grads = {id(y): np.ones_like(unwrap(y))}
    steps = []
    for number, function in enumerate(order, start=1):
        name = type(function).__name__
        upstream = [None if output is None else grads.get(id(output))
                    for output in graph.outputs[id(function)]]
        downstream = _run_backward(function, upstream, f"{name}.backward, step {number}")
        for variable, grad in zip(graph.inputs[id(function)], downstream):
            _accumulate(grads, variable, grad)
        edge_labels = {(id(function), position): _product(upstream, grad)
                       for position, grad in enumerate(downstream)}
        title = f"backward step {number} of {len(order)}: {name}.backward"
        picture = _step_picture(graph, grads, function, order[number:], edge_labels, verbose,
                                title)
        caption = (f"**Step {number} of {len(order)}.** `{name}.backward` turns the upstream "
                   f"gradient {_listed(upstream)} into {_listed(downstream)} for its inputs.")
        steps.append((caption, picture))
    return steps


def _run_backward(function, upstream, where):
    """Call backward on plain arrays (for the engine: no graph of the backward pass)."""
    try:
        with no_grad():
            downstream = function.backward(*upstream)
    except Exception as error:
        error.add_note(f"(raised by {where} of draw_backward_steps)")
        raise
    return downstream if isinstance(downstream, tuple) else (downstream,)


def _accumulate(grads, variable, grad):
    if grad is None:
        return
    # a new array, never `+=`: another variable may hold the very same one
    grads[id(variable)] = grad if id(variable) not in grads else grads[id(variable)] + grad


def _step_picture(graph, grads, current, waiting, edge_labels, verbose, title):
    """Current function orange, functions still waiting and variables without a gradient grey."""
    styles = {id(variable): PENDING for variable in graph.variables if id(variable) not in grads}
    styles.update({id(function): PENDING for function in waiting})
    styles[id(current)] = CURRENT
    edge_styles = {id(function): {"color": "grey60"} for function in waiting}
    edge_styles[id(current)] = {"color": "orange", "penwidth": "2"}
    return render(graph, grad_of=lambda variable: grads.get(id(variable)), verbose=verbose,
                  title=title, styles=styles, edge_styles=edge_styles, edge_labels=edge_labels)


def _product(upstream, downstream) -> str:
    """"upstream * local = downstream": numbers for scalars, shapes for arrays."""
    if downstream is None:
        return "no gradient"
    known = [grad for grad in upstream if grad is not None]
    local = "local"
    if len(known) == 1 and is_scalar(known[0]) and is_scalar(downstream):
        up, down = unwrap(known[0]), unwrap(downstream)
        local = short(down / up) if up != 0 else local
    incoming = ", ".join(_brief(grad) for grad in known)
    if len(known) > 1:
        incoming = f"({incoming})"
    return f"{incoming} * {local} = {_brief(downstream)}"


def _brief(grad) -> str:
    return short(grad) if is_scalar(grad) else shape_of(grad)


def _listed(grads) -> str:
    return ", ".join("None" if grad is None else f"`{short(grad)}`" for grad in grads)
