"""Checks for stage 07 (forward and reverse mode): `Dual`, `chain_costs`, `Node`.

Each failure names the operation or graph that went wrong and the rule it should follow (the
product rule, `other - self` in a reflected op, one visit per node in topological order...).
The `Node` checks live in `_node_checks`; the notebook calls them from here, like the rest.
"""
import numpy as np

from autograd_ref import forward_mode
from autograd_ref.jacobians import chain_costs as reference_chain_costs, counted_chain_costs
from autograd_ref.nodes import Node as ReferenceNode, topological_order as reference_node_order
from ._arrays import matches, to_floats
from ._node_checks import (  # noqa: F401  (test cells call them as check.<name>)
    node_log_sqrt, node_shared_random, node_value, node_starts_empty, node_vectors_random,
    node_visits_once,
)
from ._exercise import Exercise, Stage
from .checks import call, expect_close, expect_gradient, expect_true, rng


STAGE = Stage([
    Exercise("Dual", forward_mode.Dual, lambda Dual: Dual(3.0, 1.0).log() * 2 - 1 / Dual(2.0),
             counterparts={"autograd_ref.forward_mode": forward_mode}),
    Exercise("chain_costs", reference_chain_costs, lambda answer: answer([3, 4, 5, 1]),
             counterparts={"autograd_ref.jacobians.counted_chain_costs": counted_chain_costs}),
    Exercise("Node", ReferenceNode, lambda answer: answer(1.0, [(answer(2.0), 3.0)]).backward(),
             counterparts={"autograd_ref.nodes.topological_order": reference_node_order}),
])
exercise, use_or_reference = STAGE.exercise, STAGE.use_or_reference


# ---- Dual -----------------------------------------------------------------------------------

# name, the operation on two operands, the rule (for messages)
_BINARY = [
    ("+", lambda u, v: u + v, "(u + v)' = u' + v'"),
    ("-", lambda u, v: u - v, "(u - v)' = u' - v'"),
    ("*", lambda u, v: u * v, "product rule: (u v)' = u' v + u v'"),
    ("/", lambda u, v: u / v, "quotient rule: (u / v)' = (u' v - u v') / v**2"),
]
_REFLECTED = {"+": "__radd__", "-": "__rsub__", "*": "__rmul__", "/": "__rtruediv__"}
_UNARY = [
    ("exp", np.exp, "exp(u)' = exp(u) u'"),
    ("log", np.log, "log(u)' = u' / u"),
    ("sqrt", np.sqrt, "sqrt(u)' = u' / (2 sqrt(u))"),
]


def dual_rules(Dual):
    """Each operation between two Duals, a Dual and a number, a number and a Dual, against a
    central difference, at fixed values."""
    dual_random(Dual, seed=None)


def dual_random(Dual, seed):
    """dual_rules at random values and directions (fixed ones for seed=None)."""
    if seed is not None:
        _dual_results_are_new(Dual)
    for u, du, v, dv, c in _dual_examples(seed):
        for symbol, op, rule in _BINARY:
            for left, right in (((u, du), (v, dv)), ((u, du), c), (c, (v, dv))):
                label = f"{_text(left)} {symbol} {_text(right)}"
                reflected = not isinstance(left, tuple)
                operands = _operand(Dual, left), _operand(Dual, right)
                result = _binary_call(lambda: op(*operands), label, symbol, (left, right))
                _expect_unchanged(label, operands, (left, right))
                along = lambda s: op(_nudged(left, s), _nudged(right, s))
                _expect_dual(result, Dual, label, along, _rule_hint(rule, symbol, reflected))
        for name, fn, rule in _UNARY:
            label = f"Dual({abs(u):g}, {du:g}).{name}()"
            operand = Dual(abs(u), du)
            result = call(lambda: getattr(operand, name)(), name=f"(lambda: {label})")
            _expect_unchanged(label, (operand,), ((abs(u), du),))
            _expect_dual(result, Dual, label, lambda s: fn(abs(u) + s * du),
                         f"{rule}: multiply the local derivative by self.dot (chain rule)")


def _dual_results_are_new(Dual):
    """d + 0, 0 + d, d - 0, d * 1, 1 * d, d / 1 have d's numbers, but must be new Duals."""
    for label, op in [("d + 0", lambda d: d + 0), ("0 + d", lambda d: 0 + d), ("d - 0", lambda d: d - 0),
                      ("d * 1", lambda d: d * 1), ("1 * d", lambda d: 1 * d), ("d / 1", lambda d: d / 1)]:
        d = Dual(1.5, 0.5)
        result = call(lambda: op(d), name=f"(lambda: {label} with d = Dual(1.5, 0.5))")
        expect_true(result is not d,
                    f"{label} with d = Dual(1.5, 0.5) returned d itself: always return a new Dual, "
                    f"or a later change to the result changes d too (return Dual(new_val, new_dot), "
                    f"also when adding 0 or multiplying by 1)")


def _binary_call(run, label, symbol, given):
    """run(); an error with a plain number as an operand gets a hint on handling numbers."""
    try:
        return call(run, name=f"(lambda: {label})")
    except AssertionError as error:
        cause = error.__cause__
        if type(error) is not AssertionError or not isinstance(cause, (AttributeError, TypeError)):
            raise
        if not isinstance(given[0], tuple) and "unsupported operand" in str(cause):
            hint = (f"Python calls dual.{_REFLECTED[symbol]}(number) when the plain number is on the "
                    f"left: define {_REFLECTED[symbol]}")
        elif not all(isinstance(operand, tuple) for operand in given):
            hint = ("a plain number has no .val or .dot: turn it into a constant Dual first, "
                    "other = Dual.lift(other), which is Dual(other, 0.0)")
        else:
            raise
        raise AssertionError(f"{error}. Hint: {hint}") from cause


