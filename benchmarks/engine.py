"""Engine speed against PyTorch (CPU), DeZero and micrograd, all measured in this one run.

    python benchmarks/engine.py [--nodes 300000] [--repeat 5]

Prints microseconds per graph node (forward + backward) for a chain of scalar multiplications
and a fan-in chain (one variable reused n times), milliseconds per training step of a 2-100-3
MLP on a batch of 30, and each figure as a ratio to PyTorch's.

The garbage collector stays on, as in a student's notebook, and its cost is amortised: each
figure is the total time of as many runs as it takes to build `--nodes` nodes, divided by those
nodes. (A median of a few runs would hide the collector at 1e3 nodes, where most runs escape a
full collection, and show it at 1e4, where every run pays one.) A second table gives the part
of each figure spent in the collector, measured with gc.callbacks, and the objects it tracks per
node; a third, each engine's own work without it. Libraries that are not installed are reported
as such and skipped.
"""
import argparse
import gc
import importlib
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# ten times CPython's default of 1,000, so micrograd's recursive backward gets through the 1e3
# chains; deeper ones still end in RecursionError, which the tables report as such
sys.setrecursionlimit(10_000)

SCALAR_SIZES = (1_000, 10_000, 100_000)
FAN_IN_SIZES = (1_000, 10_000)


class Engine:
    """What a benchmark needs from one library: a leaf, reuse, backward, an MLP step."""

    def __init__(self, name):
        self.name = name


def autograd_ref_engine():
    import autograd_ref as ag
    from autograd_ref.nn import MLP

    e = Engine("autograd_ref")
    e.leaf = lambda v: ag.Variable(np.array(v))
    e.add = lambda a, b: a + b
    e.backward = lambda y: y.backward()

    def mlp_step_factory():
        model = MLP([2, 100, 3])
        rng = np.random.default_rng(0)
        X, t = rng.standard_normal((30, 2)), rng.integers(0, 3, 30)

        def step():
            loss = ag.softmax_cross_entropy(model(X), t)
            model.cleargrads()
            loss.backward()
            model.sgd_step(0.1)
        return step

    e.mlp_step_factory = mlp_step_factory
    return e


def torch_engine():
    torch = importlib.import_module("torch")
    torch.set_num_threads(1)
    e = Engine(f"PyTorch {torch.__version__.split('+')[0]}")
    e.leaf = lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True)
    e.add = lambda a, b: a + b
    e.backward = lambda y: y.backward()

    def mlp_step_factory():
        torch.manual_seed(0)
        model = torch.nn.Sequential(torch.nn.Linear(2, 100), torch.nn.Sigmoid(), torch.nn.Linear(100, 3))
        model = model.double()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        X, t = torch.randn(30, 2, dtype=torch.float64), torch.randint(0, 3, (30,))

        def step():
            loss = torch.nn.functional.cross_entropy(model(X), t)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return step

    e.mlp_step_factory = mlp_step_factory
    return e


def dezero_engine():
    if not hasattr(np, "int"):
        np.int = int  # DeZero 0.0.13 still names np.int, which numpy 1.24 removed
    dezero = importlib.import_module("dezero")
    F = importlib.import_module("dezero.functions")
    models = importlib.import_module("dezero.models")
    optimizers = importlib.import_module("dezero.optimizers")
    e = Engine("DeZero")
    e.leaf = lambda v: dezero.Variable(np.array(v))
    e.add = lambda a, b: a + b
    e.backward = lambda y: y.backward()

    def mlp_step_factory():
        model = models.MLP((100, 3))
        optimizer = optimizers.SGD(0.1).setup(model)
        rng = np.random.default_rng(0)
        X, t = rng.standard_normal((30, 2)), rng.integers(0, 3, 30)

        def step():
            loss = F.softmax_cross_entropy(model(X), t)
            model.cleargrads()
            loss.backward()
            optimizer.update()
        return step

    e.mlp_step_factory = mlp_step_factory
    return e


def micrograd_engine():
    engine = importlib.import_module("micrograd.engine")
    e = Engine("micrograd")
    e.leaf = engine.Value
    e.add = lambda a, b: a + b
    e.backward = lambda y: y.backward()
    e.mlp_step_factory = None  # scalar-only engine: no batched MLP to compare
    return e


class CollectorClock:
    """Seconds spent in garbage collections since the clock was made, from gc.callbacks."""

    def __init__(self):
        self.total = 0.0
        self._started = None
        gc.callbacks.append(self._on_collection)

    def _on_collection(self, phase, info):
        if phase == "start":
            self._started = time.perf_counter()
        elif self._started is not None:
            self.total += time.perf_counter() - self._started
            self._started = None


COLLECTOR = CollectorClock()


