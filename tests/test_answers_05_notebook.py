"""Stage 05 graded the way an outside grader would: the student notebook run in real kernels with
answers written in (right ones written differently from the solution, typical wrong ones, the
reference passed off as an answer, a patched numpy). The checks called directly, on answers no
notebook run covers, are in test_answers_05_<exercise>.py."""
import pytest

from notebook_answers import failed, failures, kernel_runs, source

STAGE = "05_general_graphs"
pytestmark = pytest.mark.stage05


# Correct, but not the solution's way: Kahn's algorithm, np.add and a generator of upstream
# gradients, Function classes called directly and plain floats returned.
RIGHT = {
    "topological_order": source("""
        def topological_order(y):
            # Kahn's algorithm: a function is ready once every function using its outputs ran
            functions, waiting, stack = {}, {}, [y.creator] if y.creator else []
            while stack:
                fn = stack.pop()
                if id(fn) in functions:
                    continue
                functions[id(fn)] = fn
                for inp in fn.inputs:
                    if inp.creator is not None:
                        waiting[id(inp.creator)] = waiting.get(id(inp.creator), 0) + 1
                        stack.append(inp.creator)
            ready, result = [y.creator] if y.creator else [], []
            while ready:
                fn = ready.pop()
                result.append(fn)
                for inp in fn.inputs:
                    if inp.creator is not None:
                        waiting[id(inp.creator)] -= 1
                        if waiting[id(inp.creator)] == 0:
                            ready.append(inp.creator)
            return result
    """),
    "backward_general": source("""
        def backward_general(var):
            if var.grad is None:
                var.grad = np.ones(np.shape(var.data))
            for fn in topological_order(var):
                result = fn.backward(*(out.grad for out in fn.outputs))
                result = result if type(result) is tuple else (result,)
                for inp, g in zip(fn.inputs, result):
                    inp.grad = g if inp.grad is None else np.add(inp.grad, g)
    """),
    "log_sqrt_graph": source("""
        def log_sqrt_graph(x, y):
            vx = Variable(np.asarray(x, dtype=np.float64))
            vy = Variable(np.asarray(y, dtype=np.float64))
            b = Mul()(Log()(vx), vy)
            out = Add()(Sqrt()(b), b)
            out.backward_general()
            return float(out.data), float(vx.grad), float(vy.grad)
    """),    # a class with __enter__/__exit__ keeping the old value on self
    "no_grad": source("""
        class using_config:
            def __init__(self, name, value):
                self.name, self.value = name, value

            def __enter__(self):
                self.old = getattr(Config, self.name)
                setattr(Config, self.name, self.value)

            def __exit__(self, *error):
                setattr(Config, self.name, self.old)

        def no_grad():
            return using_config("enable_backprop", False)
    """),
}

# Duplicates (no seen set); `+=` on the gradient (with an order of its own); df/dx and df/dy
# swapped (computed with the stage's own backward, which is allowed here).
WRONG_DUPLICATES_IN_PLACE_SWAPPED = {
    "topological_order": source("""
        def topological_order(output):
            found, pending = [], [output.creator]
            while pending:
                f = pending.pop()
                found.append(f)
                pending.extend(x.creator for x in f.inputs if x.creator is not None)
            return sorted(found, key=lambda f: -f.generation)
    """),
    "backward_general": source("""
        def backward_general(self):
            if self.grad is None:
                self.grad = np.ones_like(self.data)
            functions, pending = set(), [self.creator]
            while pending:
                f = pending.pop()
                functions.add(f)
                pending.extend(x.creator for x in f.inputs if x.creator is not None)
            for f in sorted(functions, key=lambda f: -f.generation):
                gxs = f.backward(*[y.grad for y in f.outputs])
                if not isinstance(gxs, tuple):
                    gxs = (gxs,)
                for x, gx in zip(f.inputs, gxs):
                    if x.grad is None:
                        x.grad = gx
                    else:
                        x.grad += gx
    """),
    "log_sqrt_graph": source("""
        def log_sqrt_graph(x, y):
            x, y = Variable(np.array(float(x))), Variable(np.array(float(y)))
            b = mul(log(x), y)
            f = add(sqrt(b), b)
            f.backward()
            return f.data, y.grad, x.grad
    """),    # no try/finally: a block that raises leaves recording off
    "no_grad": source("""
        @contextlib.contextmanager
        def using_config(name, value):
            old = getattr(Config, name)
            setattr(Config, name, value)
            yield
            setattr(Config, name, old)

        def no_grad():
            return using_config("enable_backprop", False)
    """),
}

