"""The engine's less travelled paths: one output per function, gradients that are None,
numpy functions on Variables, the operators setup_variable installs, and the ops' error
messages. Written to kill the mutants `make mutation` found alive."""
import numpy as np
import pytest

import autograd_ref as ag
from autograd_ref import Function, Variable, gradient_check
from autograd_ref.core import NUMPY_OPS

pytestmark = pytest.mark.core


def var(value):
    return Variable(np.array(value, dtype=float))


class SumAndDifference(Function):
    def forward(self, x0, x1):
        return x0 + x1, x0 - x1


class ScaleBy(Function):
    """y = s * x, with the scale s treated as a constant: backward gives it no gradient."""

    def forward(self, s, x):
        return s * x

    def backward(self, gy):
        s, _ = self.input_values()
        return None, gy * s


def test_a_forward_with_two_results_is_refused_with_what_to_do():
    with pytest.raises(TypeError, match=r"SumAndDifference.forward returned 2 values.*one "
                                        r"Function per result"):
        SumAndDifference()(var(2.0), var(3.0))


def test_outputs_is_dezeros_list_of_the_one_weak_reference():
    y = ag.square(var(3.0))
    f = y.creator
    assert f.outputs == [f.output] and f.outputs[0]() is y and f.output() is y


def test_an_input_given_no_gradient_stops_there_and_the_rest_still_runs():
    w = var(0.5)
    x = ag.exp(w)
    # the scale square(x) gets no gradient, so square's backward must not run (it would get
    # None); sin(x), of a lower generation, must still run after it
    y = ScaleBy()(ag.square(x), 3.0) + ag.sin(x)
    y.backward()
    expected = np.cos(np.exp(0.5)) * np.exp(0.5)
    assert np.isclose(float(w.grad), expected), (
        f"expected {expected:.6g} from d sin(exp(w)) / dw, got {float(w.grad):.6g}")


def test_none_for_the_first_input_still_gives_the_second_its_gradient():
    s, x = var(4.0), var(1.5)
    ScaleBy()(s, x).backward()
    assert s.grad is None and float(x.grad) == 4.0


def test_numpy_functions_on_a_variable_run_the_engine_ops():
    x = var(0.3)
    y = np.cos(x) * np.array(2.0)
    assert isinstance(y, Variable) and isinstance(y.creator, ag.Mul)
    assert isinstance(y.creator.inputs[0].creator, ag.Cos)
    y.backward()
    assert np.isclose(float(x.grad), -2 * np.sin(0.3))


NUMPY_FUNCTIONS = {  # numpy function -> the op it must record on a Variable
    np.add: ag.Add, np.subtract: ag.Sub, np.multiply: ag.Mul, np.divide: ag.Div,
    np.matmul: ag.MatMul, np.negative: ag.Neg, np.square: ag.Square, np.exp: ag.Exp,
    np.log: ag.Log, np.sqrt: ag.Sqrt, np.sin: ag.Sin, np.cos: ag.Cos, np.tanh: ag.Tanh,
}


def test_every_numpy_function_in_the_table_records_its_own_op_in_order(installed):
    x = Variable(np.array([[0.5, 2.0], [1.5, 0.25]]))
    a = np.array([[3.0, -1.0], [0.5, 2.0]])  # on the left, so `a - x` must not become `x - a`
    for function, op in NUMPY_FUNCTIONS.items():
        binary = function.nin == 2
        got = function(a, x) if binary else function(x)
        expected = function(a, x.data) if binary else function(x.data)
        name = f"np.{function.__name__}"
        assert isinstance(got, Variable) and isinstance(got.creator, op), (
            f"{name} on a Variable should record {op.__name__}, got {got!r}")
        np.testing.assert_allclose(got.data, expected, err_msg=name)
    cube = np.power(x, 3)
    assert isinstance(cube.creator, ag.Pow) and cube.creator.c == 3
    np.testing.assert_allclose(cube.data, x.data ** 3)


@pytest.mark.parametrize("call", [
    lambda x: np.maximum(x, 0.0),  # not one of the engine's ops
    lambda x: np.add(x, 1.0, out=np.zeros(())),  # keyword arguments are not supported
    lambda x: np.add.outer(x, x),  # nor ufunc methods other than a call
])
def test_other_numpy_functions_refuse_a_variable(call):
    with pytest.raises(TypeError, match="NotImplemented|not supported"):
        call(var(1.0))


