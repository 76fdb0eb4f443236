"""The checkpoint-store inspector on a real PostgreSQL server, checked against LangGraph.

The runs are the scenarios of ``tests/graphs.py`` written by LangGraph's own
``PostgresSaver``; the same runs written by ``SqliteSaver`` must read the same.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
import pytest
from langchain_core.messages import BaseMessage
from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.checkpoint.sqlite import SqliteSaver
from psycopg.rows import dict_row

from agent_debug.inspector.decode import decode_safe
from agent_debug.inspector.exceptions import NotFoundError, StoreReadError, TargetError
from agent_debug.inspector.model import ThreadStatus
from agent_debug.inspector.sources.checkpoints import CheckpointSource
from agent_debug.inspector.sources.postgres import PostgresReader
from agent_debug.inspector.sources.sqlite import SqliteReader
from agent_debug.inspector.targets import open_source
from tests.graphs import Scenario, linear_builder, run_scenarios
from tests.pg_server import PASSWORD_ROLE, PostgresServer

pytestmark = pytest.mark.postgres

CLI = Path(sys.executable).with_name("agent-debug")


def cfg(thread_id: str, ns: str = "") -> dict[str, Any]:
    return {"configurable": {"thread_id": thread_id, "checkpoint_ns": ns}}


class Store:
    """A database LangGraph wrote the scenarios into, and the writer that did it."""

    def __init__(self, dsn: str, conn: psycopg.Connection[Any], saver: PostgresSaver, scenarios: dict[str, Scenario]):
        self.dsn, self.conn, self.saver, self.scenarios = dsn, conn, saver, scenarios


@pytest.fixture(scope="module")
def store(make_database: Any) -> Iterator[Store]:
    dsn = make_database()
    # The writer's own connection, as an app would open it (setup() needs autocommit).
    with psycopg.connect(dsn, autocommit=True, prepare_threshold=0, row_factory=dict_row) as conn:
        saver = PostgresSaver(conn)
        saver.setup()
        yield Store(dsn, conn, saver, run_scenarios(saver))


@pytest.fixture(scope="module")
def sqlite_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, Scenario]]]:
    path = tmp_path_factory.mktemp("sqlite") / "runs.db"
    conn = sqlite3.connect(path, check_same_thread=False)
    try:
        yield path, run_scenarios(SqliteSaver(conn))
    finally:
        conn.close()


@pytest.fixture
def source(store: Store) -> Iterator[CheckpointSource]:
    src = open_source(store.dsn)
    assert isinstance(src, CheckpointSource)
    with src:
        yield src


def test_json_documents_are_written_as_the_records_write_them(source: CheckpointSource) -> None:
    from agent_debug.tui.cli.json_output import document_json

    threads = source.threads_document()
    assert document_json(threads, "ThreadList") == source.threads().model_dump_json(indent=2).encode() + b"\n"
    for thread in threads["threads"]:
        for space in source.namespaces(thread["thread_id"]):
            doc = source.history_document(thread["thread_id"], namespace=space.namespace, limit=None)
            record = source.history(thread["thread_id"], namespace=space.namespace, limit=None)
            assert document_json(doc, "HistoryPage") == record.model_dump_json(indent=2).encode() + b"\n"


# -- threads -----------------------------------------------------------------------


def test_thread_statuses_match_the_runs(source: CheckpointSource, store: Store) -> None:
    listing = source.threads()
    assert listing.total == len(store.scenarios)
    assert {t.thread_id: t.status.value for t in listing.threads} == {
        tid: s.status for tid, s in store.scenarios.items()
    }
    assert {s.status for s in store.scenarios.values()} == {"interrupted", "error", "done", "pending"}
    assert [t.checkpoint_id for t in listing.threads] == sorted((t.checkpoint_id for t in listing.threads), reverse=True)
    only = source.threads(status=ThreadStatus.INTERRUPTED)
    assert {t.thread_id for t in only.threads} == {"waiting", "fanout"}
    assert len(source.threads(limit=2).threads) == 2
    whole = source.threads_document()
    for size in (1, 3):  # a first page: its threads picked in SQL, the whole listing's head
        page = source.threads_document(limit=size)
        assert (page["total"], page["threads"]) == (whole["total"], whole["threads"][:size])


def test_thread_summary_agrees_with_get_state(source: CheckpointSource, store: Store) -> None:
    for tid, sc in store.scenarios.items():
        summary = source.thread(tid)
        snap = sc.graph.get_state(cfg(tid))
        assert summary.checkpoint_id == snap.config["configurable"]["checkpoint_id"], tid
        assert set(summary.next) == set(snap.next), tid
        assert summary.last_step == snap.metadata["step"], tid
        assert summary.checkpoint_count == len(list(store.saver.list(cfg(tid)))), tid
        assert [i.id for i in summary.interrupts] == [i.id for i in snap.interrupts], tid
        assert [i.value for i in summary.interrupts] == [i.value for i in snap.interrupts], tid


def test_interrupt_and_error_details(source: CheckpointSource) -> None:
    [intr] = source.thread("waiting").interrupts
    assert (intr.node, intr.value) == ("approve", {"question": "ship it?", "x": 2})
    assert intr.id
    failed = source.thread("failed")
    assert failed.status is ThreadStatus.ERROR
    [err] = failed.errors
    assert (err.type, err.message, err.node) == ("ValueError", "x too large: 211", "finish")
    fan = source.thread("fanout")
    assert [(i.node, i.value) for i in fan.interrupts] == [("writer", "sign off?")]


# -- history -----------------------------------------------------------------------


def test_history_matches_langgraph(source: CheckpointSource, store: Store) -> None:
    for tid, sc in store.scenarios.items():
        listed = list(store.saver.list(cfg(tid)))
        expected = list(sc.graph.get_state_history(cfg(tid)))
        page = source.history(tid, limit=None)
        assert page.total == len(expected) == len(listed)
        ids = [c.checkpoint_id for c in page.checkpoints]
        assert ids == [t.config["configurable"]["checkpoint_id"] for t in listed], tid
        assert ids == [s.config["configurable"]["checkpoint_id"] for s in expected], tid
        assert [c.parent_id for c in page.checkpoints] == [
            s.parent_config["configurable"]["checkpoint_id"] if s.parent_config else None for s in expected
        ], tid
        assert [c.step for c in page.checkpoints] == [s.metadata["step"] for s in expected], tid
        assert [c.source for c in page.checkpoints] == [s.metadata["source"] for s in expected], tid
        # The nodes that produced a loop checkpoint are the tasks LangGraph planned at its parent.
        by_id = {s.config["configurable"]["checkpoint_id"]: s for s in expected}
        for c in page.checkpoints:
            if c.source == "loop":
                assert sorted(set(c.nodes)) == sorted({t.name for t in by_id[c.parent_id].tasks}), (tid, c)
            else:
                assert c.nodes == [], (tid, c)


def test_send_tasks_and_fork(source: CheckpointSource) -> None:
    assert ["work"] in [c.nodes for c in source.history("fanout", limit=None).checkpoints]
    rows = source.history("forked", limit=None).checkpoints
    [update] = [c for c in rows if c.source == "update"]
    assert len([c for c in rows if c.parent_id == update.parent_id]) == 2  # the original branch and the fork


def test_history_pages_with_limit_and_before(source: CheckpointSource, store: Store) -> None:
    full = [c.checkpoint_id for c in source.history("finished", limit=None).checkpoints]
    assert len(full) > 4
    seen: list[str] = []
    before = None
    while True:
        page = source.history("finished", limit=2, before=before)
        assert len(page.checkpoints) <= 2
        seen += [c.checkpoint_id for c in page.checkpoints]
        if page.next_before is None:
            break
        before = page.next_before
    assert seen == full
    # The same page LangGraph gives for list(before=..., limit=...).
    before_cfg = {"configurable": {"checkpoint_id": full[1]}}
    expected = [t.config["configurable"]["checkpoint_id"] for t in store.saver.list(cfg("finished"), before=before_cfg, limit=2)]
    assert [c.checkpoint_id for c in source.history("finished", limit=2, before=full[1]).checkpoints] == expected


# -- state -------------------------------------------------------------------------


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k != "messages"}


def test_state_matches_get_state_at_every_checkpoint(source: CheckpointSource, store: Store) -> None:
    for tid, sc in store.scenarios.items():
        for snap in sc.graph.get_state_history(cfg(tid)):
            cid = snap.config["configurable"]["checkpoint_id"]
            state = source.state(tid, checkpoint_id=cid)
            assert _plain(state.values) == {k: v for k, v in _plain(snap.values).items() if k in state.values}, (tid, cid)
            # Without the graph a never-written reducer channel is absent, not its default.
            assert all(not snap.values[k] for k in snap.values.keys() - state.values.keys()), (tid, cid)
            assert set(state.next) == set(snap.next), (tid, cid)
            expected: list[BaseMessage] = snap.values.get("messages", [])
            assert [m.role for m in state.messages] == [m.type for m in expected], (tid, cid)
            assert [m.text for m in state.messages] == [m.text for m in expected], (tid, cid)


def test_latest_state_messages_and_pending_writes(source: CheckpointSource) -> None:
    state = source.state("finished")
    assert [m.role for m in state.messages] == ["human", "ai", "ai", "ai"]
    assert [m.text for m in state.messages] == ["go", "standard", "claude", "deepseek"]
    assert state.messages[1].reasoning == ["weigh the options"]
    assert state.values["messages"][1]["__type__"] == "langchain_core.messages.ai.AIMessage"
    assert source.state("finished", path="messages.3.content").values == "deepseek"
    failed = source.state("failed")
    assert [(e.type, e.node) for e in failed.errors] == [("ValueError", "finish")]
    assert "__error__" in {w.channel for w in failed.pending_writes}
    assert source.state("waiting").interrupts[0].value["question"] == "ship it?"


def test_subgraph_namespace(source: CheckpointSource, store: Store) -> None:
    spaces = source.namespaces("fanout")
    assert spaces[0].namespace == ""
    [sub] = spaces[1:]
    assert sub.namespace.startswith("writer:")
    expected = [t.config["configurable"]["checkpoint_id"] for t in store.saver.list(cfg("fanout", sub.namespace))]
    page = source.history("fanout", namespace=sub.namespace, limit=None)
    assert [c.checkpoint_id for c in page.checkpoints] == expected
    assert sub.checkpoint_count == len(expected) and sub.latest_checkpoint_id == expected[0]
    state = source.state("fanout", namespace=sub.namespace)
    assert state.values == {"x": 12}
    assert [i.value for i in state.interrupts] == ["sign off?"]
    assert state.next == ["sign"]


def test_unknown_ids_are_not_found(source: CheckpointSource) -> None:
    with pytest.raises(NotFoundError, match=r"no thread 'nope'.*agent-debug threads"):
        source.thread("nope")
    with pytest.raises(NotFoundError, match=r"no thread 'nope'"):
        source.history("nope")
    with pytest.raises(NotFoundError, match=r"no thread 'nope'"):
        source.state("nope")
    with pytest.raises(NotFoundError, match=r"no checkpoint 'abc' in thread 'waiting'"):
        source.state("waiting", checkpoint_id="abc")
    with pytest.raises(NotFoundError, match=r"no checkpoint 'abc'"):
        source.history("waiting", before="abc")
    with pytest.raises(NotFoundError, match=r"has no namespace 'zzz'"):
        source.history("fanout", namespace="zzz")


# -- the reader itself -------------------------------------------------------------


def test_reader_connection_refuses_writes(store: Store) -> None:
    reader = PostgresReader(store.dsn)
    try:
        conn = reader._conn
        assert conn.execute("SHOW default_transaction_read_only").fetchone() == ("on",)
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute("DELETE FROM checkpoints")
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute("CREATE TABLE intruder (x int)")
        # Even with the session default switched off (as a pooler may), our reads run
        # in BEGIN READ ONLY transactions.
        conn.execute("SET default_transaction_read_only = off")
        with pytest.raises(StoreReadError, match="read-only transaction"):
            reader._query("DELETE FROM checkpoints")
        assert reader.count("finished", "") == len(list(store.saver.list(cfg("finished"))))
    finally:
        reader.close()


def test_heads_and_checkpoints_equal_the_sqlite_reader(store: Store, sqlite_store: tuple[Path, dict[str, Scenario]]) -> None:
    """Row level: the same runs give the same channel availability, Sends and values."""
    pg = PostgresReader(store.dsn)
    lite = SqliteReader(sqlite_store[0])
    try:
        pg_heads = {h.thread_id: h for h in pg.heads("")}
        lite_heads = {h.thread_id: h for h in lite.heads("")}
        assert pg_heads.keys() == lite_heads.keys()
        for tid, h in pg_heads.items():
            other = lite_heads[tid]
            assert h.available == other.available, tid
            assert h.pending_sends == other.pending_sends, tid
            assert set(h.channel_versions) == set(other.channel_versions), tid
            assert h.count == other.count and h.metadata == other.metadata, tid
            pg_rows = pg.rows(tid, "", None, None)
            lite_rows = lite.rows(tid, "", None, None)
            for a, b in zip(pg_rows, lite_rows, strict=True):
                full_a = pg.checkpoint(tid, "", a.checkpoint_id, decode_safe)
                full_b = lite.checkpoint(tid, "", b.checkpoint_id, decode_safe)
                assert full_a is not None and full_b is not None
                assert full_a.channel_values.keys() == full_b.channel_values.keys(), (tid, a.checkpoint_id)
                for channel, value in full_b.channel_values.items():
                    assert _no_ids(full_a.channel_values[channel]) == _no_ids(value), (tid, channel)
    finally:
        pg.close()
        lite.close()


def _no_ids(value: Any) -> Any:
    """A value with the per-run ids (message ids, interrupt ids, UUIDs) taken out."""
    if isinstance(value, dict):
        return {k: _no_ids(v) for k, v in value.items() if k not in ("id", "interrupt_id", "ns")}
    if isinstance(value, list):
        return [_no_ids(v) for v in value]
    return value


def test_writes_fetch_values_only_for_the_channels_asked(store: Store) -> None:
    reader = PostgresReader(store.dsn)
    try:
        head = reader.heads("", ["failed"])[0]
        writes = reader.writes("", [(head.thread_id, head.checkpoint_id)], ("__error__",))
        assert {w.channel for w in writes} >= {"__error__"}
        for w in writes:
            assert (w.value is not None) == (w.channel == "__error__"), w
        assert all(w.value is not None for w in reader.writes("", [("failed", head.checkpoint_id)], None))
        assert reader.writes("", [], None) == []
    finally:
        reader.close()


def test_listing_never_decodes_blobs(store: Store, make_database: Any) -> None:
    """A damaged value hides nothing but itself: threads and history read no blobs."""
    dsn = make_database()
    with psycopg.connect(dsn, autocommit=True, prepare_threshold=0, row_factory=dict_row) as conn:
        saver = PostgresSaver(conn)
        saver.setup()
        run_scenarios(saver)
        conn.execute("UPDATE checkpoint_blobs SET blob = '\\xc1c1c1'::bytea WHERE channel = 'messages'")
    with open_source(dsn) as src:
        assert src.thread("finished").status is ThreadStatus.DONE
        assert len(src.history("finished", limit=None).checkpoints) > 4
        with pytest.raises(StoreReadError, match="cannot decode channel 'messages'"):
            src.state("finished")


def test_change_token_moves_only_on_writes(fresh_database: str) -> None:
    with psycopg.connect(fresh_database, autocommit=True, prepare_threshold=0, row_factory=dict_row) as conn:
        saver = PostgresSaver(conn)
        saver.setup()
        graph = linear_builder().compile(checkpointer=saver, interrupt_before=["approve"])
        graph.invoke({"x": 1}, cfg("t"))
        with open_source(fresh_database) as src:
            before = src.change_token()
            src.threads()
            src.state("t")
            assert src.change_token() == before  # our own reads do not move it
            graph.invoke(None, cfg("t"))  # another process goes on with the thread
            assert src.change_token() != before
            assert src.thread("t").status is ThreadStatus.INTERRUPTED


def test_lost_session_is_reopened(store: Store, postgres_server: PostgresServer) -> None:
    with open_source(store.dsn) as src:
        assert isinstance(src, CheckpointSource) and isinstance(src.reader, PostgresReader)
        pid = src.reader._conn.info.backend_pid
        with psycopg.connect(postgres_server.dsn, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        assert src.threads().total == len(store.scenarios)
        assert src.reader._conn.info.backend_pid != pid


def test_reader_is_safe_across_threads(source: CheckpointSource) -> None:
    calls = [lambda: source.threads().total, lambda: source.state("finished").values["x"],
             lambda: source.history("fanout", limit=None).total] * 10
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda f: f(), calls))
    assert results[:3] * 10 == results


# -- SQLite and PostgreSQL read alike ------------------------------------------------


def _shape(src: CheckpointSource, tid: str) -> dict[str, Any]:
    """What a thread reads as, with store-specific ids replaced by positions."""
    thread = src.thread(tid)
    rows = src.history(tid, limit=None).checkpoints
    pos = {c.checkpoint_id: i for i, c in enumerate(rows)}
    return {
        "status": thread.status,
        "next": thread.next,
        "count": thread.checkpoint_count,
        "last_step": thread.last_step,
        "last_node": thread.last_node,
        "interrupts": [(i.node, i.value) for i in thread.interrupts],
        "errors": [(e.type, e.message, e.node) for e in thread.errors],
        "history": [(c.step, c.source, c.nodes, pos.get(c.parent_id or "")) for c in rows],
        "states": [_no_ids(src.state(tid, checkpoint_id=c.checkpoint_id).values) for c in rows],
        "namespaces": [(n.namespace.split(":")[0], n.checkpoint_count) for n in src.namespaces(tid)],
    }


def test_sqlite_and_postgres_read_the_same(store: Store, sqlite_store: tuple[Path, dict[str, Scenario]]) -> None:
    with open_source(store.dsn) as pg, open_source(str(sqlite_store[0])) as lite:
        assert isinstance(pg, CheckpointSource) and isinstance(lite, CheckpointSource)
        assert sorted(t.thread_id for t in pg.threads().threads) == sorted(t.thread_id for t in lite.threads().threads)
        for tid in store.scenarios:
            assert _shape(pg, tid) == _shape(lite, tid), tid


# -- errors a user can act on -------------------------------------------------------


def test_wrong_port_names_host_and_port_never_the_password() -> None:
    with pytest.raises(TargetError) as caught:
        open_source("postgresql://me:hunter2secret@127.0.0.1:1/runs")
    message = caught.value.message
    assert "127.0.0.1:1" in message and "connection refused" in message
    assert "hunter2secret" not in message and "\n" not in message


def test_silent_server_times_out() -> None:
    # Accepts the TCP connection and never answers, like a firewall black hole.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        with pytest.raises(TargetError, match=f"127.0.0.1:{port}: no answer within 2 s") as caught:
            open_source(f"postgresql://me:pw-{port}@127.0.0.1:{port}/runs?connect_timeout=2")
    assert f"pw-{port}" not in caught.value.message


def test_password_echoed_by_libpq_is_scrubbed() -> None:
    # libpq quotes a badly percent-encoded password back in its error.
    with pytest.raises(TargetError) as caught:
        open_source("postgresql://me:hunter%zz2@127.0.0.1:1/runs")
    assert "hunter" not in caught.value.message


def test_authentication_failure(postgres_server: PostgresServer) -> None:
    with psycopg.connect(postgres_server.dsn, autocommit=True) as admin:
        admin.execute(f"DROP ROLE IF EXISTS {PASSWORD_ROLE}")
        admin.execute(f"CREATE ROLE {PASSWORD_ROLE} LOGIN PASSWORD 'right-one'")
    dsn = f"postgresql://{PASSWORD_ROLE}:wrong-one@127.0.0.1:{postgres_server.port}/postgres"
    with pytest.raises(TargetError, match=f"authentication failed for user '{PASSWORD_ROLE}' at 127.0.0.1:") as caught:
        open_source(dsn)
    assert "wrong-one" not in caught.value.message


def test_missing_database(postgres_server: PostgresServer) -> None:
    with pytest.raises(TargetError, match="database 'no_such_db' does not exist .*127.0.0.1:"):
        open_source(postgres_server.dsn_for("no_such_db"))


def test_database_without_langgraph_tables(fresh_database: str) -> None:
    with pytest.raises(TargetError, match=r"not a LangGraph checkpoint store: .* has no 'checkpoints'.* tables"):
        open_source(fresh_database)
    with psycopg.connect(fresh_database, autocommit=True) as conn:  # and nothing was created
        assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone() == (0,)


def test_missing_psycopg_says_what_to_install(monkeypatch: pytest.MonkeyPatch, store: Store) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # what an install without the extra looks like
    with pytest.raises(TargetError, match=r"pip install 'agent-debug-tui\[postgres\]'"):
        PostgresReader(store.dsn)


# -- the command line ----------------------------------------------------------------


def test_cli_threads_json(store: Store) -> None:
    done = subprocess.run([str(CLI), "threads", store.dsn, "--json"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert {t["thread_id"]: t["status"] for t in doc["threads"]} == {tid: s.status for tid, s in store.scenarios.items()}


def test_cli_unreachable_server_one_line_no_password() -> None:
    done = subprocess.run(
        [str(CLI), "threads", "postgresql://u:secret@127.0.0.1:1/x"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "127.0.0.1:1" in lines[0]
    assert "secret" not in done.stderr
