"""The answer policy: what a student's code may do, judged on the notebook's JSON before it runs.

The grading process reads every code cell the student wrote or changed (a cell whose source is
not one of the handed-out notebook's cells; locked cells are the course's, restored by the
grader before anything runs, hidden tests included), parses it with `ast`, and applies the rules below.
Nothing runs: no kernel can change what is read here. An answer may use what the exercise needs
(numpy, math, the standard library's plain tools, the names the notebook gives it). A cell is
flagged for the instructor's review when it

    interpreter      reaches into the interpreter or the notebook machinery: get_ipython,
                     globals/locals/vars, sys, inspect, gc, ctypes, importlib, builtins, IPython,
                     a frame (`f_back`, `gi_frame` ...), a redirected stderr or stdout (where a
                     failed test writes), such a module reached through another (`contextlib.sys`)
    dynamic code     runs code built at run time: exec, eval, compile, __import__
    dunder           uses a dunder attribute other than the ordinary special methods
                     (`x.__globals__`, `f.__code__`, `cls.__subclasses__()`, `__builtins__`),
                     or assigns to a special method or `__class__`
    computed name    gets, sets or deletes an attribute by a name computed at run time
                     (except a switch of `Config`, which stage 05's `using_config` sets by name)
    system           touches files, processes, threads, signals or the network: open, os,
                     subprocess, socket, shutil, pathlib, threading, multiprocessing, np.load ...
    patches module   assigns to (or deletes) an attribute of an imported module (`np.exp = ...`)
    grader           imports the grader or the grading tools (backprop_grading, nbgrader ...),
                     or passes on the notebook's own `check` (`g = check`, `vars(check)`)
    unlisted import  imports a module outside the list below
    reference        imports or names the reference implementation of its own exercise
                     (`from autograd_ref import Square` in the Square cell, `ag.ops.sum_to`)

What it does not catch (the behaviour checks and the hidden tests are the other layers):
an answer that hard-codes the visible results; objects whose special methods lie (an `__eq__`
or `__float__` that says what a check wants); reaching the interpreter through an allowed
module's own back doors (numpy internals, `np.frombuffer` over `id()`), or through a module
the list allows that the policy's author did not think of; reference code copied by hand into
the cell (the behaviour check compares code only for code compiled from a string). A flag is a
reason to look, not a verdict.
"""
import ast
import importlib.util
import re
from dataclasses import dataclass

ALLOWED_MODULES = {
    "__future__", "abc", "autograd_ref", "bisect", "cmath", "collections", "contextlib", "copy",
    "dataclasses", "decimal", "enum", "fractions", "functools", "graphviz", "heapq", "itertools",
    "math", "matplotlib", "numbers", "numpy", "operator", "random", "re", "statistics", "string",
    "textwrap", "time", "types", "typing", "warnings", "weakref",
}
MODULE_RULES = {
    **dict.fromkeys(("sys", "inspect", "gc", "ctypes", "importlib", "builtins", "IPython",
                     "ipykernel", "traceback", "dis", "code", "codeop", "marshal", "atexit",
                     "runpy", "pkgutil", "site", "linecache", "faulthandler", "tracemalloc"),
                    "interpreter"),
    **dict.fromkeys(("os", "subprocess", "socket", "shutil", "pathlib", "signal", "threading",
                     "multiprocessing", "concurrent", "asyncio", "tempfile", "glob", "io", "urllib",
                     "http", "requests", "pickle", "shelve", "sqlite3", "webbrowser", "fcntl",
                     "resource", "mmap", "pty", "select", "selectors"), "system"),
    **dict.fromkeys(("backprop_grading", "backprop_course", "nbgrader", "nbclient", "nbformat",
                     "jupyter_client", "zmq"), "grader"),
}
NAME_RULES = {
    "get_ipython": "interpreter", "globals": "interpreter", "locals": "interpreter", "vars": "interpreter",
    "breakpoint": "interpreter", "__builtins__": "interpreter", "__loader__": "interpreter",
    "__spec__": "interpreter", "exec": "dynamic code", "eval": "dynamic code",
    "compile": "dynamic code", "__import__": "dynamic code", "open": "system",
}
# names that reach a running frame or the streams a failed test writes to, on any object
INTERPRETER_ATTRIBUTES = {"f_back", "f_locals", "f_globals", "f_builtins", "f_code", "gi_frame",
                          "cr_frame", "ag_frame", "tb_frame", "tb_next", "currentframe", "_getframe",
                          "redirect_stderr", "redirect_stdout"}
# numpy's ways to files and raw memory
NUMPY_SYSTEM = {"load", "save", "savez", "savez_compressed", "loadtxt", "savetxt", "genfromtxt",
                "fromfile", "tofile", "memmap", "ctypeslib", "DataSource"}
