"""The shortcuts a flood of events takes give what the long way gives: ``jsonable``'s
copy of small plain values equals the JSON round trip, and a node's context read from
the same metadata or config again is the one read the first time (a new one is read anew)."""

from __future__ import annotations

import json
import math

import pydantic_core
import pytest

from agent_debug.inspector.events import CustomEvent, context_from_config, context_from_metadata, jsonable, parse_event
from agent_debug.inspector.events.model import _marked


def round_trip(value):
    """What ``jsonable`` made of every value before the shortcut."""
    return json.loads(pydantic_core.to_json(_marked(value), fallback=repr, bytes_mode="base64", inf_nan_mode="null"))


class Text(str):
    """A str subclass: not plain, takes the long way."""


VALUES = [
    {"i": 1}, [1, 2.5, "x", None, True, (1, 2)], {"a": {"b": [1, {"c": 0.1}]}}, "s", "", 3, -0.0, 1e308, 2**70, True, None,
    {"x": (1, (2, 3))}, {"inf": math.inf}, [math.nan], {1: "int key"}, {"k": b"\x00\xff"}, {"k": {3, 1, 2}},
    list(range(500)), {"deep": [[[[[[[[1]]]]]]]]}, {"t": Text("sub")}, {"e": ValueError("boom")}, ("tuple", 1),
]


@pytest.mark.parametrize("value", VALUES, ids=[repr(v)[:30] for v in VALUES])
def test_jsonable_equals_the_json_round_trip(value):
    made = jsonable(value)
    assert json.dumps(made) == json.dumps(round_trip(value))
    assert type(made) is type(round_trip(value))


def test_jsonable_copies_what_it_is_given():
    payload = {"items": [1, 2], "meta": {"n": 1}}
    made = jsonable(payload)
    payload["items"].append(3)
    payload["meta"]["n"] = 2
    assert made == {"items": [1, 2], "meta": {"n": 1}}  # the node changing its value later changes no event


def test_an_event_with_a_plain_payload_reads_back_equal():
    event = CustomEvent(seq=1, time=1.5, payload=jsonable({"i": 1, "t": (1, 2), "f": 0.25}))
    assert parse_event(event.model_dump_json()) == event


def metadata(node: str, step: int) -> dict:
    return {"langgraph_node": node, "langgraph_step": step, "langgraph_checkpoint_ns": f"{node}:task-{node}", "langgraph_triggers": ["start"]}


def test_a_context_read_again_from_the_same_metadata_is_the_same_and_new_metadata_is_read_anew():
    first = metadata("plan", 1)
    a = context_from_metadata(first)
    assert (a.node, a.step, a.task_id) == ("plan", 1, "task-plan")
    assert context_from_metadata(first) is a
    b = context_from_metadata(metadata("act", 2))
    assert (b.node, b.step, b.task_id) == ("act", 2, "task-act")
    assert context_from_metadata(first, "given-task").task_id == "given-task"  # the task id is part of what is read
    assert context_from_metadata(first) == a
    assert context_from_metadata({}) is None


def test_a_context_read_again_from_the_same_config_is_the_same_and_a_new_config_is_read_anew():
    config = {"metadata": metadata("plan", 1), "configurable": {"thread_id": "t1", "__pregel_task_id": "tid-1"}}
    a = context_from_config(config)
    assert (a.node, a.task_id, a.thread_id) == ("plan", "tid-1", "t1")
    assert context_from_config(config) is a
    other = {"metadata": metadata("plan", 1), "configurable": {"thread_id": "t2", "__pregel_task_id": "tid-2"}}
    b = context_from_config(other)
    assert (b.task_id, b.thread_id) == ("tid-2", "t2")
    assert context_from_config({"configurable": {}}) is None
