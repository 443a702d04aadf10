"""Short text for values, the HTML-like labels graphviz shows them in, and the node looks.

Labels stay ASCII: graphviz sizes text from per-character width tables and warns about
characters it has no width for.
"""
import html

import numpy as np

SMALL_ARRAY = 6  # arrays up to this many elements show their values, larger ones their shape
VALUE_COLOR = "darkgreen"
GRAD_COLOR = "red3"

VARIABLE = {"shape": "ellipse", "style": "filled", "fillcolor": "lightyellow"}
FUNCTION = {"shape": "box", "style": "filled", "fillcolor": "lightblue"}
CURRENT = {"style": "filled", "fillcolor": "orange", "penwidth": "2"}
PENDING = {"color": "grey60", "fontcolor": "grey50", "fillcolor": "grey95"}


def unwrap(value):
    """The array inside a Variable-like object (anything with `.data` that is not numpy's own)."""
    if isinstance(value, (np.ndarray, np.generic)):
        return value
    return getattr(value, "data", value)


def short(value) -> str:
    """A value in a few characters: 4 significant digits, small arrays whole, else shape, dtype."""
    array = np.asarray(unwrap(value))
    if array.ndim == 0:
        return _scalar(array.item())
    if array.size <= SMALL_ARRAY:
        return np.array2string(array, separator=", ", formatter={"float_kind": _float})
    return f"{array.shape} {array.dtype}"


def is_scalar(value) -> bool:
    return np.ndim(unwrap(value)) == 0


def shape_of(value) -> str:
    return str(np.shape(unwrap(value)))


def _float(value) -> str:
    return _scalar(float(value))


def _scalar(item) -> str:
    if isinstance(item, bool) or not isinstance(item, (int, float, complex)):
        return str(item)
    digits = format(item, ".4g")
    if isinstance(item, float) and digits.lstrip("-").isdigit():
        return digits + ".0"  # 2.0, not 2: the value is a float
    return digits


def text(value) -> str:
    """Plain text made safe for an HTML-like label, its line breaks kept."""
    return html.escape(str(value)).replace("\n", "<br/>")


def bold(value) -> str:
    return f"<b>{text(value)}</b>"


def colored(value, color) -> str:
    return f'<font color="{color}">{text(value)}</font>'


def small(value) -> str:
    return f'<font point-size="9">{text(value)}</font>'


def html_label(*lines) -> str:
    """An HTML-like label of the given lines (already HTML), empty ones left out."""
    return "<" + "<br/>".join(line for line in lines if line) + ">"


def value_label(name, value, grad, verbose=True) -> str:
    """Label of a variable: bold name, then (verbose) its value and, when known, its grad in red."""
    lines = [bold(name) if name is not None else ""]
    if verbose:
        lines.append(text(short(value)))
        if grad is not None:
            lines.append(colored(f"grad {short(grad)}", GRAD_COLOR))
    return html_label(*lines)