# A wrong topological_order (producers first), then right answers that use it: each later
# exercise is graded with autograd_ref's topological_order and backward, so they pass.
WRONG_ORDER_RIGHT_LATER_ANSWERS = {
    "topological_order": source("""
        def topological_order(output):
            seen, order = set(), []
            def visit(f):
                if f in seen:
                    return
                seen.add(f)
                for x in f.inputs:
                    if x.creator is not None:
                        visit(x.creator)
                order.append(f)
            visit(output.creator)
            return order
    """),
    "backward_general": source("""
        def backward_general(self):
            if self.grad is None:
                self.grad = np.ones_like(self.data)
            for f in topological_order(self):
                gxs = f.backward(*[y.grad for y in f.outputs])
                if not isinstance(gxs, tuple):
                    gxs = (gxs,)
                for x, gx in zip(f.inputs, gxs):
                    x.grad = gx if x.grad is None else x.grad + gx
    """),
    "log_sqrt_graph": source("""
        def log_sqrt_graph(x, y):
            x, y = Variable(np.array(float(x))), Variable(np.array(float(y)))
            b = mul(log(x), y)
            f = add(sqrt(b), b)
            f.backward_general()
            return f.data, x.grad, y.grad
    """),
}

# The reference under the answer's name, the reference loop called; then a patched np.allclose.
REFERENCE_AND_TAMPERING = {
    "topological_order": source("""
        from autograd_ref.stages.general import topological_order
    """),
    "backward_general": source("""
        def backward_general(self):
            self.backward()
    """),
    "log_sqrt_graph": source("""
        np.allclose = lambda *args, **kwargs: True
        def log_sqrt_graph(x, y):
            return 0.0, 0.0, 0.0
    """),    "no_grad": source("""
        from autograd_ref.stages.general import no_grad, using_config
    """),
}


# each set of answers run once in a real kernel: {label: {test grade_id: TestResult}}
graded = kernel_runs(STAGE, {
    "right": RIGHT,
    "duplicates/in place/swapped": WRONG_DUPLICATES_IN_PLACE_SWAPPED,
    "wrong order, right later answers": WRONG_ORDER_RIGHT_LATER_ANSWERS,
    "reference/tampering": REFERENCE_AND_TAMPERING,
})


@pytest.mark.notebooks
def test_right_answers_written_differently_pass_every_test(graded):
    assert not failures(graded["right"])


@pytest.mark.notebooks
def test_later_answers_are_graded_without_the_earlier_ones(graded):
    results = graded["wrong order, right later answers"]
    assert not results["test_topological_order"].passed
    for test in ("test_backward_general", "test_log_sqrt_graph"):
        assert results[test].passed, results[test].message


@pytest.mark.notebooks
@pytest.mark.parametrize("label, test, outcome, phrase", [
    ("duplicates/in place/swapped", "test_topological_order", "failed", "appears more than once"),
    ("duplicates/in place/swapped", "test_backward_general", "failed", "changes an array in place"),
    ("duplicates/in place/swapped", "test_log_sqrt_graph", "failed", "are swapped"),
    ("wrong order, right later answers", "test_topological_order", "failed", "which uses its output"),
    ("reference/tampering", "test_topological_order", "reference answer",
     "`autograd_ref.stages.general.topological_order`"),
    ("reference/tampering", "test_backward_general", "reference answer",
     "`autograd_ref.stages.general.Variable.backward`"),
    ("reference/tampering", "test_log_sqrt_graph", "failed", "log_sqrt_graph(3.0, 2.0): f"),  # numpy patched in vain
    ("duplicates/in place/swapped", "test_no_grad", "failed", "restore the old value in a `finally:`"),
    ("reference/tampering", "test_no_grad", "reference answer", "`autograd_ref."),
])
def test_wrong_answers_fail_saying_what_is_wrong(graded, label, test, outcome, phrase):
    result = failed(graded[label], test)
    assert result.outcome == outcome, result.message
    assert phrase in result.message
