"""numerical_diff, numerical_grad and gradient_check (with its reports)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd_ref import Function, Variable, exp, matmul, sin, square, sum, tanh
from autograd_ref.numeric import (
    compare_gradient, gradient_check, numerical_diff, numerical_grad,
)
from autograd_ref.stages import manual

pytestmark = pytest.mark.numeric

modest = settings(max_examples=50, deadline=None)
finite = st.floats(-3, 3, allow_nan=False)
small_shapes = hnp.array_shapes(min_dims=0, max_dims=3, max_side=3)


# --- numerical_diff ---------------------------------------------------------------------------

@pytest.mark.stage01
def test_numerical_diff_is_the_central_difference_not_the_forward_one():
    slope = numerical_diff(lambda x: x ** 3, 1.0, eps=1e-2)
    central = ((1.01) ** 3 - (0.99) ** 3) / 0.02
    assert slope == pytest.approx(central, rel=1e-12)
    assert slope == pytest.approx(3.0001, rel=1e-9)  # the curriculum's number
    assert slope != pytest.approx(3.0301, rel=1e-3)  # what a forward difference would give


@pytest.mark.stage01
@modest
@given(x=finite)
def test_numerical_diff_of_sine_is_cosine(x):
    assert numerical_diff(np.sin, x) == pytest.approx(np.cos(x), abs=1e-8)


@pytest.mark.stage01
@pytest.mark.parametrize("x", [0.5, np.array(0.5), np.float64(0.5)])
def test_numerical_diff_returns_a_float_for_scalar_inputs(x):
    slope = numerical_diff(lambda v: v ** 2, x)
    assert type(slope) is float
    assert slope == pytest.approx(1.0)


def test_numerical_diff_returns_an_array_for_an_elementwise_function():
    x = np.array([0.0, 1.0, 2.0])
    slope = numerical_diff(np.exp, x)
    assert isinstance(slope, np.ndarray) and slope.shape == (3,)
    np.testing.assert_allclose(slope, np.exp(x), rtol=1e-7)


@pytest.mark.core
def test_numerical_diff_through_engine_variables():
    slope = numerical_diff(lambda v: square(exp(square(v))), Variable(np.array(0.5)))
    assert type(slope) is float
    assert slope == pytest.approx(3.2974426293330694, rel=1e-10)  # stage 02's numerical value


@pytest.mark.stage02
def test_numerical_diff_through_a_notebooks_own_variable_class():
    def f(v):
        return manual.Square()(manual.Exp()(manual.Square()(v)))

    slope = numerical_diff(f, manual.Variable(np.array(0.5)))
    exact = 4 * 0.5 * np.exp(2 * 0.5 ** 2)  # d/dx exp(x^2)^2 = 4x exp(2x^2)
    assert slope == pytest.approx(exact, rel=1e-7)


def test_numerical_diff_rejects_a_list_and_a_bad_eps():
    with pytest.raises(TypeError, match="np.array"):
        numerical_diff(np.sin, [1.0, 2.0])
    with pytest.raises(ValueError, match="eps"):
        numerical_diff(np.sin, 1.0, eps=0)


# --- numerical_grad ---------------------------------------------------------------------------

@modest
@given(x=hnp.arrays(np.float64, small_shapes, elements=finite))
def test_numerical_grad_matches_the_analytic_gradient_and_restores_x(x):
    weights = np.arange(x.size, dtype=float).reshape(x.shape) + 1
    before = x.copy()
    grad = numerical_grad(lambda a: np.sum(weights * np.sin(a)), x)
    np.testing.assert_allclose(grad, weights * np.cos(x), atol=1e-7)
    assert np.array_equal(x, before)


def test_numerical_grad_nudges_a_variables_data():
    x = Variable(np.array([1.0, 2.0]))
    grad = numerical_grad(lambda v: sum(square(v)), x)
    np.testing.assert_allclose(grad, [2.0, 4.0], rtol=1e-8)
    np.testing.assert_array_equal(x.data, [1.0, 2.0])


def test_numerical_grad_puts_x_back_even_when_f_fails():
    x = np.array([1.0, 2.0])

    def failing(a):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        numerical_grad(failing, x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_numerical_grad_explains_bad_inputs():
    with pytest.raises(TypeError, match="float ndarray"):
        numerical_grad(np.sum, np.array([1, 2]))
    with pytest.raises(TypeError, match="float ndarray"):
        numerical_grad(np.sum, 1.0)
    with pytest.raises(ValueError, match="scalar"):
        numerical_grad(lambda a: a * 2, np.array([1.0, 2.0]))


# --- gradient_check ---------------------------------------------------------------------------

class SquareMissingTwo(Function):
    """A classic slip: d(x^2)/dx written as x instead of 2x."""

    def forward(self, x):
        return x ** 2

    def backward(self, gy):
        return gy * self.inputs[0].data


class ReversedGradient(Function):
    """Identity forward, but backward sends each gradient to the wrong element."""

    def forward(self, x):
        return x.copy()

    def backward(self, gy):
        return gy[::-1]


@pytest.mark.core
@modest
@given(
    x=hnp.arrays(np.float64, (2, 3), elements=finite),
    b=hnp.arrays(np.float64, (3,), elements=finite),
)
def test_gradient_check_passes_for_correct_engine_ops(x, b):
    report = gradient_check(lambda x, b: tanh(x * b) + sin(x) / (1 + b ** 2), x, b)
    assert report.ok, str(report)
    assert bool(report) is True
    assert len(report.inputs) == 2
    assert "passed" in str(report)


@pytest.mark.core
def test_gradient_check_passes_for_matmul_with_a_matrix_output():
    rng = np.random.default_rng(3)
    report = gradient_check(matmul, rng.normal(size=(2, 3)), rng.normal(size=(3, 4)))
    report.raise_if_failed()  # must not raise
    assert "output shape (2, 4)" in str(report)


@pytest.mark.core
def test_gradient_check_names_the_worst_element_with_expected_and_got():
    x = np.arange(1.0, 7.0).reshape(2, 3)
    report = gradient_check(lambda v: sum(SquareMissingTwo()(v)), x)
    assert not report.ok and not report
    [check] = report.inputs
    assert check.element == (1, 2)  # the largest |x| misses by the widest margin
    assert check.expected == pytest.approx(2 * 6.0, rel=1e-6)
    assert check.got == pytest.approx(6.0)
    assert check.relative_error == pytest.approx(0.5, rel=1e-6)
    assert (
        "input 0 (shape (2, 3)), element (1, 2): expected 12 from central difference, "
        "got 6 (relative error 5.0e-01)"
    ) in str(report)


@pytest.mark.core
def test_gradient_check_weights_the_output_so_misrouted_gradients_show():
    report = gradient_check(lambda v: ReversedGradient()(v), np.array([1.0, 2.0, 3.0]))
    assert not report.ok, "a plain sum(output) would have hidden this bug"


@pytest.mark.core
def test_gradient_check_reports_a_missing_gradient():
    x, y = Variable(np.array(1.0)), Variable(np.array(2.0), name="y")
    report = gradient_check(lambda x, y: x * 2.0, x, y)
    ok_check, missing_check = report.inputs
    assert ok_check.ok and not missing_check.ok
    assert "input 1 'y'" in str(missing_check)
    assert "grad is None" in str(missing_check)


@pytest.mark.core
def test_gradient_check_leaves_the_callers_variables_alone():
    x = Variable(np.array([1.0, 2.0]))
    gradient_check(lambda v: sum(square(v)), x)
    assert x.grad is None
    np.testing.assert_array_equal(x.data, [1.0, 2.0])


@pytest.mark.core
def test_raise_if_failed_carries_the_report_text():
    report = gradient_check(lambda v: SquareMissingTwo()(v), np.array(3.0))
    with pytest.raises(AssertionError) as failure:
        report.raise_if_failed()
    assert str(failure.value) == str(report)
    assert "FAIL input 0 (shape ()): expected 6" in str(report)


@pytest.mark.core
def test_gradient_check_explains_bad_calls():
    with pytest.raises(ValueError, match="at least one input"):
        gradient_check(square)
    with pytest.raises(TypeError, match="one Variable"):
        gradient_check(lambda v: v.data, np.array(1.0))


# --- compare_gradient -------------------------------------------------------------------------

def test_compare_gradient_rejects_a_gradient_of_the_wrong_shape():
    check = compare_gradient(np.zeros((2, 3)), np.zeros((3,)), label="input 1")
    assert not check.ok
    assert "shape (3,)" in str(check) and "(2, 3)" in str(check)


def test_compare_gradient_fails_on_nan():
    check = compare_gradient(np.array([1.0, 2.0]), np.array([1.0, np.nan]))
    assert not check.ok
    assert check.element == (1,)


@modest
@given(expected=hnp.arrays(np.float64, small_shapes, elements=finite))
def test_compare_gradient_accepts_tiny_errors_and_rejects_big_ones(expected):
    assert compare_gradient(expected, expected * (1 + 1e-6)).ok
    wrong = expected.copy()
    wrong[(0,) * wrong.ndim] += 1.0
    check = compare_gradient(expected, Variable(wrong))  # a Variable grad is read via .data
    assert not check.ok
    assert check.element == (0,) * wrong.ndim
    assert check.got - check.expected == pytest.approx(1.0)
