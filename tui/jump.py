"""``:`` jumps to a checkpoint named by its step number or (part of) its id, wherever it
is in the thread's history: the pages the history pane has not loaded are read here,
a bounded number of them.

A step may have several checkpoints (a fork made one more at each step after its fork
point): the one on the branch of the selected checkpoint wins (its ancestor, or its
descendant), else the newest. Nothing here imports Textual: the jump dialog runs
``find`` in a worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from agent_debug.inspector.exceptions import NotFoundError, UsageError
from agent_debug.inspector.model import CheckpointSummary
from agent_debug.inspector.sources.base import MIN_PARTIAL_ID, AmbiguousCheckpoint, Source

PAGE = 50
MAX_PAGES = 200
"""Pages read past the loaded history before a jump gives up (10,000 checkpoints)."""


@dataclass(frozen=True)
class Loaded:
    """What the history pane holds: its rows (newest first, from the head on) and where
    the next older page starts (None: it holds the whole history)."""

    thread_id: str
    namespace: str
    rows: Sequence[CheckpointSummary]
    next_before: str | None
    selected: str | None = None


@dataclass(frozen=True)
class Found:
    """Where a jump lands: the checkpoint, the older rows read to reach it (to add to the
    pane, ``next_before`` after them), and a note when a fork made the choice."""

    checkpoint_id: str
    older: list[CheckpointSummary] = field(default_factory=list)
    next_before: str | None = None
    note: str = ""


def parse_step(text: str) -> int | None:
    """The step ``text`` names (``12``, ``#12``, ``-1``, ``#-1``); None: it is not a number."""
    number = text[1:] if text.startswith("#") else text
    digits = number[1:] if number.startswith("-") else number
    return int(number) if digits.isdigit() else None


class _Pages:
    """The loaded rows and the older pages read so far, in order."""

    def __init__(self, source: Source, loaded: Loaded) -> None:
        self.source = source
        self.loaded = loaded
        self.rows = list(loaded.rows)
        self.older: list[CheckpointSummary] = []
        self.next_before = loaded.next_before
        self.by_id = {r.checkpoint_id: r for r in self.rows}
        self.read = 0

    @property
    def more(self) -> bool:
        return self.next_before is not None

    def read_older(self) -> None:
        """One more page; ``NotFoundError`` past ``MAX_PAGES`` (the history is too long to page through)."""
        if self.read >= MAX_PAGES:
            raise NotFoundError(
                f"stopped after reading {MAX_PAGES * PAGE} more checkpoints of thread '{self.loaded.thread_id}': "
                "give a checkpoint id instead"
            )
        self.read += 1
        page = self.source.history(self.loaded.thread_id, namespace=self.loaded.namespace, limit=PAGE, before=self.next_before)
        fresh = [r for r in page.checkpoints if r.checkpoint_id not in self.by_id]
        self.rows += fresh
        self.older += fresh
        self.by_id.update((r.checkpoint_id, r) for r in fresh)
        self.next_before = page.next_before

    def found(self, checkpoint_id: str, note: str = "") -> Found:
        return Found(checkpoint_id, self.older, self.next_before, note)


def find(source: Source, loaded: Loaded, text: str) -> Found:
    """Where ``text`` (a step, or a checkpoint id or a unique start or end of one) lands.
    ``NotFoundError`` (one line) when no checkpoint matches; ``UsageError`` for nothing typed."""
    text = text.strip()
    if not text:
        raise UsageError("type a step number (12 or #12) or a checkpoint id (4 characters or more of it)")
    pages = _Pages(source, loaded)
    step = parse_step(text)
    if step is not None:
        found = _find_step(pages, step)
        if found is not None:
            return found
        missing = f"no checkpoint at step {step} in thread '{loaded.thread_id}'{_where(loaded)}"
        if text.startswith(("#", "-")) or len(text) < MIN_PARTIAL_ID:
            raise NotFoundError(missing)
        try:  # digits only may be the end of an id
            checkpoint_id = source.resolve_checkpoint(loaded.thread_id, text, loaded.namespace)
        except AmbiguousCheckpoint:
            raise
        except NotFoundError as exc:
            raise NotFoundError(f"{missing}, nor a checkpoint id that starts or ends with {text}") from exc
    else:
        # A checkpoint id: whole, or its start or end.
        checkpoint_id = source.resolve_checkpoint(loaded.thread_id, text, loaded.namespace)
    while checkpoint_id not in pages.by_id and pages.more:
        pages.read_older()
    return pages.found(checkpoint_id)


def _where(loaded: Loaded) -> str:
    return f" in namespace '{loaded.namespace}'" if loaded.namespace else ""


def _find_step(pages: _Pages, step: int) -> Found | None:
    """The checkpoint at ``step``: the selected one's ancestor or descendant, else the newest."""
    selected = pages.by_id.get(pages.loaded.selected or "")
    if selected is not None and selected.step is not None and selected.step >= step:
        ancestor = _ancestor_at(pages, selected, step)
        if ancestor is not None:
            return pages.found(ancestor.checkpoint_id, _note(pages, step, "the one on this branch"))
    elif selected is not None:
        # Descendants are newer than the selected checkpoint: loaded already.
        below = [r for r in _descendants(pages.rows, selected.checkpoint_id) if r.step == step]
        if below:
            # The selected checkpoint is a fork point when more than one descends from it.
            chosen = "the one on this branch" if len(below) == 1 else "the newest"
            return pages.found(max(below, key=lambda r: r.checkpoint_id).checkpoint_id, _note(pages, step, chosen))
    while not (at := [r for r in pages.rows if r.step == step]) and pages.more:
        pages.read_older()
    if not at:
        return None
    # Rows are newest first and read from the head: the first found is the newest of all.
    return pages.found(at[0].checkpoint_id, _note(pages, step, "the newest"))


def _ancestor_at(pages: _Pages, row: CheckpointSummary, step: int) -> CheckpointSummary | None:
    """``row``'s ancestor (or itself) at ``step``, reading older pages as the walk needs."""
    at: CheckpointSummary | None = row
    while at is not None and (at.step is None or at.step > step):
        parent = at.parent_id
        if parent is None:
            return None
        while parent not in pages.by_id and pages.more:
            pages.read_older()
        at = pages.by_id.get(parent)
    return at if at is not None and at.step == step else None


def _descendants(rows: Sequence[CheckpointSummary], checkpoint_id: str) -> list[CheckpointSummary]:
    children: dict[str, list[CheckpointSummary]] = {}
    for r in rows:
        if r.parent_id:
            children.setdefault(r.parent_id, []).append(r)
    found: list[CheckpointSummary] = []
    stack = list(children.get(checkpoint_id, []))
    while stack:
        r = stack.pop()
        found.append(r)
        stack.extend(children.get(r.checkpoint_id, []))
    return found


def _note(pages: _Pages, step: int, chosen: str) -> str:
    """What to say when more than one checkpoint (of the rows read) is at ``step``."""
    count = sum(1 for r in pages.rows if r.step == step)
    return f"step {step} has {count} checkpoints (a fork): showing {chosen}" if count > 1 else ""
