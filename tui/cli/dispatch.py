"""``main``: parse the command line, run the verb's module, turn a failure into one line
and the exit status of the CLI contract (2 usage, 1 anything else).

Standard library only at import time, like the parser.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from agent_debug.tui.cli.parser import PROG, build_parser


def _handler(command: str) -> Callable[[argparse.Namespace], int]:
    # The verbs that open the debugger (demo, run, attach) reach Textual through the
    # launcher; every other verb stays headless (the import contracts check both).
    if command == "demo":
        from agent_debug.tui.cli.demo import run_demo

        return run_demo
    if command == "run":
        from agent_debug.tui.cli.run import run_run

        return run_run
    if command == "attach":
        from agent_debug.tui.cli.attach import run_attach

        return run_attach
    if command == "resume":
        from agent_debug.tui.cli.resume import run_resume

        return run_resume
    if command == "replay":
        from agent_debug.tui.cli.replay import run_replay

        return run_replay
    if command == "console":  # long-lived: the cyclic collector stays on
        from agent_debug.tui.cli.console import run_console

        return run_console
    if command == "graph":
        from agent_debug.tui.cli.graph import run_graph

        return run_graph
    # The read-only commands are short-lived and build many small acyclic objects
    # (10,000 history rows): reference counting frees them, and the cyclic collector
    # would only rescan them again and again (a third of the run time on big threads).
    # Pydantic's plugin discovery reads every installed package's metadata; the
    # records need no plugins.
    import gc
    import os

    gc.disable()
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    if command == "threads":
        from agent_debug.tui.cli.threads import run_threads

        return run_threads
    if command == "history":
        from agent_debug.tui.cli.history import run_history

        return run_history
    if command == "stats":
        from agent_debug.tui.cli.stats import run_stats

        return run_stats
    from agent_debug.tui.cli.state import run_state

    return run_state


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``agent-debug`` command; returns the exit status."""
    args = build_parser().parse_args(argv)
    debug = getattr(args, "debug", False)
    try:
        _server_options(args)
        return _handler(args.command)(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        from agent_debug.inspector.exceptions import InspectorError

        # Whatever a library put in a message or a traceback, a DSN's password and
        # libpq's PGPASSWORD never reach the terminal (scrubbed before escaping, which
        # could split a secret).
        scrub = _scrubber(args)
        if debug:
            import traceback

            sys.stderr.write(scrub(traceback.format_exc()))
        from agent_debug.tui.safe_text import visible

        # Messages quote stored data (a thread id, an error text): no raw escapes.
        if isinstance(exc, InspectorError):
            print(f"{PROG}: error: {visible(scrub(exc.message))}", file=sys.stderr)
            return exc.exit_code
        print(
            f"{PROG}: internal error: {type(exc).__name__}: {visible(scrub(str(exc)))}"
            + ("" if debug else " (run with --debug for the traceback)"),
            file=sys.stderr,
        )
        return 1


def _server_options(args: argparse.Namespace) -> None:
    """``--api-key``/``--header``/``--timeout``: how to talk to a server TARGET."""
    from agent_debug.inspector.server_options import configure, parse_header

    key, headers, timeout = getattr(args, "api_key", None), getattr(args, "header", None), getattr(args, "timeout", None)

    configure(api_key=key, headers=dict(parse_header(h) for h in headers or ()), timeout=timeout)


def _scrubber(args: argparse.Namespace) -> Callable[[str], str]:
    """A function hiding the secrets of every target the command was given."""
    from agent_debug.inspector.targets import scrub

    given = [t for t in (getattr(args, "target", None), getattr(args, "checkpointer", None)) if isinstance(t, str)]

    def scrubbed(text: str) -> str:
        for target in given:
            text = scrub(text, target)
        return scrub(text, None)

    return scrubbed
