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
