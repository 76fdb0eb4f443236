"""``agent-debug console TARGET``: a line-mode debugger in the habits of pdb.

For terminals where a full-screen app is unwanted (SSH, CI logs, screen readers) and for
scripts of commands piped on standard input. Interactive on a terminal (prompt-toolkit:
tab completion, history kept across sessions); otherwise it reads one command a line from
standard input and stops at the first one that fails (exit 1, 2 for a usage error).

Importing this package loads only the standard library, like the command line's parser;
:func:`run_console` imports the rest. Nothing here imports Textual.
"""

from __future__ import annotations

import argparse

__all__ = ["add_arguments", "run_console"]

_TARGET_HELP = "a SQLite checkpoint file (or sqlite:///PATH), a postgresql:// DSN, or a FILE.ndjson recording"
_ALLOW_MODULE = (
    "also revive stored objects of MODULE's classes, or exactly MODULE:NAME (repeatable); "
    "the graph's own types and LangChain's messages need no flag, anything else is refused"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The console's arguments and flags, added to ``parser`` (the ``console`` subcommand).

    ``--debug`` is not added: the command line's common flags carry it (``run_console``
    reads ``args.debug`` when it is there)."""
    parser.add_argument("target", metavar="TARGET", help=_TARGET_HELP)
    parser.add_argument(
        "--graph",
        action="append",
        metavar="GRAPH_REF",
        help="the workflow's graph (pkg.mod:attr, path/file.py:attr, a langgraph.json id, or NAME=REF): turns on next, "
        "continue, break, answer, replay and fork, which append checkpoints to TARGET; repeatable: each thread "
        "gets the graph its graph_id metadata names, else the one whose nodes fit it",
    )
    parser.add_argument("--config", metavar="FILE", help="langgraph.json to resolve graph ids with; without --graph, every graph it declares is given")
    parser.add_argument("--allow-module", dest="allow_modules", action="append", metavar="MODULE[:NAME]", help=_ALLOW_MODULE)
    parser.add_argument(
        "--migrate",
        action="store_true",
        help="with --graph: let LangGraph upgrade a store made by an older langgraph-checkpoint-sqlite",
    )
    parser.add_argument("--thread", metavar="ID", help="select this thread at start")
    parser.add_argument(
        "--assistant", metavar="ID", help="on a LangGraph server TARGET: the assistant (id or graph id) to run (default: each thread's own)"
    )
    parser.add_argument(
        "-c",
        "--command",
        dest="commands",
        action="append",
        metavar="COMMAND",
        help="run COMMAND first, as if typed (repeatable, like pdb -c)",
    )
    parser.add_argument(
        "--history-file",
        metavar="PATH",
        help="where an interactive console keeps the commands typed (default: console_history in your "
        "state directory); commands read from a pipe or file are never kept",
    )
    parser.add_argument(
        "--echo",
        action="store_true",
        help="when reading commands from standard input, print each one (after the prompt) before its output",
    )


def run_console(args: argparse.Namespace) -> int:
    """Open the session on TARGET (acting with ``--graph``), then read commands: from the
    terminal (interactive) or from standard input (a script). Returns the exit status.

    A failure before the first command (a missing store, a bad graph, an unknown
    ``--thread``) is raised as an ``InspectorError``, as every verb does; a failing command
    is printed as one line on stderr (and, in a script, ends it with its exit status)."""
    from agent_debug.tui.console.repl import run

    return run(args)
