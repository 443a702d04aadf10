"""CS231n-style gates, and a small graph that wires them into a circuit.

A gate caches in `forward` what its `backward` needs, and `backward(dout)` returns the
gradient of each input: one value for one input, a tuple for several. Gates work on floats
and, elementwise, on ndarrays.
"""
from dataclasses import dataclass

import numpy as np


class Gate:
    """Shared bookkeeping: remember the forward pass, refuse a backward without one."""

    n_inputs = 2
    n_outputs = 1

    def __init__(self):
        self.cache = None

    def saved(self):
        """What forward cached; raises if forward has not run yet."""
        if self.cache is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward was called before forward: "
                f"run forward first, it caches the values backward needs"
            )
        return self.cache


class AddGate(Gate):
    """Gradient distributor: both inputs receive the upstream gradient unchanged."""

    def forward(self, x, y):
        self.cache = (x, y)  # backward needs no values, but keeping them proves forward ran
        return x + y

    def backward(self, dz):
        self.saved()
        return dz, dz


class MultiplyGate(Gate):
    """Swap multiplier: each input's gradient is the other input times dz."""

    def forward(self, x, y):
        self.cache = (x, y)
        return x * y

    def backward(self, dz):
        x, y = self.saved()
        return y * dz, x * dz


class MaxGate(Gate):
    """Gradient router: dz goes to the larger input, zero to the other (x wins ties)."""

    def forward(self, x, y):
        self.cache = np.greater_equal(x, y)  # where x won
        return np.maximum(x, y)

    def backward(self, dz):
        x_won = self.saved()
        # `[()]` turns a 0-d result back into a scalar and leaves arrays as they are
        return np.where(x_won, dz, 0.0)[()], np.where(x_won, 0.0, dz)[()]


class CopyGate(Gate):
    """Gradient adder: a value used twice collects the gradients of both uses."""

    n_inputs = 1
    n_outputs = 2

    def forward(self, x):
        self.cache = x  # backward needs no values, but keeping them proves forward ran
        return x, x

    def backward(self, d1, d2):
        self.saved()
        return d1 + d2


class SigmoidGate(Gate):
    """sigmoid(x) = 1 / (1 + exp(-x)); its local gradient s * (1 - s) needs only the output."""

    n_inputs = 1

    def forward(self, x):
        s = 1 / (1 + np.exp(-x))
        self.cache = s
        return s

    def backward(self, dz):
        s = self.saved()
        return dz * s * (1 - s)


@dataclass
class GateRecord:
    """One gate in a GateGraph, with the names of the wires it reads and writes."""

    name: str
    gate: Gate
    inputs: list
    outputs: list


