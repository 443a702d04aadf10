"""Where the time of one graph node goes: numpy's part and the engine's part, in one run.

    python benchmarks/node_cost.py [--nodes 10000] [--repeat 20]

A node of the scalar chain `y = y * 0.999` does, in numpy, one 0-d multiply and two conversions
to 0-d arrays (the result and the constant) going forward, and two multiplies (a numpy scalar
times a 0-d array) going backward. Those calls are timed alone, with no engine around them, and
set against the engine's forward and backward per node. The collector is off for all of it, so
this is the engines' own work only (benchmarks/engine.py has the collector's part).
Each figure is the fastest of `--repeat` runs, in microseconds per node.
"""
import argparse
import gc
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import autograd_ref as ag  # noqa: E402  (after the path line, so the checkout's engine is used)


def fastest(repeat, run):
    """The shortest of `repeat` timings of run(), in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def numpy_forward(nodes):
    y = np.array(0.5)
    for _ in range(nodes):
        y = np.asarray(y * np.asarray(0.999))


def numpy_backward(nodes):
    gy, x0, x1 = np.float64(1.0), np.array(0.5), np.array(0.999)
    for _ in range(nodes):
        gy * x1, gy * x0


def engine_chain(nodes):
    y = ag.Variable(np.array(0.5))
    for _ in range(nodes):
        y = y * 0.999
    return y


def engine_times(nodes, repeat):
    """(forward, backward) in seconds, each the fastest of `repeat` runs."""
    forward, backward = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        y = engine_chain(nodes)
        built = time.perf_counter()
        y.backward()
        forward.append(built - start)
        backward.append(time.perf_counter() - built)
    return min(forward), min(backward)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=10_000, help="nodes in the chain")
    parser.add_argument("--repeat", type=int, default=20, help="runs; the fastest counts")
    args = parser.parse_args()
    gc.disable()
    per_node = 1e6 / args.nodes
    forward, backward = (t * per_node for t in engine_times(args.nodes, args.repeat))
    numpy_fw = fastest(args.repeat, lambda: numpy_forward(args.nodes)) * per_node
    numpy_bw = fastest(args.repeat, lambda: numpy_backward(args.nodes)) * per_node
    print(f"{'us per node':32}{'forward':>10}{'backward':>10}{'total':>10}")
    for label, fw, bw in (("autograd_ref", forward, backward),
                          ("numpy's calls alone", numpy_fw, numpy_bw),
                          ("the engine's bookkeeping", forward - numpy_fw, backward - numpy_bw)):
        print(f"{label:32}{fw:>10.2f}{bw:>10.2f}{fw + bw:>10.2f}")
    print(f"\nnumpy's share of the engine's time: {(numpy_fw + numpy_bw) / (forward + backward):.0%}"
          f"  (Python {sys.version.split()[0]}, numpy {np.__version__})")


if __name__ == "__main__":
    main()
