"""Live events of runs: thinking, logs, errors; filters, search, phase timings, stuck phases."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, RichLog, Static, Tab, Tabs

from agent_debug.tui.render import short

KINDS = {
    "all": None,
    "thinking": {"thinking"},
    "logs": {"log", "custom"},
    "errors": {"error"},
}
LEVEL_STYLE = {"DEBUG": "dim", "INFO": "", "WARNING": "yellow", "ERROR": "red", "CRITICAL": "bold red"}
MAX_LINES = 5_000


class EventsView(Vertical):
    """Run events as lines. Token and thinking streams are gathered per phase (a live
    preview shows the one being streamed), so a flood of tokens costs one line per phase."""

    DEFAULT_CSS = """
    EventsView > Horizontal { height: 3; }
    EventsView Tabs { width: 1fr; }
    EventsView #events-filter { width: 30; }
    EventsView #events-stream { height: 2; color: $text-muted; }
    EventsView RichLog { height: 1fr; }
    EventsView #events-phases { height: auto; max-height: 12; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.kind = "all"
        self.filter = ""
        self.streams: dict[tuple[str | None, str], list[str]] = {}
        self.lines_written = 0

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Tabs(*(Tab(name, id=f"events-{name}") for name in KINDS), id="events-kind")
            yield Input(placeholder="filter: node, level or text", id="events-filter")
        yield Static("", id="events-stream")
        yield RichLog(max_lines=MAX_LINES, wrap=False, markup=False, highlight=False, id="events-log")
        yield Static("", id="events-phases")

    # -- filtering ------------------------------------------------------------------

    def _shown(self, e: Any) -> bool:
        kinds = KINDS[self.kind]
        if kinds is not None and e.kind not in kinds:
            return False
        if not self.filter:
            return True
        needle = self.filter.lower()
        haystack = " ".join(str(x) for x in (e.node, getattr(e, "level", ""), getattr(e, "message", ""), getattr(e, "text", ""), getattr(e, "type", "")))
        return needle in haystack.lower()

    # -- lines ------------------------------------------------------------------------

    def _line(self, e: Any) -> Text | None:
        when = datetime.fromtimestamp(e.time).strftime("%H:%M:%S.%f")[:-3]
        where = e.node or "-"
        head = Text.assemble((when, "dim"), " ", (f"{where:<14}", "bold"), " ")
        kind = e.kind
        if kind == "thinking":
            return head.append(f"thinking: {short(e.text, 300)}", style="italic magenta")
        if kind == "log":
            return head.append(f"{e.level} {e.logger}: {short(e.message, 300)}", style=LEVEL_STYLE.get(e.level, ""))
        if kind == "custom":
            return head.append(f"custom {short(e.payload, 200)}", style="cyan")
        if kind == "error":
            retry = f" (attempt {e.attempt}, will retry)" if e.will_retry else ""
            head.append(f"✖ {e.type}: {short(e.message, 200)}{retry}", style="bold red")
            head.append(f"\n    {e.classification} ({e.confidence:.0%}): {e.suggestion}", style="red")
            return head
        if kind == "phase_started":
            return head.append("▶ started", style="dim")
        if kind == "phase_finished":
            took = f" in {e.duration_ms:.0f}ms" if e.duration_ms is not None else ""
            return head.append(f"■ {e.status}{took}", style="green" if e.status == "done" else "yellow")
        if kind == "tool_call":
            return head.append(f"→ tool {e.name}({short(e.args, 120)})", style="yellow")
        if kind == "tool_result":
            return head.append(f"← {e.name or 'tool'} {e.status}: {short(e.content, 120)}", style="yellow")
        if kind == "interrupt":
            return head.append(f"⏸ interrupt {short(e.value, 200)}", style="bold yellow")
        if kind in ("run_started", "run_finished"):
            status = f" {e.status}" if kind == "run_finished" else ""
            return head.append(f"{kind.replace('_', ' ')}{status}", style="bold")
        return None  # tokens, usage, checkpoints: folded into other lines

    def _gather(self, e: Any) -> Any:
        """Fold streamed tokens into one thinking/answer event per phase."""
        if e.kind in ("token", "thinking") and getattr(e, "streamed", False):
            self.streams.setdefault((e.task_id, e.kind), []).append(e.text)
            return None
        if e.kind == "phase_finished":
            thought = "".join(self.streams.pop((e.task_id, "thinking"), []))
            self.streams.pop((e.task_id, "token"), None)
            if thought:
                from agent_debug.inspector.events import ThinkingEvent

                return [ThinkingEvent(seq=e.seq, time=e.time, thread_id=e.thread_id, namespace=e.namespace, step=e.step,
                                      node=e.node, task_id=e.task_id, text=thought, format="reasoning", streamed=False), e]
        return e

    def add(self, events: Iterable[Any]) -> None:
        """Append a batch: one write to the log whatever its size (only the newest
        MAX_LINES of a huge batch are drawn; the log keeps no more than that anyway)."""
        lines: list[Text] = []
        for raw in events:
            folded = self._gather(raw)
            for e in folded if isinstance(folded, list) else [folded] if folded is not None else []:
                if self._shown(e):
                    line = self._line(e)
                    if line is not None:
                        lines.append(line)
        self.lines_written += len(lines)
        if lines:
            self.query_one("#events-log", RichLog).write(Text("\n").join(lines[-MAX_LINES:]))
        live = next((("".join(parts), kind) for (task, kind), parts in reversed(self.streams.items())), None)
        self.query_one("#events-stream", Static).update(
            Text(f"streaming {live[1]}: …{live[0][-200:]}", style="italic") if live else ""
        )

    def rebuild(self, events: list[Any]) -> None:
        """Show the held events again under the current filter."""
        self.streams = {}
        self.query_one("#events-log", RichLog).clear()
        self.add(events)

    def show_stats(self, stats: Any, stuck: list[Any]) -> None:
        """The phase-timing table: slowest first, tokens per phase, stuck phases flagged."""
        phases = list(stats.phases.values())
        if not phases and not stuck:
            self.query_one("#events-phases", Static).update("")
            return
        table = Table(box=None, header_style="bold", title="phases (slowest first)", title_justify="left")
        for col in ("phase", "ms", "tokens in/out", "attempts", "status"):
            table.add_column(col, justify="right" if col in ("ms", "attempts") else "left")
        slow = {id(p) for p in stats.slowest(3)} if phases else set()
        for p in sorted(phases, key=lambda p: -(p.duration_ms or 0))[:8]:
            style = "bold yellow" if id(p) in slow else ""
            table.add_row(
                Text(p.node or "?", style=style), f"{(p.duration_ms or 0):.0f}",
                f"{p.input_tokens}/{p.output_tokens}", str(getattr(p, "attempts", 1)), str(getattr(p, "status", "")),
            )
        for s in stuck:
            table.add_row(Text(f"⚠ {s.node} stuck", style="bold red"), f"{s.elapsed_s * 1000:.0f}", "", "", "running")
        self.query_one("#events-phases", Static).update(table)

    @on(Tabs.TabActivated, "#events-kind")
    def _kind(self, event: Tabs.TabActivated) -> None:
        event.stop()
        self.kind = (event.tab.id or "events-all").removeprefix("events-")
        self.post_message(self.FilterChanged())

    @on(Input.Changed, "#events-filter")
    def _filter(self, event: Input.Changed) -> None:
        event.stop()
        self.filter = event.value.strip()
        self.post_message(self.FilterChanged())

    class FilterChanged(Message):
        """The kind tab or the text filter changed: the app re-feeds the held events."""