def amortised(run, nodes_per_run, node_budget, warm_up_nodes=20_000):
    """(us per node, us per node in the collector) over enough runs to build node_budget nodes,
    after warm-up runs of warm_up_nodes nodes in all (one run of a 1e3 chain leaves the first
    library measured paying for the process's own warm-up); at least three runs. Starts from a
    full collection, so no library pays for the garbage another one left."""
    gc.collect()
    for _ in range(max(1, warm_up_nodes // nodes_per_run)):
        run()
    runs = max(3, -(-node_budget // nodes_per_run))
    collector_before = COLLECTOR.total
    start = time.perf_counter()
    for _ in range(runs):
        run()
    elapsed = time.perf_counter() - start
    nodes = runs * nodes_per_run
    return elapsed / nodes * 1e6, (COLLECTOR.total - collector_before) / nodes * 1e6


def median_of(repeat, run):
    """Median of `repeat` timings of run() in seconds (one warm-up first)."""
    run()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def build_scalar_chain(e, n):
    y = e.leaf(0.5)
    for _ in range(n):
        y = y * 0.999
    return y


def build_fan_in_chain(e, n):
    x = e.leaf(0.5)
    y = x
    for _ in range(n):
        y = e.add(y, x)
    return y


def forward_and_backward(e, build, n):
    return lambda: e.backward(build(e, n))


def tracked_per_node(e, build, n=10_000):
    """Objects the garbage collector tracks that a graph keeps alive, per node: what each full
    collection has to scan again, and what brings the next full collection closer."""
    gc.collect()
    before = len(gc.get_objects())
    graph = build(e, n)  # alive while the objects are counted
    kept = len(gc.get_objects()) - before
    return kept / n


def measure(engines, args):
    """({library: {label: figure}}, {library: {label: the collector's part}}). Each figure is
    taken for every library before the next one, so a machine that slows down or speeds up
    during the run shifts all libraries alike and the ratios hold."""
    figures = {e.name: {} for e in engines}
    in_collector = {e.name: {} for e in engines}
    chains = [("scalar chain", build_scalar_chain, n) for n in SCALAR_SIZES]
    chains += [("fan-in chain", build_fan_in_chain, n) for n in FAN_IN_SIZES]
    for kind, build, n in chains:
        label = f"{kind} 1e{len(str(n)) - 1} (us/node)"
        for e in engines:
            try:
                run = forward_and_backward(e, build, n)
                figures[e.name][label], in_collector[e.name][label] = amortised(run, n, args.nodes)
            except RecursionError:
                figures[e.name][label] = in_collector[e.name][label] = "RecursionError"
    for kind, build in (("scalar chain", build_scalar_chain), ("fan-in chain", build_fan_in_chain)):
        for e in engines:
            in_collector[e.name][f"{kind}: tracked objects kept per node"] = tracked_per_node(e, build)
    label = "MLP 2-100-3 step (ms)"
    for e in engines:
        if e.mlp_step_factory is None:
            figures[e.name][label] = "n/a"
        else:
            figures[e.name][label] = median_of(args.repeat * 20, e.mlp_step_factory()) * 1e3
    return figures, in_collector


def load_engines():
    engines, missing = [autograd_ref_engine()], []
    for factory, package in ((torch_engine, "torch"), (dezero_engine, "dezero"), (micrograd_engine, "micrograd")):
        try:
            engines.append(factory())
        except ImportError:
            missing.append(package)
    return engines, missing


def print_table(results, baseline):
    labels = list(next(iter(results.values())))
    names = list(results)
    print(f"{'':46}" + "".join(f"{name:>22}" for name in names))
    for label in labels:
        row = f"{label:46}"
        for name in names:
            value = results[name][label]
            base = results.get(baseline, {}).get(label)
            if isinstance(value, float) and isinstance(base, float):
                row += f"{value:>12.2f} ({value / base:4.2f}x)"
            elif isinstance(value, float):
                row += f"{value:>22.2f}"
            else:
                row += f"{value:>22}"
        print(row)


def without_collector(results, in_collector):
    """Each chain figure minus its time in the collector: what the engine itself costs."""
    own = {}
    for name, figures in results.items():
        collector = in_collector[name]
        own[name] = {label: value - collector[label] if isinstance(value, float) else value
                     for label, value in figures.items() if label in collector}
    return own


def fan_in_growth(figures):
    ours = figures["autograd_ref"]
    return ours["fan-in chain 1e4 (us/node)"] / ours["fan-in chain 1e3 (us/node)"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=300_000, help="nodes built per chain figure")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of 20 MLP steps (median)")
    args = parser.parse_args()
    engines, missing = load_engines()
    results, in_collector = measure(engines, args)
    baseline = next((name for name in results if name.startswith("PyTorch")), None)
    print_table(results, baseline)
    print("\nthe garbage collector's part: time in collections, and objects it tracks per node")
    print_table(in_collector, None)
    own_work = without_collector(results, in_collector)
    print("\nthe engines' own work: each figure minus its time in the collector")
    print_table(own_work, baseline)
    print(f"\nautograd_ref fan-in cost per node, 1e4 vs 1e3: {fan_in_growth(results):.2f}x "
          f"(own work alone: {fan_in_growth(own_work):.2f}x)")
    if baseline:
        print("(ratios in brackets are against " + baseline + ", measured in this run)")
    if missing:
        print("not installed, skipped: " + ", ".join(missing))


if __name__ == "__main__":
    main()
