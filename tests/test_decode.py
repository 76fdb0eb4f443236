"""Safe decoding: stored objects stay plain data and no module named in the store is imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import ormsgpack
import pytest

from agent_debug.inspector.decode import decode_safe, decode_structure, to_plain
from agent_debug.inspector.messages import find_messages, message_view

AGENT_DEBUG = str(Path(sys.executable).with_name("agent-debug"))

TRAP_MODULE = textwrap.dedent(
    """
    import os, pathlib
    pathlib.Path(os.environ["TRAP_MARKER"]).write_text("imported")
    from pydantic import BaseModel

    class Payload(BaseModel):
        secret: str
        count: int
    """
)


@pytest.fixture
def trap_store(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """A store whose state holds an instance of a module that leaves a marker when imported."""
    pkg = tmp_path / "mods"
    pkg.mkdir()
    (pkg / "trap_payload.py").write_text(TRAP_MODULE)
    marker = tmp_path / "marker"
    env = {**os.environ, "PYTHONPATH": str(pkg), "TRAP_MARKER": str(marker)}
    db = tmp_path / "trap.db"
    writer = textwrap.dedent(
        f"""
        import sqlite3
        from typing import Any, TypedDict
        from langgraph.graph import StateGraph, START
        from langgraph.checkpoint.sqlite import SqliteSaver
        from trap_payload import Payload

        class S(TypedDict):
            payload: Any

        g = StateGraph(S)
        g.add_node("make", lambda s: {{"payload": Payload(secret="s3", count=2)}})
        g.add_edge(START, "make")
        conn = sqlite3.connect({str(db)!r}, check_same_thread=False)
        g.compile(checkpointer=SqliteSaver(conn)).invoke({{"payload": None}}, {{"configurable": {{"thread_id": "t"}}}})
        conn.close()
        """
    )
    subprocess.run([sys.executable, "-c", writer], env=env, check=True)
    assert marker.exists()  # the writer itself imported it
    marker.unlink()
    return db, marker, env


def test_safe_decoding_never_imports_stored_modules(trap_store):
    db, marker, env = trap_store
    for args in (["threads"], ["history", "--thread", "t"], ["state", "--thread", "t", "--json"]):
        out = subprocess.run([AGENT_DEBUG, args[0], str(db), *args[1:]], env=env, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        assert not marker.exists(), f"{args[0]} imported a module named in the store"
    payload = json.loads(out.stdout)["values"]["payload"]
    assert payload == {"__type__": "trap_payload.Payload", "secret": "s3", "count": 2}


def test_full_decoding_is_an_explicit_opt_in(trap_store):
    db, marker, env = trap_store
    out = subprocess.run(
        [AGENT_DEBUG, "state", str(db), "--thread", "t", "--decode", "full", "--json"], env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert marker.exists()
    doc = json.loads(out.stdout)
    assert doc["decoded"] == "full"
    assert doc["values"]["payload"] == {"__type__": "trap_payload.Payload", "secret": "s3", "count": 2}


def _ext(code: int, payload: Any) -> ormsgpack.Ext:
    return ormsgpack.Ext(code, ormsgpack.packb(payload))


def test_each_extension_becomes_typed_plain_data():
    value = {
        "uuid": _ext(0, ("uuid", "UUID", "12345678123456781234567812345678")),
        "send": _ext(1, ("langgraph.types", "Send", ("node_a", {"k": 1}))),
        "exc": _ext(1, ("builtins", "ValueError", ("bad",))),
        "kw": _ext(2, ("evil.module", "Thing", {"name": "n", "module": "m"})),
        "when": _ext(3, ("datetime", "datetime", "2026-01-02T03:04:05", "fromisoformat")),
        "model": _ext(5, ("evil.models", "Model", {"a": 1}, "model_validate_json")),
        "array": _ext(6, ("<f8", (2, 2), "C", b"\x00" * 32)),
    }
    decoded = decode_safe("msgpack", ormsgpack.packb(value))
    assert decoded == {
        "uuid": {"__type__": "uuid.UUID", "value": "12345678-1234-5678-1234-567812345678"},
        "send": {"__type__": "langgraph.types.Send", "node": "node_a", "arg": {"k": 1}},
        "exc": {"__type__": "builtins.ValueError", "args": ["bad"]},
        "kw": {"__type__": "evil.module.Thing", "name": "n", "module": "m"},
        "when": {"__type__": "datetime.datetime", "value": "2026-01-02T03:04:05"},
        "model": {"__type__": "evil.models.Model", "a": 1},
        "array": {"__type__": "numpy.ndarray", "dtype": "<f8", "shape": [2, 2]},
    }
    assert "evil" not in " ".join(sys.modules)


def test_pickle_and_bytes_are_never_unpickled():
    evil = b"cos\nsystem\n(S'echo hi'\ntR."
    assert decode_safe("pickle", evil) == {"__type__": "pickle", "size": len(evil)}
    # A bytes value is shown, marked as bytes (base64), never interpreted.
    assert decode_safe("bytes", b"abc") == {"__type__": "bytes", "size": 3, "base64": "YWJj"}
    assert decode_safe("null", b"") is None


def test_legacy_json_constructor_envelope():
    raw = json.dumps({"m": {"lc": 2, "type": "constructor", "id": ["evil", "Thing"], "kwargs": {"a": 1}}}).encode()
    assert decode_safe("json", raw) == {"m": {"__type__": "evil.Thing", "a": 1}}


def test_structure_skips_objects_but_names_sends():
    blob = ormsgpack.packb(
        {"channel_values": {"m": _ext(5, ("x", "Y", {"a": 1}, "m")), "__pregel_tasks": [_ext(1, ("langgraph.types", "Send", ("w", 1)))]}}
    )
    skel = decode_structure("msgpack", blob)
    assert skel["channel_values"]["m"] is None
    assert skel["channel_values"]["__pregel_tasks"][0]["node"] == "w"


def test_real_messages_survive_both_decoders():
    from langchain_core.messages import AIMessage, ToolMessage
    from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

    serde = JsonPlusSerializer()
    msgs = [
        AIMessage(content="", tool_calls=[{"name": "search", "args": {"q": "x"}, "id": "call1"}]),
        ToolMessage(content="result", tool_call_id="call1", name="search"),
    ]
    safe = decode_safe(*serde.dumps_typed({"messages": msgs}))
    full = to_plain(serde.loads_typed(serde.dumps_typed({"messages": msgs})))
    for values in (safe, full):
        views = find_messages(values)
        assert [v.role for v in views] == ["ai", "tool"]
        assert views[0].tool_calls[0]["name"] == "search"
        assert views[1].tool_call_id == "call1" and views[1].text == "result"


def test_reasoning_summary_blocks():
    view = message_view(
        {
            "__type__": "langchain_core.messages.ai.AIMessage",
            "type": "ai",
            "content": [{"type": "reasoning", "summary": [{"type": "summary_text", "text": "step one"}]}, "tail"],
        }
    )
    assert view.reasoning == ["step one"] and view.text == "tail"
