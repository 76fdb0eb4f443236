"""What one `n` (a debug session's step) costs against LangGraph's own step, as the thread grows.

A thread of H checkpoints is made by a real LangGraph loop on ``SqliteSaver``. Then, in
turns, one super-step is run by the floor, LangGraph's own ``graph.stream(None, config,
interrupt_after="*")`` on the bound graph (the least any program must do to take a step),
and by ``DebugSession.step`` (its checks, the run, the outcome), each on the same
thread. Printed per H: the median milliseconds of each, their ratio, and what reading the
whole history once costs (what every step paid before the session read only the rows
newer than those it has seen): the ratio should not grow with H.

Run: ``.venv/bin/python benchmarks/step_cost.py [--sizes 100 1000 4000] [--steps 15]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 4000], help="checkpoints in the thread")
    parser.add_argument("--steps", type=int, default=15, help="steps timed per size, each way")
    args = parser.parse_args()

    from agent_debug.inspector.acting_store import open_store
    from agent_debug.inspector.session import DebugSession
    from agent_debug.inspector.sources.local import LocalSource
    from tests.graphs import trivial_loop_builder

    graph = trivial_loop_builder().compile()
    print(f"{'checkpoints':>11}  {'LangGraph ms':>12}  {'session ms':>10}  {'ratio':>6}  {'whole history read ms':>21}")
    with tempfile.TemporaryDirectory(prefix="agent-debug-bench-") as tmp:
        for size in args.sizes:
            db = str(Path(tmp) / f"t{size}.db")
            with open_store(db, create=True) as store:
                session = DebugSession(LocalSource(store, graph))
                limit = size + 4 * args.steps + 10  # the loop must not end while timed
                floor_graph = session.graph
                cfg = {"configurable": {"thread_id": "t"}, "recursion_limit": 10 * limit}
                # Grow the thread to `size` checkpoints with LangGraph alone, then stop mid-loop.
                for steps, _ in enumerate(floor_graph.stream({"until": limit}, cfg, stream_mode="updates"), 2):
                    if steps >= size:  # each step is one checkpoint (after the input's and the first)
                        break
                session.step("t")  # the first step reads the whole history once
                ours, floor = [], []
                for _ in range(args.steps):
                    start = time.perf_counter()
                    for _ in floor_graph.stream(None, cfg, interrupt_after="*"):
                        pass
                    floor.append(time.perf_counter() - start)
                    start = time.perf_counter()
                    outcome = session.step("t")
                    ours.append(time.perf_counter() - start)
                    assert outcome.error is None and outcome.status.value == "pending", outcome
                start = time.perf_counter()
                total = len(store.source.history("t", limit=None).checkpoints)
                whole = (time.perf_counter() - start) * 1000
                f, o = statistics.median(floor) * 1000, statistics.median(ours) * 1000
                print(f"{total:>11}  {f:>12.2f}  {o:>10.2f}  {o / f:>6.2f}  {whole:>21.2f}")


if __name__ == "__main__":
    main()
