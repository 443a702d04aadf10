"""Grade each exercise on its own: earlier answers stand in as the reference during a check.

(The one place where a check swaps something and puts it back: what an answer's globals,
defaults and closure hold, or an attribute of a class.)

A later answer finds the earlier ones through its globals (the notebook's namespace). While it
is checked, those names mean autograd_ref's versions, so a wrong earlier answer costs points
once, in its own test, and not again here.
"""
import contextlib

_MISSING = object()
_UNCHANGED = object()


@contextlib.contextmanager
def stand_ins(answer, replacements):
    """While the block runs, each name of `replacements` in answer's globals means
    replacements[name], and so does every other way the answer holds the same object: another
    name (`Multiply = MultiplyGate`), a tuple or list in its globals (`STEPS = (Square, Exp)`), a
    default argument (`def f(x, cls=Square)`) or a variable it closes over. Everything is put back
    afterwards; a name that was missing is removed."""
    namespace = getattr(answer, "__globals__", None)
    if namespace is None:  # a callable object: it has no globals to swap
        yield
        return
    owns = {id(namespace[name]): stand_in for name, stand_in in replacements.items()
            if callable(namespace.get(name))}
    swaps = {name: _swapped(value, owns) for name, value in namespace.items()}
    swaps = {name: value for name, value in swaps.items() if value is not _UNCHANGED}
    swaps.update(replacements)  # each name gets its own stand-in, even if two shared an object
    saved = {name: namespace.get(name, _MISSING) for name in swaps}
    saved_defaults = answer.__defaults__, answer.__kwdefaults__
    saved_cells = [(cell, cell.cell_contents) for cell in answer.__closure__ or () if _filled(cell)]
    namespace.update(swaps)
    _swap_bound(answer, owns)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is _MISSING:
                namespace.pop(name, None)
            else:
                namespace[name] = value
        answer.__defaults__, answer.__kwdefaults__ = saved_defaults
        for cell, value in saved_cells:
            cell.cell_contents = value


def _swapped(value, owns):
    """value's stand-in, a tuple or list with stand-ins in it, or _UNCHANGED."""
    if id(value) in owns:
        return owns[id(value)]
    if type(value) in (tuple, list) and any(id(item) in owns for item in value):
        return type(value)(owns.get(id(item), item) for item in value)
    return _UNCHANGED


def _swap_bound(answer, owns):
    """Stand-ins in the answer's default arguments and in the variables it closes over."""
    if answer.__defaults__:
        answer.__defaults__ = tuple(owns.get(id(value), value) for value in answer.__defaults__)
    if answer.__kwdefaults__:
        answer.__kwdefaults__ = {key: owns.get(id(value), value) for key, value in answer.__kwdefaults__.items()}
    for cell in answer.__closure__ or ():
        if _filled(cell) and _swapped(cell.cell_contents, owns) is not _UNCHANGED:
            cell.cell_contents = _swapped(cell.cell_contents, owns)


def _filled(cell):
    try:
        cell.cell_contents
    except ValueError:  # a variable the function closes over that was never assigned
        return False
    return True


@contextlib.contextmanager
def attribute_stand_in(owner, name, value):
    """While the block runs, owner.<name> is value (a class's method, say); then as it was."""
    saved = vars(owner).get(name, _MISSING)
    setattr(owner, name, value)
    try:
        yield
    finally:
        if saved is _MISSING:
            delattr(owner, name)
        else:
            setattr(owner, name, saved)