def _dual_examples(seed):
    """Rows (u, du, v, dv, c): two Duals and a plain number, rounded so messages show them exactly."""
    if seed is None:
        return [(1.5, 0.5, -0.8, 2.0, 3.0)]
    generator = rng(seed)
    rows = generator.uniform([0.5, -2.0, 0.5, -2.0, 1.0], [3.0, 2.0, 3.0, 2.0, 4.0], size=(4, 5))
    rows[:, [0, 2]] *= generator.choice([-1.0, 1.0], size=(4, 2))
    return [tuple(round(float(number), 3) for number in row) for row in rows]


def _operand(Dual, x):
    """(val, dot) becomes a Dual; a plain number stays a plain number."""
    return Dual(*x) if isinstance(x, tuple) else x


def _nudged(x, s):
    """The float an operand takes when every input moves by s along its dot."""
    return x[0] + s * x[1] if isinstance(x, tuple) else x


def _text(x):
    return f"Dual({x[0]:g}, {x[1]:g})" if isinstance(x, tuple) else f"{x:g}"


def _expect_unchanged(label, operands, given):
    """Every Dual operand still holds the (val, dot) it was made with."""
    for operand, pair in zip(operands, given):
        if not isinstance(pair, tuple):
            continue  # a plain number cannot change
        try:
            now = to_floats([operand.val, operand.dot])
        except (AttributeError, TypeError, ValueError):
            continue  # not a pair of numbers: the value checks below say what is wrong
        if now.shape != (2,):
            continue
        expect_true(matches(now, to_floats(pair), 0, 0),
                    f"{label} changed its operand {_text(pair)}: afterwards it holds val={now[0]:g}, "
                    f"dot={now[1]:g}. Dual operations must return a new Dual and leave their operands "
                    f"unchanged: return Dual(new_val, new_dot) instead of assigning to self.val or self.dot")


def _rule_hint(rule, symbol, reflected):
    if reflected and symbol in "-/":
        method = "__rsub__" if symbol == "-" else "__rtruediv__"
        return (f"{rule}; `number {symbol} dual` calls dual.{method}(number), where `other` is the "
                f"number on the left: compute other {symbol} self, not self {symbol} other")
    return rule


def _expect_dual(result, Dual, label, along, hint):
    expect_true(isinstance(result, Dual), f"{label} must return a new Dual, got {result!r}")
    expect_close(result.val, along(0.0), f"{label}: val", rtol=1e-9, hint=hint)
    expect_gradient(result.dot, along, 0.0, f"{label}: dot", hint=hint)


def dual_value(Dual, x_dot, y_dot, expected_dot):
    """a = log x, b = a y, c = sqrt b, f = c + b at (3, 2), inputs seeded with the given dots."""
    x, y = Dual(3.0, x_dot), Dual(2.0, y_dot)
    label = f"f(Dual(3, {x_dot:g}), Dual(2, {y_dot:g})) for a = x.log(), b = a * y, c = b.sqrt(), f = c + b"
    f = call(lambda: _graph_of_duals(x, y), name=label)
    expect_close(f.val, np.sqrt(2 * np.log(3)) + 2 * np.log(3), f"{label}: val", rtol=1e-9)
    expect_close(f.dot, expected_dot, f"{label}: dot", rtol=1e-9,
                 hint="seed the input you differentiate by with dot 1 and the other with dot 0")


def _graph_of_duals(x, y):
    a = x.log()
    b = a * y
    return b.sqrt() + b


# ---- chain_costs ----------------------------------------------------------------------------

def chain_costs_value(chain_costs, dims):
    """Compare with the multiplications counted while really multiplying random Jacobians."""
    expected = counted_chain_costs([int(d) for d in dims])
    given = list(dims)
    got = call(chain_costs, given, name="chain_costs")
    expect_true(given == list(dims),
                f"chain_costs({list(dims)}) changed the list you passed in: it is now {given}. Read dims, "
                f"never reverse, sort or pop it in place (dims[::-1] is a reversed copy)")
    expect_true(isinstance(got, (tuple, list)) and len(got) == 2,
                f"chain_costs({list(dims)}) must return a pair (forward_cost, reverse_cost), got {got!r}")
    hint = ("forward: sum over k = 2..L of dims[k]*dims[k-1]*dims[0]; "
            "reverse: sum over k = 1..L-1 of dims[L]*dims[k]*dims[k-1]")
    if list(got) == list(expected[::-1]) and expected[0] != expected[1]:
        hint = "your two costs are swapped: return (forward_cost, reverse_cost)"
    for what, value, wanted in zip(("forward_cost", "reverse_cost"), got, expected):
        expect_close(value, wanted, f"chain_costs({list(dims)}): {what}", rtol=0, atol=0, hint=hint)


def chain_costs_random(chain_costs, seed):
    generator = rng(seed)
    for length in (2, 3, 4, 5, 7):
        chain_costs_value(chain_costs, [int(d) for d in generator.integers(1, 40, size=length)])
