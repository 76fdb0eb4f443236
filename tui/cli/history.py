"""``agent-debug history TARGET --thread ID``: a thread's checkpoints, newest first, a page at a time."""

from __future__ import annotations

import argparse

from agent_debug.inspector.sources.base import Capability, resolve_given
from agent_debug.inspector.targets import open_source
from agent_debug.tui.cli.json_output import emit_document, emit_record


def run_history(args: argparse.Namespace) -> int:
    """``agent-debug history TARGET --thread ID``."""
    with open_source(args.target) as source:
        # --before may be part of an id (its start or its end): paged from the full one.
        before = resolve_given(source, args.thread, args.before, args.ns)
        if args.json and Capability.DOCUMENTS in source.capabilities:
            page = source.history_document(args.thread, namespace=args.ns, limit=args.limit or None, before=before)
            emit_document(page, "HistoryPage")
            return 0
        doc = source.history(args.thread, namespace=args.ns, limit=args.limit or None, before=before)
    if args.json:
        emit_record(doc)
        return 0
    from rich.text import Text

    from agent_debug.tui import render

    out = render.console()
    out.print(render.history_grid(doc))
    note = f"{len(doc.checkpoints)} of {'?' if doc.total is None else doc.total} checkpoints"
    if doc.next_before:
        note += f"; older: --before {doc.next_before}"
    out.print(Text(note, style="dim"))
    return 0
