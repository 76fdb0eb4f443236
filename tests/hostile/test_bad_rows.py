"""Issue 12, item 6: a damaged row makes only its own thread unreadable.

One bad row once broke the whole listing (``ValueError: invalid type Reserved``: ``threads``
failed for all 24 threads, ``attach`` showed none and no error). Each case below damages
one row of one thread of a store LangGraph wrote (the demo store on SQLite, the scenarios
on PostgreSQL): a head checkpoint that is not msgpack, truncated, has a reserved type
byte, is NULL, of an unknown type, not a map, metadata that is not JSON or not an object,
a pending write whose value is garbage, and, on PostgreSQL, the pending-Send blob and the
JSONB maps. Every other thread must list exactly as before; the bad one is listed with
status ``unreadable`` and the reason in one line; ``state`` on it fails with one line and
exit 1 (where it needs the bad row), ``history`` still pages its checkpoints.
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ormsgpack
import pytest

ESC = "\x1b[31m"
RAW = ("\x1b", "\x07", "\x9b")


@dataclass
class Out:
    code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)


def cli(*args: str) -> Out:
    """The ``agent-debug`` entry point, here (the headless commands switch the collector off)."""
    from agent_debug.tui.cli import main

    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    stderr = io.StringIO()
    collecting = gc.isenabled()
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                code = main(list(args))
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 2
            stdout.flush()
    finally:
        if collecting:
            gc.enable()
    return Out(code, stdout.buffer.getvalue().decode(), stderr.getvalue())  # type: ignore[attr-defined]


def one_line_error(out: Out) -> None:
    assert out.code == 1, out
    assert out.stderr.startswith("agent-debug: error: "), out.stderr
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr, out.stderr
    assert not any(c in out.stderr for c in RAW), out.stderr


# -- SQLite ------------------------------------------------------------------------------

ERROR = "feature-003-error"
INTERRUPTED = "feature-002-interrupted"
OTHER = "feature-015-error"
HEAD = "checkpoint_id = (SELECT max(checkpoint_id) FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = '')"


def _unpacked(blob: bytes) -> dict[str, Any]:
    return ormsgpack.unpackb(blob, ext_hook=ormsgpack.Ext, option=ormsgpack.OPT_NON_STR_KEYS)


def _packed(checkpoint: dict[str, Any]) -> bytes:
    return ormsgpack.packb(checkpoint, option=ormsgpack.OPT_NON_STR_KEYS)


def _grown(blob: bytes) -> bytes:
    """The checkpoint with a 400 kB channel value added: read in place, not decoded whole."""
    checkpoint = _unpacked(blob)
    checkpoint["channel_values"]["padding"] = "x" * 400_000
    return _packed(checkpoint)


def _set(key: str, value: Any) -> Any:
    def change(blob: bytes) -> bytes:
        checkpoint = _unpacked(blob)
        checkpoint[key] = value
        return _packed(checkpoint)

    return change


def _reserved_after(key: bytes, grow: bool) -> Any:
    def change(blob: bytes) -> bytes:
        data = bytearray(_grown(blob) if grow else blob)
        at = data.index(key) + len(key)
        data[at] = 0xC1  # the type byte of the value that follows
        return bytes(data)

    return change


@dataclass(frozen=True)
class Damage:
    """One damaged row: SQL (``?`` is the thread id) or a change to the head's checkpoint blob."""

    thread: str
    reason: str
    sql: str = ""
    blob: Any = None
    state_fails: bool = True