# dunder attributes an ordinary answer reads: the special methods and a few descriptive names
ORDINARY_DUNDERS = set("""
    init new del repr str format bytes hash bool call len iter next reversed contains
    getitem setitem delitem missing enter exit aenter aexit await aiter anext
    eq ne lt le gt ge add sub mul matmul truediv floordiv mod divmod pow lshift rshift and xor or
    radd rsub rmul rmatmul rtruediv rfloordiv rmod rdivmod rpow rlshift rrshift rand rxor ror
    iadd isub imul imatmul itruediv ifloordiv imod ipow ilshift irshift iand ixor ior
    neg pos abs invert complex int float index round trunc floor ceil
    array array_ufunc array_function array_priority post_init set_name init_subclass
    name qualname doc module class annotations dataclass_fields
""".split())
# The names of each exercise's reference in autograd_ref (compared in lowercase, without
# underscores, with every part of a dotted name). Adding an exercise: one line here.
REFERENCE_NAMES = {
    "numerical_diff": ("numerical_diff", "numerical_grad"),
    "square": ("Square",), "exp": ("Exp",),
    "add_gate": ("AddGate",), "multiply_gate": ("MultiplyGate",), "max_gate": ("MaxGate",),
    "copy_gate": ("CopyGate",), "sigmoid_gate": ("SigmoidGate",), "neuron_circuit": ("neuron_graph",),
    "backward_recursive": ("backward",), "backward_loop": ("backward",),
    "topological_order": ("topological_order",), "backward_general": ("backward",),
    "no_grad": ("no_grad", "using_config"),
    "sum_to": ("sum_to",), "matmul": ("MatMul",), "relu": ("ReLU",),
    "softmax_cross_entropy": ("SoftmaxCrossEntropy", "softmax", "softmax_array"),
    "numerical_gradient": ("numerical_grad", "numerical_diff", "gradient_check", "compare_gradient"),
    "dual": ("Dual", "forward_mode"), "chain_costs": ("chain_costs", "counted_chain_costs"),
    "jacobian_node": ("Node", "nodes"),
    "sgd_step": ("nn", "MLP"), "train_mlp": ("nn", "MLP", "train_classifier"),
}
RULES = ("interpreter", "dynamic code", "dunder", "computed name", "system", "patches module",
         "grader", "unlisted import", "reference")
ATTRIBUTE_FUNCTIONS = ("getattr", "setattr", "delattr", "hasattr")
_DUNDER = re.compile(r"^__\w+__$")


@dataclass(frozen=True)
class Finding:
    cell: int  # index of the code cell in the notebook
    answer: str  # grade_id of the answer cell, "" for a cell the student added or changed
    line: int  # line in the cell
    rule: str
    text: str  # the line, stripped

    def note(self):
        where = f"answer `{self.answer}`" if self.answer else f"cell {self.cell + 1}"
        return f"flagged for review ({self.rule}): {where}, line {self.line}: {self.text[:120]}"


def judge(notebook, handed_out):
    """Every Finding in the cells of `notebook` (nbformat) the student wrote or changed.

    handed_out: the student version as released; its cells are the course's own and not judged.
    """
    given = {cell.source for cell in handed_out.cells if cell.cell_type == "code"}
    locked = {_locked_id(cell) for cell in handed_out.cells} - {None}
    modules = _module_names(c.source for c in [*handed_out.cells, *notebook.cells] if c.cell_type == "code")
    findings = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or cell.source in given or _locked_id(cell) in locked:
            continue
        answer = _answer_id(cell)
        references = frozenset(map(_plain, REFERENCE_NAMES.get(answer, ())))
        findings += [Finding(index, answer, line, rule, _line(cell.source, line))
                     for line, rule in judge_source(cell.source, modules, references)]
    return findings


