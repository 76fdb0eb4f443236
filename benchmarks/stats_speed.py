"""``agent-debug stats`` against the same figures computed through LangGraph's API, in one run.

On the 2,002-thread SQLite store of ``checkpoint_listing.py`` (built there, or here when
missing), in one process with every import done, rounds alternating:

- ours: ``compute_stats`` (what ``agent-debug stats --json`` computes), the bulk path
  (a few queries per batch of threads, ``inspector/stats_sql.py``);
- ours, per thread: the same figures read through the Source API a thread at a time
  (``compute_stats(bulk=False)``), to show what the batching buys;
- LangGraph: per thread ``graph.get_state_history`` (each namespace below the root with
  ``checkpointer.list``), and from the snapshots the figures stats gives: phase durations
  per node from checkpoint times, runs, failures from the tasks' errors, steps, wall time,
  tokens from the AIMessages' ``usage_metadata`` (each message once). The threads and
  their namespaces are found with one SQL query, generous to the API, which has no listing.

Medians of ``--rounds`` (≥3), absolute seconds and the ratio. ``--postgres`` runs ours
on a PostgreSQL store built from copies of the SQLite store's rows (``--pg-copies`` times
the threads; 10 copies of 2,002 threads is about 445,000 checkpoints; the issue's size,
1,000,000 checkpoints in 20,000 threads, is about ``--pg-copies 23``) against our
per-thread path on the same server.

Run: ``.venv/bin/python benchmarks/stats_speed.py [--rounds 3] [--threads N] [--postgres]``.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
NOW = datetime(2100, 1, 1, tzinfo=UTC)


def ensure_store(db: Path) -> None:
    """The listing benchmark's store, built the way that benchmark builds it."""
    if db.exists():
        return
    sys.path.insert(0, str(HERE))
    from checkpoint_listing import build  # type: ignore[import-not-found]

    build(db, 2000, 10000)


def api_stats(db: Path, only: int | None) -> dict[str, Any]:
    """The stats figures through LangGraph's API: ``get_state_history`` per thread."""
    from langgraph.checkpoint.sqlite import SqliteSaver

    from agent_debug.fixtures.seed import GRAPH_REFS

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, check_same_thread=False)
    saver = SqliteSaver(conn)
    graphs = {}
    for prefix, ref in GRAPH_REFS.items():
        mod, attr = ref.split(":")
        graphs[prefix] = getattr(import_module(mod), attr).copy(update={"checkpointer": saver})
    spaces: dict[str, list[str]] = {}
    for thread_id, ns in conn.execute("SELECT DISTINCT thread_id, checkpoint_ns FROM checkpoints ORDER BY thread_id, checkpoint_ns"):
        spaces.setdefault(thread_id, []).append(ns)
    threads = sorted(spaces)[:only] if only else sorted(spaces)
    nodes: dict[str, list[float]] = {}
    failures: dict[str, int] = {}
    per_thread = {}
    for thread_id in threads:
        graph = graphs[thread_id.split("-")[0]]
        snaps = list(graph.get_state_history({"configurable": {"thread_id": thread_id}}))
        seen: set[str] = set()
        tokens = [0, 0]
        times = [datetime.fromisoformat(s.created_at) for s in snaps if s.created_at]
        for newer, older in zip(snaps, snaps[1:], strict=False):
            spent = (datetime.fromisoformat(newer.created_at) - datetime.fromisoformat(older.created_at)).total_seconds()
            for task in older.tasks:
                nodes.setdefault(task.name, []).append(spent)
                if task.error is not None:
                    failures[task.name] = failures.get(task.name, 0) + 1
        for s in snaps:
            for m in (s.values or {}).get("messages", []) if isinstance(s.values, dict) else []:
                usage = getattr(m, "usage_metadata", None)
                if usage and (m.id or id(m)) not in seen:
                    seen.add(m.id or id(m))
                    tokens[0] += usage.get("input_tokens", 0)
                    tokens[1] += usage.get("output_tokens", 0)
        for ns in spaces[thread_id]:
            if ns:
                inner = list(saver.list({"configurable": {"thread_id": thread_id, "checkpoint_ns": ns}}))
                times += [datetime.fromisoformat(t.checkpoint["ts"]) for t in inner]
        per_thread[thread_id] = (len(snaps), tokens, (max(times) - min(times)).total_seconds() if times else None)
    conn.close()
    return {
        "threads": len(per_thread),
        "nodes": {n: (len(v), statistics.median(v), max(v)) for n, v in nodes.items()},
        "failures": failures,
    }


def ours(target: str, bulk: bool) -> Callable[[], Any]:
    from agent_debug.inspector.stats import compute_stats
    from agent_debug.inspector.targets import open_source

    def run() -> Any:
        source = open_source(target)
        try:
            return compute_stats(source, now=NOW, bulk=bulk)
        finally:
            source.close()

    return run


