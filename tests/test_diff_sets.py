"""Sets are compared as sets: a set written by a process with another hash seed is no change."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from agent_debug.inspector.decode import TYPE_KEY
from agent_debug.inspector.diff import diff_checkpoint, diff_states, diff_values, same_value
from agent_debug.inspector.targets import open_source

STATE_MODULE = textwrap.dedent(
    """
    import dataclasses
    from typing import TypedDict

    from pydantic import BaseModel


    @dataclasses.dataclass
    class Box:
        labels: set[str]


    class Card(BaseModel):
        tags: set[str]
        ids: frozenset[int]


    class State(TypedDict, total=False):
        n: int
        tags: set[str]
        frozen: frozenset[str]
        box: Box
        card: Card
    """
)

# One run of the same thread per process: the first writes the sets, the second reads
# them back (revived in its own hash order) and writes them again unchanged.
WRITER = textwrap.dedent(
    """
    import json, sqlite3, sys
    from langgraph.checkpoint.sqlite import SqliteSaver
    from langgraph.graph import START, StateGraph
    from set_state import Box, Card, State

    WORDS = [f"word{i:02d}" for i in range(40)]

    def touch(state):
        return {
            "n": state.get("n", 0) + 1,
            "tags": set(state["tags"]),
            "frozen": frozenset(state["frozen"]),
            "box": Box(set(state["box"].labels)),
            "card": Card(tags=set(state["card"].tags), ids=state["card"].ids),
        }

    builder = StateGraph(State)
    builder.add_node("touch", touch)
    builder.add_edge(START, "touch")
    conn = sqlite3.connect(sys.argv[1], check_same_thread=False)
    graph = builder.compile(checkpointer=SqliteSaver(conn))
    config = {"configurable": {"thread_id": "t"}}
    if sys.argv[2] == "first":
        first = {
            "n": 0,
            "tags": set(WORDS),
            "frozen": frozenset(WORDS[:20]),
            "box": Box(set(WORDS[5:25])),
            "card": Card(tags=set(WORDS[10:30]), ids=frozenset(range(1000, 1040, 3))),
        }
        graph.invoke(first, config)
    else:
        graph.invoke({"n": 10}, config)
    values = graph.get_state(config).values
    print(json.dumps({"tags": list(values["tags"]), "card": list(values["card"].tags)}))
    conn.close()
    """
)


def _write(db: Path, tmp_path: Path, run: str, seed: str) -> dict[str, list[str]]:
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "mods"), "PYTHONHASHSEED": seed}
    out = subprocess.run([sys.executable, "-c", WRITER, str(db), run], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_sets_written_by_processes_with_different_hash_seeds_do_not_differ(tmp_path: Path):
    (tmp_path / "mods").mkdir()
    (tmp_path / "mods" / "set_state.py").write_text(STATE_MODULE)
    db = tmp_path / "sets.db"
    first = _write(db, tmp_path, "first", "1")
    second = _write(db, tmp_path, "second", "2")
    # The two processes do iterate (and so store) the same sets in different orders.
    assert sorted(first["tags"]) == sorted(second["tags"]) and first["tags"] != second["tags"]
    assert sorted(first["card"]) == sorted(second["card"]) and first["card"] != second["card"]

    with open_source(str(db)) as source:
        history = source.history("t", limit=None).checkpoints
        # The first run's result and the second's (steps -1..1, then 2..4).
        by_first, by_second = (next(c for c in history if c.step == step and c.nodes == ["touch"]) for step in (1, 4))
        a = source.state("t", checkpoint_id=by_first.checkpoint_id).values
        b = source.state("t", checkpoint_id=by_second.checkpoint_id).values
        d = diff_checkpoint(source, "t", by_second.checkpoint_id)
    # Decoded the same way whatever the writer's hash seed: members sorted.
    for key in ("tags", "frozen", "box", "card"):
        assert a[key] == b[key], key
    assert a["tags"] == {TYPE_KEY: "builtins.set", "value": sorted(first["tags"])}
    assert a["card"]["tags"] == {TYPE_KEY: "builtins.set", "value": sorted(first["card"])}
    assert a["box"]["labels"]["value"] == sorted(a["box"]["labels"]["value"])
    # The second process changed n and rewrote every set unchanged: only n differs.
    assert [(c.path, c.before, c.after) for c in d.changes] == [("n", 10, 11)]


def _set(members: list, kind: str = "set") -> dict:
    return {TYPE_KEY: f"builtins.{kind}", "value": members}


def test_the_same_members_in_another_order_are_no_change():
    # As a recording made before members were sorted, or another source, may show them.
    assert diff_values(_set(["b", "a", "c"]), _set(["c", "b", "a"]), "tags") == []
    assert diff_values(_set([{"k": 1}, [1, 2], "x"]), _set(["x", [1, 2], {"k": 1}])) == []
    before = {"card": {TYPE_KEY: "app.Card", "tags": _set(["x", "y"]), "n": 1}, "plain": {"ids": _set([2, 1])}}
    after = {"card": {TYPE_KEY: "app.Card", "tags": _set(["y", "x"]), "n": 1}, "plain": {"ids": _set([1, 2])}}
    assert diff_states(before, after) == ([], [])
    assert same_value([_set([1, 2])], [_set([2, 1])])


def test_sets_with_other_members_or_of_another_kind_differ():
    (change,) = diff_values(_set(["a", "b"]), _set(["a", "c"]), "tags")
    assert (change.path, change.kind, change.before, change.after) == ("tags", "changed", _set(["a", "b"]), _set(["a", "c"]))
    assert [c.path for c in diff_values({"s": _set(["a"])}, {"s": _set(["a"], "frozenset")})] == ["s"]
    assert [c.path for c in diff_values({"s": _set(["a", "a"])}, {"s": _set(["a"])})] == ["s"]
    assert not same_value(_set([1, 2]), [1, 2])  # a set is not a list with the same members


def test_a_message_whose_set_is_reordered_is_unchanged():
    def message(tags: list[str]) -> dict:
        return {
            TYPE_KEY: "langchain_core.messages.ai.AIMessage",
            "type": "ai",
            "id": "m1",
            "content": "hi",
            "additional_kwargs": {"tags": _set(tags)},
        }

    changes, messages = diff_states({"messages": [message(["a", "b"])]}, {"messages": [message(["b", "a"])]})
    assert changes == [] and messages == []
