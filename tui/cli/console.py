"""``agent-debug console TARGET [--graph REF]``: the line-mode debugger (prompt-toolkit).

Its commands drive the same ``DebugSession`` as the TUI and the other verbs, so every
check and refusal is theirs; the console itself lives in ``agent_debug.tui.console``.
"""

from __future__ import annotations

import argparse


def run_console(args: argparse.Namespace) -> int:
    """Run the console on TARGET: interactive on a terminal, else a script read from stdin."""
    from agent_debug.tui.cli.acting import graph_ref_target
    from agent_debug.tui.console import run_console as run

    graph_ref_target(args)
    return run(args)
