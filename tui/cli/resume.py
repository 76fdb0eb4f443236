"""``agent-debug resume TARGET --thread ID``: answer a thread's pending interrupt(s) and run on (appends)."""

from __future__ import annotations

import argparse

from agent_debug.tui.cli.acting import check_target_store, graph_ref_target, required_graph, server_target
from agent_debug.tui.cli.json_input import parse_json_arg
from agent_debug.tui.cli.outcome import report_outcome


def run_resume(args: argparse.Namespace) -> int:
    """Answer the pending interrupt(s) of a thread and run on."""
    from agent_debug.inspector.session import open_session

    value = parse_json_arg(args.value, "--value") if args.value is not None else None
    if server_target(args):
        session = open_session(args.target, assistant=args.assistant)
    else:
        graph_ref_target(args)
        check_target_store(args)
        graph = required_graph(args)
        session = open_session(args.target, graph=graph, allow_modules=getattr(args, "allow_modules", None))
    with session:
        outcome = session.answer(
            args.thread,
            interrupt_id=args.interrupt,
            value=value,
            has_value=args.value is not None,
            approve=args.approve,
            reject=args.reject,
            message=args.message,
        )
    return report_outcome(outcome, args.json)
