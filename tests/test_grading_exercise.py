"""The grading vocabulary in-process: a test block's short report, the fallback to the reference
stand-in, and reference answers found by the code they run (not by where their code lives)."""
import subprocess
import sys

import numpy as np
import pytest

from backprop_grading import stage01, stage02, stage03, stage04, stage05, stage06, stage07, stage08
from grading_cells import notebook

pytestmark = pytest.mark.grading


def unfinished(*args, **kwargs):
    raise NotImplementedError()


# --- the test block ---------------------------------------------------------------------------

def test_a_passing_block_says_so_on_stdout(capsys):
    with stage01.exercise("numerical_diff"):
        stage01.numerical_diff_value(lambda f, x, eps=1e-4: (f(x + eps) - f(x - eps)) / (2 * eps),
                                     np.exp, 0.0, expected=1.0)
    assert capsys.readouterr() == ("numerical_diff: the tests in this cell passed\n", "")


def test_an_unfinished_answer_gets_a_short_message_on_stderr_and_the_cell_goes_on(capsys):
    with stage01.exercise("numerical_diff"):
        stage01.numerical_diff_value(unfinished, np.exp, 0.0, expected=1.0)
        raise AssertionError("the block must stop at the first failure")
    out, err = capsys.readouterr()
    assert out == ""
    assert err == ("`numerical_diff` is not implemented yet: replace `raise NotImplementedError()` with "
                   "your code (so this test scores 0)\n")


def test_an_error_in_the_answer_names_its_line_not_the_graders_frames(capsys):
    cells = notebook("def numerical_diff(f, x, eps=1e-4):\n    h = 2 * eps\n    return (f(x + eps) - f(x - eps)) / undefined\n")
    with stage01.exercise("numerical_diff"):
        stage01.numerical_diff_value(cells["numerical_diff"], np.exp, 0.0, expected=1.0)
    err = capsys.readouterr().err
    assert "raised NameError: name 'undefined' is not defined" in err
    assert "(line 3 of `numerical_diff`: return (f(x + eps) - f(x - eps)) / undefined)" in err
    assert len(err.splitlines()) <= 3 and "backprop_grading" not in err


def test_interrupts_and_exits_are_not_the_blocks_to_swallow():
    for stop in (KeyboardInterrupt, SystemExit):
        with pytest.raises(stop):
            with stage01.exercise("numerical_diff"):
                raise stop()


# --- use_or_reference -------------------------------------------------------------------------

@pytest.mark.parametrize("stage, name, named", [
    (stage01, "numerical_diff", "`autograd_ref.numeric.numerical_diff`"),
    (stage01, "circuit_gradients", "autograd_ref's own circuit_gradients"),
    (stage02, "Square", "`autograd_ref.stages.manual.Square`"),
    (stage02, "manual_backward", "autograd_ref.stages.manual's Square and Exp"),
    (stage03, "MaxGate", "`autograd_ref.gates.MaxGate`"),
    (stage03, "neuron_circuit", "built on `autograd_ref.gates.neuron_graph`"),
    (stage04, "backward_recursive", "a recursive reference backward"),
    (stage05, "topological_order", "`autograd_ref.stages.general.topological_order`"),
    (stage05, "log_sqrt_graph", "computed with autograd_ref's backward"),
    (stage06, "l2_example", "computed by autograd_ref's engine"),
    (stage07, "chain_costs", "`autograd_ref.jacobians.chain_costs`"),
    (stage07, "Node", "`autograd_ref.nodes.Node`"),
    (stage08, "sgd_step", "the reference sgd_step"),
    (stage08, "train_mlp", "autograd_ref.nn's MLP and train_classifier"),
])
def test_each_stage_stands_in_for_an_unfinished_answer_and_names_the_stand_in(capsys, stage, name, named):
    stand_in = stage.use_or_reference(unfinished, name)
    assert stand_in is stage.STAGE.exercises[name].stand_in
    note = capsys.readouterr().out
    assert note.startswith(f"Your `{name}` is not finished yet, so the cells below use ") and named in note


def test_a_working_answer_is_kept_and_a_broken_one_replaced_with_the_reason(capsys):
    cells = notebook("class Square(Function):\n    def forward(self, x):\n        return x ** 2\n"
                     "    def backward(self, gy):\n        return 2 * self.input.data * gy\n"
                     "class Exp(Function):\n    def forward(self, x):\n        return x.nope\n")
    assert stage02.use_or_reference(cells["Square"], "Square") is cells["Square"]
    assert capsys.readouterr().out == ""
    assert stage02.use_or_reference(cells["Exp"], "Exp") is stage02.STAGE.exercises["Exp"].stand_in
    assert "raised AttributeError" in capsys.readouterr().out


# --- reference answers, found by what runs ----------------------------------------------------

