"""Checks for stage 07 (forward and reverse mode): `Dual`, `chain_costs`, `Node`, `train_mlp`.

Each failure names the operation or graph that went wrong and the rule it should follow (the
product rule, `other - self` in a reflected op, one visit per node in topological order...).
The `Node` checks live in `_node_checks`; the notebook calls them from here, like the rest.
"""
import numpy as np

from autograd_ref import datasets, forward_mode, nn, ops
from autograd_ref.jacobians import chain_costs as reference_chain_costs, counted_chain_costs
from autograd_ref.nodes import Node as ReferenceNode, topological_order as reference_node_order
from ._answer_probes import call_counting_functions
from ._arrays import matches, to_floats
from ._node_checks import (  # noqa: F401  (test cells call them as check.<name>)
    node_log_sqrt, node_shared_random, node_value, node_starts_empty, node_vectors_random,
    node_visits_once,
)
from ._exercise import Exercise, Stage
from .checks import call, expect_close, expect_gradient, expect_true, rng


def _train_mlp(X, t, hidden=10, lr=1.0, epochs=300, batch_size=30, seed=0):
    """The stand-in for an unfinished `train_mlp`: autograd_ref.nn's MLP and training loop."""
    model = nn.MLP([X.shape[1], hidden, int(t.max()) + 1], seed=seed)
    losses = nn.train_classifier(model, X, t, lr, epochs, batch_size, seed)
    return (lambda X_new: nn.predict(model, X_new)), losses


