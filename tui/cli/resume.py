"""``agent-debug resume TARGET --thread ID``: answer a thread's pending interrupt(s) and run on (appends)."""

from __future__ import annotations

import argparse

from agent_debug.tui.cli.acting import acting_session
from agent_debug.tui.cli.json_input import parse_json_arg
from agent_debug.tui.cli.outcome import report_outcome


def run_resume(args: argparse.Namespace) -> int:
    """Answer the pending interrupt(s) of a thread and run on."""
    value = parse_json_arg(args.value, "--value") if args.value is not None else None
    with acting_session(args) as session:
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