REFERENCE_SQUARES = {
    "imported": "from autograd_ref.stages.manual import Square",
    "the engine's, aliased": "import autograd_ref\nSquare = autograd_ref.Square",
    "subclassed": "from autograd_ref.stages import manual\nclass Square(manual.Square):\n    pass",
    "a method borrowed": "from autograd_ref.stages import manual\nclass Square(Function):\n"
                         "    forward = manual.Square.forward\n    backward = manual.Square.backward",
    "called inside": "import autograd_ref\nclass Square(Function):\n    def forward(self, x):\n"
                     "        return autograd_ref.square(autograd_ref.Variable(x)).data\n"
                     "    def backward(self, gy):\n        return 2 * self.input.data * gy",
    "its source run again": "import inspect\nfrom autograd_ref.stages import manual\n"
                            "exec(inspect.getsource(manual.Square))",
}


@pytest.mark.parametrize("answer_cell", REFERENCE_SQUARES.values(), ids=REFERENCE_SQUARES)
def test_an_answer_that_runs_its_reference_earns_nothing_and_is_told_which(capsys, answer_cell):
    cells = notebook(answer_cell)
    with stage02.exercise("Square"):
        stage02.function_value(cells["Square"], 3.0, expected=9.0)
        stage02.function_backward(cells["Square"], 3.0, gy=1.0, expected=6.0)
    err = capsys.readouterr().err
    assert "runs the reference implementation's `autograd_ref." in err and "Square" in err, err
    assert err.endswith("write your own to earn these points (so this test scores 0)\n")


REFERENCE_SUM_TOS = [
    "import autograd_ref as ag\ndef sum_to(g, shape):\n    ops = ag.ops\n    return ops.sum_to(g, shape)",
    "import autograd_ref as ag\ndef sum_to(g, shape):\n    return getattr(ag, 'sum' + '_to')(g, shape)",
    "import autograd_ref as ag\nimport functools\nsum_to = functools.partial(ag.sum_to)",
    "import types, autograd_ref\nsum_to = types.FunctionType(autograd_ref.ops.sum_to.__code__, "
    "autograd_ref.ops.tensor.__dict__)",
    "import inspect\nfrom autograd_ref.ops import tensor\nexec(inspect.getsource(tensor._sum_array_to))\n"
    "def sum_to(g, shape):\n    return _sum_array_to(g, tuple(shape))",
]


@pytest.mark.parametrize("answer_cell", REFERENCE_SUM_TOS)
def test_lookups_wrappers_and_rebuilt_code_are_caught_alike(capsys, answer_cell):
    cells = notebook(answer_cell, "from autograd_ref import Variable")
    with stage06.exercise("sum_to"):
        stage06.sum_to_value(cells["sum_to"], np.ones((2, 3)), (3,), [2.0, 2.0, 2.0])
    assert "runs the reference implementation's `autograd_ref.ops." in capsys.readouterr().err


def test_own_work_passes_even_when_it_compiles_like_the_reference(capsys):
    """`return np.exp(x)` is the same program as the reference's: written in a cell, it is the
    student's own (only code compiled from a string is compared by its compiled code)."""
    cells = notebook("import autograd_ref\n"
                     "class Exp(Function):\n"
                     "    '''exp(x), like autograd_ref.stages.manual.Exp but written here.'''\n"
                     "    def forward(self, x):\n        return np.exp(x)\n"
                     "    def backward(self, gy):\n        x = self.input.data\n        return np.exp(x) * gy\n")
    with stage02.exercise("Exp"):
        stage02.function_random(cells["Exp"], "Exp", seed=1)
    assert capsys.readouterr() == ("Exp: the tests in this cell passed\n", "")


def test_other_exercises_may_use_the_engine_the_notebook_gives(capsys):
    cells = notebook("from autograd_ref import Variable\n"
                     "def l2_example(W, x):\n"
                     "    W, x = Variable(np.array(W, dtype=float)), Variable(np.array(x, dtype=float))\n"
                     "    f = ((W @ x) ** 2).sum()\n    f.backward()\n    return f.data, W.grad, x.grad\n")
    with stage06.exercise("l2_example"):
        stage06.l2_example_value(cells["l2_example"], W=[[0.1, 0.5], [-0.3, 0.8]], x=[0.2, 0.4],
                                 expected=(0.116, [[0.088, 0.176], [0.104, 0.208]], [-0.112, 0.636]))
    assert capsys.readouterr().err == ""


# --- the engine knows nothing about grading ---------------------------------------------------

def test_autograd_ref_imports_nothing_from_the_grading_package():
    """Checked twice: what importing it loads, and what its source says (ast, not grep)."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, autograd_ref, autograd_ref.drawing, autograd_ref.gates, "
         "autograd_ref.stages.general, autograd_ref.nn\n"
         "print(sorted(m for m in sys.modules if m.split('.')[0] in ('backprop_grading', 'backprop_course')))"],
        capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"
    import ast
    import pathlib

    import autograd_ref
    imported = set()
    for path in pathlib.Path(autograd_ref.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add(node.module)
    assert imported, "no imports found: the scan is blind"
    assert not {name for name in imported if name.split(".")[0] in ("backprop_grading", "backprop_course")}
