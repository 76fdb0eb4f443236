"""Acting on a store never runs code its data names (issue 12, item 8).

A checkpoint whose blob names ``os.system`` ran it when ``resume`` decoded it through
LangGraph's permissive serializer. The acting verbs now decode in LangGraph's strict
msgpack mode over an allow-list (LangGraph's safe types, the graph's own types,
``--allow-module``) and refuse anything else: one line naming the type, exit 1, the
payload never run, the store byte-identical. Real processes on real stores: a store
written by a real run, then one blob rewritten the way an attacker with write access to
the database would.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import ormsgpack
import pytest
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.checkpoint.sqlite import SqliteSaver

from agent_debug.inspector.strict_serde import DecodeRefused, graph_allow_list, strict_serializer
from agent_debug.inspector.targets import open_source
from tests.pg_server import postgres_saver

AGENT_DEBUG = str(Path(sys.executable).with_name("agent-debug"))
ROOT = Path(__file__).resolve().parents[2]
FEATURE = str(ROOT / "fixtures/feature_request.py:graph")
INPUT = '{"request": "x"}'
# What LangGraph does without our serializer must not depend on the caller's environment.
ENV = {k: v for k, v in os.environ.items() if k != "LANGGRAPH_STRICT_MSGPACK"}
EXT_CONSTRUCTOR_POS_ARGS = 1  # jsonplus: (module, name, args) → getattr(import_module(module), name)(*args)


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([AGENT_DEBUG, *args], capture_output=True, text=True, timeout=120, cwd=cwd, env=ENV)


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with a hash of its bytes."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def os_system(marker: Path) -> ormsgpack.Ext:
    """A stored object LangGraph's decoder revives by calling ``os.system("touch MARKER")``."""
    return ormsgpack.Ext(EXT_CONSTRUCTOR_POS_ARGS, ormsgpack.packb(["os", "system", [f"touch {shlex.quote(str(marker))}"]]))


def tamper_checkpoint(db: Path, thread: str, channel: str, value: Any) -> str:
    """Rewrite ``channel`` in the thread's latest checkpoint to ``value``; the checkpoint's id."""
    serde = JsonPlusSerializer()  # only to rebuild the blob's structure: its values are LangGraph's own
    conn = sqlite3.connect(db)
    with conn:
        checkpoint_id, type_, blob = conn.execute(
            "SELECT checkpoint_id, type, checkpoint FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = '' "
            "ORDER BY checkpoint_id DESC LIMIT 1",
            (thread,),
        ).fetchone()
        checkpoint = serde.loads_typed((type_, blob))
        assert channel in checkpoint["channel_values"]
        checkpoint["channel_values"][channel] = value
        conn.execute(
            "UPDATE checkpoints SET checkpoint = ? WHERE thread_id = ? AND checkpoint_id = ?",
            (serde.dumps_typed(checkpoint)[1], thread, checkpoint_id),
        )
    conn.close()
    assert not db.with_name(db.name + "-wal").exists()  # a LangGraph store (WAL), closed
    return checkpoint_id


def assert_one_line_refusal(out: subprocess.CompletedProcess[str], *words: str) -> None:
    assert out.returncode == 1, (out.stdout, out.stderr)
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith("agent-debug: error: refusing to decode a value stored in"), lines[0]
    assert "Traceback" not in out.stderr + out.stdout and "internal error" not in out.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])


# -- the store: a real run of the fixture workflow, left waiting at its review -----------------------


