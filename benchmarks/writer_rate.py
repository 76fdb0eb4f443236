"""A workflow's checkpoint rate with and without agent-debug following its store.

The writer is a real LangGraph graph (a loop of trivial steps on ``SqliteSaver``, each
step one checkpoint and its writes) in its own process. It runs alone, then with a
reader process that does what ``attach`` does while the workflow runs: poll the change
token every ``--poll`` seconds (0.05, the fastest ``--poll`` allows) and, when it moves,
read the thread list and the newest history page; and with a reader that only polls
(what following costs the writer, apart from the reader's share of the CPU). Each
pair is run ``--repeat`` times and the best rate of each is kept. Printed: steps per second alone and followed,
the ratio, how many changes the reader saw, and whether its last look matched the
writer's final checkpoint count. In every journal mode LangGraph's writer may meet:
WAL (the default ``setup()`` sets) and the rollback journal (``delete``).

Run: ``.venv/bin/python benchmarks/writer_rate.py [--steps 400] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

WRITER = textwrap.dedent(
    """
    import operator, sqlite3, sys, time
    from typing import Annotated, TypedDict
    from langgraph.checkpoint.sqlite import SqliteSaver
    from langgraph.graph import END, START, StateGraph

    path, journal, steps = sys.argv[1], sys.argv[2], int(sys.argv[3])

    class S(TypedDict):
        n: int
        log: Annotated[list, operator.add]

    def tick(s):
        return {"n": s["n"] + 1, "log": [s["n"]]}

    g = StateGraph(S)
    g.add_node("tick", tick)
    g.add_edge(START, "tick")
    g.add_conditional_edges("tick", lambda s: "tick" if s["n"] < steps else END)
    conn = sqlite3.connect(path, check_same_thread=False)
    saver = SqliteSaver(conn)
    saver.setup()
    conn.execute(f"PRAGMA journal_mode={journal}")
    graph = g.compile(checkpointer=saver)
    sys.stdin.readline()  # the reader is ready
    start = time.perf_counter()
    graph.invoke({"n": 0, "log": []}, {"configurable": {"thread_id": "w"}, "recursion_limit": steps + 10})
    print(time.perf_counter() - start, flush=True)
    conn.close()
    """
)

READER = textwrap.dedent(
    """
    import json, sys, time
    from agent_debug.inspector.targets import open_source

    path, poll, refresh = sys.argv[1], float(sys.argv[2]), sys.argv[3] == "refresh"
    source = open_source(path)
    token, changes, last = source.change_token(), 0, 0
    print("ready", flush=True)
    import select
    while True:
        if select.select([sys.stdin], [], [], poll)[0]:
            sys.stdin.readline()
            break
        now = source.change_token()
        if now != token:
            token, changes = now, changes + 1
            if not refresh:
                continue
            source.threads()
            try:
                last = source.history("w", limit=50).total
            except Exception:
                pass
    token = source.change_token()
    last = source.history("w", limit=50).total
    print(json.dumps({"changes": changes, "last_total": last}), flush=True)
    """
)


def seed(path: Path) -> None:
    import sqlite3

    from langgraph.checkpoint.sqlite import SqliteSaver

    conn = sqlite3.connect(path, check_same_thread=False)
    SqliteSaver(conn).setup()
    conn.close()


def one_run(folder: Path, journal: str, steps: int, poll: float | None, refresh: bool = True) -> tuple[float, dict | None]:
    store = folder / f"{journal}-{poll}.db"
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{store}{suffix}").unlink(missing_ok=True)
    seed(store)
    reader = None
    if poll is not None:
        reader = subprocess.Popen([sys.executable, "-c", READER, str(store), str(poll), "refresh" if refresh else "token"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert reader.stdout.readline().strip() == "ready"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(store), journal, str(steps)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    out, _ = writer.communicate("\n", timeout=600)
    seconds = float(out.strip().splitlines()[-1])
    report = None
    if reader is not None:
        out, _ = reader.communicate("\n", timeout=600)
        report = json.loads(out.strip().splitlines()[-1])
    return seconds, report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--poll", type=float, default=0.05)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="agent-debug-bench-") as tmp:
        folder = Path(tmp)
        print(f"{'journal':8} {'reader':13} {'alone steps/s':>14} {'followed steps/s':>17} {'ratio':>6}  reader saw")
        for journal in ("wal", "delete"):
            for refresh in (False, True):
                alone, followed, seen = [], [], None
                for _ in range(args.repeat):
                    alone.append(one_run(folder, journal, args.steps, None)[0])
                    seconds, seen = one_run(folder, journal, args.steps, args.poll, refresh)
                    followed.append(seconds)
                a, f = args.steps / min(alone), args.steps / min(followed)
                expected = args.steps + 2  # the input checkpoint, one per step, the last
                assert seen is not None
                match = "all" if seen["last_total"] == expected else f"{seen['last_total']} of {expected}"
                what = "list+history" if refresh else "token only"
                print(f"{journal:8} {what:13} {a:14.0f} {f:17.0f} {f / a:6.2f}  {seen['changes']} changes, final look: {match} checkpoints")


if __name__ == "__main__":
    main()