STAGE = Stage([
    Exercise("Dual", forward_mode.Dual, lambda Dual: Dual(3.0, 1.0).log() * 2 - 1 / Dual(2.0),
             counterparts={"autograd_ref.forward_mode": forward_mode}),
    Exercise("chain_costs", reference_chain_costs, lambda answer: answer([3, 4, 5, 1]),
             counterparts={"autograd_ref.jacobians.counted_chain_costs": counted_chain_costs}),
    Exercise("Node", ReferenceNode, lambda answer: answer(1.0, [(answer(2.0), 3.0)]).backward(),
             counterparts={"autograd_ref.nodes.topological_order": reference_node_order}),
    # the engine's ops are welcome; autograd_ref's ready-made MLP and training loop are not
    Exercise("train_mlp", _train_mlp, lambda answer: answer(*datasets.spiral(5), epochs=1),
             counterparts={"autograd_ref.nn": nn},
             stand_in_name="a train_mlp built on autograd_ref.nn's MLP and train_classifier"),
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
    got = call(chain_costs, list(dims), name="chain_costs")
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


# ---- train_mlp ------------------------------------------------------------------------------

def train_mlp_value(train_mlp, seed=0, **options):
    """Train on the 300-point spiral: the loss halves and training accuracy passes 0.8."""
    X, t = datasets.spiral()
    predict, losses = _train(train_mlp, X, t, seed=seed, **options)
    epochs = options.get("epochs", 300)
    expect_true(len(losses) == epochs, f"train_mlp(..., epochs={epochs}) returned {len(losses)} losses: "
                                       f"record one mean loss per epoch")
    first, last = float(losses[0]), float(losses[-1])
    expect_true(bool(np.isfinite(last)) and last < first / 2,
                f"the loss went from {first:.4g} (first epoch) to {last:.4g} (last epoch); it must end below "
                f"half the first. Likely causes, most common first: no cleargrad() on every parameter "
                f"before each backward() (gradients pile up); an update other than "
                f"p.data = p.data - lr * p.grad (a wrong sign, another step size, a parameter left out); "
                f"weights drawn too large (divide by np.sqrt(n_in))")
    accuracy = _accuracy(predict, X, t)
    expect_true(accuracy > 0.8,
                f"training accuracy is {accuracy:.3f}, it must be over 0.8: check that predict uses "
                f"the trained weights and returns the argmax over the 3 class scores")


def train_mlp_random(train_mlp, seed):
    """Same seed, same run; another seed, another run; epochs, lr and hidden are honoured."""
    X, t = datasets.spiral()
    once, again = (_train(train_mlp, X, t, epochs=10, seed=seed)[1] for _ in range(2))
    expect_close(np.asarray(again, dtype=float), np.asarray(once, dtype=float),
                 f"losses of two runs with seed={seed}", rtol=0, atol=0,
                 hint="use only np.random.default_rng(seed) for the initial weights and the shuffling")
    other = _train(train_mlp, X, t, epochs=10, seed=seed + 1)[1]
    expect_true(list(map(float, other)) != list(map(float, once)),
                f"seed={seed} and seed={seed + 1} gave the same losses: draw the initial weights and the "
                f"shuffled order from np.random.default_rng(seed)")
    frozen = _train(train_mlp, X, t, lr=0.0, epochs=3, seed=seed)[1]
    expect_close(np.asarray(frozen, dtype=float), np.full(3, float(frozen[0])),
                 "losses with lr=0.0 (the weights never move, so every epoch's mean loss is the same)",
                 rtol=1e-9, hint="step with the lr you are given, and record the mean loss over the whole "
                                 "epoch (each batch's loss weighted by its size), not the last batch's")
    train_mlp_value(train_mlp, seed=seed, hidden=20, batch_size=50, epochs=200)


# Functions that keep a network linear in its input (the loss comes last, so it does not count)
_AFFINE = {ops.MatMul, ops.Add, ops.Sub, ops.Neg, ops.Sum, ops.SumTo, ops.BroadcastTo, ops.Reshape,
           ops.Transpose, ops.SoftmaxCrossEntropy}


def _train(train_mlp, X, t, **options):
    """train_mlp(X, t, **options) run through the engine: (predict, losses as floats)."""
    result, engine_calls = call_counting_functions(train_mlp, X, t, name="train_mlp", **options)
    expect_true(bool(engine_calls),
                "train_mlp ran none of the engine's Functions: train through the engine. Build each "
                "batch's loss from Variables with matmul, sigmoid (or tanh) and softmax_cross_entropy, "
                "then call loss.backward() and read each parameter's grad")
    ran = sorted(function.__name__ for function in engine_calls)
    expect_true(not set(engine_calls) <= _AFFINE,
                f"train_mlp's network is linear: the only engine Functions it ran were {', '.join(ran)}. "
                f"A linear model draws straight boundaries and cannot separate the spiral's arms: the "
                f"hidden layer needs sigmoid or tanh, h = sigmoid(matmul(X, W1) + b1)")
    expect_true(isinstance(result, (tuple, list)) and len(result) == 2,
                f"train_mlp must return the pair (predict, losses), got {type(result).__name__}")
    predict, losses = result
    expect_true(callable(predict),
                f"the first thing train_mlp returns must be the function predict, got {predict!r}")
    expect_true(np.ndim(losses) == 1 and all(np.ndim(v) == 0 for v in losses),
                "losses must be a list of numbers, the mean loss of each epoch (use float(loss.data))")
    return predict, to_floats(losses).tolist()


def _accuracy(predict, X, t):
    classes = np.asarray(call(predict, X, name="predict"))
    expect_true(classes.shape == (len(X),), f"predict(X) for X of shape {X.shape} must return shape "
                                            f"({len(X)},), got {classes.shape}: one class index per row")
    expect_true(np.issubdtype(classes.dtype, np.integer),
                f"predict must return integer class indices, got dtype {classes.dtype}: use argmax(axis=1)")
    grid = np.stack(np.meshgrid(np.linspace(-1, 1, 4), np.linspace(-1, 1, 5)), axis=-1).reshape(-1, 2)
    on_grid = np.asarray(call(predict, grid, name="predict"))
    expect_true(on_grid.shape == (20,),
                f"predict on 20 new points must return shape (20,), got {on_grid.shape}")
    return float(np.mean(classes == t))
