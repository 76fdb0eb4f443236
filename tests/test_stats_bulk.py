"""``agent-debug stats`` read in bulk (``inspector/stats_sql.py``): the same ``StoreStats``
as reading each thread through the Source API, on real SQLite and PostgreSQL stores
written by LangGraph; a few queries per batch of threads, not a dozen per thread; a
damaged row fails only its own thread; the store's files are never written.

The runs are those of ``tests/test_stats.py`` (whose figures are checked against
LangGraph's own history there); here the two read paths are checked against each other.
"""

from __future__ import annotations

import hashlib
import math
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.sqlite import SqliteSaver

from agent_debug.inspector import stats_sql
from agent_debug.inspector.stats import StatsQuery, compute_stats
from agent_debug.inspector.stats_model import StoreStats
from agent_debug.inspector.targets import open_source
from agent_debug.inspector.vocabulary import ThreadStatus
from tests.test_stats import NOW, THREADS, write_runs

QUERIES = [
    StatsQuery(),
    StatsQuery(thread_prefix="job-"),
    StatsQuery(status=ThreadStatus.ERROR),
    StatsQuery(node="search", top=2),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bulk") / "runs.db"
    conn = sqlite3.connect(path, check_same_thread=False)
    try:
        write_runs(SqliteSaver(conn))
    finally:
        conn.close()
    return path


def both(target: str, query: StatsQuery = StatsQuery()) -> tuple[StoreStats, StoreStats]:
    """The figures read in bulk and a thread at a time, from one open source each."""
    out = []
    for bulk in (True, False):
        source = open_source(target)
        try:
            out.append(compute_stats(source, now=NOW, query=query, bulk=bulk))
        finally:
            source.close()
    return out[0], out[1]


def copy_of(store: Path, directory: Path) -> Path:
    directory.mkdir(exist_ok=True)
    dst = directory / "runs.db"
    with sqlite3.connect(store) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    b.close()
    return dst


@pytest.mark.parametrize("query", QUERIES, ids=["all", "prefix", "status", "node"])
def test_bulk_gives_the_per_thread_figures_on_sqlite(store: Path, query: StatsQuery, monkeypatch: pytest.MonkeyPatch):
    # Batches of two threads: the grouping across batch boundaries is exercised too.
    monkeypatch.setattr(stats_sql, "BATCH_THREADS", 2)
    bulk, per_thread = both(str(store), query)
    assert bulk == per_thread
    assert bulk.threads_counted > 0 and bulk.nodes


def test_the_figures_are_not_trivially_equal(store: Path):
    # The comparison above can fail: a store with one thread fewer gives other figures.
    bulk, _ = both(str(store))
    fewer, _ = both(str(store), StatsQuery(thread_prefix="job-"))
    assert bulk != fewer and bulk.threads_counted == len(THREADS)


def statements(target: str, bulk: bool) -> int:
    """SQL statements ``compute_stats`` sends, counted by SQLite itself."""
    source = open_source(target)
    try:
        count = 0

        def seen(_sql: str) -> None:
            nonlocal count
            count += 1

        source.reader._conn.set_trace_callback(seen)  # type: ignore[attr-defined]
        compute_stats(source, now=NOW, bulk=bulk)
        return count
    finally:
        source.close()


def test_bulk_reads_a_batch_of_threads_in_two_queries(store: Path, monkeypatch: pytest.MonkeyPatch):
    listing = statements(str(store), bulk=True)  # the listing, plus 2 queries for all 6 threads
    monkeypatch.setattr(stats_sql, "BATCH_THREADS", 2)
    batched = statements(str(store), bulk=True)
    assert batched == listing + 2 * (math.ceil(len(THREADS) / 2) - 1)
    per_thread = statements(str(store), bulk=False)
    assert per_thread > listing + 10 * len(THREADS)


def test_bad_msgpack_leaves_only_its_thread_out(store: Path, tmp_path: Path):
    path = copy_of(store, tmp_path / "store")
    with sqlite3.connect(path) as conn:
        # job-2's failure, as bytes no serializer wrote: the thread is unreadable, the rest counted.
        where = "thread_id = 'job-2' AND channel = '__error__'"
        assert conn.execute(f"UPDATE writes SET value = X'c1c1c1' WHERE {where}").rowcount >= 1
    conn.close()
    bulk, per_thread = both(str(path))
    assert bulk == per_thread
    assert [u.thread_id for u in bulk.unreadable] == ["job-2"] and "does not decode" in bulk.unreadable[0].reason
    clean, _ = both(str(store))
    others = {t.thread_id: t for t in clean.threads if t.thread_id != "job-2"}
    assert {t.thread_id: t for t in bulk.threads} == others


def test_bad_metadata_affects_only_its_own_thread(store: Path, tmp_path: Path):
    path = copy_of(store, tmp_path / "store")
    with sqlite3.connect(path) as conn:
        # job-1's checkpoints below the root: metadata that is not JSON, and text that is
        # not UTF-8 (SQLite refuses to return it as text, failing a query of many threads).
        conn.execute("UPDATE checkpoints SET metadata = '{not json' WHERE thread_id = 'job-1' AND checkpoint_ns != ''")
        conn.execute("UPDATE checkpoints SET metadata = CAST(X'7b22ff223a317d' AS TEXT) WHERE thread_id = 'job-fail' AND checkpoint_ns != ''")
    conn.close()
    bulk, per_thread = both(str(path))
    assert bulk == per_thread
    assert [u.thread_id for u in bulk.unreadable] == ["job-fail"]
    clean, _ = both(str(store))
    changed = {t.thread_id for t in bulk.threads} ^ {t.thread_id for t in clean.threads}
    assert changed == {"job-fail"}
    same = {t.thread_id: t for t in clean.threads if t.thread_id not in ("job-1", "job-fail")}
    assert {t.thread_id: t for t in bulk.threads if t.thread_id != "job-1"} == same


def digest(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir()) if p.is_file()}


def test_bulk_read_leaves_the_store_bytes_alone(store: Path, tmp_path: Path):
    path = copy_of(store, tmp_path / "store")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL").fetchall()
    conn.close()
    with sqlite3.connect(path) as conn:  # a damaged row too: the fallback reads thread by thread
        conn.execute("UPDATE checkpoints SET metadata = CAST(X'7b22ff223a317d' AS TEXT) WHERE thread_id = 'job-fail' AND checkpoint_ns != ''")
    conn.close()
    before = digest(path.parent)
    source = open_source(str(path))
    try:
        report = compute_stats(source, now=NOW)
    finally:
        source.close()
    assert [u.thread_id for u in report.unreadable] == ["job-fail"]
    assert digest(path.parent) == before
    assert not {"runs.db-wal", "runs.db-shm"} & set(before)


@pytest.mark.postgres
def test_bulk_gives_the_per_thread_figures_on_postgres(make_database: Any):
    from tests.pg_server import postgres_saver

    dsn = make_database()
    with postgres_saver(dsn) as saver:
        write_runs(saver)
    for query in QUERIES:
        bulk, per_thread = both(dsn, query)
        assert bulk == per_thread
        assert bulk.threads_counted > 0
    assert both(dsn)[0].threads_counted == len(THREADS)
