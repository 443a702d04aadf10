"""Checks for stage 05's `topological_order`: every function behind the output, once each, and
each after all functions using its outputs (the order backward visits them in).

Run on the diamond, twice on one graph, on a larger graph sharing it, on a leaf, and on random
graphs (reused variables, functions of two outputs, branches the output does not depend on).
`stage05` hands these to the notebook's test cells.
"""
import numpy as np

from autograd_ref.stages import general
from ._backward_log import ORDER_HINT, producer_before_consumer
from ._dags import build, describe, diamond, functions_behind, random_recipe, tape
from ._describe import a_value
from .checks import call, expect_true, rng


def topological_order_value(fn, output, what):
    """fn(output) holds every function behind output once, each after all functions using its outputs."""
    expect_backward_order(call(fn, output, name="topological_order"), output, what)


def expect_backward_order(order, output, what):
    """order holds every function behind output once, each after all functions using its outputs."""
    expect_true(isinstance(order, (list, tuple)),
                f"{what}: expected a list of Function objects, got {a_value(order)}")
    behind = functions_behind(output)
    position = {}
    for i, item in enumerate(order):
        if not isinstance(item, general.Function):
            kind = "a variable: list functions (`x.creator`), not" if hasattr(item, "creator") else "not"
            raise AssertionError(f"{what}: item {i} is {a_value(item)}, {kind} a Function")
        expect_true(id(item) not in position,
                    f"{what}: {describe(item)} appears more than once; keep a set of the "
                    f"functions already collected and skip those")
        position[id(item)] = i
    missing = [f for f in behind if id(f) not in position]
    expect_true(not missing, f"{what}: {len(missing)} of the {len(behind)} functions behind the "
                             f"output are missing, e.g. {describe(missing[0]) if missing else ''}; "
                             f"follow every input of every function back to its creator")
    expect_true(len(order) == len(behind),
                f"{what}: the list has functions the output does not depend on; start from "
                f"`output.creator` and follow inputs only")
    producer, consumer = producer_before_consumer(order, position)
    if producer is not None:
        raise AssertionError(f"{what}: {describe(producer)} comes before {describe(consumer)}, "
                             f"which uses its output; backward needs every consumer first, so "
                             f"{ORDER_HINT}")


def topological_order_again_and_on_a_leaf(fn):
    """Twice on one graph, then on a larger graph sharing it, then on a leaf: nothing is kept."""
    graph = diamond(2.0)
    for time in ("the first", "the second"):
        order = call(fn, graph["y"], name="topological_order")
        found = len(order) if isinstance(order, (list, tuple)) else 0
        expect_true(found >= 4 or time == "the first",
                    f"topological_order called {time} time on the same diamond returned {found} of its 4 "
                    f"functions: keep the visited set local to the call (not in a default argument, "
                    f"a global, or marks on the functions), so that calling it again finds them all")
        expect_backward_order(order, graph["y"], f"topological_order called {time} time on the diamond")
    z = general.mul(graph["y"], graph["a"])
    topological_order_value(fn, z, "topological_order on z = mul(y, a), built on the diamond after ordering it")
    leaf = general.Variable(np.array(1.0))
    order = on_a_leaf(fn, leaf, "topological_order", "start from an empty list when output.creator is None")
    expect_true(isinstance(order, (list, tuple)) and len(order) == 0,
                f"topological_order of a leaf (creator None) returned {a_value(order)}: no function made "
                f"a leaf, so return an empty list")


def on_a_leaf(fn, leaf, name, advice):
    """fn(leaf); an error there is said to come from the leaf (no function made it). The
    backward_general checks use it too."""
    try:
        return call(fn, leaf, name=name)
    except AssertionError as error:
        if type(error) is not AssertionError:  # unfinished, or the reference: say so as it is
            raise
        raise AssertionError(f"{name} of a leaf (creator None) failed: {error}. No function "
                             f"made a leaf: {advice}") from error


def topological_order_random(fn, seed, count=20):
    topological_order_again_and_on_a_leaf(fn)
    generator = rng(seed)
    for _ in range(count):
        leaves, main, side = random_recipe(generator, int(generator.integers(3, 16)), True)
        _, y = build(generator.uniform(0.5, 1.5, leaves), main, side)
        topological_order_value(fn, y, f"topological_order on the graph {tape(y)}")
