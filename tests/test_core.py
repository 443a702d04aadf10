"""The engine: reference numbers from the curriculum, the classic pitfalls, depth and memory."""
import gc
import math
import weakref

import numpy as np
import psutil
import pytest

from autograd_ref import (
    Config, Function, Variable, add, exp, log, matmul, mul, no_grad, numerical_diff, sqrt,
    square, sum, using_config,
)

pytestmark = pytest.mark.core


def var(value):
    return Variable(np.array(value, dtype=float))


def test_chain_of_square_exp_square_matches_the_seed():
    x = var(0.5)
    square(exp(square(x))).backward()
    # d/dx exp(x^2)^2 = 4x exp(2x^2)
    assert math.isclose(float(x.grad), 4 * 0.5 * math.exp(2 * 0.25), rel_tol=1e-12)


def test_a_variable_added_to_itself_gets_gradient_two():
    x = var(3.0)
    add(x, x).backward()
    assert float(x.grad) == 2.0


def test_a_reused_intermediate_accumulates_through_both_paths():
    x = var(2.0)
    a = square(x)
    y = add(square(a), square(a))
    y.backward()
    assert float(y.data) == 32.0
    assert float(x.grad) == 64.0  # y = 2 x^4, dy/dx = 8 x^3


def test_a_function_runs_only_after_every_function_using_its_output():
    # `a` feeds add and, three generations later, exp: backward may run square(x) only once
    # both have sent their parts, which is what ordering by generation (the largest of the
    # inputs', plus one) guarantees; with the smallest, square runs early and misses a part
    def f(x):
        a = square(x)
        c = exp(exp(a))
        return mul(add(a, c), c)

    x = var(0.5)
    y = f(x)
    assert [y.creator.generation, y.creator.inputs[0].creator.generation] == [4, 3]
    y.backward()
    expected = numerical_diff(f, 0.5)
    assert math.isclose(float(x.grad), expected, rel_tol=1e-6), (
        f"expected {expected:.6g} from central difference, got {float(x.grad):.6g}")


def test_log_sqrt_graph_matches_its_closed_form():
    x, y = var(3.0), var(2.0)
    b = log(x) * y
    f = sqrt(b) + b
    f.backward()
    L = math.log(3.0)
    assert math.isclose(float(f.data), math.sqrt(2 * L) + 2 * L)
    assert math.isclose(float(x.grad), 1 / (3 * math.sqrt(2 * L)) + 2 / 3)
    assert math.isclose(float(y.grad), math.sqrt(L / 8) + L)


def test_squared_norm_of_a_matrix_vector_product():
    W = Variable(np.array([[0.1, 0.5], [-0.3, 0.8]]))
    x = Variable(np.array([0.2, 0.4]))
    z = matmul(W, x)
    f = sum(z * z)
    f.backward()
    # f = ||Wx||^2: df/dW = 2 (Wx) x^T, df/dx = 2 W^T (W x)
    Wx = W.data @ x.data
    np.testing.assert_allclose(f.data, Wx @ Wx)
    np.testing.assert_allclose(W.grad, 2 * np.outer(Wx, x.data))
    np.testing.assert_allclose(x.grad, 2 * W.data.T @ Wx)


def test_accumulation_never_writes_into_a_shared_gradient_array():
    a, b = var(1.0), var(1.0)
    y = add(add(a, b), a)  # Add hands the same upstream array to a and to b
    y.backward()
    assert float(a.grad) == 2.0
    assert float(b.grad) == 1.0


def test_backward_twice_accumulates_until_cleargrad():
    x = var(3.0)
    square(x).backward()
    square(x).backward()
    assert float(x.grad) == 12.0
    x.cleargrad()
    square(x).backward()
    assert float(x.grad) == 6.0


def test_gradients_keep_the_shape_of_their_variable_under_broadcasting():
    a = Variable(np.ones((2, 3)))
    b = Variable(np.arange(3.0))
    c = Variable(np.array(2.0))
    sum(a * b + c).backward()
    assert a.grad.shape == (2, 3) and b.grad.shape == (3,) and c.grad.shape == ()
    np.testing.assert_allclose(b.grad, [2.0, 2.0, 2.0])
    assert float(c.grad) == 6.0


def test_intermediate_gradients_are_dropped_unless_retained():
    x = var(2.0)
    a = square(x)
    y = exp(a)
    y.backward()
    assert a.grad is None and x.grad is not None
    x.cleargrad()
    y = exp(square(x))
    a = y.creator.inputs[0]
    y.backward(retain_grad=True)
    assert a.grad is not None


def test_no_grad_records_no_graph():
    x = var(2.0)
    with no_grad():
        y = square(x)
        assert Config.enable_backprop is False
    assert y.creator is None and y.generation == 0
    assert Config.enable_backprop is True
    with using_config("enable_backprop", True):
        assert square(x).creator is not None


