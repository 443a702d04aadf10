"""The engine's core decisions on random graphs (hypothesis), each against central differences
or against what backward must never do: run a function early or twice, write into a gradient
array in place, give a gradient another shape than its variable."""
import numpy as np
import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_ref as ag
from autograd_ref import Variable, numerical_diff

pytestmark = pytest.mark.core
PROPERTY = settings(max_examples=40, deadline=None)

# bounded ops, so values stay moderate at any depth and central differences stay accurate
BINARY = {"add": ag.add, "sub": ag.sub, "mul": ag.mul}
UNARY = {"sin": ag.sin, "tanh": ag.tanh, "square": ag.square, "sigmoid": ag.sigmoid}


@st.composite
def recipes(draw, max_leaves=3, max_steps=8):
    """(number of leaves, steps): a step is (op name, positions of its inputs among the
    variables made so far). Recent variables are picked more often, so graphs are deep and
    reuse variables (several paths from a leaf to the output)."""
    leaves = draw(st.integers(1, max_leaves))
    steps = []
    for made in range(leaves, leaves + draw(st.integers(1, max_steps))):
        name = draw(st.sampled_from(sorted(BINARY) + sorted(UNARY)))
        arity = 2 if name in BINARY else 1
        steps.append((name, tuple(draw(st.integers(max(0, made - 3), made - 1))
                                  for _ in range(arity))))
    return leaves, steps


def build(steps, *leaves):
    """The recipe's graph on the given leaves; its output is the sum of every variable no
    step used, so every variable reaches the output."""
    made = list(leaves)
    used = set()
    for name, positions in steps:
        op = BINARY.get(name) or UNARY[name]
        made.append(op(*[made[i] for i in positions]))
        used.update(positions)
    output = None
    for i, variable in enumerate(made):
        if i not in used:
            output = variable if output is None else output + variable
    return ag.sum(output)


def leaf_arrays(draw, count):
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=count, max_dims=2, max_side=3))
    return [draw(hnp.arrays(np.float64, shape, elements=st.floats(-1.5, 1.5)))
            for shape in shapes.input_shapes]


@st.composite
def graphs(draw):
    """The output Variable of a random graph on leaves of broadcastable shapes."""
    leaves, steps = draw(recipes())
    note(f"recipe: {steps}")
    return build(steps, *[Variable(x) for x in leaf_arrays(draw, leaves)])


@PROPERTY
@given(recipe=recipes(), data=st.data())
def test_every_leaf_gradient_matches_central_difference(recipe, data):
    leaves, steps = recipe
    report = ag.gradient_check(lambda *xs: build(steps, *xs), *leaf_arrays(data.draw, leaves))
    assert report.ok, f"{report}\nrecipe: {steps}"


def functions_behind(output):
    """Every function behind output, found without the engine's own walk."""
    found, pending = [], [output.creator]
    while pending:
        function = pending.pop()
        if function is not None and all(function is not seen for seen in found):
            found.append(function)
            pending.extend(x.creator for x in function.inputs)
    return found


@PROPERTY
@given(output=graphs())
def test_each_function_runs_once_after_every_function_using_its_outputs(output):
    ran = []
    for function in functions_behind(output):
        function.backward = _logged(function, ran)
    output.backward()
    counts = {id(function): sum(f is function for f in ran) for function in ran}
    assert sorted(counts.values()) == [1] * len(functions_behind(output)), (
        f"expected every function's backward to run once, got run counts "
        f"{[(type(f).__name__, counts[id(f)]) for f in ran]}")
    for position, function in enumerate(ran):
        for producer in {x.creator for x in function.inputs} - {None}:
            assert ran.index(producer) > position, (
                f"{type(producer).__name__}.backward ran before {type(function).__name__}"
                f".backward, which uses its output: its gradient was not complete yet")


def _logged(function, ran):
    backward = function.backward

    def logged_backward(*gys):
        ran.append(function)
        return backward(*gys)
    return logged_backward


@PROPERTY
@given(output=graphs())
def test_no_gradient_array_is_changed_after_backward_returned_it(output):
    returned = []  # (array handed out by a backward, a copy taken at that moment)
    for function in functions_behind(output):
        function.backward = _watched(function.backward, returned)
    output.backward(retain_grad=True)
    for array, copy in returned:
        assert np.array_equal(array, copy), (
            f"a gradient array changed after backward returned it: expected {copy}, got {array} "
            f"(accumulate into a new array, `x.grad = x.grad + gx`, never `+=`)")


def _watched(backward, returned):
    def watched_backward(*gys):
        gxs = backward(*gys)
        for gx in gxs if isinstance(gxs, tuple) else (gxs,):
            returned.append((gx, np.array(gx, copy=True)))
        return gxs
    return watched_backward


@PROPERTY
@given(output=graphs())
def test_every_gradient_has_the_shape_of_its_variable(output):
    output.backward(retain_grad=True)
    variables = {id(x): x for f in functions_behind(output) for x in f.inputs}
    for variable in variables.values():
        assert variable.grad.shape == variable.shape, (
            f"expected a gradient of shape {variable.shape}, got {variable.grad.shape}")


@PROPERTY
@given(recipe=recipes(max_leaves=1), x=st.floats(-1.5, 1.5))
def test_second_derivative_matches_central_difference_of_the_first(recipe, x):
    _, steps = recipe

    def first_derivative(value):
        v = Variable(np.array(value))
        build(steps, v).backward()
        return v.grad

    v = Variable(np.array(x))
    build(steps, v).backward(create_graph=True)
    first = v.grad
    assert isinstance(first, Variable), f"expected a Variable under create_graph, got {first!r}"
    v.cleargrad()
    first.backward()
    expected = numerical_diff(first_derivative, x)
    got = 0.0 if v.grad is None else float(v.grad)  # a linear graph has no second path
    assert np.isclose(got, expected, rtol=1e-4, atol=1e-6), (
        f"expected {expected:.6g} from central difference of the first derivative, got {got:.6g}"
        f"\nrecipe: {steps}")

