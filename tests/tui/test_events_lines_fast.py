"""The events pane's lines, built span by span at once, are the Text that Rich's
``Text.assemble``/``append`` made of the formatter's spans, hostile text included; the
time stamp is strftime's."""

from __future__ import annotations

import random
from datetime import datetime

from rich.text import Text

from agent_debug.inspector.events import CustomEvent, ErrorEvent, LogEvent, PhaseFinishedEvent, ToolCallEvent
from agent_debug.inspector.events.format import PANE, PANE_WRAPPED, EventFormatter, stamp
from agent_debug.tui.widgets.events.events_view import STYLES, EventsView


def assembled(formatter: EventFormatter, e: object) -> Text | None:
    """The line as the pane built it before: Text.assemble, then append for continuation lines."""
    lines = formatter.lines(e)
    if not lines:
        return None
    text = Text.assemble(*((span, STYLES.get(role, "")) for span, role in lines[0]))
    for more in lines[1:]:
        for i, (span, role) in enumerate(more):
            text.append("\n" + span if i == 0 else span, style=STYLES.get(role, ""))
    return text


def events() -> list[object]:
    where = {"thread_id": "t", "node": "n\x1b[2Jode", "task_id": "x", "step": 1}
    hostile = "bell\x07 back\x08 cr\r tab\t nl\n esc\x1b[31m nul\x00 wide 字 emoji 🎉 " + "long " * 100
    return [
        CustomEvent(seq=1, time=1.5, payload={"i": 1, "s": hostile}, **where),
        LogEvent(seq=2, time=2.25, level="WARNING", levelno=30, logger="a.b.c", message=hostile, **where),
        LogEvent(seq=3, time=3.0, level="INFO", levelno=20, logger="x", message="", **where),
        ErrorEvent(seq=4, time=4.0, type="Boom", message=hostile, classification="transient", suggestion="retry\r\x07",
                   confidence=0.5, attempt=2, will_retry=True, **where),
        PhaseFinishedEvent(seq=5, time=5.0, status="error", duration_ms=12.5, **where),
        ToolCallEvent(seq=6, time=6.0, tool_call_id="c", name="t\x07ool", args={"q": hostile}, **where),
        CustomEvent(seq=7, time=7.0, payload=None, thread_id="t"),
    ]


def test_the_pane_lines_are_the_assembled_ones():
    view = EventsView()
    for layout in (PANE, PANE_WRAPPED):
        view.formatter = EventFormatter(layout)
        for e in events():
            built, before = view._line(e), assembled(view.formatter, e)
            assert (built is None) == (before is None), e
            if built is not None:
                assert (built.plain, built.spans, built.style, built.end) == (before.plain, before.spans, before.style, before.end), e


def test_stamp_is_strftimes():
    rng = random.Random(15)
    for when in [0.0, 0.0009999, 59.9995, 1e9 + 0.9999996, *(rng.uniform(0, 4e9) for _ in range(20_000))]:
        assert stamp(when) == datetime.fromtimestamp(when).strftime("%H:%M:%S.%f")[:-3], when


def test_the_log_gets_the_segments_rich_renders_of_the_joined_lines():
    from rich.console import Console
    from rich.measure import Measurement
    from rich.segment import Segment
    from rich.text import Text

    from agent_debug.tui.widgets.events.events_view import PaneLines

    view = EventsView()
    console = Console(width=160, color_system="truecolor")
    many = events() * 3
    for batch in (many, many[:1], many[3:5]):
        texts = [t for t in (view._line(e) for e in batch) if t is not None]
        lines = [ls for ls in (view.formatter.lines(e) for e in batch) if ls]
        joined, ours = Text("\n").join(texts), PaneLines(lines)
        for width in (40, 78, 200):
            options = console.options.update(overflow="ignore", no_wrap=True).update_width(width)
            before = list(Segment.split_lines(console.render(joined, options)))
            after = list(Segment.split_lines(console.render(ours, options)))
            assert after == before
            assert Measurement.get(console, options, ours).maximum == Measurement.get(console, options, joined).maximum
    tab = PaneLines([[(("a\tb", "time"),)]])
    options = console.options.update(overflow="ignore", no_wrap=True)
    assert list(console.render(tab, options)) == list(console.render(Text.assemble(("a\tb", "dim")), options))
