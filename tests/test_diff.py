"""State diffs against the parent checkpoint, on real runs and on hand-made values."""

from __future__ import annotations

from agent_debug.inspector.diff import diff_checkpoint, diff_states, diff_values
from agent_debug.inspector.targets import open_source


def msg(id_: str, text: str, role: str = "ai") -> dict:
    cls = {"ai": "AIMessage", "human": "HumanMessage"}[role]
    return {"__type__": f"langchain_core.messages.{role}.{cls}", "type": role, "id": id_, "content": text}


def test_keys_added_removed_changed_and_nested():
    changes = diff_values({"a": 1, "b": {"x": 1, "y": 2}, "gone": 0}, {"a": 2, "b": {"x": 1, "y": 3, "z": 4}, "new": 5})
    assert [(c.path, c.kind, c.before, c.after) for c in changes] == [
        ("a", "changed", 1, 2),
        ("b.y", "changed", 2, 3),
        ("b.z", "added", None, 4),
        ("gone", "removed", 0, None),
        ("new", "added", None, 5),
    ]


def test_typed_objects_are_compared_whole():
    before = {"p": {"__type__": "m.Plan", "steps": 1}}
    after = {"p": {"__type__": "m.Plan", "steps": 2}}
    assert [(c.path, c.kind) for c in diff_values(before, after)] == [("p", "changed")]


def test_messages_are_matched_by_id():
    before = {"messages": [msg("1", "hi", "human"), msg("2", "draft")]}
    after = {"messages": [msg("1", "hi", "human"), msg("2", "final"), msg("3", "more")]}
    changes, messages = diff_states(before, after)
    assert changes == []
    assert [(m.kind, m.index, m.message.text) for m in messages] == [("changed", 1, "final"), ("added", 2, "more")]
    _, removed = diff_states(after, before)
    assert [(m.kind, m.message.text) for m in removed] == [("changed", "draft"), ("removed", "more")]


def test_real_checkpoint_diff(scenario_db):
    path, scenarios = scenario_db
    graph = scenarios["finished"].graph
    history = list(graph.get_state_history({"configurable": {"thread_id": "finished"}}))
    think = next(s for s in history if s.metadata["source"] == "loop" and s.next == ("approve",))
    parent = next(s for s in history if s.config["configurable"]["checkpoint_id"] == think.parent_config["configurable"]["checkpoint_id"])
    with open_source(str(path)) as source:
        d = diff_checkpoint(source, "finished", think.config["configurable"]["checkpoint_id"])
    assert [(c.path, c.before, c.after) for c in d.changes] == [("x", parent.values["x"], think.values["x"])]
    assert [(m.kind, m.message.text) for m in d.messages] == [("added", "standard"), ("added", "claude"), ("added", "deepseek")]


def test_first_checkpoint_diffs_against_nothing(scenario_db):
    path, _ = scenario_db
    with open_source(str(path)) as source:
        first = source.history("finished", limit=None).checkpoints[-1]
        d = diff_checkpoint(source, "finished", first.checkpoint_id)
    assert d.parent_id is None and d.changes == [] and d.messages == []
