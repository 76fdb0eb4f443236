"""``agent-debug replay TARGET --thread ID --checkpoint ID``: run one phase again from a
checkpoint, on a new branch (appends)."""

from __future__ import annotations

import argparse

from agent_debug.inspector.exceptions import UsageError
from agent_debug.tui.cli.acting import acting_session
from agent_debug.tui.cli.json_input import parse_json_arg
from agent_debug.tui.cli.outcome import report_outcome


def run_replay(args: argparse.Namespace) -> int:
    """Run one phase again from a checkpoint, on a new branch."""
    update = parse_json_arg(args.update, "--update") if args.update is not None else None
    if update is not None and not isinstance(update, dict):
        raise UsageError("--update must be a JSON object of state keys to change")
    with acting_session(args) as session:
        outcome = session.replay(args.thread, args.checkpoint, node=args.node, update=update, namespace=args.ns, as_node=args.as_node)
    return report_outcome(outcome, args.json)
