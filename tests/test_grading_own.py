"""Whose answer is it: require_own refuses autograd_ref's code, use_or_reference stands in for
unfinished answers and says which reference it used."""
import re

import numpy as np
import pytest

from autograd_ref import numeric
from autograd_ref.grading import (
    ReferenceAnswerError, call, require_own, stage01, stage02, stage03, stage04, stage06, stage07,
    use_or_reference,
)
from autograd_ref.stages import linked, manual
from grading_cells import notebook

pytestmark = pytest.mark.grading


def test_use_or_reference_stands_in_for_unfinished_or_broken_answers(capsys):
    finished = notebook("class Square(Function):\n    def forward(self, x):\n        return x ** 2")["Square"]
    stub = notebook("class Square(Function):\n    pass")["Square"]
    broken = notebook("class Square(Function):\n    def forward(self, x):\n        return x.nope")["Square"]
    probe = lambda cls: cls()(manual.Variable(np.array(0.5)))  # noqa: E731
    assert use_or_reference(finished, manual.Square, "Square", probe=probe) is finished
    assert capsys.readouterr().out == ""
    note = "Your `Square` is not finished yet, so the cells below use `autograd_ref.stages.manual.Square`.\n"
    assert use_or_reference(stub, manual.Square, "Square", probe=probe) is manual.Square
    assert capsys.readouterr().out == note
    assert use_or_reference(stub, manual.Square, "Square", probe=lambda cls: call(probe, cls)) is manual.Square
    assert capsys.readouterr().out == note  # NotImplementedYet from `call` means unfinished too
    assert use_or_reference(broken, manual.Square, "Square", probe=probe) is manual.Square
    out = capsys.readouterr().out
    assert "raised AttributeError" in out and "use `autograd_ref.stages.manual.Square`; fix it" in out


def unfinished(*args, **kwargs):
    raise NotImplementedError()


def test_the_note_names_the_reference_used_not_the_exercise(capsys):
    use_or_reference(unfinished, linked.Variable.backward, "backward_recursive", probe=unfinished)
    assert capsys.readouterr().out == ("Your `backward_recursive` is not finished yet, so the cells "
                                       "below use `autograd_ref.stages.linked.Variable.backward`.\n")
    use_or_reference(unfinished, manual.Square, "Square", probe=unfinished, reference_name="a stand-in")
    assert capsys.readouterr().out.endswith("so the cells below use a stand-in.\n")


@pytest.mark.parametrize("stand_in, named", [
    (lambda: stage01.use_or_reference(unfinished, "numerical_diff"), "`autograd_ref.numeric.numerical_diff`"),
    (lambda: stage01.use_or_reference(unfinished, "circuit_gradients"), "autograd_ref's own circuit_gradients"),
    (lambda: stage02.use_or_reference(unfinished, "manual_backward"), "autograd_ref.stages.manual's Square and Exp"),
    (lambda: stage03.gate_or_reference(unfinished, "MaxGate"), "`autograd_ref.gates.MaxGate`"),
    (lambda: stage03.neuron_or_reference(unfinished), "built on `autograd_ref.gates.neuron_graph`"),
    (lambda: stage04.use_or_reference(unfinished, "backward_recursive"), "`autograd_ref.stages.linked.Variable.backward`"),
    (lambda: stage06.use_or_reference(unfinished, "l2_example"), "computed by autograd_ref's engine"),
    (lambda: stage07.use_or_reference(unfinished, "chain_costs"), "`autograd_ref.jacobians.chain_costs`"),
    (lambda: stage07.use_or_reference(unfinished, "Node"), "`autograd_ref.nodes.Node`"),
    (lambda: stage07.use_or_reference(unfinished, "train_mlp"), "autograd_ref.nn's MLP and train_classifier"),
])
def test_each_stage_names_its_stand_in(capsys, stand_in, named):
    stand_in()
    note = capsys.readouterr().out
    assert note.startswith("Your `") and "is not finished yet, so the cells below use " in note
    assert named in note


# --- require_own ------------------------------------------------------------------------------

@pytest.mark.parametrize("answer_cell, reason", [
    ("from autograd_ref.stages.manual import Square", "is autograd_ref's own Square (imported or aliased)"),
    ("from autograd_ref import Square", "is autograd_ref's own Square (imported or aliased)"),
    ("from autograd_ref.stages import manual\nclass Square(manual.Square):\n    pass", "subclasses autograd_ref's Square"),
    ("import autograd_ref\nclass Square(autograd_ref.Square):\n    pass", "subclasses autograd_ref's Square"),
    ("from autograd_ref.stages import manual\nclass Square(Function):\n    backward = manual.Square.backward",
     "reuses autograd_ref's own code (in `Square.backward`)"),
    ("import autograd_ref\nclass Square(Function):\n    def forward(self, x):\n"
     "        return autograd_ref.square(Variable(x)).data", "calls autograd_ref's square (in `Square.forward`)"),
    ("class Square(Function):\n    def forward(self, x):\n        from autograd_ref.stages.manual import Square as S\n"
     "        return S().forward(x)", "calls autograd_ref's Square (in `Square.forward`)"),
])
def test_require_own_refuses_the_reference_and_says_why(answer_cell, reason):
    with pytest.raises(ReferenceAnswerError) as caught:
        require_own(notebook(answer_cell)["Square"], manual.Square, "Square")
    assert str(caught.value) == f"`Square` {reason}: write your own to earn these points"


