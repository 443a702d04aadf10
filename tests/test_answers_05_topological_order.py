"""Stage 05's topological_order checks called directly: any valid order passes, and an order
that is wrong, keeps state between calls or trips over a leaf fails saying why; an unfinished
answer is stood in for by the reference."""
import re

import pytest

from graph_walks import _by_generation, _first_inputs_only

pytestmark = pytest.mark.stage05


def _depth_first(output):
    """Reverse post-order of a recursive depth-first search, returned as a tuple."""
    done, order = set(), []

    def visit(f):
        if f not in done:
            done.add(f)
            for x in f.inputs:
                if x.creator is not None:
                    visit(x.creator)
            order.append(f)

    if output.creator is not None:  # a leaf has no function behind it
        visit(output.creator)
    return tuple(reversed(order))


def _with_variables(output):
    order = _by_generation(output)
    return order + [x for f in order for x in f.inputs]


@pytest.mark.grading
@pytest.mark.parametrize("order", [_depth_first, _by_generation])
def test_any_valid_order_passes(order):
    from backprop_grading import stage05 as check
    check.topological_order_random(order, seed=1, count=30)


@pytest.mark.grading
@pytest.mark.parametrize("order, phrase", [
    (lambda y: _by_generation(y)[::-1], "which uses its output"),
    (_first_inputs_only, "missing"),
    (_with_variables, "a variable"),
    (lambda y: set(_by_generation(y)), "expected a list"),
])
def test_invalid_orders_fail_saying_why(order, phrase):
    from backprop_grading import stage05 as check
    with pytest.raises(AssertionError, match=phrase):
        check.topological_order_random(order, seed=2, count=30)


def _marking_the_graph(output):
    """Marks the functions it visits: a second call on the same graph finds none."""
    order, pending = [], [output.creator] if output.creator is not None else []
    while pending:
        f = pending.pop()
        if not getattr(f, "visited", False):
            f.visited = True
            order.append(f)
            pending.extend(x.creator for x in f.inputs if x.creator is not None)
    return sorted(order, key=lambda f: f.generation, reverse=True)


def _no_leaf_check(output):
    functions, pending = set(), [output.creator]
    while pending:
        f = pending.pop()
        functions.add(f)
        pending.extend(x.creator for x in f.inputs if x.creator is not None)
    return sorted(functions, key=lambda f: f.generation, reverse=True)


@pytest.mark.grading
@pytest.mark.parametrize("order, phrase", [
    (_marking_the_graph, "called the second time on the same diamond returned 0 of its 4 functions"),
    (_no_leaf_check, "topological_order of a leaf (creator None) failed"),
])
def test_orders_that_keep_state_or_miss_leaves_are_named(order, phrase):
    from backprop_grading import stage05 as check
    with pytest.raises(AssertionError, match=re.escape(phrase)):
        check.topological_order_random(order, seed=2, count=3)


@pytest.mark.grading
def test_fallbacks_stand_in_for_unfinished_answers_and_leave_the_classes_alone(capsys):
    from backprop_grading import stage05 as check
    from autograd_ref.stages import general

    def stub(*args):
        raise NotImplementedError()

    assert check.use_or_reference(stub, "topological_order") is general.topological_order
    assert check.use_or_reference(stub, "backward_general") is general.Variable.backward
    assert capsys.readouterr().out.count("not finished yet") == 2
    assert check.use_or_reference(_depth_first, "topological_order") is _depth_first
    assert not hasattr(general.Variable, "backward_general")
    assert "backward" not in vars(check.diamond()["y"].creator)  # counting wrappers stay on test graphs
