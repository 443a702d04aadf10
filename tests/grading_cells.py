"""Shared by the grading tests: notebook-like cells run in this process, and failure messages."""
import itertools
import linecache
import textwrap

import pytest

_cell_numbers = itertools.count()


def run_cell(source, namespace):
    """Run source the way a notebook kernel does: its own file name, source kept in linecache."""
    source = textwrap.dedent(source)
    filename = f"/tmp/ipykernel_test/{next(_cell_numbers)}.py"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)
    return namespace


def notebook(*cells):
    """A fresh kernel namespace after stage 02's locked setup cell, then the given cells."""
    namespace = {"__name__": "__main__"}
    run_cell("import numpy as np\nfrom autograd_ref.stages.manual import Function, Variable", namespace)
    for source in cells:
        run_cell(source, namespace)
    return namespace


def always_true(*args, **kwargs):
    """What a tampering answer puts in place of a comparison."""
    return True


def failure(check, *args, **kwargs):
    """The message of the AssertionError check(*args, **kwargs) must raise."""
    with pytest.raises(AssertionError) as caught:
        check(*args, **kwargs)
    return str(caught.value)
