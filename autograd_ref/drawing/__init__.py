"""Graph drawings: computational graphs, gate circuits, and backward pass step by step.

Importing this package makes sure graphviz finds a `dot` program (see `program`).
"""
from .circuit import draw_circuit
from .graph import draw, draw_nodes
from .picture import Picture
from .program import dot_program
from .steps import draw_backward_steps, show_backward_steps

__all__ = ["draw", "draw_nodes", "draw_circuit", "draw_backward_steps", "show_backward_steps",
           "dot_program", "Picture"]

dot_program()  # so that plain graphviz.Digraph objects render too
