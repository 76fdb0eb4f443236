"""The thread list: every thread with its status, filterable, and the interrupt inbox."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from agent_debug.inspector.model import ThreadStatus, ThreadSummary
from agent_debug.tui.render import STATUS_STYLE, age, interrupt_line, short
from agent_debug.tui.safe_text import visible

STATUS_GLYPH = {
    ThreadStatus.INTERRUPTED: "⏸",
    ThreadStatus.ERROR: "✖",
    ThreadStatus.DONE: "✔",
    ThreadStatus.PENDING: "▶",
    ThreadStatus.UNREADABLE: "⚠",
}
FILTERS: tuple[str | None, ...] = (None, "interrupted", "error", "pending", "done", "unreadable")
# How much of an unreadable thread's reason its row shows (in the "last node" column).
REASON_WIDTH = 48
FIRST_BATCH = 120


def _cell(text: str) -> Text:
    """A cell of stored text: escaped, and never read as markup (a DataTable parses str cells)."""
    return Text(visible(text), end="")


class ThreadList(Vertical):
    """Threads with status, last node, age and checkpoint count; or, in inbox mode, one
    row per pending interrupt across all threads."""

    DEFAULT_CSS = """
    ThreadList { height: 1fr; }
    ThreadList > #thread-search { display: none; height: 3; }
    ThreadList.searching > #thread-search { display: block; }
    ThreadList > #thread-caption { height: 1; padding: 0 1; background: $boost; color: $text-muted; }
    ThreadList > DataTable { height: 1fr; }
    """

    class Chosen(Message):
        """The user moved to a thread."""

        def __init__(self, thread_id: str) -> None:
            super().__init__()
            self.thread_id = thread_id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.threads: list[ThreadSummary] = []
        self.selected: str | None = None
        self.status_filter: str | None = None
        self.inbox = False
        self.search = ""
        self._total = 0
        self._now = datetime.now(UTC)

    def compose(self) -> ComposeResult:
        yield Input(placeholder="search thread ids…", id="thread-search")
        yield Static("threads", id="thread-caption")
        table: DataTable[Text | str] = DataTable(id="thread-table", cursor_type="row", zebra_stripes=True)
        yield table

    @property
    def table(self) -> DataTable[Text | str]:
        return self.query_one("#thread-table", DataTable)

    def show(self, threads: list[ThreadSummary], total: int, now: datetime) -> None:
        """Replace the listed threads (keeps the cursor on the selected thread); ``now`` dates the ages."""
        self.threads = threads
        self._total = total
        self._now = now
        self._refill()

    def _visible(self) -> list[ThreadSummary]:
        wanted = "interrupted" if self.inbox else self.status_filter
        return [
            t
            for t in self.threads
            if (wanted is None or t.status.value == wanted) and (not self.search or self.search.lower() in t.thread_id.lower())
        ]

    def _refill(self) -> None:
        table = self.table
        table.clear(columns=True)
        self._pending_rows: list[tuple[str, tuple[object, ...]]] = []
        now = self._now
        shown = self._visible()
        if self.inbox:
            table.add_columns("thread", "node", "question", "interrupt id")
            for t in shown:
                for n, intr in enumerate(t.interrupts):
                    table.add_row(
                        Text(visible(t.thread_id), style="bold yellow"),
                        _cell(intr.node or "?"),
                        _cell(short(interrupt_line(intr).split(": ", 1)[-1], 50)),
                        _cell((intr.id or "")[:12]),
                        key=f"{t.thread_id}\x00{n}",
                    )
        else:
            # Widths from the data: a DataTable measures columns lazily, and a frame drawn
            # before that cuts ids to the header's width. Ids and names are stored data: the
            # cells show them escaped (the row keys keep the real id).
            rows = [
                (
                    _cell(t.thread_id),
                    Text(f"{STATUS_GLYPH[t.status]} {t.status.value}", style=STATUS_STYLE[t.status]),
                    Text(short(t.read_error.removeprefix("latest checkpoint: "), REASON_WIDTH), style="magenta", end="")
                    if t.read_error
                    else _cell(t.last_node or (f"({t.last_source})" if t.last_source else "-")),
                    _cell(age(t.updated_at, now)),
                    Text("?" if t.checkpoint_count is None else str(t.checkpoint_count), justify="right"),
                )
                for t in shown
            ]
            for n, name in enumerate(("thread", "status", "last node", "updated", "ckpts")):
                table.add_column(name, width=max([len(name)] + [cell_len(str(row[n])) for row in rows]))
            # One screenful now, the rest after the first frame: a long store paints sooner.
            keyed = [(t.thread_id, row) for t, row in zip(shown, rows)]
            for key, row in keyed[:FIRST_BATCH]:
                table.add_row(*row, key=key)
            if len(keyed) > FIRST_BATCH:
                self._pending_rows = keyed[FIRST_BATCH:]
                self.call_after_refresh(self._add_rest)
        mode = "interrupt inbox" if self.inbox else (f"{self.status_filter} threads" if self.status_filter else "threads")
        search = f" matching '{visible(self.search)}'" if self.search else ""
        count = sum(len(t.interrupts) for t in shown) if self.inbox else len(shown)
        self.query_one("#thread-caption", Static).update(Text(f"{mode}{search}: {count} of {self._total}"))
        self._restore_cursor()

    def _add_rest(self) -> None:
        rows, self._pending_rows = self._pending_rows, []
        table = self.table
        for key, row in rows:
            table.add_row(*row, key=key)
        self._restore_cursor()

    def _restore_cursor(self) -> None:
        table = self.table
        if not table.row_count:
            return
        for index, row_key in enumerate(table.rows):
            if str(row_key.value).split("\x00")[0] == self.selected:
                table.move_cursor(row=index, animate=False)
                return
        table.move_cursor(row=0, animate=False)

    def thread_at_cursor(self) -> str | None:
        """The thread id under the cursor."""
        table = self.table
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return str(row_key.value).split("\x00")[0]

    @on(DataTable.RowHighlighted, "#thread-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        if event.row_key is None or event.row_key.value is None:
            return  # an empty table (no threads yet) highlights no row
        if event.cursor_row != self.table.cursor_row:
            # Stale: a refill clears the table (cursor to row 0) and then puts the cursor
            # back on the selected thread; the highlight of row 0 arrives afterwards and
            # must not choose that thread (it would reset the history being looked at).
            return
        thread_id = str(event.row_key.value).split("\x00")[0]
        if thread_id != self.selected:
            self.selected = thread_id
            self.post_message(self.Chosen(thread_id))

    def cycle_status(self, now: datetime | None = None) -> str | None:
        """Next status filter: all → interrupted → error → pending → done → all, with
        unreadable before all when a thread is."""
        self._now = now or self._now
        self.inbox = False
        # A healthy store has no unreadable thread: that stop would only ever be empty.
        unreadable = any(t.status is ThreadStatus.UNREADABLE for t in self.threads)
        filters = [f for f in FILTERS if f != ThreadStatus.UNREADABLE.value or unreadable or self.status_filter == f]
        self.status_filter = filters[(filters.index(self.status_filter) + 1) % len(filters)]
        self._refill()
        return self.status_filter

    def toggle_inbox(self, now: datetime | None = None) -> bool:
        """Switch between the thread list and the interrupt inbox."""
        self._now = now or self._now
        self.inbox = not self.inbox
        self._refill()
        return self.inbox

    def start_search(self) -> None:
        """Show the search box and focus it."""
        self.add_class("searching")
        self.query_one("#thread-search", Input).focus()

    @on(Input.Changed, "#thread-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.search = event.value.strip()
        self._refill()

    @on(Input.Submitted, "#thread-search")
    def _search_done(self, event: Input.Submitted) -> None:
        self.table.focus()
        if not self.search:
            self.remove_class("searching")
