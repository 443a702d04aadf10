"""The staged classes the notebooks start from behave as each notebook says."""
import math
import sys

import numpy as np
import pytest

from autograd_ref.stages import general, linked, manual

SEED_ANSWER = 4 * 0.5 * math.exp(2 * 0.25)  # d/dx exp(x^2)^2 at 0.5


@pytest.mark.stage02
def test_manual_stage_runs_backward_by_hand_in_reverse_order():
    A, B, C = manual.Square(), manual.Exp(), manual.Square()
    x = manual.Variable(np.array(0.5))
    y = C(B(A(x)))
    y.grad = np.array(1.0)
    b_grad = C.backward(y.grad)
    a_grad = B.backward(b_grad)
    assert math.isclose(A.backward(a_grad), SEED_ANSWER)
    with pytest.raises(NotImplementedError):
        manual.Function()(x)


@pytest.mark.stage04
def test_linked_stage_follows_creators_even_through_a_deep_chain():
    x = linked.Variable(np.array(0.5))
    linked.square(linked.exp(linked.square(x))).backward()
    assert math.isclose(x.grad, SEED_ANSWER)

    class Negate(linked.Function):
        def forward(self, x):
            return -x

        def backward(self, gy):
            return -gy

    x = linked.Variable(np.array(1.0))
    y = x
    depth = sys.getrecursionlimit() * 2 + 1  # deeper than any recursive walk could go
    for _ in range(depth):
        y = Negate()(y)
    y.backward()
    assert x.grad == -1.0


@pytest.mark.stage05
def test_general_stage_accumulates_and_orders_by_generation():
    x = general.Variable(np.array(2.0))
    a = general.square(x)
    y = general.add(general.square(a), general.square(a))
    order = general.topological_order(y)
    assert len(order) == 4 and isinstance(order[0], general.Add) and isinstance(order[-1], general.Square)
    y.backward()
    assert (float(y.data), float(x.grad)) == (32.0, 64.0)

    x = general.Variable(np.array(3.0))
    general.add(x, x).backward()
    assert float(x.grad) == 2.0


@pytest.mark.stage05
def test_general_stage_log_sqrt_example_matches_its_closed_form():
    x, y = general.Variable(np.array(3.0)), general.Variable(np.array(2.0))
    b = general.mul(general.log(x), y)
    f = general.add(general.sqrt(b), b)
    f.backward()
    L = math.log(3.0)
    assert math.isclose(x.grad, 1 / (3 * math.sqrt(2 * L)) + 2 / 3)
    assert math.isclose(y.grad, math.sqrt(L / 8) + L)


@pytest.mark.stage05
def test_general_stage_numbers_generations_from_zero_at_the_leaves():
    x = general.Variable(np.array(2.0))
    a = general.square(x)
    b = general.exp(a)
    y = general.add(b, x)  # one more than its newest input, b
    assert [v.generation for v in (x, a, b, y)] == [0, 1, 2, 3]
    assert [v.creator.generation for v in (a, b, y)] == [0, 1, 2]


@pytest.mark.stage04
@pytest.mark.stage05
@pytest.mark.parametrize("stage", [linked, general])
def test_backward_seeds_ones_shaped_like_the_output_and_a_leaf_is_its_own_graph(stage):
    x = stage.Variable(np.array([1.0, 2.0, 3.0]))
    y = stage.square(x)
    y.backward()
    assert y.grad.shape == (3,) and np.all(y.grad == 1.0), f"expected the seed ones(3), got {y.grad!r}"
    np.testing.assert_array_equal(x.grad, [2.0, 4.0, 6.0])
    leaf = stage.Variable(np.array(5.0))
    leaf.backward()  # no creator: nothing to walk
    assert leaf.grad == 1.0


@pytest.mark.stage05
def test_general_stage_functions_with_two_outputs_return_both():
    class SplitHalves(general.Function):
        def forward(self, x):
            return x / 2, x / 2

        def backward(self, gy0, gy1):
            return (gy0 + gy1) / 2

    outputs = SplitHalves()(general.Variable(np.array(6.0)))
    assert isinstance(outputs, list) and [float(y.data) for y in outputs] == [3.0, 3.0]


@pytest.mark.stage05
def test_general_stage_walk_goes_on_after_meeting_a_function_twice():
    # add(a, a) queues square(x) twice; exp(square(z)) is still waiting behind it
    x, z = general.Variable(np.array(3.0)), general.Variable(np.array(0.5))
    a = general.square(x)
    y = general.add(general.exp(general.square(z)), general.add(a, a))
    y.backward()
    assert math.isclose(x.grad, 4 * 3.0)
    expected = 2 * 0.5 * math.exp(0.25)
    assert z.grad is not None and math.isclose(z.grad, expected), (
        f"expected dy/dz = {expected:.6g} from 2z exp(z^2), got {z.grad}")


@pytest.mark.stage05
def test_general_stage_cleargrad_starts_a_new_backward_from_nothing():
    x = general.Variable(np.array(3.0))
    y = general.square(x)
    y.backward()
    x.cleargrad()
    assert x.grad is None
    general.square(x).backward()
    assert float(x.grad) == 6.0, "after cleargrad the gradient is not added to the old one"
