"""``agent-debug state TARGET --thread ID``: the values and pending work of a checkpoint."""

from __future__ import annotations

import argparse

from agent_debug.inspector.sources.base import resolve_given
from agent_debug.inspector.targets import open_source
from agent_debug.tui.cli.json_output import emit_record


def run_state(args: argparse.Namespace) -> int:
    """``agent-debug state TARGET --thread ID [--checkpoint ID]``."""
    with open_source(args.target) as source:
        checkpoint_id = resolve_given(source, args.thread, args.checkpoint, args.ns)  # whole, or its start or end
        doc = source.state(args.thread, checkpoint_id=checkpoint_id, namespace=args.ns, decode=args.decode, path=args.path)
    if args.json:
        emit_record(doc)
        return 0
    from agent_debug.tui import render

    render.render_state(render.console(), doc)
    return 0
