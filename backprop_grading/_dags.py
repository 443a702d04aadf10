"""The graphs stage 05's checks run answers on, and how to name their parts in a message.

Besides the notebook's diamond, a random graph is built from a recipe (leaves, then steps
`(op, input positions)`), so it can be rebuilt with nudged leaf values for numerical gradients.
Its ops are Add, Mul, a sine, and, when asked, a sine-and-cosine with two outputs; every
variable of the main steps reaches the output.
"""
import numpy as np

from autograd_ref.stages import general


class Sin(general.Function):
    def forward(self, x):
        return np.sin(x)

    def backward(self, gy):
        return gy * np.cos(self.inputs[0].data)


class SinAndCos(general.Function):
    """Two outputs: backward needs the gradients of both."""

    def forward(self, x):
        return np.sin(x), np.cos(x)

    def backward(self, g_sin, g_cos):
        x = self.inputs[0].data
        return g_sin * np.cos(x) - g_cos * np.sin(x)


class SumAndDifference(general.Function):
    """Two inputs, two outputs: (x0 + x1, x0 - x1), as in the notebook."""

    def forward(self, x0, x1):
        return x0 + x1, x0 - x1

    def backward(self, g_sum, g_difference):
        return g_sum + g_difference, g_sum - g_difference


_OPS = (general.Add, general.Mul, Sin)  # sin keeps values bounded at any depth


def random_recipe(generator, size, two_outputs):
    """(number of leaves, main steps, steps of a side branch); a step is (op, input positions)."""
    leaves = int(generator.integers(1, 4))
    ops = _OPS + (SinAndCos,) if two_outputs else _OPS
    steps, pool = [], leaves
    for _ in range(size + 2):
        op = ops[int(generator.integers(len(ops)))]
        arity = 2 if op in (general.Add, general.Mul) else 1
        # recent variables are picked more often, so graphs are deep as well as wide
        inputs = tuple(max(0, pool - int(generator.geometric(0.35))) for _ in range(arity))
        steps.append((op, inputs))
        pool += 2 if op is SinAndCos else 1
    return leaves, steps[:size], steps[size:]


def build(leaf_values, main_steps, side_steps=()):
    """The graph: its leaves, its output (the sum of every unused variable), every variable."""
    variables = [general.Variable(np.array(float(value))) for value in leaf_values]
    for i, leaf in enumerate(variables):
        leaf.name = f"x{i}"
    used = set()
    for op, inputs in main_steps:
        _apply(op, inputs, variables, used)
    unused = [v for i, v in enumerate(variables) if i not in used]
    output = unused[0]
    for number, variable in enumerate(unused[1:]):
        output = general.add(output, variable)
        output.name = f"s{number}"  # partial sums
    output.name = "y"
    for op, inputs in side_steps:  # built after y, so y cannot depend on them
        _apply(op, inputs, variables, used)
    return variables[:len(leaf_values)], output


def diamond(x_value=2.0):
    """x -> a = square(x) -> b = square(a), c = square(a) -> y = add(b, c), names set."""
    x = general.Variable(np.array(float(x_value)))
    a = general.square(x)
    b, c = general.square(a), general.square(a)
    y = general.add(b, c)
    for name, variable in zip("xabcy", (x, a, b, c, y)):
        variable.name = name
    return {"x": x, "a": a, "b": b, "c": c, "y": y}


def _apply(op, inputs, variables, used):
    outputs = op()(*[variables[i] for i in inputs])
    outputs = outputs if isinstance(outputs, list) else [outputs]
    for output in outputs:
        output.name = f"v{len(variables)}"
        variables.append(output)
    used.update(inputs)


def functions_behind(output):
    """Every function output depends on, once each (in no particular order)."""
    found, seen = [], set()
    pending = [output.creator] if output.creator is not None else []
    while pending:
        f = pending.pop()
        if id(f) not in seen:
            seen.add(id(f))
            found.append(f)
            pending.extend(x.creator for x in f.inputs if x.creator is not None)
    return found


def describe(f):
    """`v4 = mul(v2, x0)`: a function as one line of the graph's tape."""
    names = lambda variables: ", ".join(getattr(v, "name", None) or "?" for v in variables)
    return f"`{names(f.outputs)} = {type(f).__name__.lower().lstrip('_')}({names(f.inputs)})`"


def tape(output):
    """The random graph behind output as its lines in a forward order (names in creation order)."""
    name = lambda f: f.outputs[0].name
    forward = sorted(functions_behind(output), key=lambda f: (f.generation, len(name(f)), name(f)))
    return "; ".join(describe(f).strip("`") for f in forward)
