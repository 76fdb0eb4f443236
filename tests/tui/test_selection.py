"""The selection's rules, without a screen: what each change selects and which loads it starts."""

from __future__ import annotations

from typing import Any

from agent_debug.inspector.model import CheckpointSummary
from agent_debug.tui.selection import Selection


class Loads:
    """Stands in for the store loader: records the loads asked for."""

    def __init__(self) -> None:
        self.asked: list[tuple[Any, ...]] = []

    def threads(self) -> None:
        self.asked.append(("threads",))

    def history(self, thread_id: str, namespace: str, mode: str = "first", before: str | None = None, *, missing_ok: bool = False) -> None:
        self.asked.append(("history", thread_id, namespace, mode, "missing ok") if missing_ok else ("history", thread_id, namespace, mode))

    def checkpoint(self, thread_id: str, checkpoint_id: str, namespace: str) -> None:
        self.asked.append(("checkpoint", thread_id, checkpoint_id, namespace))

    def value(self, path: str, value: Any) -> None:
        self.asked.append(("value", path))


def row(checkpoint_id: str, *nodes: str) -> CheckpointSummary:
    return CheckpointSummary(checkpoint_id=checkpoint_id, parent_id="c0", step=1, source="loop", nodes=list(nodes), created_at=None)


def selection() -> tuple[Selection, Loads, list[bool]]:
    loads, changes = Loads(), []
    chosen = Selection(loads, follow=True, changed=lambda: changes.append(True))  # type: ignore[arg-type]
    return chosen, loads, changes


def test_a_thread_shows_its_root_namespace_from_the_first_page():
    chosen, loads, changes = selection()
    chosen.namespace = "sub:1"
    chosen.checkpoint_id = "c9"
    chosen.choose_thread("t")
    assert (chosen.thread_id, chosen.namespace, chosen.checkpoint_id) == ("t", "", None)
    assert loads.asked == [("history", "t", "", "first")] and changes
    assert chosen.shows("t", "") and not chosen.shows("t", "sub:1") and not chosen.shows("other")


def test_leaving_the_newest_checkpoint_stops_following_and_one_decode_per_move():
    chosen, loads, _ = selection()
    chosen.choose_thread("t")
    chosen.choose_checkpoint(row("c3", "tick"), head="c3")
    assert chosen.follow and loads.asked[-1] == ("checkpoint", "t", "c3", "")
    chosen.choose_checkpoint(row("c2", "tick"), head="c3")
    assert not chosen.follow and chosen.checkpoint_id == "c2"
    asked = len(loads.asked)
    chosen.choose_checkpoint(row("c2", "tick"), head="c3")  # the same row again: nothing to read
    assert len(loads.asked) == asked
    assert chosen.selected_phase() == "tick"
    assert chosen.choose_graph_node("review") == "review" and chosen.selected_phase() == "review"
    chosen.choose_checkpoint(row("c1", "plan"), head="c3")  # a row chosen after the node wins
    assert chosen.graph_node is None and chosen.selected_phase() == "plan"


def test_inside_a_subgraph_nodes_are_named_as_breakpoints_name_them():
    chosen, loads, _ = selection()
    chosen.choose_thread("t")
    chosen.choose_namespace("writer:6f1c")
    assert loads.asked[-1] == ("history", "t", "writer:6f1c", "first") and chosen.row is None
    assert chosen.choose_graph_node("draft") == "writer:draft"


def test_an_outcome_shows_its_thread_and_follows_it():
    chosen, loads, _ = selection()
    chosen.choose_thread("t")
    chosen.follow = False
    chosen.follow_outcome("fork-1", "")
    assert chosen.follow and chosen.thread_id == "fork-1"
    assert loads.asked[-2:] == [("threads",), ("history", "fork-1", "", "first")]
