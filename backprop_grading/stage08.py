"""Checks for stage 08 (training an MLP): `sgd_step` and `train_mlp`.

Each failure names the rule the answer broke (the lr of each call, a gradient array shared by
two parameters, no graph for an update, one hidden width for the whole network...).
"""
import numpy as np

from autograd_ref import datasets, nn, ops
from autograd_ref.core import Config, Function, Variable, no_grad
from ._answer_probes import call_counting_functions
from ._arrays import to_floats
from ._exercise import Exercise, Stage
from ._stand_ins import attribute_stand_in, stand_ins
from .checks import call, expect_close, expect_true


def _sgd_step(params, lr):
    """The stand-in for an unfinished `sgd_step`: one step against each gradient, then clear it."""
    with no_grad():
        for p in params:
            if p.grad is not None:
                p.data = p.data - lr * (p.grad.data if isinstance(p.grad, Variable) else p.grad)
                p.cleargrad()


def _train_mlp(X, t, hidden=10, lr=1.0, epochs=300, batch_size=30, seed=0):
    """The stand-in for an unfinished `train_mlp`: autograd_ref.nn's MLP and training loop."""
    model = nn.MLP([X.shape[1], hidden, int(t.max()) + 1], seed=seed)
    losses = nn.train_classifier(model, X, t, lr, epochs, batch_size, seed)
    return (lambda X_new: nn.predict(model, X_new)), losses


STAGE = Stage([
    Exercise("sgd_step", _sgd_step, lambda answer: answer([Variable(np.zeros(2))], 0.1),
             counterparts={"autograd_ref.nn": nn}, stand_in_name="the reference sgd_step"),
    # the engine's ops are welcome; autograd_ref's ready-made MLP and training loop are not
    Exercise("train_mlp", _train_mlp, lambda answer: answer(*datasets.spiral(5), epochs=1),
             counterparts={"autograd_ref.nn": nn},
             stand_in_name="a train_mlp built on autograd_ref.nn's MLP and train_classifier"),
])
exercise, use_or_reference = STAGE.exercise, STAGE.use_or_reference


# ---- sgd_step -------------------------------------------------------------------------------

def sgd_step_value(sgd_step):
    """loss = sum(a*a) + sum(3 b), one step with lr=0.1 on [a, b, unused]."""
    a, b, unused = Variable(np.array([1.0, 2.0])), Variable(np.array([[3.0]])), Variable(np.array([5.0]))
    ((a * a).sum() + (b * 3.0).sum()).backward()  # a.grad = 2a = [2, 4], b.grad = [[3]]
    result = call(sgd_step, [a, b, unused], 0.1, name="sgd_step")
    expect_true(result is None, f"sgd_step returned {result!r}: it changes the parameters and returns nothing")
    expect_close(a.data, [0.8, 1.6], "a after one step with lr=0.1 and a.grad=[2, 4]",
                 hint="p.data becomes p.data - lr * p.grad")
    expect_close(b.data, [[2.7]], "b after one step with lr=0.1 and b.grad=[[3]]",
                 hint="p.data becomes p.data - lr * p.grad")
    expect_true(a.grad is None and b.grad is None,
                "after the step the gradients must be cleared (p.cleargrad()) so the next backward "
                "starts from zero")
    expect_true(np.array_equal(unused.data, [5.0]) and unused.grad is None,
                f"a parameter whose grad is None must be left alone, but unused=[5.0] became {unused.data}")


def sgd_step_scenarios(sgd_step):
    """The slips one worked example cannot see: an lr kept from an earlier call, a gradient array
    two parameters share, a gradient that is a Variable, an update recorded as a graph."""
    _lr_of_each_call(sgd_step)
    _shared_gradient(sgd_step)
    _variable_gradient(sgd_step)
    _records_no_graph(sgd_step)


def _lr_of_each_call(sgd_step):
    u = Variable(np.array([0.0]))
    for lr in (1.0, 0.5):
        (u * 2.0).sum().backward()
        call(sgd_step, [u], lr, name="sgd_step")
    expect_close(u.data, [-3.0], "u=0 after two steps with grad 2, first lr=1.0 then lr=0.5",
                 hint="use the lr of each call; keep nothing from one call to the next")