def rounds(named: dict[str, Callable[[], Any]], n: int) -> dict[str, list[float]]:
    """Each function ``n`` times, interleaved, so a busy machine slows them alike."""
    times: dict[str, list[float]] = {k: [] for k in named}
    gc.collect()
    for _ in range(n):
        for name, fn in named.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return times


def report(times: dict[str, list[float]], floor: str) -> None:
    base = statistics.median(times[floor])
    for name, found in times.items():
        med = statistics.median(found)
        print(f"  {name:<42} median {med:8.2f} s  (rounds: {', '.join(f'{t:.2f}' for t in found)})  ratio to ours: {med / base:6.1f}x")


def build_postgres(db: Path, dsn: str, copies: int) -> int:
    """A PostgresSaver store holding ``copies`` copies of every SQLite thread (thread ids
    suffixed): each checkpoint put through PostgresSaver once (its JSONB and blob layout),
    the writes copied as stored (same serializer, task paths kept), then SQL copies for
    volume. Returns the number of checkpoints."""
    import psycopg
    from langgraph.checkpoint.postgres import PostgresSaver
    from langgraph.checkpoint.sqlite import SqliteSaver

    lite = sqlite3.connect(f"file:{db}?mode=ro", uri=True, check_same_thread=False)
    src = SqliteSaver(lite)
    with psycopg.connect(dsn, autocommit=True) as conn:
        saver = PostgresSaver(conn)
        saver.setup()
        for t in src.list(None):
            where = {k: v for k, v in t.config["configurable"].items() if k != "checkpoint_id"}
            config = t.parent_config or {"configurable": where}
            saver.put(config, t.checkpoint, t.metadata, t.checkpoint["channel_versions"])
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO checkpoint_writes (thread_id, checkpoint_ns, checkpoint_id, task_id, task_path, idx, channel, type, blob)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                lite.execute("SELECT thread_id, checkpoint_ns, checkpoint_id, task_id, task_path, idx, channel, type, value FROM writes").fetchall(),
            )
        for i in range(1, copies):
            for table in ("checkpoints", "checkpoint_blobs", "checkpoint_writes"):
                cols = [r[0] for r in conn.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s", (table,))]
                rest = ", ".join(c for c in cols if c != "thread_id")
                conn.execute(f"INSERT INTO {table} (thread_id, {rest}) SELECT thread_id || '-c{i}', {rest} FROM {table} WHERE thread_id NOT LIKE '%%-c%%'")
        conn.execute("ANALYZE")
        return int(conn.execute("SELECT count(*) FROM checkpoints").fetchone()[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=HERE / "out" / "listing.db")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-per-thread", action="store_true", help="leave out our per-thread path (it takes long)")
    parser.add_argument("--postgres", action="store_true", help="also time ours on a PostgreSQL store built from the SQLite one")
    parser.add_argument("--pg-copies", type=int, default=3)
    parser.add_argument("--skip-sqlite", action="store_true", help="with --postgres: time PostgreSQL only")
    args = parser.parse_args()
    if args.rounds < 3:
        parser.error("--rounds: at least 3")
    ensure_store(args.db)
    db = str(args.db)
    named: dict[str, Callable[[], Any]] = {"ours: compute_stats (bulk SQL)": ours(db, True)}
    if not args.no_per_thread:
        named["ours: compute_stats, a thread at a time"] = ours(db, False)
    named["LangGraph: get_state_history per thread"] = lambda: api_stats(args.db, None)
    if not (args.skip_sqlite and args.postgres):
        for fn in named.values():
            fn()  # warm-up: imports, the page cache
        print(f"SQLite store {db}: {args.rounds} rounds")
        report(rounds(named, args.rounds), "ours: compute_stats (bulk SQL)")
    if args.postgres:
        sys.path.insert(0, str(HERE.parent))
        from tests.pg_server import find_pg_bin, start_server, stop_server

        bindir = find_pg_bin()
        if bindir is None:
            print("no PostgreSQL binaries (initdb, pg_ctl, postgres) found", file=sys.stderr)
            return 1
        server = start_server(bindir)
        try:
            t0 = time.perf_counter()
            n = build_postgres(args.db, server.dsn, args.pg_copies)
            print(f"PostgreSQL store: {n} checkpoints, {args.pg_copies} copies of the threads, built in {time.perf_counter() - t0:.0f} s")
            pg = {"ours on PostgreSQL (bulk SQL)": ours(server.dsn, True)}
            if not args.no_per_thread:
                pg["ours on PostgreSQL, a thread at a time"] = ours(server.dsn, False)
            for fn in pg.values():
                fn()
            report(rounds(pg, args.rounds), "ours on PostgreSQL (bulk SQL)")
        finally:
            stop_server(server)
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
