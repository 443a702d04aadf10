"""A graph of nodes that keep Jacobians, as in the `autograd` library's implementation notes.

Each node holds its value and, for every node it was computed from (its children), the
Jacobian d this / d child. Backward from a root multiplies the root's gradient down the edges:

    >>> x = Node(2.0)
    >>> y = Node(np.sin(2.0), [(x, np.cos(2.0))])
    >>> y.backward()
    >>> x.gradient        # cos(2)
"""
import numpy as np


class Node:
    """A value, its (child, jacobian) pairs and, after backward() from a root, d root / d self."""

    def __init__(self, value, children=()):
        self.value = value
        self.children = list(children)  # (child node, d self / d child) pairs
        self.gradient = None  # set by backward()

    def backward(self):
        """Fill in d self / d node for every node below self (self's own gradient is 1)."""
        self.gradient = 1.0
        for node in topological_order(self):
            for child, jacobian in node.children:
                part = np.dot(node.gradient, jacobian)  # chain rule along one edge
                child.gradient = part if child.gradient is None else child.gradient + part


def topological_order(*roots, children=lambda node: [child for child, _ in node.children]):
    """Every node below the roots once, each after all the nodes that list it as a child.

    So by the time backward reaches a node, all its parents have added their parts. A stack
    instead of recursion, so deep graphs work too. `children(node)` lists what a node was
    computed from, so the drawings order a graph of functions without generations with it too.
    """
    children_first, visited = [], set()
    pending = [(root, False) for root in reversed(roots)]
    while pending:
        node, children_done = pending.pop()
        if children_done:
            children_first.append(node)
        elif id(node) not in visited:
            visited.add(id(node))
            pending.append((node, True))
            pending.extend((child, False) for child in children(node))
    return children_first[::-1]