@pytest.fixture(params=["at import", "called again"])
def installed(request):
    """Variable's operators as importing autograd_ref installed them, and after calling
    setup_variable again, which must install the same ones. (The second is also the only way
    `make mutation` can try setup_variable's mutants: it switches a mutant on per test, long
    after the import ran the original.) The operators in place before are put back after."""
    if request.param == "at import":
        yield
        return
    before, numpy_ops = dict(vars(Variable)), dict(NUMPY_OPS)
    try:
        ag.setup_variable()
        yield
    finally:
        for name in set(vars(Variable)) - set(before):
            delattr(Variable, name)
        for name, value in before.items():
            if vars(Variable).get(name) is not value:
                setattr(Variable, name, value)
        NUMPY_OPS.clear()
        NUMPY_OPS.update(numpy_ops)


def test_setup_variable_installed_every_operator(installed):
    x = Variable(np.array([[1.0, 2.0], [3.0, 4.0]]))
    v = Variable(np.array([1.0, -1.0]))
    c = Variable(np.arange(24.0).reshape(2, 3, 4))
    a = np.array([0.5, 2.0])
    results = {
        "x + 1": (x + 1, x.data + 1), "1 + x": (1 + x, 1 + x.data),
        "x * 2": (x * 2, x.data * 2), "2 * x": (2 * x, 2 * x.data), "-x": (-x, -x.data),
        "x - 1": (x - 1, x.data - 1), "1 - x": (1 - x, 1 - x.data),
        "x / 2": (x / 2, x.data / 2), "2 / x": (2 / x, 2 / x.data), "x ** 3": (x ** 3, x.data ** 3),
        "x @ v": (x @ v, x.data @ v.data), "a @ x": (a @ x, a @ x.data),
        "x.T": (x.T, x.data.T), "c.transpose()": (c.transpose(), c.data.transpose()),
        "c.transpose(1, 2, 0)": (c.transpose(1, 2, 0), c.data.transpose(1, 2, 0)),
        "c.transpose([1, 2, 0])": (c.transpose([1, 2, 0]), c.data.transpose(1, 2, 0)),
        "x.reshape(4)": (x.reshape(4), x.data.reshape(4)), "x.sum()": (x.sum(), x.data.sum()),
    }
    for text, (got, expected) in results.items():
        assert isinstance(got, Variable), f"{text} gave {type(got).__name__}, not a Variable"
        assert got.shape == expected.shape, (
            f"{text}: expected shape {expected.shape}, got {got.shape}")
        np.testing.assert_allclose(got.data, expected, err_msg=text)


def test_reshape_takes_a_shape_as_a_tuple_a_list_or_separate_numbers():
    x = Variable(np.arange(6.0))
    for y in (ag.reshape(x, (3, 2)), ag.reshape(x, [3, 2]), ag.reshape(x, 3, 2)):
        assert y.shape == (3, 2)
    assert ag.reshape(x, 6) is x  # nothing to do: no function recorded


def test_transpose_with_axes_matches_central_difference():
    x = np.random.default_rng(0).standard_normal((2, 3, 4))
    report = gradient_check(lambda v: ag.transpose(v, (1, 2, 0)), x)
    assert report.ok, str(report)
    assert ag.transpose(Variable(x), (1, 2, 0)).shape == (3, 4, 2)


def test_sum_defaults_to_every_axis_without_keeping_them():
    x = Variable(np.ones((2, 3)))
    assert ag.Sum()(x).shape == () and ag.sum(x, keepdims=True).shape == (1, 1)


def test_relu_passes_no_gradient_at_zero():
    x = Variable(np.array([-1.0, 0.0, 2.0]))
    ag.sum(ag.relu(x)).backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 1.0])


def test_mean_squared_error_differentiates_both_inputs():
    rng = np.random.default_rng(1)
    x0, x1 = rng.standard_normal((4, 2)), rng.standard_normal((4, 2))
    report = gradient_check(ag.mean_squared_error, x0, x1)
    assert report.ok, str(report)


