"""Listing threads and history: ``agent-debug`` against LangGraph's public API, in one run.

Builds (once) a SQLite store of 2,000 real threads plus a 10,000-checkpoint thread and
a 100-checkpoint thread, then times whole processes, best of ``--repeat``:

- ``agent-debug threads --limit 0 --json`` (every thread with status) against a
  script that does the same through the API: ``checkpointer.list(None)`` to find the
  threads, ``graph.get_state()`` per thread for its status;
- ``agent-debug history --limit 0 --json`` on the long thread against
  ``graph.get_state_history()`` (which imports the graph) and ``checkpointer.list()``
  (which needs only the saver);
- the first page of history (``--limit 50``) on a 100- and a 10,000-checkpoint thread;
- ``agent-debug --help``;
- then, in one process with every import done, the long history written as our JSON
  against the same two API calls: the work itself, without start-up.

Run: ``.venv/bin/python benchmarks/checkpoint_listing.py`` (add ``--rebuild`` to reseed).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
AGENT_DEBUG = str(Path(sys.executable).with_name("agent-debug"))
SHORT_THREAD = "loop-100"


def build(db: Path, threads: int, long: int) -> None:
    """Seed the benchmark store: real runs through LangGraph's SqliteSaver."""
    from langgraph.checkpoint.sqlite import SqliteSaver

    from agent_debug.fixtures import long_loop
    from agent_debug.fixtures.seed import seed_bulk

    db.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    report = seed_bulk(db, threads=threads, long_thread_checkpoints=long)
    conn = sqlite3.connect(db, check_same_thread=False)
    graph = long_loop.builder.compile(checkpointer=SqliteSaver(conn))
    graph.invoke({"target": 98}, {"configurable": {"thread_id": SHORT_THREAD}, "recursion_limit": 200})
    conn.close()
    print(f"seeded {len(report.threads) + 1} threads, {report.checkpoints} checkpoints in {time.perf_counter() - t0:.0f} s")


API_THREADS = textwrap.dedent(
    """
    import sqlite3, sys
    from importlib import import_module
    from langgraph.checkpoint.sqlite import SqliteSaver
    from agent_debug.fixtures.seed import GRAPH_REFS
    saver = SqliteSaver(sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True, check_same_thread=False))
    graphs = {}
    for prefix, ref in GRAPH_REFS.items():
        mod, attr = ref.split(":")
        graphs[prefix] = getattr(import_module(mod), attr).copy(update={"checkpointer": saver})
    # The API has no "list threads": walk every root checkpoint to find them.
    threads = sorted({t.config["configurable"]["thread_id"] for t in saver.list(None, filter=None)
                      if t.config["configurable"]["checkpoint_ns"] == ""})
    rows = []
    for tid in threads:
        snap = graphs[tid.split("-")[0]].get_state({"configurable": {"thread_id": tid}})
        errors = [t.error for t in snap.tasks if t.error]
        status = "error" if errors else "interrupted" if snap.interrupts else "pending" if snap.next else "done"
        rows.append((tid, status, snap.metadata.get("step"), snap.next))
    print(len(rows))
    """
)

API_HISTORY = textwrap.dedent(
    """
    import sqlite3, sys
    from langgraph.checkpoint.sqlite import SqliteSaver
    saver = SqliteSaver(sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True, check_same_thread=False))
    config = {"configurable": {"thread_id": sys.argv[2]}}
    if sys.argv[3] == "graph":
        # get_state_history needs the graph; the list below needs only the saver.
        from agent_debug.fixtures import long_loop
        graph = long_loop.builder.compile(checkpointer=saver)
        rows = [(s.config["configurable"]["checkpoint_id"], s.metadata["step"], s.next) for s in graph.get_state_history(config)]
    else:
        rows = [(t.config["configurable"]["checkpoint_id"], t.metadata["step"]) for t in saver.list(config)]
    print(len(rows))
    """
)

