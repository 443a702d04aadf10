"""Whose answer is it? Refuse autograd_ref's own code as an answer; stand in for unfinished ones.

An answer earns nothing if it is the reference (imported or aliased), subclasses it, reuses
its code, or calls it; nor if it uses the grader itself, or looks names up in autograd_ref at
run time (`getattr(autograd_ref, "sum" + "_to")`), which would hide what it calls.
`require_own` says which, so a student knows what to change.
"""
import functools
import os
import re
import sys
import types

from . import _describe, _reach
from ._errors import NotImplementedYet, ReferenceAnswerError
from ._trust import guarded

_PACKAGE = "autograd_ref"
_GRADER = _PACKAGE + ".grading"
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


def stage_fallbacks(module_name, references, stand_in_names=None):
    """The `use_or_reference(answer, name)` of the stage module `module_name`.

    references: name -> (reference object, probe); stand_in_names: name -> how the note should
    call a stand-in written in a grading module.
    """
    stand_in_names = stand_in_names or {}

    def use_or_reference_for_stage(answer, name):
        """The student's `name` if it runs on a small input, else the reference (with a note)."""
        reference, probe = references[name]
        return use_or_reference(answer, reference, name, probe, stand_in_names.get(name))

    # it belongs to that stage: messages should name it as `<stage module>.use_or_reference`
    use_or_reference_for_stage.__module__ = module_name
    use_or_reference_for_stage.__name__ = use_or_reference_for_stage.__qualname__ = "use_or_reference"
    return guarded(use_or_reference_for_stage)


def _where_defined(obj):
    """`module.Qualified.name` of a function or class (of its class, for an instance)."""
    obj = _unwrap(obj)
    if not hasattr(obj, "__qualname__"):
        obj = type(obj)
    return f"{obj.__module__}.{obj.__qualname__}"


def _why_not_own(obj, reference, names):
    """Why obj is not the student's own work (text), or None."""
    obj = _unwrap(obj)
    if _is_grader(obj):
        return _uses_grader(obj)
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
        if _is_grader(kept):
            return _uses_grader(kept)
        if _is_reference_like(kept, reference, names):
            return f"keeps autograd_ref's {_describe.name_of(kept)}"
        return None
    code = value.__code__
    same_code = code is getattr(reference, "__code__", None)
    if _from_package(value) or _compiled_in_package(code) or same_code:
        return "reuses autograd_ref's own code"
    reached = _reach.objects_reached(value)
    graders = [used for used in reached if _is_grader(used)]
    if graders:  # the last is the end of a chain: `check.use_or_reference` rather than `check`
        return _uses_grader(graders[-1])
    named = _grader_named_in_source(value)
    if named:
        return _uses_grader(named)
    searched = next((m for m in _reach.modules_searched(value) if _is_module(m)), None)
    if searched:
        return (f"looks names up in `{searched.__name__}` at run time (getattr, vars or "
                f"__dict__), which hides what it calls; call functions by their names")
    for used in reached:
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


def _reference_named_in_source(function, names):
    """The name, if the source has `autograd_ref. ... .<name>` or `from autograd_ref... import
    <name>`; else None. Comments and strings are ignored: a docstring may mention autograd_ref.
    """
    alternatives = "|".join(re.escape(name) for name in names)
    pattern = re.compile(rf"\b{_PACKAGE}(?: \. \w+)* (?:\. |import .*\b)((?i:{alternatives}))\b")
    return _first_match(pattern, _reach.statements(function))


def _grader_named_in_source(function):
    """The text naming the grader, if the source (strings included, docstrings and comments
    not) has `autograd_ref.grading`, `from autograd_ref import grading` or `use_or_reference`."""
    pattern = re.compile(rf"\b{_PACKAGE} ?\. ?grading\b|\bfrom {_PACKAGE} import .*\bgrading\b"
                         rf"|\buse_or_reference\b")
    found = _first_match(pattern, _reach.statements(function, strings=True), group=0)
    return found and ("use_or_reference" if "use_or_reference" in found else _GRADER)


def _first_match(pattern, statements, group=1):
    for statement in statements:
        found = pattern.search(statement)
        if found:
            return found.group(group)
    return None


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


def _is_grader(value):
    """value is this grading package, one of its modules, or a public function or class of one.
    Stand-ins (private, or made inside a check) are judged like any reference instead."""
    if isinstance(value, types.ModuleType):
        return _inside(value.__name__, _GRADER)
    if not isinstance(value, (type, types.FunctionType)):
        value = type(value)  # an instance: judge its class
    module_name, name = getattr(value, "__module__", None), getattr(value, "__name__", "_")
    if not _inside(module_name, _GRADER) or name.startswith("_"):
        return False
    return _unwrap(getattr(sys.modules.get(module_name), name, None)) is _unwrap(value)


def _uses_grader(grader):
    """The reason for an answer that uses the grader (an object, or the text naming it)."""
    if not isinstance(grader, str):
        grader = grader.__name__ if isinstance(grader, types.ModuleType) else _where_defined(grader)
    return f"uses the grader (`{grader}`), which answers may not call"


def _is_module(value):
    """value is autograd_ref or one of its modules."""
    return isinstance(value, types.ModuleType) and _inside(value.__name__, _PACKAGE)


def _from_package(obj):
    return _inside(getattr(obj, "__module__", None), _PACKAGE)


def _inside(module_name, package):
    """module_name is the package or one of its modules."""
    return isinstance(module_name, str) and (module_name == package or module_name.startswith(package + "."))


def _compiled_in_package(code):
    return os.path.abspath(code.co_filename).startswith(_PACKAGE_DIR)


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
