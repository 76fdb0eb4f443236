"""Live events of runs: thinking, logs, errors; filters, search, follow mode, phase timings, stuck phases."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rich.style import Style
from rich.table import Table
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions
from rich.control import strip_control_codes
from rich.measure import Measurement
from rich.segment import Segment
from rich.text import Span, Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import Reactive, var
from textual.strip import Strip
from textual.widgets import Input, RichLog, Static, Tab, Tabs

from agent_debug.inspector.events.format import PANE, PANE_WRAPPED, EventFormatter, Line, format_cost, phases_title
from agent_debug.tui.safe_text import visible

KINDS = {
    "all": None,
    "thinking": {"thinking"},
    "logs": {"log", "custom"},
    "errors": {"error"},
}
LEVEL_STYLE = {"DEBUG": "dim", "INFO": "", "WARNING": "yellow", "ERROR": "red", "CRITICAL": "bold red"}
#: the Rich style of each role of the events formatter's spans (others: unstyled)
STYLES = {
    "time": "dim",
    "where": "bold",
    "thinking": "italic magenta",
    "custom": "cyan",
    "error": "bold red",
    "error.detail": "red",
    "phase_started": "dim",
    "phase_finished.done": "green",
    "phase_finished.error": "yellow",
    "phase_finished.interrupted": "yellow",
    "phase_finished.cancelled": "yellow",
    "tool_call": "yellow",
    "tool_result": "yellow",
    "interrupt": "bold yellow",
    "run": "bold",
    **{f"log.{level}": style for level, style in LEVEL_STYLE.items()},
}
LEVELS = logging.getLevelNamesMapping()  # DEBUG 10 … CRITICAL 50, with WARN, FATAL, NOTSET
MAX_LINES = 5_000


def _level(name: str) -> int | None:
    """A level name (or its first letters: ``warn``, ``e``) or number; None if neither."""
    if name.isdigit():
        return int(name)
    name = name.upper()
    return next((no for level, no in LEVELS.items() if level.startswith(name)), None)


@dataclass(frozen=True)
class EventFilter:
    """What the filter box asks for, parsed once per keystroke so each event costs a few
    comparisons: ``node:NAME`` (that node, nodes starting with NAME, or the phases inside
    subgraph NAME; several are alternatives), ``level:LEVEL`` (log records at LEVEL or
    above, errors counting as ERROR; other events are hidden) and free words, each of
    which must occur in the event's text. All case-insensitive, all at once."""

    nodes: tuple[str, ...] = ()
    min_level: int | None = None
    words: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> EventFilter:
        """Read the filter box; ``node:``/``level:`` with nothing after them (still being typed) are ignored."""
        nodes: list[str] = []
        words: list[str] = []
        min_level: int | None = None
        for term in text.split():
            key, sep, value = term.partition(":")
            key = key.lower()
            if sep and key == "node":
                if value:
                    nodes.append(value.lower())
            elif sep and key == "level" and (not value or _level(value) is not None):
                if value:
                    min_level = _level(value)
            else:
                words.append(term.lower())
        return cls(tuple(nodes), min_level, tuple(words))

    def __bool__(self) -> bool:
        return bool(self.nodes or self.min_level is not None or self.words)

    def matches(self, e: Any) -> bool:
        """Whether event ``e`` passes every part of the filter."""
        if self.nodes:
            node = (e.node or "").lower()
            graph = e.namespace.split(":", 1)[0].lower() if e.namespace else ""
            if not any(node.startswith(n) or (graph and graph.startswith(n)) for n in self.nodes):
                return False
        if self.min_level is not None:
            if e.kind == "log":
                levelno = e.levelno
            elif e.kind == "error":
                levelno = LEVELS["ERROR"]
            else:
                return False
            if levelno < self.min_level:
                return False
        if self.words:
            haystack = " ".join(
                str(x) for x in (e.node, getattr(e, "level", ""), getattr(e, "logger", ""), getattr(e, "message", ""),
                                 getattr(e, "text", ""), getattr(e, "type", ""))
            ).lower()
            if not all(word in haystack for word in self.words):
                return False
        return True