def _shared_gradient(sgd_step):
    p, q = Variable(np.array([1.0, 1.0])), Variable(np.array([2.0, 2.0]))
    (p + q).backward()  # Add hands the same gy array to both inputs: p.grad is q.grad
    call(sgd_step, [p, q], 0.5, name="sgd_step")
    expect_true(np.allclose(p.data, [0.5, 0.5]) and np.allclose(q.data, [1.5, 1.5]),
                f"y = p + q gives p and q one shared gradient array (the engine hands the same gy to both "
                f"inputs of +); after a step with lr=0.5 expected p=[0.5, 0.5], q=[1.5, 1.5], got "
                f"p={p.data}, q={q.data}: never change a gradient in place (p.grad *= lr), compute "
                f"p.data - lr * p.grad")


def _variable_gradient(sgd_step):
    w = Variable(np.array(3.0))
    (w ** 2).backward(create_graph=True)  # w.grad is the Variable 2w = 6
    call(sgd_step, [w], 0.1, name="sgd_step")
    expect_true(isinstance(w.data, (np.ndarray, np.generic)),  # a numpy scalar for a 0-d parameter is fine
                f"after a step on a parameter whose grad is a Variable, p.data is a {type(w.data).__name__}: "
                f"use the gradient's ndarray, p.grad.data, when p.grad is a Variable")
    expect_close(w.data, 2.4, "w=3 with grad 6 (a Variable) after a step with lr=0.1")


def _records_no_graph(sgd_step):
    v = Variable(np.array([1.0, -1.0]))
    (v * v).sum().backward()
    recorded, original = [], Function.__call__

    def watching_call(self, *inputs):
        if Config.enable_backprop:
            recorded.append(type(self).__name__)
        return original(self, *inputs)

    with attribute_stand_in(Function, "__call__", watching_call):
        call(sgd_step, [v], 0.25, name="sgd_step")
    expect_true(not recorded and v.creator is None,
                f"sgd_step ran {', '.join(sorted(set(recorded))) or 'engine Functions'} while graphs are "
                f"recorded: update the ndarrays (p.data - lr * g), or wrap the update in `with no_grad():`")


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
                f"half the first. Likely causes, most common first: gradients not cleared after each step "
                f"(sgd_step clears them; without cleargrad() they pile up); an update other than "
                f"sgd_step(params, lr), i.e. p.data = p.data - lr * p.grad (a wrong sign, another step "
                f"size, a parameter left out of params); "
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


def train_mlp_uses_hidden(train_mlp, hidden=7):
    """The hidden width is honoured: W1 (n_features, hidden) and W2 (hidden, n_classes) reach MatMul."""
    X, t = datasets.spiral(10)
    shapes, original = set(), ops.MatMul.forward

    def watching_forward(self, x, W):
        shapes.add(np.shape(W))
        return original(self, x, W)

    with attribute_stand_in(ops.MatMul, "forward", watching_forward):
        _train(train_mlp, X, t, hidden=hidden, epochs=1)
    wanted = {(2, hidden), (hidden, 3)}
    expect_true(wanted <= shapes,
                f"train_mlp(..., hidden={hidden}) multiplied by weight matrices of shapes "
                f"{sorted(shapes) or 'none'}, never by a (2, {hidden}) and a ({hidden}, 3) one: the hidden "
                f"layer must have `hidden` units (W1 of shape (n_features, hidden))")


# Functions that keep a network linear in its input (the loss comes last, so it does not count)
_AFFINE = {ops.MatMul, ops.Add, ops.Sub, ops.Neg, ops.Sum, ops.SumTo, ops.BroadcastTo, ops.Reshape,
           ops.Transpose, ops.SoftmaxCrossEntropy}


def _train(train_mlp, X, t, **options):
    """train_mlp(X, t, **options) run through the engine: (predict, losses as floats)."""
    with stand_ins(train_mlp, {"sgd_step": _sgd_step}):  # a wrong sgd_step costs points once
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
