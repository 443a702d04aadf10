"""Typical mistakes, one or more per stage, written as small edits of the instructor's solutions.

Each is what a student plausibly gets wrong (forgets the upstream gradient, does not swap the
multiply gate's inputs, ...) and names the exercises it must cost. An edit that no longer fits
its solution (the notebook changed) fails loudly, naming the exercise.
"""
from dataclasses import dataclass
from typing import Callable

from . import contract


@dataclass(frozen=True)
class Answer:
    """A change to the solution of one answer cell."""

    exercise: str
    change: Callable[[str], str]

    def apply(self, solution):
        return self.change(solution)


def mistake(exercise, old, new):
    """Replace the one occurrence of `old` in the solution by `new`."""
    def change(solution):
        count = solution.count(old)
        if count != 1:
            raise ValueError(f"the mistake for `{exercise}` no longer fits its solution: "
                             f"{old!r} occurs {count} times (update backprop_course/mistakes.py)")
        return solution.replace(old, new)
    return Answer(exercise, change)


def before(exercise, code):
    return Answer(exercise, lambda solution: f"{code}\n{solution}")


def after(exercise, code):
    return Answer(exercise, lambda solution: f"{solution}\n{code}")


def instead(exercise, code):
    return Answer(exercise, lambda solution: code)


@dataclass(frozen=True)
class Mistake:
    description: str
    answers: tuple  # Answer edits
    lost: tuple  # the exercises it must cost (checked by running it: tests/test_sample_class.py)
    status: str = "ok"  # "errors" when the notebook's own demonstration cells trip over it


S01, S02, S03, S04, S05, S06, S07, S08 = contract.STAGES

TYPICAL_MISTAKES = {
    S01: [
        Mistake("a forward difference instead of the central one", (
            mistake("numerical_diff", "(f(x + eps) - f(x - eps)) / (2 * eps)", "(f(x + eps) - f(x)) / eps"),
        ), lost=("numerical_diff",)),
        Mistake("the multiply node's local gradients not swapped", (
            mistake("circuit_gradients", "dfdq = dfdf * z", "dfdq = dfdf * q"),
            mistake("circuit_gradients", "dfdz = dfdf * q", "dfdz = dfdf * z"),
        ), lost=("circuit_gradients",)),
    ],
    S02: [
        Mistake("Square.backward forgets the upstream gradient", (
            mistake("square", "return 2 * x * gy", "return 2 * x"),
        ), lost=("square",)),
        Mistake("Exp.backward forgets the upstream gradient", (
            mistake("exp", "return np.exp(x) * gy", "return np.exp(x)"),
        ), lost=("exp",)),
    ],
    S03: [
        Mistake("the multiply gate does not swap its inputs", (
            mistake("multiply_gate", "return self.y * dz, self.x * dz", "return self.x * dz, self.y * dz"),
        ), lost=("multiply_gate",)),
        Mistake("the max gate routes the gradient to both inputs", (
            mistake("max_gate", "return dx, dy", "return dz, dz"),
        ), lost=("max_gate",)),
        Mistake("the sigmoid gate's derivative without (1 - s)", (
            mistake("sigmoid_gate", "return dz * self.s * (1 - self.s)", "return dz * self.s"),
        ), lost=("sigmoid_gate",)),
    ],
    S04: [
        Mistake("the loop version is recursive after all: too deep for a long chain", (
            instead("backward_loop", "def backward_loop(self):\n    backward_recursive(self)"),
        ), lost=("backward_loop",), status="errors"),
        Mistake("each step starts again from ones instead of the upstream gradient", (
            mistake("backward_recursive", "x.grad = f.backward(self.grad)", "x.grad = f.backward(np.ones_like(self.data))"),
        ), lost=("backward_recursive",)),
    ],
    S05: [
        Mistake("a reused variable's gradient is overwritten, not accumulated", (
            mistake("backward_general", "x.grad = x.grad + gx", "x.grad = gx"),
        ), lost=("backward_general",)),
        Mistake("accumulates in place, so two variables share one gradient array", (
            mistake("backward_general", "x.grad = x.grad + gx", "x.grad += gx"),
        ), lost=("backward_general",)),
        Mistake("using_config restores True instead of the value it found, so nested blocks break", (
            mistake("no_grad", "setattr(Config, name, old_value)", "setattr(Config, name, True)"),
        ), lost=("no_grad",)),
    ],
    S06: [
        Mistake("sum_to sums only the leading axes, not the stretched ones", (
            mistake("sum_to", "axis=leading + stretched", "axis=leading"),
        ), lost=("sum_to",)),
        Mistake("MatMul's weight gradient multiplied in the wrong order", (
            mistake("matmul", "gW = x.T @ gy", "gW = gy.T @ x"),
        ), lost=("matmul",), status="errors"),
        Mistake("numerical_gradient takes a forward difference", (
            mistake("numerical_gradient", "grad[index] = (upper - lower) / (2 * eps)",
                    "grad[index] = (upper - float(f(x))) / eps"),
        ), lost=("numerical_gradient",)),
    ],
    S07: [
        Mistake("the product rule multiplies the two derivatives", (
            mistake("dual", "self.dot * other.val + self.val * other.dot", "self.dot * other.dot"),
        ), lost=("dual",)),
        Mistake("the two costs returned the wrong way round", (
            mistake("chain_costs", "return forward_cost, reverse_cost", "return reverse_cost, forward_cost"),
        ), lost=("chain_costs",)),
        Mistake("a shared child's gradient is overwritten, not accumulated", (
            mistake("jacobian_node", "child.gradient = part if child.gradient is None else child.gradient + part",
                    "child.gradient = part"),
        ), lost=("jacobian_node",)),
    ],
    S08: [
        Mistake("sgd_step forgets to clear the gradients, so they pile up batch after batch", (
            mistake("sgd_step", "\n            p.cleargrad()", ""),
        ), lost=("sgd_step",)),
        Mistake("train_mlp ignores `hidden`: the hidden layer always has 10 units", (
            mistake("train_mlp", "W1, b1 = layer(n_features, hidden)", "W1, b1 = layer(n_features, 10)"),
            mistake("train_mlp", "W2, b2 = layer(hidden, n_classes)", "W2, b2 = layer(10, n_classes)"),
        ), lost=("train_mlp",)),
    ],
}
