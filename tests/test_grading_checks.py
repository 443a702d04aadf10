"""The grading checks: readable failures for numbers, arrays, gradients, calls and types."""
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_ref
import backprop_grading as grading
from backprop_grading import (
    NotImplementedYet, ReferenceAnswerError, call, expect_close, expect_gradient, expect_true,
    expect_type, random_inputs, rng,
)
from autograd_ref.stages import manual
from grading_cells import always_true, failure, notebook

pytestmark = pytest.mark.grading

modest = settings(max_examples=60, deadline=None)


# --- expect_close -----------------------------------------------------------------------------

@pytest.mark.parametrize("wrap", [
    float, np.float64, np.float32, np.array, lambda v: autograd_ref.Variable(np.array(v)),
    lambda v: manual.Variable(np.array(v)),
])
def test_expect_close_takes_numbers_arrays_and_variables(wrap):
    expect_close(wrap(2.0), 2.0, "y")
    assert failure(expect_close, wrap(2.5), 2.0, "y") == "y: expected 2, got 2.5"


@modest
@given(
    expected=hnp.arrays(np.float64, (2, 3), elements=st.floats(-1e3, 1e3)),
    noise=hnp.arrays(np.float64, (2, 3), elements=st.floats(-1e-3, 1e-3)),
    rtol=st.sampled_from([1e-6, 1e-4]),
)
def test_expect_close_passes_exactly_when_every_element_is_within_tolerance(expected, noise, rtol):
    got = expected + noise
    if np.isclose(got, expected, rtol=rtol, atol=1e-8).all():
        expect_close(got, expected, "W", rtol=rtol)
    else:
        assert failure(expect_close, got, expected, "W", rtol=rtol).startswith("W: ")


def test_a_tiny_expected_value_gives_a_message_and_no_numpy_warning():
    # found by the property above: 1.0 / 1e-310 overflows while looking for a constant factor
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        message = failure(expect_close, np.array([1.0]), np.array([1e-310]), "y")
    assert message.endswith("expected 1e-310, got 1")


def test_shape_is_checked_first_and_a_transpose_is_named():
    right = np.arange(6.0).reshape(2, 3)
    assert failure(expect_close, right.T, right, "dW") == (
        "dW: expected shape (2, 3), got (3, 2); this is the transpose of the right answer"
    )
    assert failure(expect_close, np.ones((3, 2)), right, "dW") == "dW: expected shape (2, 3), got (3, 2)"
    assert "only the shape is not" in failure(expect_close, right.ravel(), right, "dW")


def test_matrix_messages_name_the_wrong_column_and_the_first_wrong_elements():
    right = np.arange(1.0, 10.0).reshape(3, 3)
    got = right.copy()
    got[:, 1] = 0.0
    message = failure(expect_close, got, right, "gy @ W.T")
    assert message.startswith("gy @ W.T: 3 of 9 values are wrong (column 1 is wrong): ")
    assert "at [0, 1] expected 2, got 0; at [1, 1] expected 5, got 0; at [2, 1] expected 8" in message


def test_long_lists_of_wrong_elements_are_cut_short():
    message = failure(expect_close, np.full(10, 7.0), np.arange(10.0), "v")
    assert message.count("expected") == 3 and message.endswith("; ...")


@pytest.mark.parametrize("got, cause", [
    (-np.array([1.0, 2.0]), "your answer has the wrong sign"),
    (np.zeros(2), "your answer is all zeros"),
    (np.array([3.0, 6.0]), "your answer is 3 times the right one (check the constant factors)"),
    (np.array([0.5, 1.0]), "your answer is 0.5 times the right one (check the constant factors)"),
])
def test_common_slips_are_named(got, cause):
    assert cause in failure(expect_close, got, np.array([1.0, 2.0]), "dx")


def test_no_slip_is_claimed_when_there_is_none():
    message = failure(expect_close, np.array([1.0, 5.0]), np.array([1.0, 2.0]), "dx")
    assert message == "dx: 1 of 2 values are wrong: at [1] expected 2, got 5"


def test_a_near_miss_shows_enough_digits_and_the_allowed_error():
    message = failure(expect_close, 1.0000001, 1.0, "f", rtol=1e-8, atol=0.0)
    assert message == "f: expected 1, got 1.0000001 (off by 1e-07, allowed 1e-08)"


def test_special_values_and_hints():
    expect_close(np.array([np.nan, np.inf]), np.array([np.nan, np.inf]), "y")
    assert failure(expect_close, np.nan, 1.0, "y") == "y: expected 1, got nan"
    assert failure(expect_close, None, 1.0, "y") == "y: got None (does your code `return` its result?)"
    assert failure(expect_close, "1.0", 1.0, "y") == "y: expected a number or an array of numbers, got str '1.0'"
    assert failure(expect_close, 2.0, 1.0, "y", hint="y is x squared").endswith(". Hint: y is x squared")
    expect_close((-4, -4, 3), [-4.0, -4.0, 3.0], "circuit_gradients(-2, 5, -4)")


