"""``threads``/``history --json`` write plain documents with orjson: the same bytes as the records."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from agent_debug.inspector.model import HistoryPage, ThreadList, ThreadStatus
from agent_debug.inspector.targets import open_source
from agent_debug.tui.cli.json_output import document_json


def record_json(model: type, document: dict[str, Any]) -> bytes:
    return model.model_validate(document).model_dump_json(indent=2).encode() + b"\n"


@pytest.fixture(params=["scenario_db", "seeded_db"])
def store(request: pytest.FixtureRequest) -> Path:
    path, _ = request.getfixturevalue(request.param)
    return path


def test_thread_lists_are_written_as_the_record_writes_them(store: Path):
    with open_source(str(store)) as source:
        for status in (None, *ThreadStatus):
            for limit in (None, 2):
                doc = source.threads_document(status=status, limit=limit)
                assert document_json(doc, "ThreadList") == source.threads(status=status, limit=limit).model_dump_json(indent=2).encode() + b"\n"
        listed = source.threads_document()
    # The stores hold interrupts and errors, so their fields went through the fast path too.
    assert any(t["interrupts"] for t in listed["threads"])
    assert any(t["errors"] for t in listed["threads"])


def test_every_history_page_is_written_as_the_record_writes_it(store: Path):
    pages = 0
    with open_source(str(store)) as source:
        for thread in source.threads_document()["threads"]:
            for space in source.namespaces(thread["thread_id"]):
                for limit, before in ((None, None), (3, None), (3, space.latest_checkpoint_id)):
                    kw = {"namespace": space.namespace, "limit": limit, "before": before}
                    doc = source.history_document(thread["thread_id"], **kw)
                    expected = source.history(thread["thread_id"], **kw).model_dump_json(indent=2).encode() + b"\n"
                    assert document_json(doc, "HistoryPage") == expected
                    pages += 1
    assert pages >= 20


def _thread(**changes: Any) -> dict[str, Any]:
    thread = {
        "thread_id": "t",
        "status": ThreadStatus.INTERRUPTED,
        "checkpoint_id": "c",
        "checkpoint_count": 1,
        "last_step": 0,
        "last_node": None,
        "last_source": "loop",
        "updated_at": datetime(2026, 11, 30, 9, 0, 0, tzinfo=UTC),
        "next": [],
        "interrupts": [],
        "errors": [],
        "read_error": None,
    }
    return {"schema_version": 1, "target": "x.db", "total": 1, "threads": [thread | changes]}


@pytest.mark.parametrize(
    "value",
    [
        b"\x00\xffbinary?",
        {"ünïcode": "😀 \u2028 \"quoted\" \\ \n"},
        [0.1, 1e16, 1.5e-7, 123456789.123, -0.0, 2**63 - 1, -(2**63)],
        [math.nan, math.inf],
        ("a", "tuple"),
        2**70,
        {1: "int key"},
        {"a", "set"},
    ],
    ids=["bytes", "unicode", "numbers", "nan", "tuple", "big-int", "int-key", "set"],
)
def test_stored_values_of_any_shape_come_out_as_the_record_writes_them(value: Any):
    interrupt = {"id": "i", "value": value, "node": "n", "task_id": "t", "namespace": "", "response_schema": None}
    doc = _thread(interrupts=[interrupt])
    assert document_json(doc, "ThreadList") == record_json(ThreadList, doc)


def test_times_without_microseconds_and_empty_pages():
    assert document_json(_thread(updated_at=None), "ThreadList") == record_json(ThreadList, _thread(updated_at=None))
    page = {"schema_version": 1, "thread_id": "t", "namespace": "", "total": 0, "checkpoints": [], "next_before": None}
    assert document_json(page, "HistoryPage") == record_json(HistoryPage, page)
