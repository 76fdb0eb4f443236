"""``agent-debug threads TARGET``: every thread with its status. ``--json`` for programs, Rich for people."""

from __future__ import annotations

import argparse

from agent_debug.inspector.sources.base import Capability
from agent_debug.inspector.targets import open_source
from agent_debug.inspector.vocabulary import ThreadStatus
from agent_debug.tui.cli.json_output import emit_document, emit_record


def run_threads(args: argparse.Namespace) -> int:
    """``agent-debug threads TARGET``."""
    status = ThreadStatus(args.status) if args.status else None
    with open_source(args.target) as source:
        if args.json and Capability.DOCUMENTS in source.capabilities:
            emit_document(source.threads_document(status=status, limit=args.limit or None), "ThreadList")
            return 0
        if args.json:
            emit_record(source.threads(status=status, limit=args.limit or None))
            return 0
        # Filtered here, not by the source: the note below counts the unreadable threads
        # (whose status is unknown) that a filter leaves out.
        doc = source.threads()
    unread = sum(t.status is ThreadStatus.UNREADABLE for t in doc.threads)
    if status is not None:
        doc = doc.model_copy(update={"threads": [t for t in doc.threads if t.status is status]})
        unread = 0 if status is ThreadStatus.UNREADABLE else unread
    if args.limit:
        doc = doc.model_copy(update={"threads": doc.threads[: args.limit]})
    from rich.text import Text

    from agent_debug.tui import render

    out = render.console()
    hidden = (
        f"; {unread} unreadable thread{'s' if unread > 1 else ''} (status unknown) not shown: --status unreadable"
        if unread and status is not None
        else ""
    )
    if not doc.threads:
        what = f"{args.status} threads" if args.status else "threads"
        out.print(f"no {what} in {doc.target} ({doc.total} threads in all{hidden})", markup=False)
        return 0
    out.print(render.thread_grid(doc))
    shown = len(doc.threads)
    if args.status or shown < doc.total:
        note = f"{shown} shown of {doc.total} threads"
        if args.limit and shown == args.limit:
            note += " (--limit 0 for all)"
        out.print(Text(note + hidden, style="dim"))
    return 0
