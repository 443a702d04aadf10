"""Forward-mode differentiation with dual numbers.

A Dual carries a value and its derivative (`dot`) along one chosen direction. Every operation
computes both at once, so one forward pass gives the derivative of the output with respect to
whatever input was seeded with dot = 1.
"""
import numbers

import numpy as np


class Dual:
    """A value with its derivative: Dual(val, dot). Seed an input with Dual(x, 1.0)."""

    __array_ufunc__ = None  # so `ndarray + Dual` calls Dual.__radd__ instead of looping over it

    def __init__(self, val, dot=0.0):
        for name, part in (("val", val), ("dot", dot)):
            if not _is_plain(part):
                raise TypeError(
                    f"Dual's {name} must be a number or an ndarray, got {type(part).__name__}"
                )
        self.val = val
        self.dot = dot

    def __repr__(self):
        return f"Dual(val={self.val!r}, dot={self.dot!r})"

    def __add__(self, other):
        other = _as_dual(other)
        return Dual(self.val + other.val, self.dot + other.dot)

    def __sub__(self, other):
        other = _as_dual(other)
        return Dual(self.val - other.val, self.dot - other.dot)

    def __mul__(self, other):
        other = _as_dual(other)
        return Dual(self.val * other.val, self.dot * other.val + self.val * other.dot)

    def __truediv__(self, other):
        other = _as_dual(other)
        quotient = self.val / other.val
        return Dual(quotient, (self.dot - quotient * other.dot) / other.val)

    def __radd__(self, other):
        return _as_dual(other) + self

    def __rsub__(self, other):
        return _as_dual(other) - self

    def __rmul__(self, other):
        return _as_dual(other) * self

    def __rtruediv__(self, other):
        return _as_dual(other) / self

    def __neg__(self):
        return Dual(-self.val, -self.dot)

    def __pow__(self, exponent):
        if not _is_plain(exponent):
            raise TypeError(
                f"a Dual's exponent must be a plain number, got {type(exponent).__name__}; "
                f"for x ** y with a Dual y write (y * x.log()).exp()"
            )
        return self._chain(self.val ** exponent, exponent * self.val ** (exponent - 1))

    # The elementary functions: value, then the local derivative that the chain rule needs.
    def exp(self):
        value = np.exp(self.val)
        return self._chain(value, value)

    def log(self):
        return self._chain(np.log(self.val), 1 / self.val)

    def sqrt(self):
        root = np.sqrt(self.val)
        return self._chain(root, 1 / (2 * root))

    def sin(self):
        return self._chain(np.sin(self.val), np.cos(self.val))

    def cos(self):
        return self._chain(np.cos(self.val), -np.sin(self.val))

    def _chain(self, value, local_derivative):
        return Dual(value, local_derivative * self.dot)


def _elementary(name):
    """A function that works on Duals (their method) and on plain numbers (numpy's)."""
    numpy_function = getattr(np, name)

    def function(x):
        return getattr(x, name)() if isinstance(x, Dual) else numpy_function(x)

    function.__name__ = name
    function.__doc__ = f"{name}(x) for a Dual or a plain number / ndarray."
    return function


exp = _elementary("exp")
log = _elementary("log")
sqrt = _elementary("sqrt")
sin = _elementary("sin")
cos = _elementary("cos")


def _is_plain(x):
    return isinstance(x, (numbers.Number, np.ndarray))


def _as_dual(x):
    """A plain number is a constant: its derivative is 0."""
    if isinstance(x, Dual):
        return x
    if _is_plain(x):
        return Dual(x)
    raise TypeError(f"cannot combine a Dual with {type(x).__name__}; use numbers or Duals")