class GateGraph:
    """Gates joined by named wires. A wire no gate writes is an input of the circuit; a wire
    no gate reads is an output. forward runs the gates in topological order, backward runs
    them in reverse and adds up the gradients of a wire that feeds several gates."""

    def __init__(self):
        self.gates = []
        self.values = {}  # wire -> value, filled by forward
        self.grads = {}  # wire -> gradient, filled by backward

    def add(self, name, gate, inputs, outputs):
        """Add `gate` under `name`, reading wires `inputs` and writing wires `outputs`
        (a list of names, or one name)."""
        inputs = [inputs] if isinstance(inputs, str) else list(inputs)
        outputs = [outputs] if isinstance(outputs, str) else list(outputs)
        self._check_new_gate(name, gate, inputs, outputs)
        self.gates.append(GateRecord(name, gate, inputs, outputs))
        self.values, self.grads = {}, {}  # a new gate makes any earlier pass stale

    @property
    def input_wires(self):
        written = {wire for record in self.gates for wire in record.outputs}
        read = [wire for record in self.gates for wire in record.inputs]
        return _unique(wire for wire in read if wire not in written)

    @property
    def output_wires(self):
        read = {wire for record in self.gates for wire in record.inputs}
        written = [wire for record in self.gates for wire in record.outputs]
        return _unique(wire for wire in written if wire not in read)

    def forward(self, **inputs):
        """Run every gate; returns the output wire's value (a tuple if there are several)."""
        if not self.gates:
            raise RuntimeError(
                "the graph has no gates yet: add them with add(name, gate, inputs, outputs)"
            )
        _check_names("input", inputs, self.input_wires)
        self.values = dict(inputs)
        self.grads = {}
        for record in self.topological_order():
            result = record.gate.forward(*[self.values[wire] for wire in record.inputs])
            results = result if len(record.outputs) > 1 else (result,)
            self.values.update(zip(record.outputs, results))
        outputs = tuple(self.values[wire] for wire in self.output_wires)
        return outputs if len(outputs) > 1 else outputs[0]

    def backward(self, **output_grads):
        """Backpropagate from the output wires (gradient 1 where none is given); returns a
        dict of the input wires' gradients. Every wire's gradient ends up in `.grads`."""
        if not self.values:
            raise RuntimeError("backward needs the values of a forward pass: call forward first")
        _check_names("output", output_grads, self.output_wires, all_required=False)
        self.grads = {
            wire: output_grads.get(wire, _ones_like(self.values[wire]))
            for wire in self.output_wires
        }
        for record in reversed(self.topological_order()):
            douts = [self.grads[wire] for wire in record.outputs]
            dins = record.gate.backward(*douts)
            dins = dins if len(record.inputs) > 1 else (dins,)
            for wire, grad in zip(record.inputs, dins):
                # a new sum rather than `+=`, so no two wires ever share one gradient array
                self.grads[wire] = self.grads[wire] + grad if wire in self.grads else grad
        return {wire: self.grads[wire] for wire in self.input_wires}

    def topological_order(self):
        """The gates in an order where each comes after every gate that writes its inputs.

        Each round takes the gates whose input wires are all known: the rounds are the
        engine's generations. They are found here rather than at `add`, because a gate may be
        added before the gates that write its wires, and wires can be joined into a cycle,
        which is reported (a graph of Variables can never have one)."""
        ready = set(self.input_wires)
        order, waiting = [], list(self.gates)
        while waiting:
            runnable = [record for record in waiting if ready.issuperset(record.inputs)]
            if not runnable:
                stuck = ", ".join(record.name for record in waiting)
                raise ValueError(f"gates {stuck} can never run: their wires form a cycle")
            for record in runnable:
                order.append(record)
                waiting.remove(record)
                ready.update(record.outputs)
        return order

    def _check_new_gate(self, name, gate, inputs, outputs):
        kind = type(gate).__name__
        if any(record.name == name for record in self.gates):
            raise ValueError(f"there is already a gate named {name!r}; give each gate its own name")
        if any(record.gate is gate for record in self.gates):
            raise ValueError(
                f"this {kind} object is already in the graph; a gate caches one forward pass, "
                f"so add a new {kind}() for each use"
            )
        # duck typing: a student's gate need not declare its arity, then it is not checked
        n_inputs = getattr(gate, "n_inputs", len(inputs))
        n_outputs = getattr(gate, "n_outputs", len(outputs))
        if len(inputs) != n_inputs or len(outputs) != n_outputs:
            raise ValueError(
                f"{kind} reads {n_inputs} wire(s) and writes {n_outputs}, "
                f"got inputs={inputs} and outputs={outputs}"
            )
        taken = [wire for record in self.gates for wire in record.outputs if wire in outputs]
        if taken:
            raise ValueError(f"wire(s) {taken} already have a gate writing them; use new names")


def neuron_graph():
    """The CS231n neuron f = sigmoid(w0*x0 + w1*x1 + w2) as a GateGraph.

    Inputs w0, x0, w1, x1, w2; output f. Try forward(w0=2, x0=-1, w1=-3, x1=-2, w2=-3).
    """
    graph = GateGraph()
    graph.add("mul0", MultiplyGate(), ["w0", "x0"], "w0x0")
    graph.add("mul1", MultiplyGate(), ["w1", "x1"], "w1x1")
    graph.add("add0", AddGate(), ["w0x0", "w1x1"], "dot")
    graph.add("add1", AddGate(), ["dot", "w2"], "z")
    graph.add("sigmoid", SigmoidGate(), ["z"], "f")
    return graph


def _unique(wires):
    """Wires in first-seen order, each once."""
    return list(dict.fromkeys(wires))


def _ones_like(value):
    return 1.0 if np.ndim(value) == 0 else np.ones_like(value, dtype=float)


def _check_names(kind, given, expected, all_required=True):
    unknown = sorted(set(given) - set(expected))
    missing = [wire for wire in expected if wire not in given] if all_required else []
    if unknown or missing:
        raise TypeError(
            f"the graph's {kind} wires are {expected}; "
            f"missing {missing}, unknown {unknown}"
        )
