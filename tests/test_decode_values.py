"""Values of every kind a state holds, through a real SqliteSaver: the safe decoder names
their types, bytes are marked, and ``--decode full`` shows at least what the default shows."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import enum
import json
import sqlite3
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple, TypedDict

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph
from pydantic import BaseModel

from agent_debug.inspector.decode import BYTES_SHOWN, TYPE_KEY, decode_full, decode_safe, to_plain
from agent_debug.inspector.targets import open_source

AGENT_DEBUG = str(Path(sys.executable).with_name("agent-debug"))


class Priority(enum.Enum):
    HIGH = "high"
    LOW = "low"


class Size(enum.IntEnum):
    SMALL = 1


class Point(NamedTuple):
    x: int
    y: int


@dataclasses.dataclass
class Finding:
    title: str
    found_at: dt.datetime
    labels: frozenset[str]
    score: Decimal


class Review(BaseModel):
    reviewer: str
    approved_on: dt.date
    tags: set[str]
    attachment: bytes
    finding: Finding | None = None
    priority: Priority = Priority.HIGH


class Everything(TypedDict, total=False):
    review: Review
    finding: Finding
    aware: dt.datetime
    naive: dt.datetime
    day: dt.date
    at: dt.time
    at_utc: dt.time
    took: dt.timedelta
    run_id: uuid.UUID
    amount: Decimal
    priority: Priority
    size: Size
    seen: set[str]
    frozen: frozenset[int]
    pair: tuple[int, str]
    where: Point
    blob: bytes
    big: bytes
    nested: dict[str, Any]
    messages: list[Any]


def _everything() -> dict[str, Any]:
    when = dt.datetime(2026, 3, 4, 5, 6, 7, 890, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30)))
    finding = Finding("slow query", when, frozenset({"db", "perf", "p1"}), Decimal("0.75"))
    return {
        "review": Review(
            reviewer="ana", approved_on=dt.date(2026, 3, 5), tags={"ship", "docs", "api"}, attachment=b"\x89PNG\r\n", finding=finding
        ),
        "finding": finding,
        "aware": when,
        "naive": dt.datetime(2026, 3, 4, 5, 6, 7),
        "day": dt.date(2026, 1, 31),
        "at": dt.time(23, 59, 1, 5),
        "at_utc": dt.time(8, 0, tzinfo=dt.timezone.utc),
        "took": dt.timedelta(days=1, seconds=5, microseconds=7),
        "run_id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "amount": Decimal("12.50"),
        "priority": Priority.LOW,
        "size": Size.SMALL,
        "seen": {"zeta", "alpha", "mid", "beta"},
        "frozen": frozenset({30, 10, 20}),
        "pair": (1, "one"),
        "where": Point(3, 4),
        "blob": b"\x00\x01binary\xff",
        "big": bytes(range(256)) * 400,  # 100 KiB: over BYTES_SHOWN
        "nested": {"deep": {"ids": {3, 1, 2}, "raw": b"abc", "when": dt.date(2025, 12, 31)}},
        "messages": [
            HumanMessage("look at the logs", id="h1"),
            AIMessage(
                "",
                id="a1",
                tool_calls=[{"name": "grep", "args": {"pattern": "ERROR", "since": "2026-03-04"}, "id": "c1"}],
                additional_kwargs={"trace": {"ids": ["x"]}},
            ),
            ToolMessage("3 matches", tool_call_id="c1", name="grep", id="t1"),
        ],
    }


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A SQLite store whose one thread holds every kind of value, written by a real graph,
    and ``to_plain`` of the values LangGraph's own ``get_state`` reads back."""
    db = tmp_path_factory.mktemp("values") / "values.db"
    builder = StateGraph(Everything)
    builder.add_node("make", lambda state: _everything())
    builder.add_edge(START, "make")
    conn = sqlite3.connect(db, check_same_thread=False)
    graph = builder.compile(checkpointer=SqliteSaver(conn))
    config = {"configurable": {"thread_id": "t"}}
    graph.invoke({"naive": dt.datetime(2000, 1, 1)}, config)
    revived = graph.get_state(config).values
    assert isinstance(revived["review"], Review) and isinstance(revived["finding"], Finding)
    conn.close()
    return db, to_plain(revived)


