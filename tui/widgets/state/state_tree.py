"""A checkpoint's values as a lazy tree: children are made when a node is expanded."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from agent_debug.inspector.decode import TYPE_KEY
from agent_debug.tui.render import short
from agent_debug.tui.safe_text import visible

# At most this many children are made per expansion; a "[… N more]" row makes the next batch.
BATCH = 100


@dataclass
class ValueRef:
    """Tree data: a value and its dotted path in the state."""

    path: str
    value: Any


@dataclass
class MoreRef:
    """Tree data of a "[… N more]" row: the container and where the next batch starts."""

    path: str
    value: Any
    start: int


def is_container(value: Any) -> bool:
    """Whether a value has children in the tree."""
    return isinstance(value, (dict, list)) and len(value) > 0


def summary(value: Any) -> Text:
    """A one-line preview of a value; long strings cut, containers counted."""
    if isinstance(value, dict):
        type_name = value.get(TYPE_KEY)
        if isinstance(type_name, str):
            name = visible(type_name.rsplit(".", 1)[-1])
            hint = value.get("content") if "content" in value else value.get("value", "")
            return Text.assemble((name, "cyan"), ("(", "dim"), short(hint, 50) if hint != "" else "…", (")", "dim"))
        return Text(f"{{…}} {len(value)} keys", style="dim")
    if isinstance(value, list):
        return Text(f"[…] {len(value)} items", style="dim")
    if isinstance(value, str):
        return Text(repr(short(value, 80, escape=False)), style="green")  # repr escapes controls
    if value is None or isinstance(value, bool):
        return Text(repr(value), style="magenta")
    if isinstance(value, (int, float)):
        return Text(repr(value), style="blue")
    return Text(short(value, 80))


def _items(value: Any, start: int, stop: int) -> tuple[list[tuple[str, Any]], int]:
    """The children from ``start`` to ``stop`` and how many there are in all: only
    those are made (a list of 50,000 records made whole took ~40 ms of the UI thread)."""
    if isinstance(value, dict):
        typed = TYPE_KEY in value
        pairs = ((k, v) for k, v in value.items() if k != TYPE_KEY) if typed else value.items()
        return [(str(k), v) for k, v in itertools.islice(pairs, start, stop)], len(value) - typed
    return [(str(i), value[i]) for i in range(start, min(stop, len(value)))], len(value)


class StateTree(Tree[ValueRef | MoreRef]):
    """State values. Expanded paths are kept when another checkpoint is shown, so
    stepping through history keeps the view the user built (as pudb does)."""

    class ValueChosen(Message):
        """The user moved to a value."""

        def __init__(self, path: str, value: Any) -> None:
            super().__init__()
            self.path = path
            self.value = value

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("state", id=id)
        self.show_root = False
        self.expanded_paths: set[str] = set()
        self._restoring = False

    def show_values(self, values: Any) -> None:
        """Show new values, re-expanding the paths the user had open."""
        self._restoring = True
        self.cursor_line = -1
        self.clear()
        self.root.data = ValueRef("", values)
        self._fill(self.root, values, "", 0)
        self._restoring = False
        if self.root.children:
            # By line, not node: new nodes have no line number until drawn (and a hidden
            # tab is not drawn). The detail pane is told directly, as the line may not change.
            self.cursor_line = 0
            first = self.root.children[0].data
            if isinstance(first, ValueRef):
                self.post_message(self.ValueChosen(first.path, first.value))

    def _fill(self, node: TreeNode[ValueRef | MoreRef], value: Any, path: str, start: int) -> None:
        items, total = _items(value, start, start + BATCH)
        for key, child in items:
            child_path = f"{path}.{key}" if path else key
            label = Text.assemble((visible(key), "bold"), ": ", summary(child))
            if is_container(child):
                sub = node.add(label, ValueRef(child_path, child), allow_expand=True)
                if child_path in self.expanded_paths:
                    sub.expand()
                    self._fill(sub, child, child_path, 0)
            else:
                node.add_leaf(label, ValueRef(child_path, child))
        if total > start + BATCH:
            rest = total - start - BATCH
            node.add_leaf(Text(f"[… {rest} more]", style="dim italic"), MoreRef(path, value, start + BATCH))

    @on(Tree.NodeExpanded)
    def _expanded(self, event: Tree.NodeExpanded[ValueRef | MoreRef]) -> None:
        event.stop()
        data = event.node.data
        if isinstance(data, ValueRef) and not self._restoring:
            self.expanded_paths.add(data.path)
            if not event.node.children:
                self._fill(event.node, data.value, data.path, 0)

    @on(Tree.NodeCollapsed)
    def _collapsed(self, event: Tree.NodeCollapsed[ValueRef | MoreRef]) -> None:
        event.stop()
        if isinstance(event.node.data, ValueRef):
            self.expanded_paths.discard(event.node.data.path)

    @on(Tree.NodeSelected)
    def _selected(self, event: Tree.NodeSelected[ValueRef | MoreRef]) -> None:
        data = event.node.data
        if isinstance(data, MoreRef):
            event.stop()
            parent = event.node.parent
            event.node.remove()
            if parent is not None:
                self._fill(parent, data.value, data.path, data.start)

    @on(Tree.NodeHighlighted)
    def _highlighted(self, event: Tree.NodeHighlighted[ValueRef | MoreRef]) -> None:
        event.stop()
        node = event.node
        while node.parent is not None:
            node = node.parent
        if node is not self.root:
            return  # queued before the tree was rebuilt for another checkpoint
        data = event.node.data
        if isinstance(data, ValueRef):
            self.post_message(self.ValueChosen(data.path, data.value))
