"""Headless commands: ``threads``, ``history``, ``state``. Rich for people, ``--json`` for programs."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.pretty import Pretty
from rich.table import Table
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
from agent_debug.inspector.targets import open_source

STATUS_STYLE = {
    ThreadStatus.INTERRUPTED: "bold yellow",
    ThreadStatus.ERROR: "bold red",
    ThreadStatus.DONE: "green",
    ThreadStatus.PENDING: "cyan",
}


def _console() -> Console:
    # Pipes get a wide console so ids are never wrapped mid-way.
    return Console(width=None if sys.stdout.isatty() else 200, highlight=False)


def _emit_json(document: Any) -> None:
    sys.stdout.write(document.model_dump_json(indent=2))
    sys.stdout.write("\n")


def age(when: datetime | None, now: datetime | None = None) -> str:
    """'42s ago', '3m ago', '5h ago', '2d ago'."""
    if when is None:
        return "-"
    seconds = max(0, int(((now or datetime.now(UTC)) - when).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return f"{seconds}s ago"


def _short(value: Any, width: int = 60) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _interrupt_line(i: InterruptInfo) -> str:
    value = i.value
    if isinstance(value, dict):
        value = value.get("question") or value.get("message") or value
    return f"{i.node or '?'}: {_short(value)}"


def _error_line(e: ErrorInfo) -> str:
    return f"{e.node or '?'}: {e.type}: {_short(e.message)}"


def thread_table(doc: ThreadList) -> Table:
    """Threads as a table, one row each."""
    table = Table(box=None, pad_edge=False, header_style="bold")
    for name in ("THREAD", "STATUS", "STEP", "LAST NODE", "NEXT", "UPDATED", "CKPTS", "DETAIL"):
        table.add_column(name, no_wrap=name != "DETAIL", justify="right" if name in ("STEP", "CKPTS") else "left")
    now = datetime.now(UTC)
    for t in doc.threads:
        detail = ""
        if t.errors:
            detail = _error_line(t.errors[0])
        elif t.interrupts:
            detail = _interrupt_line(t.interrupts[0])
            if len(t.interrupts) > 1:
                detail += f" (+{len(t.interrupts) - 1} more)"
        table.add_row(
            escape(t.thread_id),
            Text(t.status.value, style=STATUS_STYLE[t.status]),
            "-" if t.last_step is None else str(t.last_step),
            escape(t.last_node or (f"({t.last_source})" if t.last_source else "-")),
            escape(", ".join(t.next) or "-"),
            age(t.updated_at, now),
            str(t.checkpoint_count),
            escape(detail),
        )
    return table


def run_threads(args: argparse.Namespace) -> int:
    """``agent-debug threads TARGET``."""
    with open_source(args.target) as source:
        status = ThreadStatus(args.status) if args.status else None
        doc = source.threads(status=status, limit=args.limit or None)
    if args.json:
        _emit_json(doc)
        return 0
    console = _console()
    if not doc.threads:
        what = f"{args.status} threads" if args.status else "threads"
        console.print(f"no {what} in {escape(doc.target)} ({doc.total} threads in all)")
        return 0
    console.print(thread_table(doc))
    shown = len(doc.threads)
    if args.status or shown < doc.total:
        note = f"{shown} shown of {doc.total} threads"
        if args.limit and shown == args.limit:
            note += " (--limit 0 for all)"
        console.print(Text(note, style="dim"))
    return 0


def history_table(doc: HistoryPage) -> Table:
    """History rows, newest first; a row whose parent is not the row below it marks a fork."""
    table = Table(box=None, pad_edge=False, header_style="bold")
    for name in ("CHECKPOINT", "STEP", "SOURCE", "NODES", "CREATED", "PARENT"):
        table.add_column(name, no_wrap=True, justify="right" if name == "STEP" else "left")
    now = datetime.now(UTC)
    rows = doc.checkpoints
    for i, c in enumerate(rows):
        below = rows[i + 1].checkpoint_id if i + 1 < len(rows) else None
        parent = ""
        if c.parent_id and below is not None and c.parent_id != below:
            parent = f"fork of {c.parent_id}"
        table.add_row(
            c.checkpoint_id,
            "-" if c.step is None else str(c.step),
            c.source or "-",
            escape(", ".join(c.nodes) or "-"),
            age(c.created_at, now),
            parent,
        )
    return table


def run_history(args: argparse.Namespace) -> int:
    """``agent-debug history TARGET --thread ID``."""
    with open_source(args.target) as source:
        doc = source.history(args.thread, namespace=args.ns, limit=args.limit or None, before=args.before)
    if args.json:
        _emit_json(doc)
        return 0
    console = _console()
    console.print(history_table(doc))
    note = f"{len(doc.checkpoints)} of {doc.total} checkpoints"
    if doc.next_before:
        note += f"; older: --before {doc.next_before}"
    console.print(Text(note, style="dim"))
    return 0


def _message_block(m: MessageView) -> Group:
    head = Text(m.role.upper(), style="bold magenta" if m.role == "ai" else "bold")
    if m.name:
        head.append(f" ({m.name})", style="dim")
    if m.usage:
        head.append(
            f"  tokens in {m.usage.get('input_tokens', '?')} / out {m.usage.get('output_tokens', '?')}", style="dim"
        )
    parts: list[Any] = [head]
    for thought in m.reasoning:
        parts.append(Text("  thinking: " + _short(thought, 160), style="italic dim"))
    if m.text:
        parts.append(Text("  " + _short(m.text, 300)))
    for call in m.tool_calls:
        parts.append(Text(f"  → tool {call.get('name')}({_short(call.get('args'), 100)}) id={call.get('id')}", style="yellow"))
    if m.tool_call_id:
        parts.append(Text(f"  ↳ result of {m.tool_call_id}", style="dim"))
    return Group(*parts)


def run_state(args: argparse.Namespace) -> int:
    """``agent-debug state TARGET --thread ID [--checkpoint ID]``."""
    with open_source(args.target) as source:
        doc = source.state(
            args.thread, checkpoint_id=args.checkpoint, namespace=args.ns, decode=args.decode, path=args.path
        )
    if args.json:
        _emit_json(doc)
        return 0
    render_state(_console(), doc)
    return 0


def render_state(console: Console, doc: CheckpointState) -> None:
    """A readable view of one checkpoint's state."""
    ns = f"  ns {doc.namespace}" if doc.namespace else ""
    console.print(
        Text.assemble(
            ("thread ", "dim"), doc.thread_id, ("  checkpoint ", "dim"), doc.checkpoint_id, ns,
            ("  step ", "dim"), str(doc.step), ("  source ", "dim"), str(doc.source),
            ("  ", ""), (age(doc.created_at), "dim"),
        )
    )
    if doc.next:
        console.print(Text.assemble(("next: ", "bold"), ", ".join(doc.next)))
    for i in doc.interrupts:
        console.print(Text.assemble(("interrupt ", "bold yellow"), f"{i.id} at {i.node}: "), Pretty(i.value, max_string=300))
    for e in doc.errors:
        console.print(Text.assemble(("error ", "bold red"), f"at {e.node}: {e.type}: {e.message}"))
    title = f"values at {doc.path}" if doc.path else "values"
    console.print(Panel(Pretty(doc.values, max_string=200, max_length=30, max_depth=6), title=title, title_align="left"))
    if doc.messages and not doc.path:
        console.print(Text(f"messages ({len(doc.messages)})", style="bold"))
        for m in doc.messages:
            console.print(_message_block(m))
    if doc.decoded == "safe":
        console.print(Text("decoded safely: no module named in the stored data was imported", style="dim"))