@pytest.fixture(scope="module")
def feature_store(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    where = tmp_path_factory.mktemp("seed")
    out = run("run", FEATURE, "--no-ui", "--checkpointer", "s.db", "--thread", "t", "--input", INPUT, cwd=where)
    assert out.returncode == 0, out.stderr
    with open_source(str(where / "s.db")) as source:
        assert source.thread("t").status.value == "interrupted"
    return (where / "s.db").read_bytes()


@pytest.fixture
def tampered(tmp_path: Path, feature_store: bytes) -> tuple[Path, Path, str]:
    """(store, marker, head checkpoint id): the head's ``analysis`` names os.system("touch marker")."""
    db = tmp_path / "s.db"
    db.write_bytes(feature_store)
    marker = tmp_path / "MARKER"
    checkpoint_id = tamper_checkpoint(db, "t", "analysis", os_system(marker))
    return db, marker, checkpoint_id


def test_the_payload_is_live_for_langgraphs_permissive_decoder(tampered, tmp_path):
    """The acting verbs' saver before this change (``SqliteSaver(conn)``: LangGraph's
    permissive default) runs the payload on load; LangGraph's strict mode alone would
    hand back the stored arguments as the value and run on."""
    db, marker, _ = tampered
    proof = tmp_path / "proof" / "s.db"
    proof.parent.mkdir()
    shutil.copy(db, proof)
    conn = sqlite3.connect(proof, check_same_thread=False)
    try:
        SqliteSaver(conn, serde=JsonPlusSerializer(allowed_msgpack_modules=True)).get_tuple({"configurable": {"thread_id": "t"}})
        assert marker.exists()
        marker.unlink()
        strict = SqliteSaver(conn, serde=JsonPlusSerializer(allowed_msgpack_modules=None)).get_tuple({"configurable": {"thread_id": "t"}})
    finally:
        conn.close()
    assert not marker.exists()
    assert strict.checkpoint["channel_values"]["analysis"] == [f"touch {shlex.quote(str(marker))}"]


VERBS = {
    "resume": lambda checkpoint: ["resume", "s.db", "--thread", "t", "--graph", FEATURE, "--approve"],
    "replay": lambda checkpoint: ["replay", "s.db", "--thread", "t", "--checkpoint", checkpoint, "--graph", FEATURE],
    "run": lambda checkpoint: ["run", FEATURE, "--no-ui", "--checkpointer", "s.db", "--thread", "t", "--restart", "--input", INPUT],
}


@pytest.mark.parametrize("verb", VERBS)
def test_acting_on_a_checkpoint_naming_os_system_refuses_and_runs_nothing(tampered, verb):
    db, marker, checkpoint_id = tampered
    before = snapshot(db.parent)
    out = run(*VERBS[verb](checkpoint_id), cwd=db.parent)
    refusal = "it names os.system, which is not allowed (allow it with --allow-module os:system if you trust this store)"
    if verb == "run":
        # run reports the refused decode as the run's failure (its events are on stdout).
        assert out.returncode == 1, out.stderr
        assert refusal in out.stderr.strip().splitlines()[-1] and "internal error" not in out.stderr
    else:
        assert_one_line_refusal(out, refusal, "stored in s.db", "nothing was written")
    assert not marker.exists()
    assert snapshot(db.parent) == before


def test_a_pending_write_naming_os_system_is_refused(tmp_path, feature_store):
    """The payload inside the value of the interrupt the resume answers (its id kept, so
    the interrupt is still found and answered)."""
    db = tmp_path / "s.db"
    db.write_bytes(feature_store)
    marker = tmp_path / "MARKER"
    serde = JsonPlusSerializer()
    conn = sqlite3.connect(db)
    with conn:
        rowid, type_, value = conn.execute("SELECT rowid, type, value FROM writes WHERE thread_id = 't' AND channel = '__interrupt__'").fetchone()
        (pending,) = serde.loads_typed((type_, value))
        pending = dataclasses.replace(pending, value={"question": pending.value, "also": os_system(marker)})
        conn.execute("UPDATE writes SET value = ? WHERE rowid = ?", (serde.dumps_typed([pending])[1], rowid))
    conn.close()
    before = snapshot(tmp_path)
    out = run("resume", "s.db", "--thread", "t", "--graph", FEATURE, "--value", '"approve"', cwd=tmp_path)
    assert_one_line_refusal(out, "os.system")
    assert not marker.exists() and snapshot(tmp_path) == before


def test_a_module_entry_allows_its_classes_not_its_functions(tmp_path):
    marker = tmp_path / "MARKER"
    blob = ormsgpack.packb([os_system(marker)])
    for allow in (["os"], ["os.path"], []):
        with pytest.raises(DecodeRefused, match="it names os.system"):
            strict_serializer(None, allow, "the store").loads_typed(("msgpack", blob))
    assert not marker.exists()
    # A class defined in an allowed module is revived (pathlib is not in LangGraph's list).
    purepath = ormsgpack.Ext(EXT_CONSTRUCTOR_POS_ARGS, ormsgpack.packb(["pathlib", "PurePosixPath", ["a", "b"]]))
    with pytest.raises(DecodeRefused, match="pathlib.PurePosixPath"):
        strict_serializer(None, [], "the store").loads_typed(("msgpack", ormsgpack.packb(purepath)))
    assert str(strict_serializer(None, ["pathlib"], "the store").loads_typed(("msgpack", ormsgpack.packb(purepath)))) == "a/b"
    # A refusal stops the writing too: a run stopped by it saves nothing afterwards.
    serde = strict_serializer(None, [], "the store")
    with pytest.raises(DecodeRefused):
        serde.loads_typed(("msgpack", blob))
    with pytest.raises(DecodeRefused):
        serde.dumps_typed({"x": 1})


async def until(pilot: Any, condition: Any, seconds: float = 60) -> None:
    """Wait for ``condition()`` (a bound, not a duration: the machine may be busy)."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("the condition never held")


async def test_the_debugger_shows_the_refusal_and_keeps_running(tampered, monkeypatch):
    """``attach --graph``: approving the tampered thread's interrupt in the TUI is refused
    in a notification naming the type; the app goes on, the payload never runs, the store
    is unchanged (and writes nothing more this session)."""
    from agent_debug.fixtures.feature_request import graph
    from agent_debug.inspector.acting_store import open_store_for_app
    from agent_debug.inspector.session import DebugSession
    from agent_debug.inspector.sources.local import LocalSource
    from agent_debug.tui.app import AgentDebugApp
    from agent_debug.tui.screens.interrupt_screen import InterruptScreen
    from tests.tui.conftest import settle

    db, marker, _ = tampered
    monkeypatch.delenv("LANGGRAPH_STRICT_MSGPACK", raising=False)
    before = snapshot(db.parent)
    store = open_store_for_app(str(db), graph=graph)
    app = AgentDebugApp(store.source, graph=graph, controller=DebugSession(LocalSource(store, graph)), poll_interval=0, thread_id="t")
    try:
        async with app.run_test(size=(140, 45)) as pilot:
            await settle(pilot)
            await pilot.press("a")
            await until(pilot, lambda: isinstance(app.screen, InterruptScreen))
            await pilot.press("ctrl+a")

            def shown() -> list[str]:
                return [str(n.message) for n in app._notifications if "os.system" in str(n.message)]

            await until(pilot, shown)
            assert "which is not allowed" in shown()[0], [str(n.message) for n in app._notifications]
            assert app.is_running
    finally:
        store.close()
    assert not marker.exists()
    assert snapshot(db.parent) == before


# -- the graph's own types, and --allow-module for the others ---------------------------------------

FOREIGN_TYPES = '''
"""Types the graph's nodes store, from a module that is not the graph's."""
from dataclasses import dataclass


@dataclass
class Parcel:
    weight: int
'''

APP_GRAPH = '''
"""A graph storing its own types, LangChain messages and (on request) a foreign one."""
from dataclasses import dataclass
from os import system  # imported, not defined here: never revivable as app_graph.system
from typing import Annotated, Any, TypedDict

from langchain_core.messages import AIMessage, AnyMessage
from langgraph.graph import START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.types import interrupt

from foreign_types import Parcel


@dataclass
class Receipt:
    number: int


@dataclass
class Note:
    text: str


class State(TypedDict, total=False):
    foreign: bool
    own: Receipt  # named by the state schema
    note: Any  # a type defined beside the graph, in a field that does not name it
    item: Any
    answer: str
    messages: Annotated[list[AnyMessage], add_messages]


def make(state: State) -> dict[str, Any]:
    out = {"own": Receipt(7), "note": Note("beside the graph"), "messages": [AIMessage("made")]}
    if state.get("foreign"):
        out["item"] = Parcel(3)
    return out


def ask(state: State) -> dict[str, Any]:
    return {"answer": interrupt("ship it?")}


graph = StateGraph(State).add_sequence([make, ask]).add_edge(START, "make").compile()
'''


@pytest.fixture(scope="module")
def app_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project folder: the graph module, a module of foreign types, and a store with two
    waiting threads, ``foreign`` (a Parcel in its state) and ``own`` (only the graph's types)."""
    where = tmp_path_factory.mktemp("app")
    (where / "foreign_types.py").write_text(textwrap.dedent(FOREIGN_TYPES))
    (where / "app_graph.py").write_text(textwrap.dedent(APP_GRAPH))
    for thread, foreign in (("foreign", "true"), ("own", "false")):
        # As the user's app writes it: its classes stored under their module's import name.
        out = run("run", "app_graph:graph", "--no-ui", "--checkpointer", "s.db", "--thread", thread, "--input", f'{{"foreign": {foreign}}}', cwd=where)
        assert out.returncode == 0, out.stderr
    return where


@pytest.fixture
def app(tmp_path: Path, app_project: Path) -> Path:
    for name in ("foreign_types.py", "app_graph.py", "s.db"):
        shutil.copy(app_project / name, tmp_path / name)
    return tmp_path


def resume(app: Path, thread: str, *flags: str) -> subprocess.CompletedProcess[str]:
    return run("resume", "s.db", "--thread", thread, "--graph", "app_graph.py:graph", "--value", '"yes"', *flags, cwd=app)


def test_a_type_outside_the_graphs_modules_is_refused_without_the_flag(app):
    before = snapshot(app)
    out = resume(app, "foreign")
    assert_one_line_refusal(out, "it names foreign_types.Parcel", "--allow-module foreign_types:Parcel")
    assert snapshot(app) == before


@pytest.mark.parametrize("flag", ["foreign_types", "foreign_types:Parcel"])
def test_allow_module_lets_the_type_be_decoded(app, flag):
    out = resume(app, "foreign", "--allow-module", flag)
    assert out.returncode == 0, out.stderr
    assert "is now done" in out.stdout
    with open_source(str(app / "s.db")) as source:
        values = source.state("foreign").values
    assert values["answer"] == "yes"
    assert values["item"] == {"__type__": "foreign_types.Parcel", "weight": 3}
    assert values["own"] == {"__type__": "app_graph.Receipt", "number": 7}


def test_the_graphs_own_types_and_langchain_messages_need_no_flag(app):
    out = resume(app, "own")
    assert out.returncode == 0, out.stderr
    with open_source(str(app / "s.db")) as source:
        values = source.state("own").values
    assert values["answer"] == "yes" and values["note"] == {"__type__": "app_graph.Note", "text": "beside the graph"}
    assert [m["__type__"] for m in values["messages"]] == ["langchain_core.messages.ai.AIMessage"]


def test_the_derived_allow_list_holds_the_graphs_types_and_no_function(app_project, monkeypatch):
    monkeypatch.syspath_prepend(str(app_project))
    from agent_debug.inspector.graph_ref import load_graph

    allowed = graph_allow_list(load_graph(str(app_project / "app_graph.py:graph")))
    assert allowed.allows("app_graph", "Receipt") and allowed.allows("app_graph", "Note")
    assert allowed.allows("langchain_core.messages.ai", "AIMessage")
    assert not allowed.allows("app_graph", "system")  # os.system, imported by the graph module
    assert not allowed.allows("app_graph", "make")  # a node function
    assert not allowed.allows("foreign_types", "Parcel") and not allowed.allows("os", "system")


def test_a_malformed_allow_module_is_a_usage_error(app):
    out = resume(app, "foreign", "--allow-module", "foreign types")
    assert out.returncode == 2, out.stderr
    assert out.stderr.strip().splitlines() == [
        "agent-debug: error: --allow-module 'foreign types': expected MODULE or MODULE:NAME (for example my_pkg.models or os.path:join)"
    ]


# -- PostgreSQL -------------------------------------------------------------------------------------


def _pg_rows(dsn: str) -> list[tuple[str, ...]]:
    import psycopg

    with psycopg.connect(dsn) as conn:
        return [
            conn.execute(f"SELECT count(*)::text, coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') FROM {table} t").fetchone()
            for table in ("checkpoints", "checkpoint_blobs", "checkpoint_writes")
        ]


@pytest.mark.postgres
def test_resume_on_postgres_refuses_a_blob_naming_os_system(fresh_database, tmp_path):
    from tests.graphs import linear_builder

    dsn = fresh_database
    marker = tmp_path / "MARKER"
    with postgres_saver(dsn) as saver:
        graph = linear_builder().compile(checkpointer=saver)
        graph.invoke({"x": 1}, {"configurable": {"thread_id": "pg"}})
        changed = saver.conn.execute(
            "UPDATE checkpoint_blobs SET type = 'msgpack', blob = %s WHERE thread_id = 'pg' AND channel = 'messages'",
            (ormsgpack.packb([os_system(marker)]),),
        ).rowcount
    assert changed >= 1
    before = _pg_rows(dsn)
    out = run("resume", dsn, "--thread", "pg", "--approve", "--graph", "tests/graphs.py:linear", cwd=ROOT)
    assert_one_line_refusal(out, "os.system", "--allow-module os:system")
    assert not marker.exists() and _pg_rows(dsn) == before
