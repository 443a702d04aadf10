"""Whose answer is it? Refuse autograd_ref's own code as an answer; stand in for unfinished ones.

An answer earns nothing if it is the reference (imported or aliased), subclasses it, reuses
its code, or calls it. `require_own` says which, so a student knows what to change.
"""
import dis
import functools
import inspect
import io
import os
import re
import sys
import textwrap
import tokenize
import types

from . import _describe
from ._errors import NotImplementedYet, ReferenceAnswerError
from ._trust import guarded

_PACKAGE = "autograd_ref"
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


@guarded
def require_own(obj, reference, name=None):
    """Raise ReferenceAnswerError if obj is autograd_ref's `reference` or leans on it.

    obj is the student's answer (a class or function); name is what the notebook calls it
    (default: the reference's name).
    """
    name = name or reference.__name__
    reason = _why_not_own(obj, reference, {name.lower(), reference.__name__.lower()})
    if reason:
        raise ReferenceAnswerError(f"`{name}` {reason}: write your own to earn these points")


@guarded
def use_or_reference(student_obj, reference_obj, name, probe=None, reference_name=None):
    """The student's object if it works, else the reference, so later cells can still run.

    probe(student_obj) tries it on a small input; if that raises NotImplementedError (or any
    other error), a one-line note is printed and reference_obj is returned instead. The note
    names the stand-in by where it lives (`autograd_ref.stages.linked.Variable.backward`), or
    as reference_name says (for a stand-in written in a grading module).
    """
    stand_in = reference_name or f"`{_where_defined(reference_obj)}`"
    try:
        if probe is not None:
            probe(student_obj)
    except (NotImplementedError, NotImplementedYet):  # the stub itself, or `call` reporting it
        print(f"Your `{name}` is not finished yet, so the cells below use {stand_in}.")
        return reference_obj
    except Exception as error:
        print(
            f"Your `{name}` raised {type(error).__name__} ({error}) on a small test, so the cells "
            f"below use {stand_in}; fix it and run this cell again."
        )
        return reference_obj
    return student_obj


def _where_defined(obj):
    """`module.Qualified.name` of a function or class (of its class, for an instance)."""
    obj = _unwrap(obj)
    if not hasattr(obj, "__qualname__"):
        obj = type(obj)
    return f"{obj.__module__}.{obj.__qualname__}"


def _why_not_own(obj, reference, names):
    """Why obj is not the student's own work (text), or None."""
    obj = _unwrap(obj)
    if obj is reference or _from_package(obj):
        return f"is autograd_ref's own {_describe.name_of(obj)} (imported or aliased)"
    if isinstance(obj, type):
        for base in obj.__mro__[1:]:
            if _is_reference_like(base, reference, names):
                return f"subclasses autograd_ref's {base.__name__}"
    for label, value in _own_functions(obj):
        reason = _why_borrowed(value, reference, names)
        if reason:
            return reason if label == _describe.name_of(obj) else f"{reason} (in `{label}`)"
    return None


def _why_borrowed(value, reference, names):
    """Why one function (or class attribute) of the answer is not the student's own, or None."""
    if not isinstance(value, types.FunctionType):
        kept = _unwrap(value)
        if _is_reference_like(kept, reference, names):
            return f"keeps autograd_ref's {_describe.name_of(kept)}"
        return None
    code = value.__code__
    same_code = code is getattr(reference, "__code__", None)
    if _from_package(value) or _compiled_in_package(code) or same_code:
        return "reuses autograd_ref's own code"
    for used in _objects_reached(value):
        if _is_reference_like(used, reference, names):
            return f"calls autograd_ref's {_describe.name_of(used)}"
    named = _reference_named_in_source(value, names)
    return f"calls autograd_ref's {named}" if named else None


def _own_functions(obj):
    """(label, value) for a function, or for everything a class and its own bases define."""
    if isinstance(obj, types.FunctionType):
        return [(_describe.name_of(obj), obj)]
    if not isinstance(obj, type):
        return []
    found = []
    for cls in obj.__mro__:
        if cls is object or _from_package(cls):
            continue  # the locked base classes are not the student's to answer for
        for attribute, value in vars(cls).items():
            if isinstance(value, property):
                value = value.fget
            if value is None or (attribute.startswith("__") and not callable(value)):
                continue  # __module__, __doc__, __dict__ ...
            found.append((f"{cls.__qualname__}.{attribute}", _unwrap(value)))
    return found


