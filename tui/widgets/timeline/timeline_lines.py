"""A timeline as lines of text: a label column, a bar on a shared time axis, marks.

Pure functions of a ``Timeline`` and a width, so a worker lays out a thousand rows off the
UI thread and the tests read them without an app.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from rich.cells import cell_len
from rich.text import Text

from agent_debug.inspector.timeline import Phase, Timeline, describe
from agent_debug.tui.safe_text import visible

STATUS_STYLE = {"done": "green", "error": "bold red", "interrupted": "yellow", "running": "cyan"}
WAIT_STYLE = "dim yellow"
WORK, WAIT, MOMENT = "█", "░", "◆"
ERROR_MARK, RETRY_MARK, WAIT_MARK, RUNNING_MARK = "✗", "↻", "⏸", "▶"
SUFFIX = 13  # marks and durations after the bar
MIN_BAR = 10
_TICK_STEPS = [
    *(ms / 1000 for ms in (1, 2, 5, 10, 20, 50, 100, 200, 500)),
    *(float(sec) for sec in (1, 2, 5, 10, 15, 30)),
    *(60.0 * m for m in (1, 2, 5, 10, 15, 30)),
    *(3600.0 * h for h in (1, 2, 3, 6, 12)),
    *(86400.0 * d for d in (1, 2, 7, 30, 365)),
]


@dataclass(frozen=True)
class Layout:
    """Column widths of a timeline drawn ``width`` cells wide."""

    label: int
    bar: int
    suffix: int = SUFFIX

    @classmethod
    def of(cls, width: int) -> Layout:
        """Labels take a third (at most 30 cells), the bar what is left after the marks; a
        narrow pane shortens labels and marks before the bar."""
        label = max(min(30, width // 3), 12)
        if width - label - SUFFIX - 2 >= MIN_BAR:
            return cls(label, width - label - SUFFIX - 2)
        suffix = 7
        label = max(min(label, width - suffix - MIN_BAR - 2), 8)
        return cls(label, max(width - label - suffix - 2, 4), suffix)


class Axis:
    """Maps times of a timeline onto the columns of its bars."""

    def __init__(self, timeline: Timeline, cells: int) -> None:
        self.start = timeline.start or timeline.now
        end = timeline.end or timeline.now
        self.span = max((end - self.start).total_seconds(), 0.001)
        self.cells = cells

    def column(self, when: datetime) -> int:
        """The bar column holding ``when`` (clamped to the axis)."""
        at = (when - self.start).total_seconds() / self.span * (self.cells - 1)
        return min(max(int(round(at)), 0), self.cells - 1)


def _label(phase: Phase, width: int) -> Text:
    step = "" if phase.step is None or phase.kind != "loop" else str(phase.step)
    name = visible(phase.node)  # stored names
    if phase.runs > 1:
        name += f" ×{phase.runs}"
    text = f"{step:>3} {'  ' * phase.depth}{name}"
    if cell_len(text) > width:
        text = text[: max(width - 1, 0)] + "…"
    style = "italic dim" if phase.kind != "loop" else ("bold red" if phase.status == "error" else "")
    return Text(text.ljust(width), style=style)


def _bar(phase: Phase, axis: Axis, now: datetime) -> Text:
    cells = [" "] * axis.cells
    styles = [""] * axis.cells
    style = STATUS_STYLE[phase.status]
    if phase.start is None:
        return Text("".join(cells))
    first = axis.column(phase.start)
    if phase.kind != "loop":
        cells[first], styles[first] = MOMENT, "dim"
    elif phase.status == "error" and phase.end is None:
        cells[first], styles[first] = ERROR_MARK, style
    else:
        last = max(axis.column(phase.end or now), first)
        for c in range(first, last + 1):
            cells[c], styles[c] = WORK, style
        for wait in phase.waits:
            for c in range(axis.column(wait.start), axis.column(wait.end or now) + 1):
                if first <= c <= last:
                    cells[c], styles[c] = WAIT, WAIT_STYLE
        if phase.status == "running":
            cells[last], styles[last] = RUNNING_MARK, "bold cyan"
    text = Text()
    for cell, cell_style in zip(cells, styles):
        text.append(cell, style=cell_style)
    return text


def _suffix(phase: Phase, now: datetime, cells: int) -> Text:
    text = Text()
    if phase.kind != "loop":
        return text
    if phase.status == "error":
        text.append(f"{ERROR_MARK} ", style="bold red")
        if phase.error:
            text.append(visible(phase.error.split(":")[0]) + " ", style="red")  # the type: stored text
    if phase.retries:
        text.append(f"{RETRY_MARK}{phase.retries} ", style="yellow")
    if phase.waits:
        text.append(f"{WAIT_MARK} {describe(phase.waited(now))}", style=WAIT_STYLE)
        work = phase.work(now)
        if work:  # a span the waits do not fill: its subgraph said where it waited
            text.append(f" {describe(work)}", style="dim")
    elif phase.status == "running":
        text.append(f"{RUNNING_MARK} {describe(phase.duration(now))}", style="bold cyan")
    elif phase.status != "error":
        text.append(describe(phase.duration(now)), style="dim")
    text.truncate(cells)
    return text


def phase_line(phase: Phase, timeline: Timeline, layout: Layout, axis: Axis) -> Text:
    """One row: the label, the bar, the marks."""
    line = Text.assemble(_label(phase, layout.label), " ", _bar(phase, axis, timeline.now), " ", _suffix(phase, timeline.now, layout.suffix))
    line.no_wrap, line.overflow = True, "crop"  # one row per phase, whatever the pane's width
    return line


def _tick_step(span: float, cells: int) -> float:
    wanted = span / max(cells // 12, 1)
    return next((s for s in _TICK_STEPS if s >= wanted), _TICK_STEPS[-1])


def axis_lines(timeline: Timeline, layout: Layout, axis: Axis) -> tuple[Text, Text]:
    """The tick labels (time since the first phase) over a ruler with a tick at each."""
    step = _tick_step(axis.span, axis.cells)
    labels = [" "] * axis.cells
    ruler = ["─"] * axis.cells
    t, free = 0.0, 0
    while t <= axis.span + 1e-9:
        col = min(int(round(t / axis.span * (axis.cells - 1))), axis.cells - 1)
        ruler[col] = "┼" if 0 < col < axis.cells - 1 else ("├" if col == 0 else "┤")
        mark = "0" if t == 0 else f"+{describe(t)}"
        if col >= free and col + len(mark) <= axis.cells:
            labels[col : col + len(mark)] = list(mark)
            free = col + len(mark) + 1
        t += step
    ruler[-1] = "┤"
    start = timeline.start.astimezone(UTC).strftime("%H:%M:%S UTC") if timeline.start else ""
    head = Text(start.ljust(layout.label)[: layout.label], style="dim")
    return Text.assemble(head, " ", Text("".join(labels), style="dim")), Text.assemble(" " * layout.label, " ", Text("".join(ruler), style="dim"))


def caption(timeline: Timeline) -> Text:
    """What the timeline shows, its work and its waiting, in one line."""
    now = timeline.now
    runs = [p for p in timeline.phases if p.kind == "loop"]
    work = sum(p.work(now) or 0.0 for p in runs if p.depth == 0)
    waited = sum(p.waited(now) for p in runs if p.depth == 0)
    text = Text(f"{len(runs)} phases", style="bold")
    text.append(f" · work {describe(work)}")
    if waited:
        text.append(f" · {WAIT_MARK} waiting {describe(waited)} (not work)", style=WAIT_STYLE)
    errors = sum(1 for p in runs if p.status == "error")
    if errors:
        text.append(f" · {ERROR_MARK} {errors} failed", style="bold red")
    retried = sum(1 for p in runs if p.retries)
    if retried:
        text.append(f" · {RETRY_MARK} {retried} re-run", style="yellow")
    if timeline.truncated:
        text.append(" · older phases not shown", style="italic dim")
    return text


def timeline_lines(timeline: Timeline, width: int) -> tuple[Text, tuple[Text, Text], list[Text]]:
    """The caption, the axis and one line per phase, for a pane ``width`` cells wide."""
    layout = Layout.of(width)
    axis = Axis(timeline, layout.bar)
    return caption(timeline), axis_lines(timeline, layout, axis), [phase_line(p, timeline, layout, axis) for p in timeline.phases]
