"""Rich renderings of inspector records for people (the ``--json`` path never imports this)."""

from __future__ import annotations

import reprlib
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from rich.cells import cell_len
from rich.console import Console, Group
from rich.panel import Panel
from rich.pretty import Pretty
from rich.text import Text

from agent_debug.inspector.model import (
    CheckpointState,
    ErrorInfo,
    HistoryPage,
    InterruptInfo,
    MessageView,
    ThreadList,
    ThreadStatus,
)
from agent_debug.tui.safe_text import visible

STATUS_STYLE = {
    ThreadStatus.INTERRUPTED: "bold yellow",
    ThreadStatus.ERROR: "bold red",
    ThreadStatus.DONE: "green",
    ThreadStatus.PENDING: "cyan",
    ThreadStatus.UNREADABLE: "bold magenta",
}

Cell = str | tuple[str, str]


def console() -> Console:
    """A console for stdout; pipes get no colour and no wrapping, so ids stay whole."""
    tty = sys.stdout.isatty()
    return Console(highlight=False, soft_wrap=not tty)


def age(when: datetime | None, now: datetime | None = None) -> str:
    """'42s ago', '3m ago', '5h ago', '2d ago'."""
    if when is None:
        return "-"
    seconds = max(0, int(((now or datetime.now(UTC)) - when).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return f"{seconds}s ago"


_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 200
_REPR.maxlist = _REPR.maxdict = _REPR.maxtuple = _REPR.maxset = 8
_REPR.maxlevel = 3


def short(value: Any, width: int = 60, *, escape: bool = True) -> str:
    """One line of at most ``width`` characters, control characters shown as escapes
    (``escape=False``: for a caller that shows the result by its repr, which escapes);
    never builds the repr of a huge value."""
    text = value[: width * 4] if isinstance(value, str) else _REPR.repr(value)
    text = " ".join(text.split())
    if escape:
        text = visible(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def grid(headers: Sequence[str], rows: Sequence[Sequence[Cell]], right: Sequence[int] = ()) -> Text:
    """Aligned columns, one line per row; a cell is text or (text, style).

    Rich's Table measures every cell several times (over a second for 2,000 rows);
    a listing only needs widths and padding.
    """
    # Every cell may quote stored data (a thread id, a node name): escape it here, once.
    cells = [[(visible(c[0]), c[1]) if isinstance(c, tuple) else (visible(c), "") for c in row] for row in rows]
    widths = [cell_len(h) for h in headers]
    for row in cells:
        for i, (text, _) in enumerate(row):
            widths[i] = max(widths[i], cell_len(text))
    out = Text()
    last = len(headers) - 1

    def line(row: Sequence[tuple[str, str]], header: bool = False) -> None:
        for i, (text, style) in enumerate(row):
            pad = " " * (widths[i] - cell_len(text))
            if i == last:
                out.append(text, style="bold" if header else style)
            elif i in right:
                out.append(pad + text + "  ", style="bold" if header else style)
            else:
                out.append(text, style="bold" if header else style)
                out.append(pad + "  ")
        out.append("\n")

    line([(h, "") for h in headers], header=True)
    for row in cells:
        line(row)
    out.rstrip()
    return out


def interrupt_line(i: InterruptInfo) -> str:
    """The interrupt's question, in one line."""
    value = i.value
    if isinstance(value, dict):
        value = value.get("question") or value.get("message") or value
    return f"{visible(i.node or '?')}: {short(value)}"


def error_line(e: ErrorInfo) -> str:
    """Where and what failed, in one line."""
    return f"{visible(e.node or '?')}: {visible(e.type)}: {short(e.message)}"


def thread_grid(doc: ThreadList) -> Text:
    """Threads, one row each."""
    now = datetime.now(UTC)
    rows = []
    for t in doc.threads:
        detail = ""
        if t.read_error:
            detail = short(t.read_error, 100)
        elif t.errors:
            detail = error_line(t.errors[0])
        elif t.interrupts:
            detail = interrupt_line(t.interrupts[0])
            if len(t.interrupts) > 1:
                detail += f" (+{len(t.interrupts) - 1} more)"
        rows.append(
            [
                t.thread_id,
                (t.status.value, STATUS_STYLE[t.status]),
                "-" if t.last_step is None else str(t.last_step),
                t.last_node or (f"({t.last_source})" if t.last_source else "-"),
                ", ".join(t.next) or "-",
                age(t.updated_at, now),
                "?" if t.checkpoint_count is None else str(t.checkpoint_count),
                detail,
            ]
        )
    return grid(("THREAD", "STATUS", "STEP", "LAST NODE", "NEXT", "UPDATED", "CKPTS", "DETAIL"), rows, right=(2, 6))


def history_grid(doc: HistoryPage) -> Text:
    """History rows, newest first; a row whose parent is not the row below it marks a fork."""
    now = datetime.now(UTC)
    rows = []
    items = doc.checkpoints
    for i, c in enumerate(items):
        below = items[i + 1].checkpoint_id if i + 1 < len(items) else None
        fork = f"fork of {c.parent_id}" if c.parent_id and below is not None and c.parent_id != below else ""
        rows.append(
            [
                c.checkpoint_id,
                "-" if c.step is None else str(c.step),
                c.source or "-",
                ", ".join(c.nodes) or "-",
                age(c.created_at, now),
                (fork, "yellow"),
            ]
        )
    return grid(("CHECKPOINT", "STEP", "SOURCE", "NODES", "CREATED", "PARENT"), rows, right=(1,))


def message_block(m: MessageView) -> Group:
    """One message: role, thinking, text, tool calls, tokens."""
    head = Text(visible(m.role.upper()), style="bold magenta" if m.role == "ai" else "bold")
    if m.name:
        head.append(f" ({visible(m.name)})", style="dim")
    if m.usage:
        head.append(visible(f"  tokens in {m.usage.get('input_tokens', '?')} / out {m.usage.get('output_tokens', '?')}"), style="dim")
    parts: list[Any] = [head]
    for thought in m.reasoning:
        parts.append(Text("  thinking: " + short(thought, 160), style="italic dim"))
    if m.text:
        parts.append(Text("  " + short(m.text, 300)))
    for call in m.tool_calls:
        name, call_id = visible(str(call.get("name"))), visible(str(call.get("id")))
        parts.append(Text(f"  → tool {name}({short(call.get('args'), 100)}) id={call_id}", style="yellow"))
    if m.tool_call_id:
        parts.append(Text(f"  ↳ result of {visible(m.tool_call_id)}", style="dim"))
    return Group(*parts)


def render_state(out: Console, doc: CheckpointState) -> None:
    """A readable view of one checkpoint's state."""
    header = Text.assemble(
        ("thread ", "dim"), visible(doc.thread_id), ("  checkpoint ", "dim"), visible(doc.checkpoint_id),
        ("  step ", "dim"), str(doc.step), ("  source ", "dim"), visible(str(doc.source)), ("  " + age(doc.created_at), "dim"),
    )
    if doc.namespace:
        header.append(f"  ns {visible(doc.namespace)}")
    out.print(header)
    if doc.next:
        out.print(Text.assemble(("next: ", "bold"), visible(", ".join(doc.next))))
    for i in doc.interrupts:
        out.print(Text.assemble(("interrupt ", "bold yellow"), f"{visible(str(i.id))} at {visible(str(i.node))}: {short(i.value, 200)}"))
    for e in doc.errors:
        where = visible(f"at {e.node}: {e.type}: ")
        out.print(Text.assemble(("error ", "bold red"), where, visible(str(e.message), lines=True)))
        if e.classification:
            sure = f" ({e.confidence:.0%})" if e.confidence is not None else ""
            out.print(Text(visible(f"  {e.classification}{sure}: {e.suggestion or ''}"), style="yellow"))
    # Pretty shows strings by their repr, which escapes control characters already.
    title = visible(f"values at {doc.path}" if doc.path else "values")
    out.print(Panel(Pretty(doc.values, max_string=200, max_length=30, max_depth=6), title=title, title_align="left", expand=False))
    if doc.messages and not doc.path:
        out.print(Text(f"messages ({len(doc.messages)})", style="bold"))
        for m in doc.messages:
            out.print(message_block(m))
    if doc.decoded == "safe":
        out.print(Text("decoded safely: no module named in the stored data was imported", style="dim"))
