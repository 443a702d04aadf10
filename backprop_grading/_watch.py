"""Which code an answer runs: recorded while it runs, then compared with the reference's.

An answer is "the reference" when, while it runs, code of the exercise's reference
implementation executes. That is judged by behaviour, not by where the answer's code lives or
what its source says: `from autograd_ref import Square`, a subclass or an alias, a lookup such
as `ag.ops.sum_to`, and the reference's source run again with `exec` all end in the same code
running. Re-executed source makes new code objects, so besides identity, code objects are
compared by their compiled code (bytecode, constants, names).

Two answers written independently can compile to the same code (`return np.exp(x)`), so
compiled code is compared only for code that was compiled from a string (`exec`, `compile`:
no file, no notebook cell behind it), and only with reference code that lives in a file.

This gives good messages, not security: answers run in the same interpreter and could switch
the recorder off. The course's answer policy (backprop_course.policy) flags the ways to do so.
"""
import linecache
import os
import sys
import types


def running(action):
    """(action(), the code objects that started running meanwhile, in the order they first did).

    If action raises, the exception carries them as `ran_code` for the caller to judge.
    Recordings nest: an inner one sees its own part, the outer one everything.
    """
    ran = {}  # a dict as an ordered set: the first reference code that ran is the one named
    if not _recordings:
        _profiling_since.append(sys.getprofile())
        sys.setprofile(_record)
    _recordings.append(ran)
    try:
        result = action()
    except BaseException as error:
        error.ran_code = ran
        raise
    finally:
        _recordings.pop()
        if not _recordings:
            sys.setprofile(_profiling_since.pop())
    return result, ran


_recordings = []  # the recordings being filled, innermost last
_profiling_since = []  # the profiler that was set before recording started


def _record(frame, event, arg):
    if event == "call":
        for ran in _recordings:
            ran.setdefault(frame.f_code)


class ReferenceCode:
    """The code objects of some reference objects, found by identity or by compiled code."""

    def __init__(self, labelled):
        """labelled: {label: function, class or method}, e.g. {"autograd_ref.ops.sum_to": ops.sum_to}."""
        self.by_identity, self.by_compiled = {}, {}
        for label, obj in labelled.items():
            for code in code_objects(obj):
                self.by_identity.setdefault(code, label)
                if os.path.exists(code.co_filename):
                    self.by_compiled.setdefault(compiled(code), label)

    def find(self, codes):
        """The label of the first reference code among `codes`, else None."""
        for code in codes:
            label = self.by_identity.get(code)
            if label is None and from_a_string(code):
                label = self.by_compiled.get(compiled(code))
            if label:
                return label
        return None


def code_of(answer):
    """The code an answer brings along before it runs: a function's, a method's, or that of a
    class and every class it inherits from (an instance counts as its class)."""
    answer = getattr(answer, "__func__", answer)
    if not isinstance(answer, (type, types.FunctionType)):
        answer = type(answer)
    if isinstance(answer, type):
        return [code for cls in answer.__mro__ for code in code_objects(cls)]
    return code_objects(answer)


def from_a_string(code):
    """The code was compiled from a string: neither a file nor a notebook cell holds its source."""
    return code.co_filename not in linecache.cache and not os.path.exists(code.co_filename)


def code_objects(obj):
    """Every code object of a function, class or module: methods, properties, nested functions."""
    found, pending, seen = [], [obj], set()
    while pending:
        item = pending.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, (staticmethod, classmethod, types.MethodType)):
            pending.append(item.__func__)
        elif isinstance(item, property):
            pending.extend(f for f in (item.fget, item.fset, item.fdel) if f is not None)
        elif isinstance(item, types.FunctionType):
            pending.append(item.__code__)
        elif isinstance(item, type):
            pending.extend(value for name, value in vars(item).items() if name != "__dict__")
        elif isinstance(item, types.ModuleType):  # what the module defines, not what it imports
            pending.extend(value for value in vars(item).values()
                           if getattr(value, "__module__", None) == item.__name__)
        elif isinstance(item, types.CodeType):
            found.append(item)
            pending.extend(const for const in item.co_consts if isinstance(const, types.CodeType))
    return found


def compiled(code):
    """What makes two code objects the same program, wherever and whenever they were compiled."""
    constants = tuple(compiled(const) if isinstance(const, types.CodeType) else (type(const), repr(const))
                      for const in code.co_consts)
    return code.co_code, constants, code.co_names, code.co_varnames
