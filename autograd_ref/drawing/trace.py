"""Walk a computational graph of duck-typed variables and functions, without recursion.

A variable has `data`, maybe `grad` and `name`, and `creator` (missing or None: a leaf).
A function has `inputs` (a list) or `input`, and `outputs` (Variables, or weak references to
them) or `output`. This covers the notebooks' own classes (stages 02, 04, 05) and the engine.
"""
from .. import core
from ..nodes import topological_order


class Trace:
    """Every variable and function behind some outputs, each once, in the order found."""

    def __init__(self):
        self.variables = []
        self.functions = []
        self.inputs = {}  # id(function) -> its input variables, in call order
        self.outputs = {}  # id(function) -> its output variables (None for one already freed)
        self.creator = {}  # id(variable) -> the function that made it
        self.traced_from = []  # the variables the trace started from
        self._node_ids = {}

    def producers(self, function) -> list:
        """The functions that made `function`'s inputs."""
        made = [self.creator.get(id(variable)) for variable in self.inputs[id(function)]]
        return [producer for producer in made if producer is not None]

    def node_id(self, obj) -> str:
        return self._node_ids[id(obj)]

    def visit(self, obj, found, prefix) -> bool:
        """Append `obj` to `found` with a node id; False if it was visited before."""
        if id(obj) in self._node_ids:
            return False
        self._node_ids[id(obj)] = f"{prefix}{len(found)}"
        found.append(obj)
        return True


def trace(outputs, chain=()) -> Trace:
    """Trace the graph that produced `outputs` (a list of variables).

    chain: for stage 02, whose variables do not know their creator: the functions in the
    order they were called, each one's output being the next one's `input`, the last one's
    output being the single variable in `outputs`.
    """
    graph = Trace()
    graph.traced_from = list(outputs)
    _link_chain(graph, outputs, list(chain))
    pending = list(reversed(outputs))
    while pending:
        variable = pending.pop()
        if not graph.visit(variable, graph.variables, "v"):
            continue
        function = graph.creator.get(id(variable)) or getattr(variable, "creator", None)
        if function is None or not graph.visit(function, graph.functions, "f"):
            continue
        graph.inputs[id(function)] = inputs_of(function)
        made = graph.outputs.setdefault(id(function), outputs_of(function))
        for output in made:
            if output is not None:
                graph.creator[id(output)] = function
        pending.extend(output for output in reversed(made) if output is not None)
        pending.extend(reversed(graph.inputs[id(function)]))
    return graph


def inputs_of(function) -> list:
    if hasattr(function, "inputs"):
        return list(function.inputs)
    if hasattr(function, "input"):
        return [function.input]
    return []


def outputs_of(function) -> list:
    if hasattr(function, "outputs"):
        return [_dereference(output) for output in function.outputs]
    if hasattr(function, "output"):
        return [function.output]
    return []


def _dereference(output):
    """A weak reference gives its variable (None once freed); a variable is itself."""
    return output() if callable(output) and not hasattr(output, "data") else output


def _link_chain(graph, outputs, chain):
    if not chain:
        return
    if len(outputs) != 1:
        raise ValueError(f"chain= needs exactly one output to draw, got {len(outputs)}.")
    made = []
    for position, function in enumerate(chain[1:], start=1):
        inputs = inputs_of(function)
        if len(inputs) != 1:
            raise ValueError(
                f"chain[{position}] ({type(function).__name__}) has {len(inputs)} inputs; "
                f"chain= links functions of one input each, so call it before drawing."
            )
        made.append(inputs[0])
    made.append(outputs[0])
    for function, output in zip(chain, made):
        graph.outputs[id(function)] = [output]
        graph.creator[id(output)] = function


def backward_order(graph) -> list:
    """The functions in an order backward may call them: each after every function that
    consumes its outputs. Where functions carry generations (the engine's, stage 05's) it is
    the engine's own order; otherwise (stages 02 and 04) a depth-first one."""
    if graph.functions and all(hasattr(function, "generation") for function in graph.functions):
        return list(core.backward_order(graph.traced_from))
    return topological_order(*graph.functions, children=graph.producers)
