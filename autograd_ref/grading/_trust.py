"""Tamper detection: remember the real functions when the grader loads, and insist on them.

Answer cells run in the same kernel as the locked test cells, so an answer could try
`np.allclose = lambda *a, **k: True`. A locked setup cell imports the grader before any answer
cell runs; that is when the originals are remembered. Every check then verifies, before and
after it runs, that nothing it relies on was swapped, and raises TamperingError naming what
was replaced. The remembered originals live in closures, not in module attributes a notebook
could reach and rewrite. (Python has no real sandbox: this stops the easy tricks, and makes
the rest visible.)
"""
import builtins
import dis
import functools
import inspect
import linecache
import math
import tokenize
import types

import numpy as np
import numpy.testing

from ._errors import TamperingError

# What an answer might patch to make a comparison pass, or what the checks use themselves.
WATCHED_NAMES = {
    np: (
        "allclose", "isclose", "array_equal", "array_equiv", "asarray", "asanyarray", "array",
        "abs", "absolute", "all", "any", "isfinite", "isnan", "equal", "subtract", "add",
        "multiply", "negative", "less_equal", "logical_and", "logical_or", "logical_not",
        "errstate", "ndarray", "float64", "shape", "transpose", "count_nonzero", "array2string",
    ),
    np.random: ("default_rng",),
    np.testing: (
        "assert_allclose", "assert_almost_equal", "assert_array_almost_equal",
        "assert_array_equal", "assert_equal", "assert_approx_equal", "assert_array_less",
    ),
    math: ("isclose", "isfinite", "isnan", "isinf", "fabs"),
    builtins: (
        "abs", "all", "any", "bool", "callable", "float", "getattr", "hasattr", "int",
        "isinstance", "issubclass", "len", "max", "min", "repr", "round", "sum", "type", "zip",
    ),
    # what require_own reads source and bytecode with
    inspect: ("getsource", "getsourcelines", "findsource", "getattr_static"),
    linecache: ("getlines",),
    dis: ("get_instructions",),
    tokenize: ("generate_tokens",),
}


def _make_watchman():
    """Build watch, guard_module, verify and guarded around one private list of originals."""
    # Bound once, here: a later patch of builtins or numpy cannot change how verification works.
    function_type, dispatcher_type, type_of = types.FunctionType, type(np.allclose), type
    id_of, count = id, len
    missing = object()
    originals = []  # (lookup, name, label, original object, fingerprint of its code)
    seen = set()  # (id of owner, name): watched once, so nothing can re-register a fake
    protected = {}  # id of a guarded module -> {name: original}

    def fingerprint(obj):
        """The parts of a Python function that can be swapped while the object stays the same."""
        if type_of(obj) is dispatcher_type:  # numpy wraps most Python functions in C dispatchers
            obj = obj._implementation
        if type_of(obj) is function_type:
            return (obj.__code__, obj.__defaults__, obj.__kwdefaults__)
        return None

    def unchanged(lookup, name, original, remembered):
        if lookup(name, missing) is not original:
            return False
        if remembered is None:
            return True
        code, defaults, kwdefaults = fingerprint(original)
        # identity only: comparing with == could run code an answer wrote
        return code is remembered[0] and defaults is remembered[1] and kwdefaults is remembered[2]

    def watch(owner, names, label):
        """Remember owner.<name> for each name (names missing from owner are skipped)."""
        namespace = owner.__dict__
        for name in names:
            if (id_of(owner), name) in seen or name not in namespace:
                continue
            seen.add((id_of(owner), name))
            original = namespace[name]
            remembered = fingerprint(original)
            originals.append((namespace.get, name, f"{label}.{name}", original, remembered))

    def verify():
        """Raise TamperingError naming every watched object that is no longer the original."""
        replaced = [
            label
            for lookup, name, label, original, remembered in originals
            if not unchanged(lookup, name, original, remembered)
        ]
        if replaced:
            one = count(replaced) == 1
            raise TamperingError(
                f"Tampering detected: `{'`, `'.join(replaced)}` {'was' if one else 'were'} "
                f"replaced after the grader was loaded. Remove the code in your notebook that "
                f"replaces {'it' if one else 'them'} (a line like `{replaced[0]} = ...`), then "
                f"restart the kernel and run all cells again."
            )

    depth = [0]  # how many guarded checks are running now (checks call one another)

    def guarded(check):
        """Decorate a check so it verifies the environment before and after it runs.

        Only the outermost check verifies: the checks it calls run inside that bracket, and
        verifying ~800 objects around every nested call was most of a notebook's grading time.
        """

        @functools.wraps(check)
        def guarded_check(*args, **kwargs):
            if depth[0]:
                return check(*args, **kwargs)
            verify()
            depth[0] += 1
            try:
                return check(*args, **kwargs)
            finally:
                depth[0] -= 1
                verify()  # the check may have run notebook code, which may have patched something

        return guarded_check

    class GuardedModule(types.ModuleType):
        """A module whose remembered names refuse to be rebound or deleted."""

        def __setattr__(self, name, value):
            original = protected.get(id_of(self), {}).get(name, missing)
            if original is not missing and value is not original:
                raise TamperingError(
                    f"`{self.__name__}.{name}` is part of the grader and cannot be replaced: "
                    f"remove the line in your notebook that assigns it."
                )
            super().__setattr__(name, value)

        def __delattr__(self, name):
            if name in protected.get(id_of(self), {}):
                raise TamperingError(f"`{self.__name__}.{name}` is part of the grader: keep it.")
            super().__delattr__(name)

    def guard_module(module, names):
        """Refuse assignments to these names of a module from now on."""
        protected[id_of(module)] = {name: module.__dict__[name] for name in names}
        module.__class__ = GuardedModule

    watch(GuardedModule, ("__setattr__", "__delattr__"), "the grader's module guard")
    for owner, names in WATCHED_NAMES.items():
        watch(owner, names, owner.__name__)
    return watch, guard_module, verify, guarded


watch, guard_module, verify, guarded = _make_watchman()


def trusted_names(module):
    """A module's functions, classes and imported modules: the names its code looks up.

    Data (numbers, strings, caches) is left out, since a module may update it legitimately.
    """
    return [
        name
        for name, value in vars(module).items()
        if not name.startswith("__") and (callable(value) or isinstance(value, types.ModuleType))
    ]


def watch_module(module, *, guard=False):
    """Watch a module's functions, classes and imported modules, and the methods of its
    autograd_ref classes. With guard=True, assigning to those names also fails at once."""
    names = trusted_names(module)
    watch(module, names, module.__name__)
    if guard:
        guard_module(module, names)
    for name in names:
        value = vars(module)[name]
        if isinstance(value, type) and value.__module__.startswith("autograd_ref"):
            watch_methods(value)


def watch_methods(cls):
    """Watch the functions a class defines itself (so `Square.backward = ...` is noticed)."""
    methods = [
        name
        for name, value in vars(cls).items()
        if isinstance(value, (types.FunctionType, property, staticmethod, classmethod))
    ]
    watch(cls, methods, f"{cls.__module__}.{cls.__qualname__}")