SQLITE_DAMAGE = {
    "reserved-type-byte": Damage(ERROR, "not valid msgpack (invalid type Reserved)", blob=lambda b: b"\xc1" + b[1:]),
    "reserved-in-versions": Damage(
        ERROR, "not valid msgpack (invalid type Reserved)", blob=_reserved_after(b"\xb0channel_versions", grow=False)
    ),
    "not-msgpack": Damage(INTERRUPTED, "not valid msgpack", blob=lambda b: b"\x81\xa1z\xc1"),
    "truncated": Damage(ERROR, "not valid msgpack (unexpected end of file)", blob=lambda b: b[: len(b) // 2]),
    "null-blob": Damage(ERROR, "no data (the checkpoint column is NULL)", sql=f"UPDATE checkpoints SET checkpoint = NULL WHERE thread_id = ? AND {HEAD}"),
    "unknown-type": Damage(
        INTERRUPTED, "stored as 'bogus\\x1b[31m'", sql=f"UPDATE checkpoints SET type = 'bogus' || char(27) || '[31m' WHERE thread_id = ? AND {HEAD}"
    ),
    "null-type": Damage(ERROR, "no type", sql=f"UPDATE checkpoints SET type = NULL WHERE thread_id = ? AND {HEAD}"),
    "text-not-utf8": Damage(
        ERROR, "holds text, not a blob", sql=f"UPDATE checkpoints SET checkpoint = X'c1' || substr(checkpoint, 2) WHERE thread_id = ? AND {HEAD}"
    ),
    "not-a-map": Damage(ERROR, "an array, not a checkpoint", blob=lambda b: b"\x91\x01", state_fails=False),
    "versions-not-a-map": Damage(ERROR, "channel_versions is an array, not a map", blob=_set("channel_versions", [1])),
    "seen-holds-a-string": Damage(ERROR, "versions_seen holds a string, not a map", blob=_set("versions_seen", {"plan": "x"})),
    "metadata-not-json": Damage(
        ERROR, "metadata is not JSON", sql=f"UPDATE checkpoints SET metadata = X'7b22ff' WHERE thread_id = ? AND {HEAD}", state_fails=False
    ),
    "metadata-not-an-object": Damage(
        INTERRUPTED, "metadata is an array, not an object", sql=f"UPDATE checkpoints SET metadata = '[1, 2]' WHERE thread_id = ? AND {HEAD}", state_fails=False
    ),
    "metadata-null": Damage(
        ERROR, "metadata is NULL", sql=f"UPDATE checkpoints SET metadata = NULL WHERE thread_id = ? AND {HEAD}", state_fails=False
    ),
    "error-write-garbage": Damage(
        ERROR, "pending write to '__error__' is not valid msgpack (invalid type Reserved)",
        sql=f"UPDATE writes SET value = X'c1c1' WHERE thread_id = ? AND channel = '__error__' AND {HEAD}",
    ),
    "error-write-text-not-utf8": Damage(  # SQLite itself cannot return the row: read thread by thread
        ERROR, "pending writes of the latest checkpoint: reading",
        sql=f"UPDATE writes SET value = X'c1' || substr(value, 2) WHERE thread_id = ? AND channel = '__error__' AND {HEAD}",
    ),
    "interrupt-write-truncated": Damage(
        INTERRUPTED, "pending write to '__interrupt__' is not valid msgpack",
        sql=f"UPDATE writes SET value = substr(value, 1, 9) WHERE thread_id = ? AND channel = '__interrupt__' AND {HEAD}",
    ),
    # Heads beyond 256 kB are walked in place (incremental blob I/O), their values skipped.
    "large-truncated": Damage(ERROR, "not valid msgpack (unexpected end of file)", blob=lambda b: _grown(b)[:-40]),
    "large-reserved-in-versions": Damage(
        INTERRUPTED, "not valid msgpack (invalid type Reserved)", blob=_reserved_after(b"\xb0channel_versions", grow=True)
    ),
    "large-not-a-map": Damage(ERROR, "an array, not a checkpoint", blob=lambda b: ormsgpack.packb(["x" * 400_000]), state_fails=False),
}  # fmt: skip


def damage_sqlite(path: Path, damage: Damage) -> None:
    conn = sqlite3.connect(path)
    with conn:
        if damage.sql:
            assert conn.execute(damage.sql, (damage.thread, damage.thread)).rowcount >= 1
        if damage.blob is not None:
            (blob,) = conn.execute(f"SELECT checkpoint FROM checkpoints WHERE thread_id = ? AND {HEAD}", (damage.thread,) * 2).fetchone()
            conn.execute(
                f"UPDATE checkpoints SET checkpoint = ? WHERE thread_id = ? AND {HEAD}", (damage.blob(blob), damage.thread, damage.thread)
            )
    conn.close()


@pytest.fixture(scope="module")
def intact(seeded_db: tuple[Path, Any]) -> dict[str, dict[str, Any]]:
    """Every thread of the intact demo store as ``threads --json`` lists it."""
    out = cli("threads", str(seeded_db[0]), "--limit", "0", "--json")
    assert out.code == 0, out
    return {t["thread_id"]: t for t in out.json["threads"]}


@pytest.fixture
def damaged(request: pytest.FixtureRequest, seeded_db: tuple[Path, Any], tmp_path: Path) -> Iterator[tuple[Path, Damage]]:
    path = tmp_path / "runs.db"
    shutil.copy(seeded_db[0], path)
    damage = SQLITE_DAMAGE[request.param]
    damage_sqlite(path, damage)
    yield path, damage


def check_listing(listing: dict[str, Any], intact: dict[str, dict[str, Any]], bad: dict[str, str]) -> None:
    """Every thread is listed; the bad ones unreadable with their reason, the rest as before."""
    got = {t["thread_id"]: t for t in listing["threads"]}
    assert listing["total"] == len(intact) and got.keys() == intact.keys()
    for tid, thread in got.items():
        if tid not in bad:
            assert thread == intact[tid], tid
            continue
        assert thread["status"] == "unreadable", thread
        assert bad[tid] in thread["read_error"], thread["read_error"]
        assert "\n" not in thread["read_error"]
        assert thread["next"] == [] and thread["interrupts"] == [] and thread["errors"] == []
        assert thread["checkpoint_id"] == intact[tid]["checkpoint_id"]
        assert thread["checkpoint_count"] == intact[tid]["checkpoint_count"]


@pytest.mark.parametrize("damaged", list(SQLITE_DAMAGE), indirect=True)
def test_a_bad_sqlite_row_makes_only_its_thread_unreadable(damaged: tuple[Path, Damage], intact: dict[str, Any]) -> None:
    path, damage = damaged
    db = str(path)
    listing = cli("threads", db, "--limit", "0", "--json")
    assert listing.code == 0, listing
    check_listing(listing.json, intact, {damage.thread: damage.reason})

    table = cli("threads", db, "--limit", "0")
    assert table.code == 0, table
    (row,) = [line for line in table.stdout.splitlines() if line.startswith(damage.thread)]
    assert "unreadable" in row and damage.reason[:30] in row, row
    assert not any(c in table.stdout for c in RAW)

    # A filter matches known statuses only, and says what it could not judge.
    errors = cli("threads", db, "--status", "error")
    assert errors.code == 0 and damage.thread not in errors.stdout
    assert "1 unreadable thread (status unknown) not shown: --status unreadable" in errors.stdout
    assert [t["thread_id"] for t in cli("threads", db, "--status", "unreadable", "--json").json["threads"]] == [damage.thread]

    state = cli("state", db, "--thread", damage.thread)
    if damage.state_fails:
        one_line_error(state)
    else:
        assert state.code == 0, state
    history = cli("history", db, "--thread", damage.thread, "--json")
    assert history.code == 0, history
    assert history.json["total"] == intact[damage.thread]["checkpoint_count"]
    for command in ("state", "history"):
        assert cli(command, db, "--thread", OTHER).code == 0


def test_many_bad_rows_at_once(seeded_db: tuple[Path, Any], intact: dict[str, Any], tmp_path: Path) -> None:
    """Damage in several threads, each its own kind: each is unreadable for its own reason."""
    path = tmp_path / "runs.db"
    shutil.copy(seeded_db[0], path)
    kinds = {
        ERROR: "reserved-type-byte",
        INTERRUPTED: "interrupt-write-truncated",
        "tool-020-interrupted": "null-blob",
        "loop-024-done": "large-truncated",
        "supervisor-022-done": "metadata-not-json",
    }
    for thread, kind in kinds.items():
        damage_sqlite(path, Damage(**{**SQLITE_DAMAGE[kind].__dict__, "thread": thread}))
    listing = cli("threads", str(path), "--limit", "0", "--json")
    assert listing.code == 0, listing
    check_listing(listing.json, intact, {t: SQLITE_DAMAGE[k].reason for t, k in kinds.items()})


def test_a_large_intact_head_lists_as_before(seeded_db: tuple[Path, Any], intact: dict[str, Any], tmp_path: Path) -> None:
    """A head walked in place (its values skipped) lists exactly as one decoded whole."""
    path = tmp_path / "runs.db"
    shutil.copy(seeded_db[0], path)
    grown = [t for t in intact if t.startswith(("feature-", "supervisor-"))]
    for thread in grown:
        damage_sqlite(path, Damage(thread, "", blob=_grown))
    listing = cli("threads", str(path), "--limit", "0", "--json")
    check_listing(listing.json, intact, {})
    assert cli("state", str(path), "--thread", grown[0], "--json").code == 0


async def test_the_tui_lists_an_unreadable_thread(seeded_db: tuple[Path, Any], tmp_path: Path) -> None:
    """``attach``: every thread in the list, the bad one marked with its reason; choosing it
    shows the failure, and the app goes on."""
    from textual.widgets import DataTable

    from agent_debug.inspector.targets import open_source
    from agent_debug.tui.app import AgentDebugApp
    from agent_debug.tui.widgets.threads.thread_list import ThreadList
    from tests.tui.conftest import settle

    path = tmp_path / "runs.db"
    shutil.copy(seeded_db[0], path)
    damage_sqlite(path, SQLITE_DAMAGE["reserved-type-byte"])
    damage_sqlite(path, Damage(**{**SQLITE_DAMAGE["unknown-type"].__dict__, "thread": "tool-020-interrupted"}))
    app = AgentDebugApp(open_source(str(path)), poll_interval=0)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        table = app.query_one("#thread-table", DataTable)
        assert table.row_count == 24
        row = [str(cell) for cell in table.get_row(ERROR)]
        assert "⚠ unreadable" in row and any("not valid msgpack" in cell for cell in row), row
        row = [str(cell) for cell in table.get_row("tool-020-interrupted")]
        assert any("stored as 'bogus\\x1b[31m'" in cell for cell in row) and not any("\x1b" in cell for cell in row), row
        await pilot.press("s", "s", "s", "s", "s")  # all → interrupted → error → pending → done → unreadable
        assert app.query_one(ThreadList).status_filter == "unreadable" and table.row_count == 2
        await pilot.press("enter")
        await settle(pilot)
        assert app.is_running
        # The first of the two is chosen: its state cannot be read, and the app says so.
        assert app.problem is not None and app.problem.startswith("cannot decode checkpoint"), app.problem
        assert "\x1b" not in app.problem


# -- PostgreSQL ----------------------------------------------------------------------------

PG_HEAD = "checkpoint_id = (SELECT max(checkpoint_id) FROM checkpoints WHERE thread_id = %(t)s AND checkpoint_ns = '')"
PG_TASKS = (
    f"thread_id = %(t)s AND checkpoint_ns = '' AND channel = '__pregel_tasks' AND version = "
    f"(SELECT checkpoint -> 'channel_versions' ->> '__pregel_tasks' FROM checkpoints WHERE thread_id = %(t)s AND checkpoint_ns = '' AND {PG_HEAD})"
)

# "fanout" waits with Sends queued in its head; "failed" has an error write, "waiting" an interrupt.
PG_DAMAGE = {
    "sends-garbage": Damage("fanout", "'__pregel_tasks' blob is not readable (invalid type Reserved)", sql=f"UPDATE checkpoint_blobs SET blob = '\\xc1c1' WHERE {PG_TASKS}"),
    "sends-truncated": Damage("fanout", "'__pregel_tasks' blob is not readable (unexpected end of file)", sql=f"UPDATE checkpoint_blobs SET blob = '\\x93c72501' WHERE {PG_TASKS}"),
    "sends-null": Damage("fanout", "'__pregel_tasks' blob is not readable (no data", sql=f"UPDATE checkpoint_blobs SET blob = NULL WHERE {PG_TASKS}"),
    "sends-unknown-type": Damage("fanout", "'__pregel_tasks' blob is not readable (stored as 'bogus')", sql=f"UPDATE checkpoint_blobs SET type = 'bogus' WHERE {PG_TASKS}"),
    "metadata-not-an-object": Damage(
        "failed", "metadata is an array, not an object", sql=f"UPDATE checkpoints SET metadata = '[1]' WHERE thread_id = %(t)s AND {PG_HEAD}", state_fails=False
    ),
    "versions-not-an-object": Damage(
        "waiting", "channel_versions is an array, not a map",
        sql=f"UPDATE checkpoints SET checkpoint = jsonb_set(checkpoint, '{{channel_versions}}', '[1]') WHERE thread_id = %(t)s AND {PG_HEAD}",
        state_fails=False,  # PostgresReader.checkpoint reads the maps as {}: the state shows the inline values
    ),
    "seen-holds-a-number": Damage(
        "failed", "versions_seen holds a number, not a map",
        sql=f"UPDATE checkpoints SET checkpoint = jsonb_set(checkpoint, '{{versions_seen}}', '{{\"x\": 1}}') WHERE thread_id = %(t)s AND {PG_HEAD}",
    ),
    "error-write-garbage": Damage(
        "failed", "pending write to '__error__' is not valid msgpack",
        sql=f"UPDATE checkpoint_writes SET blob = '\\xc1' WHERE thread_id = %(t)s AND channel = '__error__' AND {PG_HEAD}",
    ),
    "interrupt-write-truncated": Damage(
        "waiting", "pending write to '__interrupt__' is not valid msgpack",
        sql=f"UPDATE checkpoint_writes SET blob = substring(blob from 1 for 5) WHERE thread_id = %(t)s AND channel = '__interrupt__' AND {PG_HEAD}",
    ),
}  # fmt: skip


@pytest.fixture(scope="module")
def pg_store(postgres_server: Any) -> Iterator[tuple[str, dict[str, dict[str, Any]]]]:
    """A database the scenarios were written into by LangGraph's PostgresSaver (a template
    for each case's copy), and its intact listing."""
    import psycopg
    from langgraph.checkpoint.postgres import PostgresSaver
    from psycopg.rows import dict_row

    from tests.graphs import run_scenarios
    from tests.pg_server import create_database, drop_database

    dsn = create_database(postgres_server)
    with psycopg.connect(dsn, autocommit=True, prepare_threshold=0, row_factory=dict_row) as conn:
        saver = PostgresSaver(conn)
        saver.setup()
        run_scenarios(saver)
    out = cli("threads", dsn, "--limit", "0", "--json")
    assert out.code == 0, out
    try:
        yield dsn, {t["thread_id"]: t for t in out.json["threads"]}
    finally:
        drop_database(postgres_server, dsn)


@pytest.mark.postgres
@pytest.mark.parametrize("kind", list(PG_DAMAGE))
def test_a_bad_postgres_row_makes_only_its_thread_unreadable(
    pg_store: tuple[str, dict[str, Any]], postgres_server: Any, kind: str
) -> None:
    import psycopg

    from tests.pg_server import drop_database

    template, intact = pg_store
    name = f"bad_{kind.replace('-', '_')}"
    with psycopg.connect(postgres_server.dsn, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template.rsplit("/", 1)[-1]}"')
    dsn = postgres_server.dsn_for(name)
    damage = PG_DAMAGE[kind]
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            assert conn.execute(damage.sql, {"t": damage.thread}).rowcount >= 1
        listing = cli("threads", dsn, "--limit", "0", "--json")
        assert listing.code == 0, listing
        check_listing(listing.json, intact, {damage.thread: damage.reason})
        table = cli("threads", dsn, "--limit", "0")
        assert table.code == 0 and "unreadable" in next(line for line in table.stdout.splitlines() if line.startswith(damage.thread))
        state = cli("state", dsn, "--thread", damage.thread)
        if damage.state_fails:
            one_line_error(state)
        else:
            assert state.code == 0, state
        assert cli("history", dsn, "--thread", damage.thread).code == 0
        assert cli("state", dsn, "--thread", "finished").code == 0
    finally:
        drop_database(postgres_server, dsn)
