"""CS231n-style gate circuits: forward values (green) above backward gradients (red) on wires.

A circuit has `.gates` (records with `.name`, `.gate`, `.inputs`, `.outputs`, the latter two
wire names) and dicts `.values` and `.grads` (wire -> number or array; grads empty before
backward). Wires no gate makes are the circuit's inputs; wires no gate uses are its outputs.
"""
from .labels import GRAD_COLOR, VALUE_COLOR, bold, colored, html_label, short, small
from .picture import new_picture

GATE = {"shape": "box", "style": "filled,rounded", "fillcolor": "lightblue"}
TERMINAL = {"shape": "plaintext"}
SYMBOLS = {"AddGate": "+", "MultiplyGate": "*"}  # others: class name less "Gate", lowercased


def draw_circuit(circuit, *, title=None):
    """The gate circuit, one box per gate and one edge per (wire, consuming gate)."""
    picture = new_picture(title, nodesep="0.6", ranksep="0.9")  # room for the wire labels
    producer = {}  # wire -> node of the gate that makes it
    consumers = {}  # wire -> nodes of the gates that use it
    for index, record in enumerate(circuit.gates):
        node = f"gate{index}"
        kind = type(record.gate).__name__
        picture.node(node, html_label(bold(gate_symbol(kind)), small(kind)),
                     tooltip=f"{record.name}: {kind}", **GATE)
        for wire in record.outputs:
            producer[wire] = node
        for wire in record.inputs:
            consumers.setdefault(wire, []).append(node)
    wires = dict.fromkeys([*consumers, *producer])  # every wire once, in order of first use
    for index, wire in enumerate(wires):
        terminal = f"wire{index}"
        if wire not in producer or wire not in consumers:
            picture.node(terminal, str(wire), **TERMINAL)
        label = _wire_label(circuit, wire)
        for consumer in consumers.get(wire, [terminal]):
            picture.edge(producer.get(wire, terminal), consumer, label, tooltip=str(wire))
    return picture


def gate_symbol(kind: str) -> str:
    """MultiplyGate -> "*", AddGate -> "+", MaxGate -> "max", SigmoidGate -> "sigmoid"."""
    return SYMBOLS.get(kind) or kind.removesuffix("Gate").lower() or kind


def _wire_label(circuit, wire):
    lines = []
    if wire in circuit.values:
        lines.append(colored(short(circuit.values[wire]), VALUE_COLOR))
    if wire in circuit.grads:
        lines.append(colored(short(circuit.grads[wire]), GRAD_COLOR))
    return html_label(*lines) if lines else None