def judge_source(source, modules=None, reference_names=frozenset()):
    """(line, rule) for each thing the source does that the policy flags.

    modules: {local name: the module it stands for}, from the notebook's imports.
    reference_names: names of the exercise's reference (lowercase, without underscores).
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []  # it will fail when it runs, which costs its points; nothing to review
    modules = {**(modules or {}), **_module_names([source])}
    # names read for an attribute (`check.x`, `np.exp`): the ordinary way to use a module
    attribute_roots = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    found = []
    for node in ast.walk(tree):
        rule = _rule_for(node, modules, reference_names, attribute_roots)
        if rule:
            found.append((node.lineno, rule))
    return sorted(set(found))


def _rule_for(node, modules, reference_names, attribute_roots):
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return _import_rule(node, reference_names)
    if isinstance(node, ast.Name):
        if node.id in NAME_RULES or node.id in INTERPRETER_ATTRIBUTES:
            return NAME_RULES.get(node.id, "interpreter")
        if id(node) not in attribute_roots and _top(modules.get(node.id)) in MODULE_RULES:
            return MODULE_RULES[_top(modules.get(node.id))]  # `g = check`: the module passed on
        return _reference_rule(modules.get(node.id), reference_names)
    if isinstance(node, ast.Attribute):
        return _attribute_rule(node, modules, reference_names)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ATTRIBUTE_FUNCTIONS:
        name = node.args[1] if len(node.args) > 1 else None
        if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
            # stage 05's using_config(name, value) sets a switch of Config by its name, as asked
            return None if _dotted(node.args[0]) == "Config" else "computed name"
        if node.func.id in ("setattr", "delattr") and node.args and _is_module(_dotted(node.args[0]), modules):
            return "patches module"
        target = node.args[0] if node.args else None
        imported = bool(_dotted(target)) and _dotted(target).partition(".")[0] in modules
        return _dunder_rule(name.value, node.func.id in ("setattr", "delattr"), imported)
    if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
        targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute) and _is_module(_dotted(target.value), modules):
                return "patches module"
    return None


def _import_rule(node, reference_names):
    module = node.module or "" if isinstance(node, ast.ImportFrom) else None
    if isinstance(node, ast.ImportFrom) and node.level:
        return "unlisted import"  # relative imports have no place in a notebook
    names = [alias.name for alias in node.names]
    if any(name in INTERPRETER_ATTRIBUTES for name in names):
        return "interpreter"
    for full in ([module] if module is not None else names):
        top = full.partition(".")[0]
        if top in MODULE_RULES:
            return MODULE_RULES[top]
        if top not in ALLOWED_MODULES:
            return "unlisted import"
    imported = [f"{module}.{name}" for name in names] if module is not None else names
    return next((rule for rule in (_reference_rule(full, reference_names) for full in imported) if rule), None)


def _attribute_rule(node, modules, reference_names):
    dotted = _dotted(node)
    root = dotted and modules.get(dotted.partition(".")[0])
    dunder = _dunder_rule(node.attr, assigned=isinstance(node.ctx, (ast.Store, ast.Del)), imported=bool(root))
    if dunder:
        return dunder
    if node.attr in INTERPRETER_ATTRIBUTES:
        return "interpreter"
    if not root:
        return None
    full = root + dotted[len(dotted.partition(".")[0]):]
    if full.partition(".")[0] == "numpy" and node.attr in NUMPY_SYSTEM:
        return "system"
    flagged = [part for part in full.split(".") if part in MODULE_RULES]  # also `contextlib.sys`
    if flagged:
        return MODULE_RULES[flagged[0]]
    return _reference_rule(full, reference_names)


def _dunder_rule(name, assigned, imported):
    """'dunder' for an unusual dunder attribute, or a special method replaced on something
    imported (`Function.__call__ = ...`), or any `__class__` assignment; else None."""
    if not _DUNDER.match(name):
        return None
    if name == "__dict__" and not imported:
        return "dunder" if assigned else None  # an object's own attributes, e.g. self.__dict__
    if name[2:-2] not in ORDINARY_DUNDERS or (assigned and (imported or name == "__class__")):
        return "dunder"
    return None


def _reference_rule(full, reference_names):
    """'reference' when `full` (a dotted name) is in autograd_ref and names the exercise's reference."""
    if not full or not reference_names or full.partition(".")[0] != "autograd_ref":
        return None
    return "reference" if any(_plain(part) in reference_names for part in full.split(".")[1:]) else None


def _module_names(sources):
    """{local name: dotted module} for `import a.b as c` (c: a.b), `import a.b` (a: a) and
    `from a import b` (b: a.b, which may be a module or a name in it)."""
    names = {}
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    names[alias.asname or alias.name.partition(".")[0]] = alias.name if alias.asname else alias.name.partition(".")[0]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _is_module(dotted, modules):
    """The dotted name (`np`, `np.random`, `ag.ops`) stands for a module."""
    root = dotted and modules.get(dotted.partition(".")[0])
    if not root:
        return False
    full = root + dotted[len(dotted.partition(".")[0]):]
    if full.partition(".")[0] not in ALLOWED_MODULES:
        return full.partition(".")[0] in MODULE_RULES  # flagged anyway; never imported here
    try:  # an installed package of the list: finding the spec imports only its parents
        return importlib.util.find_spec(full) is not None
    except (ImportError, ValueError):
        return False


def _dotted(node):
    """'a.b.c' for the expression a.b.c made of names and attributes only, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def _top(dotted):
    return dotted.partition(".")[0] if dotted else None


def _plain(name):
    return name.lower().replace("_", "")


def _locked_id(cell):
    nbgrader = cell.metadata.get("nbgrader", {})
    return nbgrader.get("grade_id") if nbgrader.get("locked") else None


def _answer_id(cell):
    nbgrader = cell.metadata.get("nbgrader", {})
    return nbgrader.get("grade_id", "") if nbgrader.get("solution") else ""


def _line(source, number):
    lines = source.splitlines()
    return lines[number - 1].strip() if 0 < number <= len(lines) else ""
