"""Every op's backward against central differences, on random shapes and values (hypothesis)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_ref as ag

pytestmark = pytest.mark.ops
PROPERTY = settings(max_examples=30, deadline=None)

shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)


def arrays(shape, low=-2.0, high=2.0):
    return hnp.arrays(np.float64, shape, elements=st.floats(low, high))


def assert_gradients_match(f, *inputs):
    report = ag.gradient_check(f, *inputs)
    assert report.ok, str(report)


UNARY = {
    "square": (ag.square, -2, 2),
    "exp": (ag.exp, -2, 2),
    "log": (ag.log, 0.5, 3),
    "sqrt": (ag.sqrt, 0.5, 3),
    "sin": (ag.sin, -3, 3),
    "cos": (ag.cos, -3, 3),
    "tanh": (ag.tanh, -2, 2),
    "sigmoid": (ag.sigmoid, -4, 4),
    "neg": (ag.neg, -2, 2),
    "pow": (lambda x: ag.pow(x, 3), -2, 2),
    "reshape": (lambda x: ag.reshape(x, (-1,)), -2, 2),
    "transpose": (ag.transpose, -2, 2),
    "sum": (ag.sum, -2, 2),
}


@pytest.mark.parametrize("name", UNARY)
@PROPERTY
@given(data=st.data())
def test_unary_op_matches_central_difference(name, data):
    f, low, high = UNARY[name]
    x = data.draw(arrays(data.draw(shapes), low, high))
    assert_gradients_match(f, x)


@PROPERTY
@given(x=arrays(shapes).filter(lambda a: np.all(np.abs(a) > 1e-2)))
def test_relu_matches_central_difference_away_from_the_kink(x):
    assert_gradients_match(ag.relu, x)


BINARY = {"add": ag.add, "sub": ag.sub, "mul": ag.mul, "div": ag.div}


@pytest.mark.parametrize("name", BINARY)
@PROPERTY
@given(data=st.data())
def test_binary_op_with_broadcasting_matches_central_difference(name, data):
    shape_a, shape_b = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3)).input_shapes
    a = data.draw(arrays(shape_a))
    b = data.draw(arrays(shape_b, 0.5, 2.0))  # keeps division away from zero
    assert_gradients_match(BINARY[name], a, b)


@PROPERTY
@given(data=st.data())
def test_sum_over_axes_matches_central_difference(data):
    x = data.draw(arrays(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4)))
    # an axis, or a tuple of distinct axes, each counted from the front or (negative) the back
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1) | hnp.valid_tuple_axes(x.ndim, min_size=1))
    keepdims = data.draw(st.booleans())
    assert_gradients_match(lambda v: ag.sum(v, axis=axis, keepdims=keepdims), x)


@PROPERTY
@given(data=st.data())
def test_broadcast_to_and_sum_to_match_central_difference(data):
    small = data.draw(hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=3))
    big = (2,) + small
    x = data.draw(arrays(small))
    assert_gradients_match(lambda v: ag.broadcast_to(v, big), x)
    y = data.draw(arrays(big))
    assert_gradients_match(lambda v: ag.sum_to(v, small), y)


@PROPERTY
@given(n=st.integers(1, 4), k=st.integers(1, 4), m=st.integers(1, 4), data=st.data())
def test_matmul_of_matrices_and_vectors_matches_central_difference(n, k, m, data):
    assert_gradients_match(ag.matmul, data.draw(arrays((n, k))), data.draw(arrays((k, m))))
    assert_gradients_match(ag.matmul, data.draw(arrays((n, k))), data.draw(arrays((k,))))
    assert_gradients_match(ag.matmul, data.draw(arrays((k,))), data.draw(arrays((k, m))))


@PROPERTY
@given(n=st.integers(1, 5), c=st.integers(2, 4), data=st.data())
def test_losses_match_central_difference(n, c, data):
    logits = data.draw(arrays((n, c), -5, 5))
    labels = np.array(data.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
    assert_gradients_match(lambda x: ag.softmax_cross_entropy(x, labels), logits)
    target = data.draw(arrays((n, c)))
    assert_gradients_match(lambda x: ag.mean_squared_error(x, target), logits)
    assert_gradients_match(lambda x: ag.softmax(x), logits)


@pytest.mark.parametrize("axis", [-1, -2, (0, -1), (-3, 1)])
def test_sum_over_negative_axes_spreads_the_gradient_back(axis):
    x = ag.Variable(np.arange(24.0).reshape(2, 3, 4))
    y = ag.sum(x, axis=axis)
    weights = np.arange(1.0, y.size + 1).reshape(y.shape)  # each output element its own weight
    ag.sum(y * weights).backward()
    expected = np.broadcast_to(np.expand_dims(weights, axis), x.shape)
    np.testing.assert_array_equal(x.grad, expected)


def test_softmax_cross_entropy_is_stable_for_huge_logits():
    loss = ag.softmax_cross_entropy(ag.Variable(np.array([[1000.0, 0.0], [0.0, 1000.0]])), np.array([0, 0]))
    assert np.isfinite(loss.data) and np.isclose(loss.data, 500.0)


def test_softmax_cross_entropy_rejects_labels_out_of_range():
    with pytest.raises(ValueError, match="labels must be integers in 0..1"):
        ag.softmax_cross_entropy(ag.Variable(np.zeros((2, 2))), np.array([0, 2]))


@pytest.mark.parametrize("name", ["sin", "cos", "tanh", "exp", "sigmoid", "square"])
def test_second_derivatives_match_central_difference_of_the_first(name):
    f = UNARY[name][0]
    x = ag.Variable(np.array(0.7))
    f(x).backward(create_graph=True)
    first = x.grad
    x.cleargrad()
    first.backward()

    def derivative(v):
        v = ag.Variable(np.array(v))
        f(v).backward()
        return v.grad

    assert np.isclose(x.grad, ag.numerical_diff(derivative, 0.7), rtol=1e-5)


def test_mean_squared_error_sums_the_squares_and_divides_by_the_number_of_rows():
    # DeZero's definition, which the notebooks use: not the mean over every element
    x0 = np.array([[1.0, 2.0], [3.0, 4.0], [0.0, 0.0]])
    loss = ag.mean_squared_error(x0, np.zeros((3, 2)))
    expected = (1 + 4 + 9 + 16) / 3
    assert float(loss.data) == pytest.approx(expected), (
        f"expected {expected:.6g} = sum of squares / 3 rows, got {float(loss.data):.6g}")


@pytest.mark.parametrize("shape, target, axes", [
    ((2, 3), (2, 1), (1,)), ((2, 3), (1, 3), (0,)), ((2, 3), (3,), (0,)),
    ((4, 2, 3), (2, 1), (0, 2)), ((2, 3), (1, 1), (0, 1)), ((2, 3), (), (0, 1)),
])
def test_sum_to_sums_exactly_the_broadcast_axes(shape, target, axes):
    x = np.arange(np.prod(shape), dtype=float).reshape(shape)
    expected = x.sum(axis=axes).reshape(target)
    np.testing.assert_array_equal(ag.sum_to(x, target), expected, err_msg=f"{shape} -> {target}")
