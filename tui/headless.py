"""Headless commands: ``threads``, ``history``, ``state``. ``--json`` for programs, Rich for people."""

from __future__ import annotations

import argparse
import base64
import sys
from typing import TYPE_CHECKING, Any

from agent_debug.inspector.sources.base import Capability
from agent_debug.inspector.targets import open_source
from agent_debug.inspector.vocabulary import ThreadStatus

if TYPE_CHECKING:
    from pydantic import BaseModel


def _emit_json(document: BaseModel) -> None:
    sys.stdout.write(document.model_dump_json(indent=2))
    sys.stdout.write("\n")


def _base64(value: Any) -> str:
    # The records write bytes as URL-safe base64 (ser_json_bytes="base64").
    if isinstance(value, (bytes, bytearray)):
        return base64.urlsafe_b64encode(value).decode()
    raise TypeError(type(value).__name__)


def document_json(document: dict[str, Any], record: str) -> bytes:
    """A source's plain ``document`` as JSON, byte for byte what the pydantic ``record`` writes.

    orjson writes the same JSON as the record's serializer without building 10,000
    models; data it would write differently (sets, non-string keys, integers beyond
    64 bits) goes through the record itself.
    """
    import orjson

    try:
        return orjson.dumps(
            document,
            default=_base64,
            option=orjson.OPT_INDENT_2 | orjson.OPT_UTC_Z | orjson.OPT_APPEND_NEWLINE,
        )
    except TypeError:
        from agent_debug.inspector import model

        return getattr(model, record).model_validate(document).model_dump_json(indent=2).encode() + b"\n"


def _emit_document(document: dict[str, Any], record: str) -> None:
    data = document_json(document, record)
    sys.stdout.flush()
    sys.stdout.buffer.write(data)


def run_threads(args: argparse.Namespace) -> int:
    """``agent-debug threads TARGET``."""
    status = ThreadStatus(args.status) if args.status else None
    with open_source(args.target) as source:
        if args.json and Capability.DOCUMENTS in source.capabilities:
            _emit_document(source.threads_document(status=status, limit=args.limit or None), "ThreadList")
            return 0
        if args.json:
            _emit_json(source.threads(status=status, limit=args.limit or None))
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


def run_history(args: argparse.Namespace) -> int:
    """``agent-debug history TARGET --thread ID``."""
    with open_source(args.target) as source:
        if args.json and Capability.DOCUMENTS in source.capabilities:
            page = source.history_document(args.thread, namespace=args.ns, limit=args.limit or None, before=args.before)
            _emit_document(page, "HistoryPage")
            return 0
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
