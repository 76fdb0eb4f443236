"""The console's loop: a prompt on a terminal, a script of commands otherwise.

Interactive (standard input is a terminal): prompt-toolkit with tab completion and the
commands typed kept across sessions in a history file; a failing command prints its line
and the prompt comes back; an empty line runs ``next``/``up``/``down`` again, as pdb does.
A script (standard input is a pipe or a file): one command a line, blank lines and
``# comments`` skipped, no history kept; the first failing command ends it with its exit
status (1, or 2 for a usage error), and the commands after it are not run.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from itertools import chain
from pathlib import Path
from typing import Any

from agent_debug.inspector.exceptions import InspectorError, UsageError
from agent_debug.inspector.sources.base import Capability
from agent_debug.tui.console.commands import Leave, lookup, parse_arguments, split_line
from agent_debug.tui.console.debugger import LineDebugger


def run(args: argparse.Namespace) -> int:
    """``agent-debug console``: see :func:`agent_debug.tui.console.run_console`."""
    session = open_console_session(args)
    with session:
        dbg = LineDebugger(session, out=sys.stdout, err=sys.stderr, debug=getattr(args, "debug", False), secret=args.target)
        select_first_thread(dbg, args.thread)
        commands = args.commands or ()
        if sys.stdin.isatty():
            return interactive(dbg, history_file=history_path(args.history_file), commands=commands)
        return script(dbg, chain(commands, iter(sys.stdin.readline, "")), echo=args.echo)


def open_console_session(args: argparse.Namespace) -> Any:
    """The session on TARGET: read-only, or with ``--graph`` (repeatable) or ``--config``
    acting on it (appending), each thread running the graph chosen for it."""
    from agent_debug.inspector.session import open_session
    from agent_debug.tui.cli.acting import server_target

    if server_target(args):
        return open_session(args.target, assistant=args.assistant)
    from agent_debug.tui.cli.graph_ref import graphs_given, load_graph_refs

    if not graphs_given(args):
        if getattr(args, "migrate", False):
            raise UsageError("--migrate needs --graph GRAPH_REF: only acting on the store migrates it")
        if args.allow_modules:
            raise UsageError("--allow-module needs --graph GRAPH_REF: a store only read revives no stored object")
        return open_session(args.target)
    from agent_debug.inspector.acting_store import check_store_file

    check_store_file(args.target, migrate=getattr(args, "migrate", False))  # before the user's code is imported
    graph = load_graph_refs(args.graph, args.config)
    return open_session(args.target, graph=graph, allow_modules=args.allow_modules or ())


def select_first_thread(dbg: LineDebugger, thread_id: str | None) -> None:
    """Select ``--thread`` (the session refuses an unknown one), or the only thread there is."""
    if thread_id is not None:
        dbg.select_thread(thread_id)
        return
    doc = dbg.session.source.threads(limit=2)
    if doc.total == 1 and doc.threads:
        dbg.select_thread(doc.threads[0].thread_id)


def history_path(given: str | None) -> Path:
    """Where the interactive console keeps the commands typed."""
    if given:
        return Path(given)
    from platformdirs import user_state_path

    return user_state_path("agent-debug") / "console_history"


def execute(dbg: LineDebugger, line: str) -> int:
    """Run one command line; its exit status: 0, 1 when it failed, 2 for a usage error.

    The failure is printed as one line on stderr (a traceback only with ``--debug``, and
    only for what is not an ``InspectorError``). ``quit`` raises ``Leave``."""
    word, rest = split_line(line)
    if not word or word.startswith("#"):
        return 0
    try:
        command = lookup(word)
        command.run(dbg, parse_arguments(command, rest))
        return 0
    except (Leave, KeyboardInterrupt, BrokenPipeError):
        raise
    except InspectorError as exc:
        dbg.fail(exc.message)
        return exc.exit_code
    except Exception as exc:
        if dbg.debug:
            import traceback

            from agent_debug.inspector.targets import scrub

            dbg.err.write(scrub(traceback.format_exc(), dbg.secret))
        hint = "" if dbg.debug else " (run with --debug for the traceback)"
        dbg.fail(f"{type(exc).__name__}: {exc}{hint}", what="internal error")
        return 1


def script(dbg: LineDebugger, lines: Iterable[str], *, echo: bool = False) -> int:
    """Run commands one a line until one fails (its exit status) or they end (0)."""
    for raw in lines:
        line = raw.rstrip("\r\n")
        if echo and line.strip():
            dbg.say(dbg.prompt() + line)
        try:
            status = execute(dbg, line)
        except Leave:
            return 0
        if status:
            return status
    return 0


def interactive(
    dbg: LineDebugger,
    *,
    history_file: Path | None,
    commands: Sequence[str] = (),
    input: Any = None,  # noqa: A002 - prompt-toolkit's name
    output: Any = None,
) -> int:
    """The prompt loop, until ``quit`` or Ctrl-D (0). ``history_file`` None keeps no
    history; ``input``/``output`` are prompt-toolkit's (tests pass a pipe)."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory, History, InMemoryHistory
    from prompt_toolkit.output import create_output
    from prompt_toolkit.shortcuts import CompleteStyle

    from agent_debug.tui.console.completion import ConsoleCompleter

    history: History = InMemoryHistory()
    if history_file is not None:
        try:
            history_file.parent.mkdir(parents=True, exist_ok=True)
            history_file.touch()
            history = FileHistory(str(history_file))
        except OSError as exc:
            dbg.err.write(f"agent-debug: warning: cannot keep the console's history in {history_file}: {exc.strerror or exc}\n")
    if output is None and input is None:
        output = create_output(always_prefer_tty=True)  # the prompt stays on the terminal when stdout is a file
    prompt = PromptSession(
        history=history,
        completer=ConsoleCompleter(dbg),
        complete_style=CompleteStyle.READLINE_LIKE,  # readline's habits: Tab inserts what is common, lists the rest
        complete_while_typing=False,
        input=input,
        output=output,
    )
    banner(dbg)
    try:
        for line in commands:
            execute(dbg, line)
        again: str | None = None
        while True:
            try:
                line = prompt.prompt(dbg.prompt())
            except KeyboardInterrupt:
                continue  # Ctrl-C at the prompt drops the line, as a shell does
            except EOFError:
                dbg.say()
                return 0
            if not line.strip():
                if again is None:
                    continue
                line = again
            try:
                execute(dbg, line)
            except KeyboardInterrupt:
                if dbg.session.running:
                    raise  # Ctrl-C twice during a run: the run cannot be stopped sooner, leave
                dbg.say("^C")  # a long listing cut short: back to the prompt
            again = line if _repeatable(line) else None
    except Leave:
        return 0


def _repeatable(line: str) -> bool:
    word, _ = split_line(line)
    try:
        return lookup(word).repeat
    except InspectorError:
        return False


def banner(dbg: LineDebugger) -> None:
    """What the console is open on and what it may do."""
    session = dbg.session
    if session.can(Capability.CONTROL):
        mode = "acting: runs, answers, replays and forks append checkpoints"
    else:
        mode = "read-only: --graph GRAPH_REF to run, answer, replay and fork"
    dbg.say(f"agent-debug console on {session.target} ({mode})")
    dbg.say("'help' lists the commands, Tab completes, 'quit' or Ctrl-D leaves")