@pytest.fixture(scope="module")
def store(written: tuple[Path, dict[str, Any]]) -> Path:
    return written[0]


def _values(db: Path, decode: str) -> dict[str, Any]:
    with open_source(str(db)) as source:
        return source.state("t", decode=decode).values  # type: ignore[arg-type]


def _covers(full: Any, safe: Any, path: str = "") -> list[str]:
    """Where ``full`` shows less than ``safe``: a missing key, another type name, another value.
    Returns the keys that only ``full`` has (what revived objects add)."""
    if isinstance(safe, dict):
        assert isinstance(full, dict), f"{path}: full shows {full!r} for {safe!r}"
        assert full.get(TYPE_KEY) == safe.get(TYPE_KEY), f"{path}: type {full.get(TYPE_KEY)} != {safe.get(TYPE_KEY)}"
        missing = set(safe) - set(full)
        assert not missing, f"{path}: full lacks {missing}"
        extra = [f"{path}.{k}" for k in set(full) - set(safe)]
        for key in safe:
            extra += _covers(full[key], safe[key], f"{path}.{key}")
        return extra
    if isinstance(safe, list):
        assert isinstance(full, list) and len(full) == len(safe), f"{path}: {full!r} != {safe!r}"
        return [e for i, (f, s) in enumerate(zip(full, safe, strict=True)) for e in _covers(f, s, f"{path}[{i}]")]
    assert full == safe, f"{path}: {full!r} != {safe!r}"
    return []


def test_full_decoding_shows_everything_the_safe_decoding_shows(store):
    safe, full = _values(store, "safe"), _values(store, "full")
    assert set(safe) == set(full) == set(Everything.__annotations__)
    extra = _covers(full, safe)
    # Only revived enum members tell their member name; nothing else differs.
    assert sorted(extra) == [".priority.name", ".review.priority.name", ".size.name"]
    assert full["priority"]["name"] == "LOW" and full["size"]["name"] == "SMALL"


def test_full_decoding_equals_what_langgraph_reads_back(written):
    db, from_get_state = written
    assert _values(db, "full") == from_get_state


def test_each_kind_keeps_its_type_name_and_a_readable_value(store):
    v = _values(store, "safe")
    assert v["review"][TYPE_KEY] == f"{__name__}.Review"
    assert v["review"]["approved_on"] == {TYPE_KEY: "datetime.date", "value": "2026-03-05"}
    assert v["review"]["tags"] == {TYPE_KEY: "builtins.set", "value": ["api", "docs", "ship"]}
    assert v["finding"][TYPE_KEY] == f"{__name__}.Finding"
    assert v["finding"]["labels"] == {TYPE_KEY: "builtins.frozenset", "value": ["db", "p1", "perf"]}
    assert v["finding"]["score"] == {TYPE_KEY: "decimal.Decimal", "value": "0.75"}
    assert v["aware"] == {TYPE_KEY: "datetime.datetime", "value": "2026-03-04T05:06:07.000890+05:30"}
    assert v["naive"] == {TYPE_KEY: "datetime.datetime", "value": "2026-03-04T05:06:07"}
    assert v["day"] == {TYPE_KEY: "datetime.date", "value": "2026-01-31"}
    assert v["at"] == {TYPE_KEY: "datetime.time", "value": "23:59:01.000005"}
    assert v["at_utc"] == {TYPE_KEY: "datetime.time", "value": "08:00:00+00:00"}
    assert v["took"] == {TYPE_KEY: "datetime.timedelta", "value": "1 day, 0:00:05.000007", "seconds": 86405.000007}
    assert v["run_id"] == {TYPE_KEY: "uuid.UUID", "value": "12345678-1234-5678-1234-567812345678"}
    assert v["amount"] == {TYPE_KEY: "decimal.Decimal", "value": "12.50"}
    assert v["priority"] == {TYPE_KEY: f"{__name__}.Priority", "value": "low"}
    assert v["size"] == {TYPE_KEY: f"{__name__}.Size", "value": 1}
    assert v["seen"] == {TYPE_KEY: "builtins.set", "value": ["alpha", "beta", "mid", "zeta"]}
    assert v["frozen"] == {TYPE_KEY: "builtins.frozenset", "value": [10, 20, 30]}
    assert v["pair"] == [1, "one"]  # msgpack keeps no tuples
    assert v["where"] == {TYPE_KEY: f"{__name__}.Point", "x": 3, "y": 4}
    assert v["nested"]["deep"]["ids"] == {TYPE_KEY: "builtins.set", "value": [1, 2, 3]}
    assert v["nested"]["deep"]["when"] == {TYPE_KEY: "datetime.date", "value": "2025-12-31"}
    assert [m[TYPE_KEY].rsplit(".", 1)[-1] for m in v["messages"]] == ["HumanMessage", "AIMessage", "ToolMessage"]
    assert v["messages"][1]["tool_calls"][0]["args"] == {"pattern": "ERROR", "since": "2026-03-04"}