class EventsLog(RichLog):
    """The events as lines. It follows the newest line until the user scrolls up (wheel,
    keys, scrollbar); then it stands still, new lines wait, until the user scrolls back
    to the end (``End``)."""

    following: var[bool] = var(True)

    # Each line written grows the log's virtual size, a reactive that asks the whole screen
    # to be laid out again, and a layout repaints every widget on it (30-100 ms for this
    # app's screen): under a flood, every frame. A scroll view's size does not follow its
    # content, so only its scrollbars need the new size; a scrollbar shown or hidden asks
    # for the layout itself (``show_vertical_scrollbar`` is a layout reactive).
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def watch_virtual_size(self, size: Size) -> None:
        self._scroll_update(size)

    class FollowChanged(Message):
        """The log started or stopped following."""

        def __init__(self, following: bool) -> None:
            super().__init__()
            self.following = following

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        # Writing only ever scrolls down (to the end) and trimming to max_lines keeps the
        # height, so moving up, short of the end, is the user's doing. A shrinking log
        # moves the position up to its new end, which is still the end.
        if self.following and new_value < old_value and new_value < self.max_scroll_y:
            self.following = False
        elif not self.following and new_value >= self.max_scroll_y:
            self.following = True

    def on_resize(self) -> None:
        # The phase table below grows with its rows, after the last line may have been
        # written: a shorter log that follows keeps its end in view.
        if self.following:
            self.scroll_end(animate=False)

    def watch_following(self, following: bool) -> None:
        self.auto_scroll = following
        self.post_message(self.FollowChanged(following))

    _frame: tuple[Style, int] | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        # RichLog works out its style (a walk up the whole DOM) and its width for every
        # line it renders: under a flood the log is drawn whole several times a second,
        # and once a frame is enough (nothing restyles or resizes it inside one).
        self._frame = (self.rich_style, self.scrollable_content_region.width)
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def render_line(self, y: int) -> Strip:
        if self._frame is None:
            return super().render_line(y)
        style, width = self._frame
        scroll_x, scroll_y = self.scroll_offset
        return self._render_line(scroll_y + y, scroll_x, width).apply_style(style)


class PaneLines:
    """Events' lines (the formatter's spans) to write to the log uncut: the segments Rich
    renders of ``Text("\\n").join`` of their ``EventsView._line`` Texts without wrapping,
    made straight from the spans. Rich's layout of a Text (splitting, wrapping, a sort of
    its spans) is most of what a line costs, and a flood draws the last 5,000 events' lines.

    Each styled span is a segment of its own, unstyled text between them one segment, as
    Rich makes them; a tab (which Rich would expand) sends the lines through Rich.
    """

    def __init__(self, lines: list[list[Line]]) -> None:
        self.lines = lines

    def _texts(self) -> Iterable[tuple[str, str]]:
        """(text, style) of every span, "\\n" between events' lines, control codes stripped as Text does."""
        joiner = ""
        for event_lines in self.lines:
            for line in event_lines:
                for i, (text, role) in enumerate(line):
                    yield (joiner + text if not i else text), STYLES.get(role, "")
                joiner = "\n"

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterable[Segment]:
        texts = [(strip_control_codes(text), style) for text, style in self._texts()]
        if any("\t" in text for text, _ in texts):
            yield from console.render(Text.assemble(*texts), options)
            return
        get_style = console.get_style
        base = get_style("", default=Style.null())
        combined: dict[str, Style] = {}
        plain = Style.combine((base,))
        pending: list[str] = []  # unstyled text since the last styled span
        for text, style in texts:
            if not text:
                continue
            if not style:
                pending.append(text)
                continue
            if pending:
                yield Segment("".join(pending), plain)
                pending = []
            if style not in combined:
                combined[style] = Style.combine((base, get_style(style, default=Style.null())))
            yield Segment(text, combined[style])
        if pending:
            yield Segment("".join(pending), plain)
        yield Segment("\n")

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = max((cell_len(strip_control_codes("".join(t for t, _ in line))) for lines in self.lines for line in lines), default=0)
        return Measurement(widest, widest)


