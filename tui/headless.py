"""Headless commands: ``threads``, ``history``, ``state``. ``--json`` for programs, Rich for people."""

from __future__ import annotations

import argparse
import sys

from pydantic import BaseModel

from agent_debug.inspector.model import ThreadStatus
from agent_debug.inspector.targets import open_source


def _emit_json(document: BaseModel) -> None:
    sys.stdout.write(document.model_dump_json(indent=2))
    sys.stdout.write("\n")


def run_threads(args: argparse.Namespace) -> int:
    """``agent-debug threads TARGET``."""
    with open_source(args.target) as source:
        status = ThreadStatus(args.status) if args.status else None
        doc = source.threads(status=status, limit=args.limit or None)
    if args.json:
        _emit_json(doc)
        return 0
    from rich.text import Text

    from agent_debug.tui import render

    out = render.console()
    if not doc.threads:
        what = f"{args.status} threads" if args.status else "threads"
        out.print(f"no {what} in {doc.target} ({doc.total} threads in all)", markup=False)
        return 0
    out.print(render.thread_grid(doc))
    shown = len(doc.threads)
    if args.status or shown < doc.total:
        note = f"{shown} shown of {doc.total} threads"
        if args.limit and shown == args.limit:
            note += " (--limit 0 for all)"
        out.print(Text(note, style="dim"))
    return 0


def run_history(args: argparse.Namespace) -> int:
    """``agent-debug history TARGET --thread ID``."""
    with open_source(args.target) as source:
        doc = source.history(args.thread, namespace=args.ns, limit=args.limit or None, before=args.before)
    if args.json:
        _emit_json(doc)
        return 0
    from rich.text import Text

    from agent_debug.tui import render

    out = render.console()
    out.print(render.history_grid(doc))
    note = f"{len(doc.checkpoints)} of {doc.total} checkpoints"
    if doc.next_before:
        note += f"; older: --before {doc.next_before}"
    out.print(Text(note, style="dim"))
    return 0


def run_state(args: argparse.Namespace) -> int:
    """``agent-debug state TARGET --thread ID [--checkpoint ID]``."""
    with open_source(args.target) as source:
        doc = source.state(args.thread, checkpoint_id=args.checkpoint, namespace=args.ns, decode=args.decode, path=args.path)
    if args.json:
        _emit_json(doc)
        return 0
    from agent_debug.tui import render

    render.render_state(render.console(), doc)
    return 0
