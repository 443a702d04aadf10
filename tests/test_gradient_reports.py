"""What gradient_check and compare_gradient tell a student: the verdict, the labels, the numbers
and the wording, and the tolerances and step size they were asked to use."""
import functools

import numpy as np
import pytest

from autograd_ref import Function
from autograd_ref.numeric import compare_gradient, gradient_check, numerical_diff, numerical_grad

pytestmark = pytest.mark.numeric


def cube(v):
    return v ** 3


class Forgets(Function):
    """Identity forward, but backward sends back nothing but zeros."""

    def forward(self, x):
        return x.copy()

    def backward(self, gy):
        return gy * 0.0


class TwiceAndABit(Function):
    """y = 2x, with a backward that is off by 1% and by 0.01: d/dx is taken as 2.02 + 0.01."""

    def forward(self, x):
        return 2 * x

    def backward(self, gy):
        return gy * 2.02 + 0.01


# --- compare_gradient -------------------------------------------------------------------------

def test_a_passing_comparison_names_its_worst_element():
    check = compare_gradient(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-6]))
    assert check.ok is True
    assert str(check).startswith(
        "input 0 (shape (2,)), worst element (1,): expected 2 from central difference, got 2")


def test_the_tolerance_includes_its_bound_and_nothing_beyond():
    # |got - expected| <= atol + rtol * |expected|; plain floats are gradients too (gates)
    assert compare_gradient(0.0, 0.5, atol=0.5).ok, "an error of exactly atol must pass"
    assert not compare_gradient(0.0, 0.75, atol=0.5).ok, "1.5 tolerances off must fail"
    assert compare_gradient(200.0, 202.0, rtol=0.01, atol=0.0).ok
    assert not compare_gradient(200.0, 203.0, rtol=0.01, atol=0.0).ok


def test_a_missing_gradient_fails_with_its_label_and_the_shape_it_needed():
    check = compare_gradient(np.zeros(3), None, label="input 2 'b'")
    assert check.ok is False
    assert str(check) == (
        "input 2 'b' (shape (3,)): got no gradient (grad is None): "
        "backward never reached this input")


def test_a_gradient_of_the_wrong_shape_fails_with_its_label_and_both_shapes():
    check = compare_gradient(np.zeros((2, 3)), np.zeros(3), label="input 1")
    assert check.ok is False
    assert str(check) == (
        "input 1 (shape (2, 3)): got a gradient of shape (3,), but a gradient always has "
        "the shape of its input (2, 3)")


def test_relative_error_is_scaled_by_the_larger_value_and_zero_when_both_are_zero():
    assert compare_gradient(0.5, 0.25).relative_error == 0.5
    assert compare_gradient(np.zeros(2), np.zeros(2)).relative_error == 0.0


# --- the report -------------------------------------------------------------------------------

def test_a_passing_report_says_so_line_by_line():
    lines = str(gradient_check(cube, 2.0)).split("\n")  # a plain number is an input too
    assert lines[0] == "gradient check of cube passed for all 1 input(s)"
    assert lines[1].startswith("  ok   input 0 (shape ()): expected 12 from central difference")
    assert len(lines) == 2


def test_a_failing_report_counts_the_failures_and_marks_each_input():
    report = gradient_check(lambda a, b: a * 2.0 + Forgets()(b), 1.0, 2.0)
    title, first, second = str(report).split("\n")
    assert title == "gradient check of lambda failed for 1 of 2 input(s)"
    assert first.startswith("  ok   input 0 (shape ()): expected 2 from central difference, got 2")
    assert second == ("  FAIL input 1 (shape ()): expected 1 from central difference, got 0 "
                      "(relative error 1.0e+00)")


def test_the_title_names_f_and_says_when_a_vector_output_was_weighted():
    vector = np.array([1.0, 2.0])
    assert str(gradient_check(cube, vector)).startswith(
        "gradient check of cube (output shape (2,), checked through sum(output * w)) passed")
    nameless = functools.partial(np.multiply, 3.0)  # a callable without a __name__
    assert str(gradient_check(nameless, 1.0)).startswith("gradient check of f passed")


def test_the_step_and_tolerances_asked_for_are_the_ones_used():
    # a central difference of x**3 with step eps is 3x**2 + eps**2
    [check] = gradient_check(cube, 1.0, eps=0.1).inputs
    assert check.expected == pytest.approx(3.01, rel=1e-9), (
        f"expected 3.01 from a central difference with eps=0.1, got {check.expected}")
    slightly_off = lambda v: TwiceAndABit()(v)  # noqa: E731
    assert not gradient_check(slightly_off, 1.0)
    assert gradient_check(slightly_off, 1.0, rtol=0.02), "rtol=0.02 covers 0.03 of 2"
    assert gradient_check(slightly_off, 1.0, atol=0.05), "atol=0.05 covers 0.03"


def test_vector_outputs_are_weighted_by_fixed_numbers_between_half_and_one_and_a_half():
    # backward gives zeros, so each element's miss grows with its weight, the expected gradient
    report = gradient_check(lambda v: Forgets()(v), np.ones(100))
    [check] = report.inputs
    assert 1.4 < check.expected <= 1.5, f"expected the top weight near 1.5, got {check.expected}"
    assert str(gradient_check(lambda v: Forgets()(v), np.ones(100))) == str(report)


def test_integer_inputs_are_checked_as_floats():
    assert gradient_check(cube, np.array([1, 2])), "integers are copied to float64 first"


# --- what bad input is told -------------------------------------------------------------------

def test_bad_calls_name_what_was_given():
    with pytest.raises(ValueError, match=r"^gradient_check needs at least one input to differentiate"):
        gradient_check(cube)
    with pytest.raises(TypeError, match=r"^f must return one Variable, got ndarray$"):
        gradient_check(lambda v: v.data, 1.0)
    with pytest.raises(TypeError, match=r"got list; convert it first"):
        numerical_diff(np.sin, [1.0, 2.0])
    with pytest.raises(TypeError, match=r"got int64; convert it first"):
        numerical_grad(np.sum, np.array([1, 2]))
    with pytest.raises(TypeError, match=r"got float; convert it first"):
        numerical_grad(np.sum, 1.0)


def test_numerical_grad_takes_any_float_precision():
    x = np.array([1.0, 2.0], dtype=np.float32)
    grad = numerical_grad(lambda a: float(np.sum(a.astype(float) ** 2)), x, eps=1e-2)
    np.testing.assert_allclose(grad, [2.0, 4.0], rtol=1e-4)
