"""The thread list's columns: the cells a thread (or, in the inbox, an interrupt) shows,
and which columns matter most when the list is narrow (``layout.fit_columns``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from rich.cells import cell_len
from rich.text import Text

from agent_debug.inspector.model import InterruptInfo, ThreadStatus, ThreadSummary
from agent_debug.tui.layout import Column
from agent_debug.tui.render import STATUS_STYLE, age, interrupt_line, short, thread_detail
from agent_debug.tui.safe_text import visible

STATUS_GLYPH = {
    ThreadStatus.INTERRUPTED: "⏸",
    ThreadStatus.ERROR: "✖",
    ThreadStatus.DONE: "✔",
    ThreadStatus.PENDING: "▶",
    ThreadStatus.UNREADABLE: "⚠",
}
# How much of an unreadable thread's reason its row shows (in the "last node" column).
REASON_WIDTH = 48

# The status and the id first; the detail (why it stopped) as soon as there is room.
THREAD_COLUMNS = (
    Column("thread", 1, essential=True, minimum=16),
    Column("status", 0, essential=True),
    Column("last node", 2, minimum=8, maximum=24),
    Column("updated", 3),
    Column("ckpts", 4),
    Column("next", 6),
    Column("detail", 5, minimum=16),
)
# The question first, then whose it is; the node and the interrupt id when there is room.
INBOX_COLUMNS = (
    Column("thread", 1, essential=True, minimum=16),
    Column("node", 2),
    Column("question", 0, essential=True, minimum=20),
    Column("interrupt id", 3),
)


def cell(text: str, style: str = "", justify: str | None = None) -> Text:
    """A cell of stored text: escaped, never read as markup (a DataTable parses str
    cells), cut with "…" when its column is narrower."""
    return Text(visible(text), style=style, justify=justify, no_wrap=True, overflow="ellipsis", end="")  # type: ignore[arg-type]


def thread_cells(t: ThreadSummary, now: datetime) -> dict[str, Text]:
    """Every cell of a thread's row, by column name."""
    if t.read_error:
        last = cell(short(t.read_error.removeprefix("latest checkpoint: "), REASON_WIDTH), "magenta")
    else:
        last = cell(t.last_node or (f"({t.last_source})" if t.last_source else "-"))
    return {
        "thread": cell(t.thread_id),
        "status": cell(f"{STATUS_GLYPH[t.status]} {t.status.value}", STATUS_STYLE[t.status]),
        "last node": last,
        "updated": updated_cell(t, now),
        "ckpts": cell("?" if t.checkpoint_count is None else str(t.checkpoint_count), justify="right"),
        "next": cell(", ".join(t.next)),
        "detail": cell(thread_detail(t)),
    }


def updated_cell(t: ThreadSummary, now: datetime) -> Text:
    """The "updated" cell: how long ago the thread last wrote, dated by ``now``."""
    return cell(age(t.updated_at, now))


def inbox_cells(t: ThreadSummary, interrupt: InterruptInfo) -> dict[str, Text]:
    """Every cell of an interrupt's row in the inbox, by column name."""
    return {
        "thread": cell(t.thread_id, "bold yellow"),
        "node": cell(interrupt.node or "?"),
        "question": cell(interrupt_line(interrupt).split(": ", 1)[-1]),
        "interrupt id": cell((interrupt.id or "")[:12]),
    }


def widest_cells(columns: Sequence[Column], rows: Sequence[Mapping[str, Text]]) -> dict[str, int]:
    """Each column's width for its widest cell or its header; 0 for a column that is not
    essential when every cell in it is empty."""
    widest = {c: max([0] + [row[c.name].cell_len for row in rows]) for c in columns}
    return {c.name: max(width, cell_len(c.name)) if width or c.essential else 0 for c, width in widest.items()}