IN_PROCESS = textwrap.dedent(
    """
    import gc, sqlite3, sys, time
    from langgraph.checkpoint.sqlite import SqliteSaver
    from agent_debug.fixtures import long_loop
    from agent_debug.inspector.targets import open_source
    from agent_debug.tui.cli.json_output import document_json
    db, thread, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
    saver = SqliteSaver(sqlite3.connect("file:" + db + "?mode=ro", uri=True, check_same_thread=False))
    graph = long_loop.builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": thread}}
    source = open_source(db)
    gc.collect()
    gc.freeze()  # both sides alike: the collector skips what the imports made
    def best(fn):
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return min(times)
    ours = best(lambda: document_json(source.history_document(thread, limit=None), "HistoryPage"))
    listed = best(lambda: list(saver.list(config)))
    history = best(lambda: list(graph.get_state_history(config)))
    print(ours, listed, history)
    """
)


# Both sides run with compiled bytecode, as installed packages do: with
# PYTHONDONTWRITEBYTECODE set, an editable install would recompile agent-debug in every
# process while LangGraph's modules were compiled at install time.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV["PYTHONPYCACHEPREFIX"] = str(HERE / "out" / "pycache")


def timed(cmd: list[str], repeat: int) -> float:
    """Best wall time of ``repeat`` runs of a whole process, in seconds (after one warm-up)."""
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=ENV)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=ENV)
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=HERE / "out" / "listing.db")
    parser.add_argument("--threads", type=int, default=2000)
    parser.add_argument("--long", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    if args.rebuild and args.db.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.db}{suffix}").unlink(missing_ok=True)
    if not args.db.exists():
        build(args.db, args.threads, args.long)
    db = str(args.db)
    py = sys.executable
    r = args.repeat
    results: list[tuple[str, float, str, float | None]] = []

    ours = timed([AGENT_DEBUG, "threads", db, "--limit", "0", "--json"], r)
    ours_text = timed([AGENT_DEBUG, "threads", db, "--limit", "0"], r)
    api = timed([py, "-c", API_THREADS, db], max(1, r // 2))
    results.append(("threads with status (all, --json)", ours, "checkpointer.list + get_state per thread", api))
    results.append(("threads with status (all, table)", ours_text, "", None))

    long_ours = timed([AGENT_DEBUG, "history", db, "--thread", "loop-long", "--limit", "0", "--json"], r)
    long_graph = timed([py, "-c", API_HISTORY, db, "loop-long", "graph"], max(1, r // 2))
    long_list = timed([py, "-c", API_HISTORY, db, "loop-long", "list"], max(1, r // 2))
    results.append(("history --limit 0, 10,000 checkpoints", long_ours, "graph.get_state_history", long_graph))
    results.append(("", long_ours, "checkpointer.list", long_list))

    out = subprocess.run([py, "-c", IN_PROCESS, db, "loop-long", str(r)], check=True, capture_output=True, text=True, env=ENV)
    in_ours, in_list, in_graph = map(float, out.stdout.split())

    short_page = timed([AGENT_DEBUG, "history", db, "--thread", SHORT_THREAD, "--limit", "50"], r)
    long_page = timed([AGENT_DEBUG, "history", db, "--thread", "loop-long", "--limit", "50"], r)
    help_time = timed([AGENT_DEBUG, "--help"], r)

    print()
    print("| measurement | agent-debug | LangGraph API path | API | ratio |")
    print("|---|---:|---|---:|---:|")
    for name, ours_s, api_name, api_s in results:
        ratio = f"{api_s / ours_s:.1f}× faster" if api_s else ""
        api_cell = f"{api_s:.2f} s" if api_s else ""
        print(f"| {name} | {ours_s:.2f} s | {api_name} | {api_cell} | {ratio} |")
    print(f"| history first page (50), 100 checkpoints | {short_page:.3f} s | | | |")
    print(f"| history first page (50), 10,000 checkpoints | {long_page:.3f} s | | | {long_page / short_page:.2f}× the 100-checkpoint page |")
    print(f"| agent-debug --help | {help_time:.3f} s | | | |")
    print(f"| in one process, imports done: history of 10,000 as JSON | {in_ours:.3f} s | checkpointer.list | {in_list:.3f} s | {in_list / in_ours:.1f}× faster |")
    print(f"| | | graph.get_state_history | {in_graph:.3f} s | {in_graph / in_ours:.1f}× faster |")
    print()
    print(f"store: {db} ({args.db.stat().st_size / 1e6:.1f} MB); whole processes, best of {r} (API: best of {max(1, r // 2)})")
    print(f"python {sys.version.split()[0]}; median not used so that a busy core does not skew one side")
    return 0


if __name__ == "__main__":
    sys.exit(main())