def _objects_reached(function):
    """Everything the function's code picks up by name: globals, closure variables, attribute
    chains through modules and classes (`autograd_ref.stages.manual.Square`), and imports."""
    reached = [cell.cell_contents for cell in function.__closure__ or () if _has_contents(cell)]
    for code in _code_objects(function.__code__):
        current = importing = fromlist = None
        local_values = {}  # local names bound to what an import or a lookup produced
        for instruction in dis.get_instructions(code):
            op, name = instruction.opname, instruction.argval
            if op in ("LOAD_GLOBAL", "LOAD_NAME"):
                current = local_values.get(name, function.__globals__.get(name))
            elif op in ("LOAD_FAST", "LOAD_DEREF"):
                current = local_values.get(name)
            elif op in ("LOAD_ATTR", "LOAD_METHOD", "IMPORT_FROM"):
                current = _attribute(current if current is not None else importing, name)
            elif op == "IMPORT_NAME":  # `import a.b` gives a; `from a.b import c` gives a.b
                importing = current = sys.modules.get(name if fromlist else name.partition(".")[0])
            elif op.startswith("STORE_") and current is not None:
                local_values[name], current = current, None
            elif op not in ("SWAP", "POP_TOP"):  # these only shuffle the stack inside an import
                current = None
            fromlist = name if op == "LOAD_CONST" else None
            if current is not None:
                reached.append(current)
    return reached


def _attribute(owner, name):
    """owner.name for modules and classes (looked up without running any code), else None."""
    if isinstance(owner, (types.ModuleType, type)):
        return inspect.getattr_static(owner, name, None)
    return None


def _reference_named_in_source(function, names):
    """The name, if the source has `autograd_ref. ... .<name>` or `from autograd_ref... import
    <name>`; else None. Comments and strings are ignored: a docstring may mention autograd_ref.
    """
    try:
        source = textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError):
        return None  # no source (e.g. built with exec): the bytecode checks still apply
    alternatives = "|".join(re.escape(name) for name in names)
    pattern = re.compile(rf"\b{_PACKAGE}(?: \. \w+)* (?:\. |import .*\b)((?i:{alternatives}))\b")
    for statement in _statements(source):
        found = pattern.search(statement)
        if found:
            return found.group(1)
    return None


def _statements(source):
    """Each logical line of source as its names and operators joined by spaces."""
    words = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type in (tokenize.NAME, tokenize.OP, tokenize.NUMBER):
                words.append(token.string)
            elif token.type == tokenize.NEWLINE:
                yield " ".join(words)
                words = []
    except (tokenize.TokenError, SyntaxError):
        pass  # an unusual fragment: judge what was read
    yield " ".join(words)


def _is_reference_like(value, reference, names):
    """value is the reference, or something in autograd_ref of the same name (any case), so
    `autograd_ref.Square`, `autograd_ref.square` and `stages.manual.Square` all count."""
    value = _unwrap(value)
    if value is reference:
        return True
    if isinstance(value, types.ModuleType):
        return False
    if not isinstance(value, (type, types.FunctionType, types.BuiltinFunctionType)):
        value = type(value)  # an instance: judge its class
    return _from_package(value) and getattr(value, "__name__", "").lower() in names


def _from_package(obj):
    module = getattr(obj, "__module__", None)
    return isinstance(module, str) and (module == _PACKAGE or module.startswith(_PACKAGE + "."))


def _compiled_in_package(code):
    return os.path.abspath(code.co_filename).startswith(_PACKAGE_DIR)


def _code_objects(code):
    """code and every function or class body nested inside it."""
    yield code
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            yield from _code_objects(constant)


def _unwrap(obj):
    """See through wrappers: bound methods, static/class methods, partials, decorators."""
    for _ in range(50):  # wrappers can point at each other; never loop forever
        if isinstance(obj, functools.partial):
            obj = obj.func
        elif isinstance(obj, (types.MethodType, staticmethod, classmethod)):
            obj = obj.__func__
        elif isinstance(obj, types.FunctionType) and hasattr(obj, "__wrapped__"):
            obj = obj.__wrapped__  # set by functools.wraps
        else:
            return obj
    return obj


def _has_contents(cell):
    try:
        cell.cell_contents
    except ValueError:  # a closure variable not assigned yet
        return False
    return True