def test_bytes_are_marked_with_their_size_and_base64(store):
    v = _values(store, "safe")
    blob = v["blob"]
    assert blob == {TYPE_KEY: "bytes", "size": 9, "base64": base64.b64encode(b"\x00\x01binary\xff").decode()}
    assert base64.b64decode(v["review"]["attachment"]["base64"]) == b"\x89PNG\r\n"
    assert v["nested"]["deep"]["raw"] == {TYPE_KEY: "bytes", "size": 3, "base64": "YWJj"}
    big = v["big"]
    assert big["size"] == 102400 and big["truncated"] is True
    assert base64.b64decode(big["base64"]) == (bytes(range(256)) * 400)[:BYTES_SHOWN]


def test_the_json_documents_mark_bytes_in_both_decodings(store):
    for extra in ([], ["--decode", "full"]):
        out = subprocess.run(
            [AGENT_DEBUG, "state", str(store), "--thread", "t", "--json", *extra], capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr
        values = json.loads(out.stdout)["values"]
        assert values["blob"] == {TYPE_KEY: "bytes", "size": 9, "base64": "AAFiaW5hcnn/"}
        assert values["seen"]["value"] == ["alpha", "beta", "mid", "zeta"]
        assert values["review"]["tags"] == {TYPE_KEY: "builtins.set", "value": ["api", "docs", "ship"]}


def test_top_level_bytes_values_and_to_plain_agree():
    from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

    serde = JsonPlusSerializer()
    for value in (b"raw", bytearray(b"xyz"), {"k": b"in a dict"}, [b"\x00" * (BYTES_SHOWN + 1)]):
        stored = serde.dumps_typed(value)
        assert decode_safe(*stored) == decode_full(*stored) == to_plain(serde.loads_typed(stored))
    assert decode_safe(*serde.dumps_typed(bytearray(b"xyz")))[TYPE_KEY] == "bytearray"


def test_a_value_langgraph_cannot_rebuild_is_shown_as_stored_in_full():
    # A set of tuples: msgpack turns the tuples into lists, which a set cannot hold, so
    # LangGraph's serializer hands back the bare members; full decoding still says set.
    from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

    stored = JsonPlusSerializer().dumps_typed({"visited": {(1, 2), (0, 1)}})
    expected = {"visited": {TYPE_KEY: "builtins.set", "value": [[0, 1], [1, 2]]}}
    assert decode_safe(*stored) == decode_full(*stored) == expected


def test_secrets_are_never_shown():
    from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
    from pydantic import SecretStr

    stored = JsonPlusSerializer().dumps_typed({"key": SecretStr("sk-live-123")})
    for decoded in (decode_safe(*stored), decode_full(*stored)):
        assert decoded == {"key": {TYPE_KEY: "pydantic.types.SecretStr", "value": "**********"}}


def test_a_set_reads_the_same_whatever_order_it_was_stored_in():
    import itertools

    import ormsgpack

    members = [[1, "a"], [1, 2], [2, "b"], "x", 3, None, b"\x01"]
    shown = set()
    for order in itertools.islice(itertools.permutations(members), 0, None, 97):
        blob = ormsgpack.packb({"s": ormsgpack.Ext(0, ormsgpack.packb(("builtins", "set", list(order))))})
        shown.add(json.dumps(decode_safe("msgpack", blob)))
    assert len(shown) == 1
