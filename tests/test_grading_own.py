"""Whose answer is it: require_own refuses autograd_ref's code, use_or_reference stands in for
unfinished answers and says which reference it used."""
import re

import numpy as np
import pytest

from autograd_ref import numeric, ops
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


# --- the grader itself, and names looked up at run time ------------------------------------

GRADER_CHEATS = [
    # the outside grader's cheat: the test cell's `check` fetches the reference at run time
    ("from autograd_ref.grading import stage01 as check\n"
     "def numerical_diff(f, x, eps=1e-4):\n"
     "    return check.use_or_reference(None, 'numerical_diff')(f, x, eps)",
     "autograd_ref.grading.stage01.use_or_reference"),
    ("from autograd_ref.grading.stage01 import use_or_reference as fetch\n"
     "def numerical_diff(f, x, eps=1e-4):\n    return fetch(None, 'numerical_diff')(f, x, eps)",
     "autograd_ref.grading.stage01.use_or_reference"),
    ("import autograd_ref.grading.stage07 as g7\n"
     "def numerical_diff(f, x, eps=1e-4):\n    return g7.use_or_reference(None, 'numerical_diff')(f, x, eps)",
     "autograd_ref.grading.stage07.use_or_reference"),
    ("import autograd_ref\n"
     "def numerical_diff(f, x, eps=1e-4):\n"
     "    return autograd_ref.grading.stage01._REFERENCES['numerical_diff'][0](f, x, eps)",
     "autograd_ref.grading.stage01"),
    ("def numerical_diff(f, x, eps=1e-4):\n"
     "    from autograd_ref import grading\n"
     "    return grading.stage01.use_or_reference(None, 'numerical_diff')(f, x, eps)",
     "autograd_ref.grading.stage01.use_or_reference"),
    ("def numerical_diff(f, x, eps=1e-4):\n"
     "    import importlib\n"
     "    grader = importlib.import_module('autograd_ref.grading.stage01')\n"
     "    return grader.numerical_diff_value.__globals__['numeric'].numerical_diff(f, x, eps)",
     "autograd_ref.grading"),
    # only the source shows it: the name is gone by the time the test cell runs
    ("from autograd_ref.grading import stage01 as fetcher\n"
     "def numerical_diff(f, x, eps=1e-4):\n"
     "    return fetcher.use_or_reference(None, 'numerical_diff')(f, x, eps)\ndel fetcher",
     "use_or_reference"),
]


@pytest.mark.parametrize("answer_cell, grader", GRADER_CHEATS)
def test_require_own_refuses_answers_that_use_the_grader(answer_cell, grader):
    answer = notebook(answer_cell)["numerical_diff"]
    with pytest.raises(ReferenceAnswerError) as caught:
        stage01.own_numerical_diff(answer)
    assert str(caught.value) == (f"`numerical_diff` uses the grader (`{grader}`), which answers "
                                 f"may not call: write your own to earn these points")


def test_require_own_refuses_a_method_that_uses_the_grader():
    cells = notebook("from autograd_ref.grading import stage02 as check\n"
                     "class Square(Function):\n    def backward(self, gy):\n"
                     "        return check.use_or_reference(None, 'Square')().backward(gy)")
    with pytest.raises(ReferenceAnswerError, match=r"^`Square` uses the grader .* \(in `Square.backward`\)"):
        require_own(cells["Square"], manual.Square, "Square")


@pytest.mark.parametrize("lookup", [
    "getattr(ag, 'sum' + '_to')(Variable(g), shape).data",
    "vars(ag)['sum_to'](Variable(g), shape).data",
    "ag.__dict__['sum_to'](Variable(g), shape).data",
    "getattr(ag.ops, ''.join(['sum', '_to']))(Variable(g), shape).data",
])
def test_require_own_refuses_names_looked_up_in_autograd_ref_at_run_time(lookup):
    answer = notebook(f"import autograd_ref as ag\ndef sum_to(g, shape):\n    return {lookup}")["sum_to"]
    with pytest.raises(ReferenceAnswerError, match=r"^`sum_to` looks names up in `autograd_ref(\.ops)?` at run time"):
        require_own(answer, ops.sum_to, "sum_to")


ENGINE_SUM_TO = '''
import autograd_ref as ag
from autograd_ref.grading import stage06 as check  # a locked cell's import, not used below

def sum_to(g, shape):
    """Mine, not autograd_ref.grading's: no check.use_or_reference here."""
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape) if n == 1)
    total = ag.sum(ag.Variable(g), axis=axes, keepdims=True)
    return getattr(ag.reshape(total, shape), "data")
'''


def test_require_own_accepts_engine_functions_and_getattr_on_values():
    sum_to = notebook(ENGINE_SUM_TO)["sum_to"]
    require_own(sum_to, ops.sum_to, "sum_to")
    assert sum_to(np.ones((2, 3)), (3,)).tolist() == [2.0, 2.0, 2.0]


def test_a_stand_in_for_an_earlier_exercise_is_not_the_grader(capsys):
    cells = notebook("def numerical_diff(f, x, eps=1e-4):\n"
                     "    circuit_gradients(1.0, 2.0, 3.0)  # an earlier answer\n"
                     "    return (f(x + eps) - f(x - eps)) / (2 * eps)")
    # the stand-in for an unfinished circuit_gradients is written in the grading module
    cells["circuit_gradients"] = stage01.use_or_reference(unfinished, "circuit_gradients")
    assert capsys.readouterr().out.startswith("Your `circuit_gradients` is not finished yet")
    stage01.own_numerical_diff(cells["numerical_diff"])


def test_stand_ins_a_check_puts_in_the_notebook_are_not_the_grader():
    """stage02 runs manual_backward with logging Square and Exp classes it makes itself."""
    cells = notebook("from autograd_ref.stages.manual import Square, Exp\n"
                     "def manual_backward(x_value):\n"
                     "    A, B, C = Square(), Exp(), Square()\n"
                     "    C(B(A(Variable(np.array(x_value)))))\n"
                     "    return A.backward(B.backward(C.backward(np.array(1.0))))")
    stage02.own_manual_backward(cells["manual_backward"])


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