@pytest.mark.parametrize("answer_cell", [
    "import types, autograd_ref\n"
    "numerical_diff = types.FunctionType(autograd_ref.numeric.numerical_diff.__code__, globals())",
    "import functools, autograd_ref\nnumerical_diff = functools.partial(autograd_ref.numerical_diff, eps=1e-4)",
    "from autograd_ref.numeric import numerical_diff as reference\n"
    "def numerical_diff(f, x, eps=1e-4):\n    return reference(f, x, eps)",
    # only the source shows it: the name autograd_ref is gone by the time the test cell runs
    "import autograd_ref\ndef numerical_diff(f, x, eps=1e-4):\n"
    "    return autograd_ref.numeric.numerical_diff(f, x, eps)\ndel autograd_ref",
])
def test_require_own_sees_through_copies_wrappers_and_calls(answer_cell):
    with pytest.raises(ReferenceAnswerError, match="^`numerical_diff` (is|reuses|calls) autograd_ref's"):
        require_own(notebook(answer_cell)["numerical_diff"], numeric.numerical_diff)


def test_require_own_accepts_the_students_own_work():
    cells = notebook(
        "import autograd_ref\n"
        "class Square(Function):\n"
        "    '''x**2, like autograd_ref.stages.manual.Square but written here.'''\n"
        "    def forward(self, x):\n        return x ** 2  # not autograd_ref.Square\n"
        "    def backward(self, gy):\n        return 2 * self.input.data * gy\n"
        "def numerical_diff(f, x, eps=1e-4):\n"
        "    assert not isinstance(x, autograd_ref.Variable), 'pass numbers'\n"
        "    return (f(x + eps) - f(x - eps)) / (2 * eps)\n",
    )
    require_own(cells["Square"], manual.Square, "Square")
    require_own(cells["numerical_diff"], numeric.numerical_diff)


NODE_CELL = """
class Node:
    def __init__(self, value, children=()):
        self.value, self.children, self.gradient = value, list(children), None

    def backward(self):
        self.gradient = 1.0
        for node in {order}(self):
            for child, jacobian in node.children:
                part = np.dot(node.gradient, jacobian)
                child.gradient = part if child.gradient is None else child.gradient + part
"""


@pytest.mark.parametrize("answer_cell, reason", [
    ("from autograd_ref.nodes import Node", "is autograd_ref's own Node"),
    ("from autograd_ref import nodes\nNode = nodes.Node", "is autograd_ref's own Node"),
    ("from autograd_ref.nodes import Node as Given\nclass Node(Given):\n    pass", "subclasses autograd_ref's Node"),
    ("from autograd_ref.nodes import topological_order\n" + NODE_CELL.format(order="topological_order"),
     "calls autograd_ref's topological_order (in `Node.backward`)"),
    ("import autograd_ref.nodes\n" + NODE_CELL.format(order="autograd_ref.nodes.topological_order"),
     "calls autograd_ref's topological_order (in `Node.backward`)"),
])
def test_stage07_refuses_the_reference_node_and_its_order(answer_cell, reason):
    with pytest.raises(ReferenceAnswerError, match=f"^`Node` {re.escape(reason)}"):
        stage07.own_node(notebook(answer_cell)["Node"])


@pytest.mark.parametrize("answer_cell", [
    "from autograd_ref.jacobians import chain_costs",
    "from autograd_ref import jacobians\nchain_costs = jacobians.chain_costs",
    "import autograd_ref.jacobians\ndef chain_costs(dims):\n    return autograd_ref.jacobians.chain_costs(dims)",
])
def test_stage07_refuses_the_reference_chain_costs(answer_cell):
    with pytest.raises(ReferenceAnswerError, match="^`chain_costs` (is|calls) autograd_ref's"):
        stage07.own_chain_costs(notebook(answer_cell)["chain_costs"])


def test_stage07_accepts_a_node_with_its_own_order():
    cells = notebook(
        "def parents_first(root):\n"
        "    order, seen = [], set()\n"
        "    def visit(node):\n"
        "        if id(node) not in seen:\n"
        "            seen.add(id(node))\n"
        "            for child, _ in node.children:\n"
        "                visit(child)\n"
        "            order.append(node)\n"
        "    visit(root)\n"
        "    return order[::-1]\n",
        NODE_CELL.format(order="parents_first"),
    )
    stage07.own_node(cells["Node"])
    stage07.node_log_sqrt(cells["Node"])
