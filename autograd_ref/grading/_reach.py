"""What an answer's code reaches, read from its bytecode and source without running it.

`require_own` asks: which objects do its names and attribute chains pick up, which modules
does it search by name at run time (`getattr(module, "sum" + "_to")`), and what does its
source say.
"""
import dis
import inspect
import io
import sys
import textwrap
import tokenize
import types

_LOOKUPS = ("getattr", "vars")  # builtins that look a name up at run time
_LOADS = ("LOAD_GLOBAL", "LOAD_NAME", "LOAD_FAST", "LOAD_DEREF")
_ATTRIBUTE_LOADS = ("LOAD_ATTR", "LOAD_METHOD")


def objects_reached(function):
    """Everything the function's code picks up by name: globals, closure variables, attribute
    chains through modules and classes (`autograd_ref.stages.manual.Square`), and imports."""
    reached = [cell.cell_contents for cell in function.__closure__ or () if _has_contents(cell)]
    return reached + [value for _, _, _, value in _steps(function) if value is not None]


def modules_searched(function):
    """Modules the code looks names up in at run time: `getattr(module, name)`, `vars(module)`,
    `module.__dict__`. getattr on anything else (`getattr(x, "data", x)`) does not count."""
    steps = list(_steps(function))
    for position, (op, name, before, _) in enumerate(steps):
        if op in _ATTRIBUTE_LOADS and name in ("__dict__", "__getattribute__"):
            owner = before
        elif op in ("LOAD_GLOBAL", "LOAD_NAME") and name in _LOOKUPS:
            owner = _chain_value(steps[position + 1:])  # the first argument
        else:
            continue
        if isinstance(owner, types.ModuleType):
            yield owner


def statements(function, strings=False):
    """Each logical line of the function's source as its names and operators joined by spaces
    (with strings=True, its string literals too, docstrings excepted). Comments never count."""
    try:
        source = textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError):
        return  # no source (e.g. built with exec): the bytecode checks still apply
    kept = (tokenize.NAME, tokenize.OP, tokenize.NUMBER) + ((tokenize.STRING,) if strings else ())
    words, lone_string = [], True
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type in kept:
                words.append(token.string)
                lone_string = lone_string and token.type == tokenize.STRING
            elif token.type == tokenize.NEWLINE:
                if not (strings and lone_string):
                    yield " ".join(words)
                words, lone_string = [], True
    except (tokenize.TokenError, SyntaxError):
        pass  # an unusual fragment: judge what was read
    yield " ".join(words)


def _steps(function):
    """(operation, its name, value before, value after) for each instruction of the function
    and of the code nested in it; a value is what a name or attribute lookup gave, else None."""
    for code in _code_objects(function.__code__):
        current = importing = fromlist = None
        local_values = {}  # local names bound to what an import or a lookup produced
        for instruction in dis.get_instructions(code):
            op, name, before = instruction.opname, instruction.argval, current
            if op in ("LOAD_GLOBAL", "LOAD_NAME"):
                current = local_values.get(name, function.__globals__.get(name))
            elif op in ("LOAD_FAST", "LOAD_DEREF"):
                current = local_values.get(name)
            elif op in _ATTRIBUTE_LOADS or op == "IMPORT_FROM":
                current = _attribute(current if current is not None else importing, name)
            elif op == "IMPORT_NAME":  # `import a.b` gives a; `from a.b import c` gives a.b
                importing = current = sys.modules.get(name if fromlist else name.partition(".")[0])
            elif op.startswith("STORE_") and current is not None:
                local_values[name], current = current, None
            elif op not in ("SWAP", "POP_TOP"):  # these only shuffle the stack inside an import
                current = None
            fromlist = name if op == "LOAD_CONST" else None
            yield op, name, before, current


def _chain_value(steps):
    """What a plain chain `a.b.c` at the start of steps evaluates to, else None."""
    value = None
    for position, (op, _, _, after) in enumerate(steps):
        if op not in (_ATTRIBUTE_LOADS if position else _LOADS):
            return value
        value = after
    return value


def _attribute(owner, name):
    """owner.name for modules and classes (looked up without running any code), else None."""
    if isinstance(owner, (types.ModuleType, type)):
        return inspect.getattr_static(owner, name, None)
    return None


def _code_objects(code):
    """code and every function or class body nested inside it."""
    yield code
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            yield from _code_objects(constant)


def _has_contents(cell):
    try:
        cell.cell_contents
    except ValueError:  # a closure variable not assigned yet
        return False
    return True