def test_softmax_cross_entropy_shifts_each_row_by_its_own_maximum():
    # one shift for the whole batch would underflow the second row to log(0)
    logits = Variable(np.array([[1000.0, 0.0], [0.0, 1.0]]))
    loss = ag.softmax_cross_entropy(logits, np.array([0, 1]))
    expected = np.log1p(np.exp(-1.0)) / 2  # first row: log(1 + e^-1000) ~ 0
    assert np.isclose(float(loss.data), expected), f"expected {expected:.6g}, got {loss.data}"


def test_softmax_is_stable_and_sums_to_one_along_its_axis():
    logits = np.array([[1000.0, 0.0, -5.0], [3.0, 3.0, 3.0]])
    rows = ag.softmax(Variable(logits))
    np.testing.assert_allclose(rows.data.sum(axis=1), [1.0, 1.0])
    np.testing.assert_allclose(rows.data[1], [1 / 3] * 3)
    columns = ag.softmax(Variable(logits.T), axis=0)
    np.testing.assert_allclose(columns.data, rows.data.T)


@pytest.mark.parametrize("logits, labels, message", [
    (np.zeros(3), np.array([0]), r"logits of shape \(N, C\).*got \(3,\) and \(1,\)"),
    (np.zeros((2, 3)), np.array([[0], [1]]), r"labels of shape \(N,\), got \(2, 3\) and \(2, 1\)"),
    (np.zeros((2, 3)), np.array([0]), r"got \(2, 3\) and \(1,\)"),
    (np.zeros((2, 3)), np.array([0.0, 1.0]), r"labels must be integers in 0\.\.2"),
    (np.zeros((2, 3)), np.array([0, -1]), r"labels must be integers in 0\.\.2"),
])
def test_softmax_cross_entropy_says_what_is_wrong_with_its_inputs(logits, labels, message):
    with pytest.raises(ValueError, match=message):
        ag.softmax_cross_entropy(Variable(logits), labels)


@pytest.mark.parametrize("x_shape, W_shape, message", [
    ((2, 2, 2), (2, 2), r"vectors or matrices, got shapes \(2, 2, 2\) and \(2, 2\)"),
    ((), (2, 2), r"vectors or matrices, got shapes \(\) and \(2, 2\)"),
    ((2, 3), (), r"vectors or matrices"),
    ((2, 2), (2, 2, 2), r"vectors or matrices"),
    ((3,), (4, 5), r"first \(3\) must equal the first axis of the second \(4\)"),
    ((2, 3), (4, 5), r"last axis of the first \(3\) must equal the first axis of the second \(4\)"),
])
def test_matmul_says_which_shapes_do_not_fit(x_shape, W_shape, message):
    with pytest.raises(ValueError, match=message):
        ag.matmul(Variable(np.ones(x_shape)), Variable(np.ones(W_shape)))


def test_sum_to_refuses_a_shape_it_cannot_reach():
    with pytest.raises(ValueError, match=r"cannot sum an array of shape \(2, 3\) down to \(2,\)"):
        ag.sum_to(np.ones((2, 3)), (2,))
    with pytest.raises(ValueError, match=r"cannot sum .* \(3,\) down to \(2, 3\)"):
        ag.sum_to(np.ones(3), (2, 3))


def test_pow_refuses_a_variable_exponent():
    message = r"^pow\(x, c\) takes a constant exponent c \(a number\), not a Variable\.$"
    with pytest.raises(TypeError, match=message):
        ag.pow(var(2.0), var(3.0))


def test_an_op_without_backward_says_which_method_is_missing():
    class Half(Function):
        def forward(self, x):
            return x / 2

    with pytest.raises(NotImplementedError, match=r"Half\.backward is not written yet"):
        Half()(var(1.0)).backward()
    with pytest.raises(NotImplementedError, match=r"Function\.forward is not written yet"):
        Function()(var(1.0))


def test_as_variable_wraps_numbers_and_keeps_variables():
    x = var(1.0)
    assert ag.as_variable(x) is x
    wrapped = ag.as_variable(2.5)
    assert isinstance(wrapped, Variable) and wrapped.data.shape == () and float(wrapped.data) == 2.5


def test_repr_lines_up_the_rows_of_a_matrix_and_shows_the_name_if_any():
    assert repr(Variable(np.eye(2), name="I")) == "Variable([[1. 0.]\n          [0. 1.]], name='I')"
    assert repr(Variable(np.array(0.5))) == "Variable(0.5)"
