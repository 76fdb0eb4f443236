"""The Timeline tab: the selected thread's phases as bars on one time axis.

Built and laid out in a thread worker (a thousand phases, a store read per namespace);
the UI thread only swaps the lines in. Choosing a row (enter, a click) posts
``PhaseChosen``: the app selects that phase's checkpoint in the history.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.events import Resize
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from agent_debug.inspector.exceptions import InspectorError
from agent_debug.inspector.sources.base import Source

if TYPE_CHECKING:
    # The timeline's modules are imported by the worker of the first build: not at start.
    from agent_debug.inspector.timeline import Phase, Timeline


class TimelineView(Vertical):
    """A caption, a time axis and one selectable row per phase of the thread shown."""

    class PhaseChosen(Message):
        """The user chose a phase of ``thread_id``: select its checkpoint (in its namespace)."""

        def __init__(self, phase: Phase, thread_id: str) -> None:
            super().__init__()
            self.phase = phase
            self.thread_id = thread_id

    class Built(Message):
        """A timeline was built for the thread shown (the history marks its waits)."""

        def __init__(self, timeline: Timeline) -> None:
            super().__init__()
            self.timeline = timeline

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.timeline: Timeline | None = None
        self.thread_id: str | None = None
        self._width = 0

    def compose(self) -> ComposeResult:
        yield Static("select a thread", id="timeline-caption")
        yield Static("", id="timeline-axis")
        yield OptionList(id="timeline-rows")

    # -- data in -------------------------------------------------------------------

    def load(self, source: Source, thread_id: str, now: datetime) -> None:
        """Build ``thread_id``'s timeline in a worker (replacing a build under way) and show it."""
        if thread_id != self.thread_id:
            self.thread_id = thread_id
            self.timeline = None
        width = self._content_width()

        def build() -> None:
            from agent_debug.inspector.timeline import build_timeline
            from agent_debug.tui.widgets.timeline.timeline_lines import timeline_lines

            try:
                timeline = build_timeline(source, thread_id, now=now)
            except InspectorError as exc:
                self.app.call_from_thread(self._failed, thread_id, exc.message)
                return
            self.app.call_from_thread(self._show, timeline, timeline_lines(timeline, width), width)

        self.run_worker(build, name="timeline", group="timeline", description="timeline", exclusive=True, exit_on_error=False, thread=True)

    def _content_width(self) -> int:
        rows = self.query_one(OptionList)
        # Hidden (another tab shown) the pane has no size yet: lay out for the screen's.
        width = rows.scrollable_content_region.width or self.app.size.width // 2
        return max(width - 1, 20)

    def _show(self, timeline: Timeline, lines: tuple[Text, tuple[Text, Text], list[Text]], width: int) -> None:
        if timeline.thread_id != self.thread_id:
            return  # built for a thread no longer shown
        self.timeline, self._width = timeline, width
        caption, axis, rows = lines
        self.query_one("#timeline-caption", Static).update(caption)
        options = self.query_one(OptionList)
        pad = Text(" " * options.styles.gutter.left)  # the axis lines up with the rows' bars
        self.query_one("#timeline-axis", Static).update(Text("\n").join(pad + line for line in axis))
        keep = options.highlighted
        options.clear_options()
        options.add_options(Option(line, id=str(i)) for i, line in enumerate(rows))
        if rows:
            options.highlighted = min(keep, len(rows) - 1) if keep is not None else len(rows) - 1
        self.post_message(self.Built(timeline))

    def _failed(self, thread_id: str, message: str) -> None:
        if thread_id == self.thread_id:
            self.query_one("#timeline-caption", Static).update(Text(f"timeline not read: {message}", style="red"))

    def rows(self) -> list[str]:
        """The phase rows as plain text (what the user reads; tests too)."""
        options = self.query_one(OptionList)
        return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]

    # -- events ----------------------------------------------------------------------

    @on(Resize)
    def _resized(self, _: Resize) -> None:
        """Lay the bars out again for the new width (in the worker, from what was read)."""
        if self.timeline is None or self._content_width() == self._width:
            return
        timeline, width = self.timeline, self._content_width()
        from agent_debug.tui.widgets.timeline.timeline_lines import timeline_lines  # imported already: a timeline was built

        self.run_worker(
            lambda: self.app.call_from_thread(self._show, timeline, timeline_lines(timeline, width), width),
            name="timeline", group="timeline", description="timeline", exclusive=True, exit_on_error=False, thread=True,
        )

    @on(OptionList.OptionSelected, "#timeline-rows")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.timeline is None or self.thread_id is None:
            return
        self.post_message(self.PhaseChosen(self.timeline.phases[int(event.option_id or 0)], self.thread_id))

    def phase_at(self, index: int) -> Phase | None:
        """The phase of a row (None: no such row)."""
        phases: Any = self.timeline.phases if self.timeline else ()
        return phases[index] if 0 <= index < len(phases) else None
