"""Numbers for the checks, computed with numpy routines captured when the grader loaded.

Comparisons use numpy's compiled ufuncs, bound here at import time inside a closure, never
`np.allclose` or `np.isclose`: patching those in a notebook cannot make a wrong answer pass.
"""
import numpy as np


def plain(value):
    """The numbers inside value: a Variable (anything with `.data`) gives its data, and lists
    and tuples are unpacked item by item."""
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, (np.ndarray, np.generic)):  # these have a `.data` (a raw buffer) too
        return value
    return value.data if hasattr(value, "data") else value


def _capture():
    """Bind the ufuncs now, and build the three functions the checks use from them."""
    asarray, float64, intp = np.asarray, np.float64, np.intp
    absolute, subtract, add, multiply = np.absolute, np.subtract, np.add, np.multiply
    equal, less_equal, isnan = np.equal, np.less_equal, np.isnan
    both, either, negate = np.logical_and, np.logical_or, np.logical_not
    count, errstate = np.add.reduce, np.errstate

    def to_floats(value):
        """value as a float64 ndarray; TypeError if it is not made of plain numbers."""
        array = asarray(plain(value))
        if array.dtype.kind not in "biuf":  # bool, int, unsigned, float
            raise TypeError(f"not a number or an array of numbers (dtype {array.dtype})")
        return asarray(array, dtype=float64)

    def mismatches(got, expected, rtol, atol):
        """Boolean array, True where |got - expected| > atol + rtol * |expected|.

        Equal values always match (so inf matches inf), and NaN matches NaN.
        """
        with errstate(invalid="ignore", over="ignore"):  # inf - inf is NaN: no warning needed
            tolerance = add(atol, multiply(rtol, absolute(expected)))
            within = less_equal(absolute(subtract(got, expected)), tolerance)
        same = either(equal(got, expected), both(isnan(got), isnan(expected)))
        return negate(either(within, same))

    def count_true(mask, axis=None):
        """How many entries of a boolean array are True (per line when an axis is given)."""
        return count(mask, axis=axis, dtype=intp)

    def largest_at(array):
        """The flat index of the element with the largest magnitude."""
        return absolute(array).argmax()

    return to_floats, mismatches, count_true, largest_at


to_floats, mismatches, count_true, largest_at = _capture()


def matches(got, expected, rtol=1e-6, atol=1e-8):
    """True when every element of got is within tolerance of expected (shapes must agree)."""
    return count_true(mismatches(got, expected, rtol, atol)) == 0


def numbers_match(got, expected, rtol=1e-6, atol=1e-9):
    """got and expected are numbers of one shape, each within tolerance; False when either is
    not made of numbers (a check that wants to say why uses expect_close)."""
    try:
        got, expected = to_floats(got), to_floats(expected)
    except (TypeError, ValueError):
        return False
    return got.shape == expected.shape and bool(matches(got, expected, rtol, atol))