class FollowLabel(Static):
    """Says whether the log follows, or how many lines wait while it is paused; a click
    follows again."""

    class Clicked(Message):
        """The label was clicked."""

    def on_click(self) -> None:
        self.post_message(self.Clicked())


class EventsView(Vertical):
    """Run events as lines. Token and thinking streams are gathered per phase (a live
    preview shows the one being streamed), so a flood of tokens costs one line per phase.

    A line is cut at the pane's edge until ``toggle_wrap`` (``w``) wraps the lines, each
    message then whole: off by default, a line per event reads best while events stream."""

    DEFAULT_CSS = """
    EventsView > Horizontal { height: 3; }
    EventsView Tabs { width: 1fr; }
    EventsView #events-filter { width: 30; }
    EventsView #events-status { height: 2; }
    EventsView #events-follow { width: auto; padding: 0 1; color: $text-muted; }
    EventsView #events-follow.paused { color: $warning; text-style: bold; }
    EventsView #events-stream { width: 1fr; height: 2; color: $text-muted; }
    EventsView RichLog { height: 1fr; }
    EventsView #events-phases { height: auto; max-height: 12; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.kind = "all"
        self.filter = ""
        self.event_filter = EventFilter()
        self.wrap = False
        self._wrapped_at = 0  # the log's width when lines were last written
        self.formatter = EventFormatter(PANE)
        self.lines_written = 0
        self.lines_waiting = 0  # lines of held events not drawn yet (see add)
        self._waiting: Any = None
        self._phases_shape: tuple[int, int] | None = None  # the phase table's rows and title length

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Tabs(*(Tab(name, id=f"events-{name}") for name in KINDS), id="events-kind")
            yield Input(placeholder="node:NAME level:warning text", id="events-filter")
        with Horizontal(id="events-status"):
            yield Static("", id="events-stream")
            yield FollowLabel("following", id="events-follow")
        yield EventsLog(max_lines=MAX_LINES, wrap=False, markup=False, highlight=False, id="events-log")
        yield Static("", id="events-phases")

    # -- filtering ------------------------------------------------------------------

    def _shown(self, e: Any) -> bool:
        kinds = KINDS[self.kind]
        if kinds is not None and e.kind not in kinds:
            return False
        return not self.event_filter or self.event_filter.matches(e)

    # -- lines ------------------------------------------------------------------------

    @property
    def streams(self) -> dict[tuple[str | None, str, str | None], list[str]]:
        """Text streamed so far in each running phase, by (task id, "thinking" or "token",
        message id)."""
        return self.formatter.streams

    def _line(self, e: Any) -> Text | None:
        """The event's line (and its continuation lines) in the ``PANE`` layout; None for
        events without one (tokens, usage, checkpoints: folded into other lines)."""
        lines = self.formatter.lines(e)
        if not lines:
            return None
        # What Text.assemble and Text.append make of the spans (control codes stripped, a
        # span for each styled piece), built at once: a flood formats thousands of lines.
        # Continuation lines go in the same Text: one entry of the log per event.
        pieces: list[str] = []
        spans: list[Span] = []
        offset = 0
        styles = STYLES
        for n, line in enumerate(lines):
            for i, (span, role) in enumerate(line):
                piece = strip_control_codes("\n" + span if n and not i else span)
                style = styles.get(role, "")
                if style and piece:
                    spans.append(Span(offset, offset + len(piece), style))
                pieces.append(piece)
                offset += len(piece)
        return Text("".join(pieces), spans=spans)

    def add(self, events: Iterable[Any], *, draw: bool = True) -> int:
        """Append a batch; returns how many lines wait to be drawn (also in
        ``lines_waiting``): call again, with new events or none, to draw them.

        Every event is folded and filtered at once. Drawing a line costs far more (making
        it, and RichLog rendering it), so a drawing call (``draw``) writes, in one write,
        what about 8 ms of drawing takes, or 20 ms once no new events come (the tail of
        a flood). At most MAX_LINES lines wait, the newest: the log keeps no more, so
        older ones would be pushed out as soon as those are written (so is what the log
        holds then: until it is, a flood that outran the pane shows as a jump in its
        scrollback). Nothing is drawn before the log is first on screen (until then
        RichLog would hold every write, unbounded).
        """
        from collections import deque
        from time import perf_counter
        from types import SimpleNamespace

        waiting = self._waiting
        if waiting is None or waiting.formatter is not self.formatter:
            # rebuild() starts over with a fresh formatter: what waited was shown under the old filter.
            waiting = self._waiting = SimpleNamespace(
                formatter=self.formatter,
                events=deque(maxlen=MAX_LINES),  # the events whose lines wait
                draws={},  # whether events of a kind have a line (tokens, usage... have none)
                cost_s=getattr(waiting, "cost_s", 40e-6),  # what a line costs to make and write
                fresh=False,  # events came since the last drawing call
            )
        queue, draws, fold = waiting.events, waiting.draws, self.formatter.fold
        filtered = KINDS[self.kind] is not None or bool(self.event_filter)  # else every event is shown
        for raw in events:
            waiting.fresh = True
            for e in fold(raw):
                if not filtered or self._shown(e):
                    drawn = draws.get(e.kind)
                    if drawn is None:
                        drawn = draws[e.kind] = self.formatter.shows(e.kind)
                    if drawn:
                        queue.append(e)
        self.lines_waiting = len(queue)
        if not draw:
            return self.lines_waiting
        log = self.query_one("#events-log", EventsLog)
        if queue and log.size.width and log.following:
            share = min(len(queue), max(32, int((0.008 if waiting.fresh else 0.020) / waiting.cost_s)))
            started = perf_counter()
            lines: list[Any]
            if self.wrap:
                lines = [line for line in (self._line(queue.popleft()) for _ in range(share)) if line is not None]
            else:
                lines = [line for line in (self.formatter.lines(queue.popleft()) for _ in range(share)) if line]
            self.lines_written += len(lines)
            if lines:
                # Wrapped, a line breaks at the pane's edge (RichLog's own width is 78 at least).
                width = self._wrapped_at = log.scrollable_content_region.width
                if self.wrap:
                    log.write(Text("\n").join(lines), width=width)
                else:
                    log.write(PaneLines(lines))
                spent = (perf_counter() - started) / len(lines)
                waiting.cost_s = max(1e-6, 0.5 * waiting.cost_s + 0.5 * spent)
            self.lines_waiting = len(queue)
        if not log.following:
            self._show_follow(False)
        if waiting.fresh:
            waiting.fresh = False
            live = next((("".join(parts), kind) for (_, kind, _), parts in reversed(self.streams.items())), None)
            # Two lines tall whatever it says: no new layout of the screen.
            self.query_one("#events-stream", Static).update(
                Text(visible(f"streaming {live[1]}: …{live[0][-200:]}"), style="italic") if live else "", layout=False
            )
        return self.lines_waiting

    def rebuild(self, events: list[Any]) -> None:
        """Show the held events again under the current filter and wrap (following the newest)."""
        self.formatter = EventFormatter(PANE_WRAPPED if self.wrap else PANE)
        log = self.query_one("#events-log", EventsLog)
        log.clear()
        log.wrap = self.wrap
        log.following = True
        self.add(events)

    def toggle_wrap(self) -> None:
        """Wrap the lines at the pane's edge, each message whole, or cut them there again.
        The log keeps lines as drawn: the app draws the held events again (``FilterChanged``)."""
        self.wrap = not self.wrap
        self._show_follow(self.query_one("#events-log", EventsLog).following)
        self.post_message(self.FilterChanged())

    def on_resize(self) -> None:
        # Wrapped lines keep the width they were drawn at: draw them again at the new one.
        if self.wrap and self.query_one("#events-log", EventsLog).scrollable_content_region.width != self._wrapped_at:
            self.post_message(self.FilterChanged())

    # -- follow mode ------------------------------------------------------------------

    def _show_follow(self, following: bool) -> None:
        label = self.query_one("#events-follow", Static)
        if following:
            text = "following"
        else:
            new = f" · {self.lines_waiting:,} new" if self.lines_waiting else ""
            text = f"⏸ paused{new} · End follows"
        if self.wrap:
            text += " · wrapped"
        label.set_class(not following, "paused")
        if str(label.content) != text:  # add() asks every tick while paused: redraw on change only
            label.update(text)

    @on(EventsLog.FollowChanged)
    def _follow_changed(self, event: EventsLog.FollowChanged) -> None:
        event.stop()
        self._show_follow(event.following)
        if event.following and self.lines_waiting:
            self.add(())  # what waited while the log stood still

    @on(FollowLabel.Clicked)
    def _follow_again(self, event: FollowLabel.Clicked) -> None:
        event.stop()
        self.query_one("#events-log", EventsLog).scroll_end(animate=False)

    def show_stats(self, stats: Any, stuck: list[Any], prices: Mapping[str, Mapping[str, float]] | None = None) -> None:
        """The phase-timing table: slowest first, tokens per phase, stuck phases flagged;
        with the user's ``prices``, cost per phase and for the run."""
        phases = list(stats.phases.values())
        if not phases and not stuck:
            self.query_one("#events-phases", Static).update("")
            self._phases_shape = None
            return
        # A str title is read as markup: escape the markup (phases_title escaped the controls).
        from rich.markup import escape

        title = escape(phases_title(stats, prices))
        # A narrow table would wrap the cost line of its title: as wide as the title, where it fits.
        table = Table(box=None, header_style="bold", title=title, title_justify="left", min_width=len(title) if prices is not None else None)
        columns = ("phase", "ms", "tokens in/out", "attempts", "status") + (("cost",) if prices is not None else ())
        for col in columns:
            table.add_column(col, justify="right" if col in ("ms", "attempts", "cost") else "left")
        slow = {id(p) for p in stats.slowest(3)} if phases else set()
        for p in sorted(phases, key=lambda p: -(p.duration_ms or 0))[:8]:
            style = "bold yellow" if id(p) in slow else ""
            cells = [
                Text(visible(p.node or "?"), style=style), f"{(p.duration_ms or 0):.0f}",
                f"{p.input_tokens}/{p.output_tokens}", str(getattr(p, "attempts", 1)), str(getattr(p, "status", "")),
            ]
            if prices is not None:
                cells.append(format_cost(p.cost(prices)))
            table.add_row(*cells)
        for s in stuck:
            table.add_row(Text(visible(f"⚠ {s.node} stuck"), style="bold red"), f"{s.elapsed_s * 1000:.0f}", "", "", "running")
        # Its height follows its rows (and its title, which may wrap): a new layout of the
        # screen only when they change, not for every new figure of a flood.
        shape = (table.row_count, len(title))
        self.query_one("#events-phases", Static).update(table, layout=shape != self._phases_shape)
        self._phases_shape = shape

    @on(Tabs.TabActivated, "#events-kind")
    def _kind(self, event: Tabs.TabActivated) -> None:
        event.stop()
        self.kind = (event.tab.id or "events-all").removeprefix("events-")
        self.post_message(self.FilterChanged())

    @on(Input.Changed, "#events-filter")
    def _filter(self, event: Input.Changed) -> None:
        event.stop()
        self.filter = event.value.strip()
        self.event_filter = EventFilter.parse(self.filter)
        self.post_message(self.FilterChanged())

    class FilterChanged(Message):
        """The kind tab, the text filter or the wrap changed: the app re-feeds the held events."""