def test_to_floats_and_matches_for_checks_of_your_own(monkeypatch):
    monkeypatch.setattr(np, "isclose", always_true)  # matches never asks numpy's Python functions
    values = grading.to_floats([autograd_ref.Variable(np.array(1.0)), 2])
    assert values.dtype == np.float64 and values.tolist() == [1.0, 2.0]
    assert grading.matches(values, [1.0, 2.0 + 1e-9]) and not grading.matches(values, [1.0, 2.1])
    with pytest.raises(TypeError):
        grading.to_floats("two")


# --- expect_gradient --------------------------------------------------------------------------

def test_expect_gradient_tells_central_from_forward_difference():
    expect_gradient(3.0001, lambda x: x ** 3, 1.0, "numerical_diff", eps=1e-2)
    assert failure(expect_gradient, 3.0301, lambda x: x ** 3, 1.0, "numerical_diff", eps=1e-2) == (
        "numerical_diff: expected 3.0001 from central difference, got 3.0301"
    )


def test_expect_gradient_on_the_stage_02_chain_and_on_arrays():
    expect_gradient(3.297442541400256, lambda x: np.exp(x ** 2) ** 2, 0.5, "manual_backward(0.5)")
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    expect_gradient(2 * x, lambda v: np.sum(v ** 2), x, "d sum(x**2)")
    wrong = 2 * x
    wrong[1, 0] = 7.0
    assert "at [1, 0] expected 1 from central difference, got 7" in failure(
        expect_gradient, wrong, lambda v: np.sum(v ** 2), x, "d sum(x**2)"
    )


# --- call, expect_true, expect_type -----------------------------------------------------------

def test_call_returns_the_answer_and_explains_unfinished_stubs():
    assert call(lambda x: x * 2, 3.0) == 6.0
    square = notebook("def square(x):\n    raise NotImplementedError()")["square"]
    with pytest.raises(NotImplementedYet) as caught:
        call(square, 0.5)
    assert str(caught.value) == "`square` is not implemented yet: replace `raise NotImplementedError()` with your code"
    assert isinstance(caught.value, AssertionError) and isinstance(caught.value.__cause__, NotImplementedError)


def test_call_names_the_unfinished_piece_inside_a_finished_one():
    cells = notebook(
        "class Square(Function):\n    pass",
        "def manual_backward(x):\n    return Square()(Variable(np.array(x))).data",
    )
    with pytest.raises(NotImplementedYet, match=r"^`Function.forward` \(needed by `manual_backward`\) is not implemented yet"):
        call(cells["manual_backward"], 0.5)
    with pytest.raises(NotImplementedYet, match=r"^`Square.backward at x=0.5` is not implemented yet: replace"):
        call(cells["Square"]().backward, 1.0, name="Square.backward at x=0.5")


def test_call_turns_other_errors_into_messages_naming_call_input_and_error():
    def exp(x):
        return math.exp(x)

    with pytest.raises(AssertionError) as caught:
        call(exp, 1000.0, name="Exp.forward")
    assert str(caught.value).startswith("`Exp.forward(1000)` raised OverflowError: math range error")
    assert isinstance(caught.value.__cause__, OverflowError)
    def refusing():
        raise ReferenceAnswerError("the grader's own")

    with pytest.raises(ReferenceAnswerError, match="^the grader's own$"):  # passed through untouched
        call(refusing)


def test_expect_true_and_expect_type():
    expect_true(np.bool_(True), "never shown")
    assert failure(expect_true, False, "x.grad should be None before backward") == "x.grad should be None before backward"
    expect_type((1.0, 2.0), tuple, "AddGate.backward")
    assert failure(expect_type, 1.0, tuple, "AddGate.backward") == "AddGate.backward: expected a tuple, got float 1"
    with pytest.raises(TypeError):
        expect_true(np.array([True, False]), "ambiguous")


# --- rng, random_inputs -------------------------------------------------------------------------

@modest
@given(seed=st.integers(0, 2**32), shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=4))
def test_random_inputs_are_reproducible_and_in_range(seed, shape):
    first = random_inputs(seed, shape, low=0.5, high=2.0)
    assert first.shape == shape and first.dtype == np.float64
    assert ((0.5 <= first) & (first < 2.0)).all()
    assert np.array_equal(first, random_inputs(seed, shape, low=0.5, high=2.0))
    assert rng(seed).random() == rng(seed).random()


def test_random_inputs_differ_between_seeds_and_refuse_bad_arguments():
    assert not np.array_equal(random_inputs(1, (5,)), random_inputs(2, (5,)))
    with pytest.raises(ValueError):
        random_inputs(0, (2,), low=1.0, high=1.0)
    with pytest.raises(TypeError):
        rng(0.5)
