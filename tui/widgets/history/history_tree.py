"""A thread's checkpoint history as a fork tree, loaded a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from rich.text import Text
from textual import on
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from agent_debug.inspector.model import CheckpointSummary, HistoryPage
from agent_debug.tui.render import age
from agent_debug.tui.safe_text import visible


@dataclass(frozen=True)
class OlderPage:
    """Tree data of the row that loads the next (older) page."""

    before: str


RowData = CheckpointSummary | OlderPage | None

MARK = "◆"
"""Marks the checkpoint others are compared with (``M``, then ``D``)."""


def _line_of(root: TreeNode[RowData], target: TreeNode[RowData]) -> int:
    line = 0
    stack = list(reversed(root.children))
    while stack:
        node = stack.pop()
        if node is target:
            return line
        line += 1
        if node.is_expanded:
            stack.extend(reversed(node.children))
    return 0


def _since(child: CheckpointSummary, parent: CheckpointSummary | None, waited: float | None = None) -> str:
    """The time the phase that made ``child`` took (``+N``). A span that holds waiting at an
    interrupt (``waited``: its seconds, from the timeline) is not phase time: ``⏸ N``. An
    input, update or fork was made by no phase: the span before it is idle, not shown."""
    if waited is not None:
        from agent_debug.inspector.timeline import describe  # the timeline's module: loaded with the Timeline tab's first build

        return f"⏸ {describe(waited)}"
    if parent is None or child.created_at is None or parent.created_at is None or child.source != "loop":
        return ""
    ms = (child.created_at - parent.created_at).total_seconds() * 1000
    return f"+{ms:.0f}ms" if ms < 10_000 else f"+{ms / 1000:.0f}s"


class HistoryTree(Tree[RowData]):
    """Newest checkpoint first. The head's ancestry is the trunk; a branch made by an
    update or a fork hangs under the checkpoint it forked from."""

    class Chosen(Message):
        """The user moved to a checkpoint of ``thread_id``'s ``namespace`` (the history
        shown when the move was made: the message may arrive after another is shown)."""

        def __init__(self, checkpoint: CheckpointSummary, thread_id: str | None, namespace: str) -> None:
            super().__init__()
            self.checkpoint = checkpoint
            self.thread_id = thread_id
            self.namespace = namespace

    class OlderWanted(Message):
        """The user reached the end of the loaded history."""

        def __init__(self, before: str) -> None:
            super().__init__()
            self.before = before

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("history", id=id)
        self.show_root = False
        self.guide_depth = 2
        self.rows: list[CheckpointSummary] = []
        self.total = 0
        self.next_before: str | None = None
        self.thread_id: str | None = None
        self.namespace = ""
        # By checkpoint id (Tree keeps its own ``_tree_nodes``, by node id: a name apart).
        self._checkpoint_nodes: dict[str, TreeNode[RowData]] = {}
        self._by_id: dict[str, CheckpointSummary] = {}  # the rows shown, by checkpoint id
        self._ages: dict[str, str] = {}  # the age each row's label shows, by checkpoint id
        self._loading_older = False
        self._now = datetime.now(UTC)
        self._chosen: str | None = None
        self.marked: str | None = None  # the checkpoint marked to compare others with (``mark``)
        # Checkpoints made by a phase whose span holds interrupt waiting, with its seconds
        # (the timeline of the thread tells them: ``show_waits``).
        self.waits: dict[str, float] = {}

    # -- data in -------------------------------------------------------------------

    def show_page(self, page: HistoryPage, *, now: datetime, keep: str | None = None, older: bool = False) -> None:
        """Show a page: a fresh first page, or (``older``) one more page at the end."""
        self._now = now
        if older and page.thread_id == self.thread_id:
            known = {r.checkpoint_id for r in self.rows}
            self.rows += [r for r in page.checkpoints if r.checkpoint_id not in known]
        else:
            self.rows = list(page.checkpoints)
        self.thread_id = page.thread_id
        self.namespace = page.namespace
        self.total = page.total
        self.next_before = page.next_before
        self._loading_older = False
        self._rebuild(keep)

    def merge_newer(self, page: HistoryPage, *, follow: bool, now: datetime) -> None:
        """Add checkpoints written since the last load (live), keeping loaded older pages.
        The newest page of a history not shown yet (its first page is still on its way) is
        shown as its first."""
        if (page.thread_id, page.namespace) != (self.thread_id, self.namespace):
            self.show_page(page, now=now)
            return
        self._now = now
        known = {r.checkpoint_id for r in self.rows}
        fresh = [r for r in page.checkpoints if r.checkpoint_id not in known]
        if not fresh and page.total == self.total:
            return
        self.rows = sorted(fresh + self.rows, key=lambda r: r.checkpoint_id, reverse=True)
        self.total = page.total
        current = self.cursor_node.data if self.cursor_node else None
        keep = None if follow else (current.checkpoint_id if isinstance(current, CheckpointSummary) else None)
        self._rebuild(keep)

    def _rebuild(self, keep: str | None) -> None:
        self.cursor_line = -1
        self.clear()
        self._checkpoint_nodes = {}
        self._ages = {}
        if not self.rows:
            return
        by_id = self._by_id = {r.checkpoint_id: r for r in self.rows}
        children: dict[str, list[CheckpointSummary]] = {}
        for r in self.rows:
            if r.parent_id:
                children.setdefault(r.parent_id, []).append(r)
        trunk = []
        current: CheckpointSummary | None = self.rows[0]
        while current is not None:
            trunk.append(current)
            current = by_id.get(current.parent_id) if current.parent_id else None
        on_trunk = {r.checkpoint_id for r in trunk}
        self._add_chain(self.root, trunk, by_id, children, on_trunk)
        if self.next_before:
            loaded = len(self.rows)
            more = "more" if self.total is None else f"{self.total - loaded} more"
            self.root.add_leaf(Text(f"… older checkpoints ({more})", style="dim italic"), OlderPage(self.next_before))
        self.root.expand_all()
        target = self._checkpoint_nodes.get(keep) if keep else None
        node = target or self.root.children[0]
        # New nodes get line numbers only when the tree is next drawn (never, while it
        # is hidden), so the cursor is placed by index: every node is expanded and the
        # root hidden, hence a node's line is its place in a pre-order walk.
        self.cursor_line = _line_of(self.root, node)
        # The cursor may land on the line it had, which sends no highlight event.
        self._announce(node)

    def refresh_ages(self, now: datetime) -> None:
        """Date the ages of the rows on screen by ``now`` (a row scrolled into view is dated
        at the next call), relabelling only the rows whose age text changes: a tick costs
        the same for a page of history or ten."""
        self._now = now
        top = self.scroll_offset.y
        for line in range(top, top + self.size.height):
            node = self.get_node_at_line(line)
            if node is None:
                break
            row = node.data
            if isinstance(row, CheckpointSummary) and self._ages.get(row.checkpoint_id) != age(row.created_at, now):
                node.set_label(self._label(row, self._by_id.get(row.parent_id or ""), now))

    def show_waits(self, thread_id: str, namespace: str, waits: dict[str, float]) -> None:
        """Mark the loaded rows whose span holds waiting (``⏸``), relabelling only those that change."""
        if thread_id != self.thread_id or namespace != self.namespace or waits == self.waits:
            return
        changed = set(waits) ^ set(self.waits) | {c for c in waits if waits[c] != self.waits.get(c)}
        self.waits = dict(waits)
        for checkpoint_id in changed:
            node = self._checkpoint_nodes.get(checkpoint_id)
            row = self._by_id.get(checkpoint_id)
            if node is not None and row is not None:
                node.set_label(self._label(row, self._by_id.get(row.parent_id or ""), self._now))

    def _add_chain(
        self,
        parent: TreeNode[RowData],
        chain: list[CheckpointSummary],
        by_id: dict[str, CheckpointSummary],
        children: dict[str, list[CheckpointSummary]],
        placed: set[str],
    ) -> None:
        now = self._now
        for row in chain:
            node = parent.add(self._label(row, by_id.get(row.parent_id or ""), now), row, expand=True, allow_expand=False)
            self._checkpoint_nodes[row.checkpoint_id] = node
            for branch_start in children.get(row.checkpoint_id, []):
                if branch_start.checkpoint_id in placed:
                    continue
                # A branch: from its tip (newest descendant) back to the fork point.
                tip = branch_start
                while kids := [k for k in children.get(tip.checkpoint_id, []) if k.checkpoint_id not in placed]:
                    tip = max(kids, key=lambda k: k.checkpoint_id)
                branch: list[CheckpointSummary] = []
                walk: CheckpointSummary | None = tip
                while walk is not None and walk.checkpoint_id != row.checkpoint_id:
                    branch.append(walk)
                    walk = by_id.get(walk.parent_id) if walk.parent_id else None
                placed.update(b.checkpoint_id for b in branch)
                node.allow_expand = True
                head = node.add(Text(f"⑂ branch of {len(branch)}", style="yellow"), None, expand=True)
                self._add_chain(head, branch, by_id, children, placed)

    def _label(self, row: CheckpointSummary, parent: CheckpointSummary | None, now: datetime) -> Text:
        """The row's line: step, nodes, source, age, time since its parent, short id."""
        step = "" if row.step is None else str(row.step)
        what = visible(", ".join(row.nodes) if row.nodes else f"({row.source})")  # stored names
        # The mark takes the step's first column: the rows keep their width.
        marked = ((MARK, "bold magenta"), (f"{step:>3} ", "dim")) if row.checkpoint_id == self.marked else ((f"{step:>4} ", "dim"),)
        label = Text.assemble(*marked, (what, "bold" if row.nodes else "italic"))
        label.append(visible(f"  {row.source}") if row.nodes and row.source != "loop" else "")
        self._ages[row.checkpoint_id] = shown = age(row.created_at, now)
        label.append(f"  {shown}", style="dim")
        since = _since(row, parent, self.waits.get(row.checkpoint_id))
        if since:
            label.append(f"  {since}", style="dim yellow" if since.startswith("⏸") else "dim")
        label.append(visible(f"  {row.checkpoint_id[-12:]}"), style="dim")
        return label

    # -- events out ----------------------------------------------------------------

    @on(Tree.NodeHighlighted)
    def _highlighted(self, event: Tree.NodeHighlighted[RowData]) -> None:
        event.stop()
        if self._is_current(event.node):
            self._announce(event.node)

    def _is_current(self, node: TreeNode[RowData]) -> bool:
        # A highlight queued before a rebuild names a node of the old tree: ignore it,
        # or it would re-select what the rebuild moved away from.
        while node.parent is not None:
            node = node.parent
        return node is self.root

    def _announce(self, node: TreeNode[RowData]) -> None:
        data = node.data
        if isinstance(data, CheckpointSummary):
            if data.checkpoint_id != self._chosen:
                self._chosen = data.checkpoint_id
                self.post_message(self.Chosen(data, self.thread_id, self.namespace))
        elif isinstance(data, OlderPage) and not self._loading_older:
            self._loading_older = True
            self.post_message(self.OlderWanted(data.before))

    def mark(self, checkpoint_id: str | None) -> None:
        """Mark one checkpoint's row (``◆`` in place of its step's first column), or none."""
        before, self.marked = self.marked, checkpoint_id
        for changed in {before, checkpoint_id} - {None}:
            node = self._checkpoint_nodes.get(changed or "")
            if node is not None and isinstance(node.data, CheckpointSummary):
                node.set_label(self._label(node.data, self._by_id.get(node.data.parent_id or ""), self._now))

    def node_of(self, checkpoint_id: str) -> TreeNode[RowData] | None:
        """The tree node of a loaded checkpoint (None: not loaded)."""
        return self._checkpoint_nodes.get(checkpoint_id)

    def select_checkpoint(self, checkpoint_id: str) -> bool:
        """Move the cursor to a loaded checkpoint."""
        node = self.node_of(checkpoint_id)
        if node is None:
            return False
        self.cursor_line = _line_of(self.root, node)
        self._announce(node)
        return True

    def go_to(self, checkpoint_id: str, older: list[CheckpointSummary], next_before: str | None) -> bool:
        """Select a checkpoint and scroll to it (a jump), first adding the older rows read to
        reach it (``next_before``: where the history after them starts); False: not shown."""
        if older:
            known = {r.checkpoint_id for r in self.rows}
            self.rows += [r for r in older if r.checkpoint_id not in known]
            self.next_before = next_before
            self._rebuild(checkpoint_id)
        elif not self.select_checkpoint(checkpoint_id):
            return False
        node = self._checkpoint_nodes.get(checkpoint_id)
        if node is None:
            return False
        # Lines are numbered when the tree is next drawn: scroll once they are.
        self.call_after_refresh(self.scroll_to_node, node, animate=False)
        return True

    def newest(self) -> None:
        """Move the cursor to the head of the thread."""
        if self.root.children:
            self.cursor_line = 0
            self._announce(self.root.children[0])
