"""Words for failed checks: what was expected, what came back, where, and a likely cause."""
import numpy as np

from ._arrays import count_true, largest_at, matches, mismatches

MAX_LISTED = 3  # wrong elements quoted in one message


def short_repr(value, limit=100):
    """Short readable text for a value: numbers to 6 digits, arrays on one line."""
    if isinstance(value, (bool, np.bool_, int, np.integer)):
        return str(value)
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return short_repr(value[()])
        text = np.array2string(value, precision=6, threshold=12, separator=", ")
        text = " ".join(text.split())  # one line
        return _cut(text, limit) + (f" (shape {value.shape})" if value.size > 12 else "")
    if isinstance(value, (list, tuple)):
        inner = ", ".join(short_repr(item, limit) for item in value)
        if isinstance(value, tuple) and len(value) == 1:
            inner += ","  # (3,), as Python writes a tuple of one
        return _cut(f"[{inner}]" if isinstance(value, list) else f"({inner})", limit)
    if hasattr(value, "data") and isinstance(value.data, np.ndarray):  # an engine Variable
        return f"{type(value).__name__}({short_repr(value.data, limit)})"
    return _cut(repr(value), limit)


def a_value(value):
    """'float 0.5', 'None', 'ndarray [1, 2]': a value with its type, for 'got ...'."""
    if value is None:
        return "None (does your code `return` its result?)"
    return f"{type(value).__name__} {short_repr(value)}"


def name_of(fn):
    """The name a student knows a callable by: `Square.backward`, `square`."""
    return getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or type(fn).__name__


def call_text(label, args, kwargs):
    """`square(0.5)`: how a call looked, with short values."""
    shown = [short_repr(arg) for arg in args]
    shown += [f"{key}={short_repr(arg)}" for key, arg in kwargs.items()]
    return f"`{label}({', '.join(shown)})`"


def shape_problem(got, expected, rtol, atol):
    """Why got's shape is wrong, or None when the shapes agree."""
    if got.shape == expected.shape:
        return None
    text = f"expected shape {expected.shape}, got {got.shape}"
    if got.ndim == 2 and got.T.shape == expected.shape and matches(got.T, expected, rtol, atol):
        return text + "; this is the transpose of the right answer"
    if got.size == expected.size and matches(got.reshape(expected.shape), expected, rtol, atol):
        return text + "; the values are right, only the shape is not"
    return text


def value_problem(got, expected, rtol, atol, source="", guess_cause=True):
    """What is wrong with got's values (shapes already agree), or None when all are close.

    `source` says where the expected values came from, e.g. " from central difference".
    guess_cause: add a likely slip (a sign, a factor); off when the check gives its own hint.
    """
    wrong = mismatches(got, expected, rtol, atol)
    how_many = count_true(wrong)
    if how_many == 0:
        return None
    cause = _likely_cause(got, expected, rtol, atol) if guess_cause else ""
    if expected.ndim == 0:
        text = _scalar_text(float(expected), float(got), rtol, atol, source)
        return f"{text}; {cause}" if cause else text
    return _array_text(got, expected, wrong, how_many, source, cause)


def _scalar_text(expected, got, rtol, atol, source):
    shown_expected, shown_got = _number_pair(expected, got)
    text = f"expected {shown_expected}{source}, got {shown_got}"
    if f"{expected:.6g}" == f"{got:.6g}":  # a near miss: say how near, and what was allowed
        text += f" (off by {abs(got - expected):.2g}, allowed {atol + rtol * abs(expected):.2g})"
    return text


def _array_text(got, expected, wrong, how_many, source, cause):
    if how_many == wrong.size:
        text = f"all {how_many} values are wrong"
    else:
        text = f"{how_many} of {wrong.size} values are wrong"
        lines = _mostly_wrong_lines(wrong)
        text += f" ({lines})" if lines else ""
    text += f"; {cause}" if cause else ""
    indices = list(zip(*(axis.tolist() for axis in wrong.nonzero())))[:MAX_LISTED]
    details = []
    for index in indices:
        shown_expected, shown_got = _number_pair(float(expected[index]), float(got[index]))
        details.append(f"at {list(index)} expected {shown_expected}{source}, got {shown_got}")
    more = "; ..." if how_many > MAX_LISTED else ""
    return f"{text}: {'; '.join(details)}{more}"


def _mostly_wrong_lines(wrong):
    """'row 1 is wrong', 'columns 0 and 2 are mostly wrong': lines where most values are wrong.

    Only for matrices, and only when some lines but not all are like that (otherwise the
    listed elements say more).
    """
    if wrong.ndim != 2:
        return ""
    found = []
    for axis, noun in ((1, "row"), (0, "column")):
        length = wrong.shape[axis]
        wrong_per_line = count_true(wrong, axis=axis).tolist()
        lines = [i for i, count in enumerate(wrong_per_line) if length > 1 and 2 * count > length]
        if lines and len(lines) < len(wrong_per_line):
            every = all(wrong_per_line[i] == length for i in lines)
            found.append(f"{_plural(noun, lines)} {'is' if len(lines) == 1 else 'are'}"
                         f"{'' if every else ' mostly'} wrong")
    return "; ".join(found)


def _likely_cause(got, expected, rtol, atol):
    """A common slip that explains every wrong value at once, or ''."""
    if count_true(expected != 0) == 0:
        return ""
    if count_true(got != 0) == 0:
        return "your answer is all zeros" if got.ndim else "your answer is 0"
    if matches(-got, expected, rtol, atol):
        return "your answer has the wrong sign"
    if got.ndim == 2 and got.shape[0] == got.shape[1] and matches(got.T, expected, rtol, atol):
        return "this is the transpose of the right answer"
    largest = largest_at(expected)
    with np.errstate(over="ignore", invalid="ignore"):  # a huge or NaN ratio is no simple factor
        factor = float(got.flat[largest] / expected.flat[largest])
    if _is_simple_factor(factor) and matches(got, factor * expected, rtol, atol):
        return f"your answer is {factor:.4g} times the right one (check the constant factors)"
    return ""


def _is_simple_factor(factor):
    """2, 3, -4, 0.5, 1/30...: a whole number (or its inverse) that a slip could introduce."""
    if factor == 0 or factor != factor or abs(factor) == float("inf"):  # 0, NaN, infinite
        return False
    whole = factor if abs(factor) >= 1 else 1 / factor
    return 2 <= abs(whole) <= 10**4 and abs(whole - round(whole)) <= 1e-6 * abs(whole)


def _number_pair(expected, got):
    """Both numbers with just enough digits (at least 6) to tell them apart."""
    for digits in range(6, 18):
        shown = f"{expected:.{digits}g}", f"{got:.{digits}g}"
        if shown[0] != shown[1]:
            return shown
    return repr(expected), repr(got)


def _plural(noun, numbers):
    """_plural('row', [0, 2, 3]) == 'rows 0, 2 and 3'."""
    if len(numbers) == 1:
        return f"{noun} {numbers[0]}"
    return f"{noun}s {', '.join(map(str, numbers[:-1]))} and {numbers[-1]}"


def _cut(text, limit):
    return text if len(text) <= limit else text[: limit - 3] + "..."
