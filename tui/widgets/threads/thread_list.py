"""The thread list: every thread with its status, filterable, and the interrupt inbox."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from agent_debug.inspector.model import ThreadStatus, ThreadSummary
from agent_debug.tui.layout import fit_columns
from agent_debug.tui.render import age
from agent_debug.tui.safe_text import visible
from agent_debug.tui.widgets.threads.thread_columns import (
    INBOX_COLUMNS,
    THREAD_COLUMNS,
    inbox_cells,
    thread_cells,
    updated_cell,
    widest_cells,
)

FILTERS: tuple[str | None, ...] = (None, "interrupted", "error", "pending", "done", "unreadable")
FIRST_BATCH = 120


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
    BINDINGS = [
        Binding("escape", "clear_search", "Clear search", id="search.clear", show=False,
                tooltip="Clear the thread search and hide its box"),
    ]

    class Chosen(Message):
        """The user moved to a thread."""

        def __init__(self, thread_id: str) -> None:
            super().__init__()
            self.thread_id = thread_id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.threads: list[ThreadSummary] = []
        self._by_id: dict[str, ThreadSummary] = {}
        self.selected: str | None = None
        # While True the cursor chooses no thread: the app waits for a thread asked for by
        # id that the first page of the listing does not hold (the whole list brings it).
        self.hold_selection = False
        self.status_filter: str | None = None
        self.inbox = False
        self.search = ""
        self._total = 0
        self._now = datetime.now(UTC)
        self._fitted: tuple[list[tuple[str, int]], dict[str, int], int] | None = None

    def compose(self) -> ComposeResult:
        # Disabled while hidden: Textual's auto focus takes a hidden widget too, and keys
        # typed before the app settles would filter the list through a box nobody sees.
        yield Input(placeholder="search thread ids…", id="thread-search", disabled=True)
        yield Static("threads", id="thread-caption")
        table: DataTable[Text | str] = DataTable(id="thread-table", cursor_type="row", zebra_stripes=True)
        yield table

    @property
    def table(self) -> DataTable[Text | str]:
        return self.query_one("#thread-table", DataTable)

    def show(self, threads: list[ThreadSummary], total: int, now: datetime) -> None:
        """Replace the listed threads (keeps the cursor on the selected thread); ``now`` dates the ages."""
        self.threads = threads
        self._by_id = {t.thread_id: t for t in threads}
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
        shown = self._visible()
        if self.inbox:
            columns = INBOX_COLUMNS
            cells = [(f"{t.thread_id}\x00{n}", inbox_cells(t, intr)) for t in shown for n, intr in enumerate(t.interrupts)]
        else:
            columns = THREAD_COLUMNS
            cells = [(t.thread_id, thread_cells(t, self._now)) for t in shown]
        # Widths from the data: a DataTable measures columns lazily, and a frame drawn
        # before that cuts ids to the header's width. Which columns show follows the room
        # the list has. Ids and names are stored data: the cells show them escaped (the
        # row keys keep the real id).
        widest = widest_cells(columns, [row for _, row in cells])
        fitted = fit_columns(columns, widest, self._room(len(cells)))
        self._fitted = (fitted, widest, len(cells))
        for name, width in fitted:
            table.add_column(name, width=width, key=name)
        keyed = [(key, tuple(row[name] for name, _ in fitted)) for key, row in cells]
        # One screenful now, the rest after the first frame: a long store paints sooner.
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

    def _room(self, rows: int) -> int:
        """Cells the table's columns may take: its width, less a scrollbar when ``rows`` overflow it
        (before the first layout: a share of the terminal)."""
        table = self.table
        if not table.size.width:
            return self.app.size.width // 2
        scrollbar = table.styles.scrollbar_size_vertical if rows + 1 > table.size.height else 0
        return table.size.width - scrollbar

    def on_resize(self, _: events.Resize) -> None:
        """Wider or narrower: show the columns that fit now."""
        if self._fitted is None:
            return
        fitted, widest, rows = self._fitted
        columns = INBOX_COLUMNS if self.inbox else THREAD_COLUMNS
        if fit_columns(columns, widest, self._room(rows)) != fitted:
            self._refill()

    def refresh_ages(self, now: datetime) -> None:
        """Date the "updated" cells on screen by ``now`` (a row scrolled into view is dated
        at the next call), redrawing only the cells whose text changes: a tick costs the
        same for 20 threads or 20,000."""
        self._now = now
        table = self.table
        if self.inbox or "updated" not in table.columns:
            return
        top = table.scroll_offset.y
        for row in table.ordered_rows[top : top + table.size.height]:
            t = self._by_id.get(str(row.key.value))
            if t is not None and table.get_cell(row.key, "updated").plain != age(t.updated_at, now):
                table.update_cell(row.key, "updated", updated_cell(t, now))

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
        if thread_id != self.selected and not self.hold_selection:
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
        self._show_search(True)
        self.query_one("#thread-search", Input).focus()

    def _show_search(self, shown: bool) -> None:
        """Show the search box (it takes focus and keys only then), or hide it."""
        self.set_class(shown, "searching")
        self.query_one("#thread-search", Input).disabled = not shown

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Escape is ours only while the search box shows; otherwise it goes on to others."""
        return self.has_class("searching") if action == "clear_search" else True

    def action_clear_search(self) -> None:
        """Clear the search, hide its box and go back to the table."""
        box = self.query_one("#thread-search", Input)
        with box.prevent(Input.Changed):
            box.value = ""
        self.search = ""
        self.table.focus()
        self._show_search(False)
        self._refill()

    @on(Input.Changed, "#thread-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.search = event.value.strip()
        self._refill()

    @on(Input.Submitted, "#thread-search")
    def _search_done(self, event: Input.Submitted) -> None:
        self.table.focus()
        if not self.search:
            self._show_search(False)
