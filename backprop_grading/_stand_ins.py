"""Grade each exercise on its own: earlier answers stand in as the reference during a check.

(The one place where a check swaps a name and puts it back: a name in an answer's globals, or
an attribute of a class.)

A later answer finds the earlier ones through its globals (the notebook's namespace). While it
is checked, those names mean autograd_ref's versions, so a wrong earlier answer costs points
once, in its own test, and not again here.
"""
import contextlib

_MISSING = object()


@contextlib.contextmanager
def stand_ins(answer, replacements):
    """While the block runs, each name of `replacements` in answer's globals, and every other
    name bound to the same object (an alias such as `Multiply = MultiplyGate`), means
    replacements[name]. Everything is put back afterwards; a name that was missing is removed."""
    namespace = getattr(answer, "__globals__", None)
    if namespace is None:  # a callable object: it has no globals to swap
        yield
        return
    swaps = {}
    for name, stand_in in replacements.items():
        own = namespace.get(name, _MISSING)
        if callable(own):
            swaps.update((alias, stand_in) for alias, value in namespace.items() if value is own)
    swaps.update(replacements)  # each name gets its own stand-in, even if two shared an object
    saved = {name: namespace.get(name, _MISSING) for name in swaps}
    namespace.update(swaps)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is _MISSING:
                namespace.pop(name, None)
            else:
                namespace[name] = value


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
