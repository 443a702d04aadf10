"""Forward-mode dual numbers: every operation's derivative against a central difference."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_ref.forward_mode import Dual, cos, exp, log, sin, sqrt
from autograd_ref.numeric import numerical_diff

pytestmark = [pytest.mark.numeric, pytest.mark.stage07]

modest = settings(max_examples=50, deadline=None)
positive = st.floats(0.5, 3.0)  # a domain where log, sqrt and division are all smooth
direction = st.floats(-2.0, 2.0)
# a central difference with eps=1e-4 is off by about eps**2 * |third derivative| / 6;
# on this domain the third derivatives stay under 100
CENTRAL_DIFFERENCE_ERROR = 1e-4 ** 2 * 100 / 6

# Each function is written once and runs on floats and on Duals alike.
UNARY = {
    "exp": exp,
    "log": log,
    "sqrt": sqrt,
    "sin": sin,
    "cos": cos,
    "neg": lambda a: -a,
    "square": lambda a: a ** 2,
    "cube root": lambda a: a ** (1 / 3),
    "inverse": lambda a: a ** -1,
    "number + dual": lambda a: 1.5 + a,
    "dual + number": lambda a: a + 1.5,
    "number - dual": lambda a: 1.5 - a,
    "dual - number": lambda a: a - 1.5,
    "number * dual": lambda a: 1.5 * a,
    "dual * number": lambda a: a * 1.5,
    "number / dual": lambda a: 1.5 / a,
    "dual / number": lambda a: a / 1.5,
}
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "composite": lambda a, b: sqrt(a * b) + sin(a) / exp(b),
}


def log_sqrt_graph(x, y):
    a = log(x)
    b = a * y
    c = sqrt(b)
    return c + b


@pytest.mark.parametrize("name", UNARY)
@modest
@given(x=positive)
def test_unary_derivative_matches_numerical_diff(name, x):
    f = UNARY[name]
    result = f(Dual(x, 1.0))
    assert result.val == pytest.approx(f(x), rel=1e-12)
    assert result.dot == pytest.approx(numerical_diff(f, x), rel=1e-6, abs=CENTRAL_DIFFERENCE_ERROR)


@pytest.mark.parametrize("name", BINARY)
@modest
@given(x=positive, y=positive, dx=direction, dy=direction)
def test_binary_directional_derivative_matches_numerical_diff(name, x, y, dx, dy):
    f = BINARY[name]
    result = f(Dual(x, dx), Dual(y, dy))
    along_direction = numerical_diff(lambda s: f(x + s * dx, y + s * dy), 0.0)
    assert result.val == pytest.approx(f(x, y), rel=1e-12)
    assert result.dot == pytest.approx(along_direction, rel=1e-6, abs=CENTRAL_DIFFERENCE_ERROR)


@pytest.mark.stage05
def test_log_sqrt_graph_gives_the_curriculum_derivatives():
    log3 = math.log(3)
    f = log_sqrt_graph(Dual(3, 1), Dual(2, 0))
    assert f.val == pytest.approx(math.sqrt(2 * log3) + 2 * log3, rel=1e-12)
    assert f.dot == pytest.approx(1 / (3 * math.sqrt(2 * log3)) + 2 / 3, rel=1e-12)
    assert np.isclose(f.dot, 0.8915418452073699)  # the contract's number
    df_dy = log_sqrt_graph(Dual(3, 0), Dual(2, 1)).dot
    assert df_dy == pytest.approx(math.sqrt(log3 / 8) + log3, rel=1e-12)


def test_a_plain_number_is_a_constant():
    assert (Dual(2.0, 1.0) * 5).dot == 5.0
    assert (5 - Dual(2.0, 1.0)).dot == -1.0


def test_duals_carry_arrays_elementwise():
    x = Dual(np.array([1.0, 2.0]), np.array([1.0, 1.0]))
    y = np.array([3.0, 4.0]) * x  # an ndarray on the left still gives a Dual
    assert isinstance(y, Dual)
    np.testing.assert_array_equal(y.dot, [3.0, 4.0])
    np.testing.assert_allclose(exp(x).dot, np.exp([1.0, 2.0]))


def test_module_functions_work_on_plain_numbers_too():
    assert exp(1.0) == pytest.approx(math.e)
    assert log(math.e) == pytest.approx(1.0)


def test_repr_shows_value_and_derivative():
    assert repr(Dual(3.0, 1.0)) == "Dual(val=3.0, dot=1.0)"


def test_misuse_is_explained():
    with pytest.raises(TypeError, match=r"^Dual's val must be a number or an ndarray, got str$"):
        Dual("3")
    with pytest.raises(TypeError, match=r"^Dual's dot must be a number or an ndarray, got list$"):
        Dual(1.0, [1.0])
    with pytest.raises(TypeError, match="cannot combine a Dual with str"):
        Dual(1.0) + "2"
    with pytest.raises(TypeError, match="exponent must be a plain number, got Dual;"):
        Dual(2.0) ** Dual(3.0)
