"""``agent-debug state TARGET --thread ID``: the values and pending work of a checkpoint,
or (``--diff-from A``) what changed from checkpoint A to it."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from agent_debug.inspector.exceptions import UsageError
from agent_debug.inspector.sources.base import resolve_given
from agent_debug.inspector.targets import open_source
from agent_debug.tui.cli.json_output import emit_record

if TYPE_CHECKING:
    from rich.console import Console

    from agent_debug.inspector.comparison import ComparedCheckpoint, StateComparison


def run_state(args: argparse.Namespace) -> int:
    """``agent-debug state TARGET --thread ID [--checkpoint ID] [--diff-from ID]``."""
    if getattr(args, "diff_from", None) is not None:
        return _run_comparison(args)
    with open_source(args.target) as source:
        checkpoint_id = resolve_given(source, args.thread, args.checkpoint, args.ns)  # whole, or its start or end
        doc = source.state(args.thread, checkpoint_id=checkpoint_id, namespace=args.ns, decode=args.decode, path=args.path)
    if args.json:
        emit_record(doc)
        return 0
    from agent_debug.tui import render

    render.render_state(render.console(), doc)
    return 0


def _run_comparison(args: argparse.Namespace) -> int:
    """``--diff-from A``: checkpoint A compared with ``--checkpoint`` (default the latest),
    both in the same namespace; either may be on any fork branch of the thread."""
    if args.path is not None:
        raise UsageError("--diff-from compares whole states: leave out --path")
    from agent_debug.inspector.comparison import compare_checkpoints

    with open_source(args.target) as source:
        before = source.resolve_checkpoint(args.thread, args.diff_from, args.ns)
        after = resolve_given(source, args.thread, args.checkpoint, args.ns)
        doc = compare_checkpoints(source, args.thread, before, after, args.ns, decode=args.decode)
    if args.json:
        emit_record(doc)
        return 0
    from agent_debug.tui import render

    render_comparison(render.console(), doc)
    return 0


def _end(end: ComparedCheckpoint) -> str:
    return f"{end.checkpoint_id} (step {end.step}, {end.source})"


def render_comparison(out: Console, doc: StateComparison) -> None:
    """What changed from one checkpoint to the other, one line a value: ``+`` added,
    ``-`` removed, ``~`` changed (as the console's ``diff`` prints)."""
    from rich.text import Text

    from agent_debug.tui.render import diff_lines
    from agent_debug.tui.safe_text import visible

    where = f" namespace {doc.namespace}" if doc.namespace else ""
    out.print(Text(visible(f"thread {doc.thread_id}{where}: {_end(doc.before)} → {_end(doc.after)}")))
    if not doc.changes and not doc.messages:
        out.print(Text("no state changes", style="dim"))
    for line in diff_lines(doc.changes, doc.messages):
        out.print(line)