def test_a_switch_is_restored_even_when_the_block_raises():
    with pytest.raises(ZeroDivisionError), no_grad():
        1 / 0
    assert Config.enable_backprop is True
    assert square(var(2.0)).creator is not None


def test_numpy_values_on_the_left_defer_to_variable():
    x = var(2.0)
    for y in (np.float64(3.0) * x, np.array(3.0) * x, 3 * x, 1 - x, 2 / x, x ** 2):
        assert isinstance(y, Variable)
    (np.float64(3.0) * x).backward()
    assert float(x.grad) == 3.0


def test_second_derivative_and_newtons_method():
    x = var(2.0)
    y = x ** 4
    y.backward(create_graph=True)
    gx = x.grad
    x.cleargrad()
    gx.backward()
    assert float(gx.data) == 32.0 and float(x.grad) == 48.0

    # Newton's method on f(x) = x^4 - 2x^2 from x = 2 converges to the minimum at x = 1
    x = var(2.0)
    for _ in range(10):
        y = x ** 4 - 2 * x ** 2
        x.cleargrad()
        y.backward(create_graph=True)
        gx = x.grad
        x.cleargrad()
        gx.backward()
        x.data = x.data - gx.data / x.grad
    assert math.isclose(float(x.data), 1.0, rel_tol=1e-9)


def test_a_chain_of_100000_functions_runs_backward_without_recursion():
    x = var(1.0)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert float(x.grad) == 1.0
    last = weakref.ref(y.creator)
    del y  # freeing the chain must not recurse either (CPython frees nested objects in batches)
    assert last() is None, "the chain outlived its last reference"


def test_functions_hold_their_outputs_weakly_so_graphs_die_without_the_collector():
    gc.disable()
    try:
        x = var(1.0)
        y = square(x)
        creator = weakref.ref(y.creator)
        del y
        assert creator() is None
    finally:
        gc.enable()


def test_building_and_dropping_big_graphs_does_not_grow_memory():
    def build_and_drop():
        x = var(1.0)
        y = x
        for _ in range(10_000):
            y = y * 1.0
        y.backward()

    process = psutil.Process()
    build_and_drop()  # let numpy and the allocator warm up
    gc.disable()
    try:
        before = process.memory_info().rss
        for _ in range(50):
            build_and_drop()
        growth = process.memory_info().rss - before
    finally:
        gc.enable()
    assert growth < 10 * 2 ** 20, f"RSS grew by {growth / 2 ** 20:.1f} MiB"


def _tracked_objects_kept_per_node(step, n=2_000):
    gc.collect()
    before = len(gc.get_objects())
    x = var(0.5)
    y = x
    for _ in range(n):
        y = step(y, x)
    return (len(gc.get_objects()) - before) / n


@pytest.mark.parametrize("kind, step, most", [
    # the Function, its output, the constant's Variable, inputs list, outputs list, weak reference
    ("y * 0.999", lambda y, x: y * 0.999, 6),
    ("y + x", lambda y, x: y + x, 5),  # the same without a constant
])
def test_a_node_keeps_few_objects_for_the_garbage_collector(kind, step, most):
    # every one of them is rescanned by each full collection: most of a deep graph's cost
    # (benchmarks/engine.py prints it); an extra container per node shows up here first
    kept = _tracked_objects_kept_per_node(step)
    assert 2 <= kept < most + 0.01, (
        f"each `{kind}` node keeps {kept:.2f} objects the collector tracks, expected at most {most}"
    )


def test_a_list_or_a_bool_is_refused_with_a_hint():
    with pytest.raises(TypeError, match=r"got list.*np\.array"):
        Variable([1, 2])
    # True is an int to Python, but a Variable of True is almost surely a slip
    with pytest.raises(TypeError, match=r"got bool \(True\)"):
        Variable(True)


def test_a_backward_of_the_wrong_shape_names_the_function_and_the_input():
    class Broken(Function):
        def forward(self, x0, x1):
            return x0 * x1

        def backward(self, gy):
            return gy, gy.sum()  # second gradient lost its shape

    a, b = Variable(np.ones(3)), Variable(np.ones(3))
    with pytest.raises(ValueError, match=r"Broken\.backward.*\(\).*input 1.*\(3,\)"):
        sum(Broken()(a, b)).backward()


def test_matmul_of_mismatched_shapes_shows_both():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4, 5\)"):
        matmul(Variable(np.ones((2, 3))), Variable(np.ones((4, 5))))


def test_variable_reports_its_array_properties():
    x = Variable(np.zeros((2, 3)), name="x")
    assert (x.shape, x.ndim, x.size, x.dtype, len(x)) == ((2, 3), 2, 6, np.float64, 2)
    assert "name='x'" in repr(x)
    assert x.T.shape == (3, 2) and x.reshape(3, 2).shape == (3, 2)
