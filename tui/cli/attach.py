"""``agent-debug attach TARGET``: open the debugger on a checkpoint store and follow it live."""

from __future__ import annotations

import argparse
from typing import Any

from agent_debug.inspector.exceptions import InspectorError, UsageError
from agent_debug.tui.cli.acting import graph_ref_target, server_target
from agent_debug.tui.cli.graph_ref import graphs_given, load_graph_refs
from agent_debug.tui.cli.launcher import open_for_ui, require_terminal, run_acting_app, run_app
from agent_debug.tui.cli.live_flags import check_stuck_nodes, live_options
from agent_debug.tui.cli.record_flag import check_record


_NO_TARGET = (
    "attach needs TARGET: no last target is remembered yet; type e.g. agent-debug attach runs.db "
    "(a SQLite file, a postgresql:// DSN, a recording or http://host:port)"
)
_NO_PASSWORD = (
    "the last target was remembered without its password: set PGPASSWORD or add it to ~/.pgpass, "
    "or give TARGET with the password"
)


def remembered_target(args: argparse.Namespace) -> Any:
    """The memory of this session's target (``remember.Remembered``; None when it cannot be
    kept without a secret). Without TARGET, TARGET is the last one attached: a usage error
    when none is remembered."""
    from agent_debug.tui.remember import Remembered, StoredTarget, last_target

    if args.target is not None:
        return Remembered.open(args.target)
    target, memory, problem = last_target()
    if target is None:
        why = f" ({problem})" if problem else ""
        raise UsageError(f"{_NO_TARGET}{why}; see: agent-debug attach --help")
    args.target = target
    return Remembered(StoredTarget(target, memory.password_dropped), reopened=True)


def _session(target: str, **options: Any) -> Any:
    """``inspector.session.open_session``, imported only to act: it loads the whole debugger core."""
    from agent_debug.inspector.session import open_session

    return open_session(target, **options)


def run_attach(args: argparse.Namespace) -> int:
    """Open the app on TARGET (the last one attached when none is given), at the thread
    and tab shown last there unless ``--thread`` says otherwise; a remembered target
    kept without its password that cannot be opened says how to give the password."""
    remember = remembered_target(args)
    try:
        return _attach(args, remember)
    except InspectorError as exc:
        dropped = remember is not None and remember.reopened and remember.target.password_dropped
        # Only a refusal of the credentials is about the password left out (not a server that is down).
        if not dropped or not any(word in exc.message.lower() for word in ("password", "authentication")):
            raise
        failure = InspectorError(f"{exc.message} ({_NO_PASSWORD})")
        failure.exit_code = exc.exit_code
        raise failure from exc


def _attach(args: argparse.Namespace, remember: Any) -> int:
    """Validate everything, then open the app; with --graph (repeatable) or --config the
    acting verbs are on, each thread running the graph chosen for it (``graph_binding``).

    ``--record`` is checked before anything opens (it must not be TARGET itself, nor any
    other file it would overwrite) and opened only once the store is; SIGTERM and
    SIGINT close it with every event so far (``signals.stop_on_signals``).
    """
    live = live_options(args)  # a recording's phases get timings and cost too
    live["remember"] = remember
    if server_target(args):
        # A server runs its own graphs: the app acts through it (resume, replay, fork,
        # step, breakpoints on root nodes, cancel), and --record keeps the runs you start.
        record = check_record(args, args.target)
        open_for_ui(args.target, args.thread).close()
        require_terminal()
        return run_acting_app(lambda: _session(args.target, assistant=args.assistant), record, args, target=args.target, thread=args.thread, **live)
    graph_ref_target(args)
    acting = graphs_given(args)
    if args.record is not None and not acting:
        raise UsageError("--record needs --graph GRAPH_REF: only the runs you start are recorded")
    record = check_record(args, args.target)
    migrate = getattr(args, "migrate", False)
    if migrate and not acting:
        raise UsageError("--migrate needs --graph GRAPH_REF: only acting on the store migrates it")
    if acting:
        from agent_debug.inspector.acting_store import check_store_file

        check_store_file(args.target, migrate=migrate)  # with --graph, the app acts on TARGET
    graphs = load_graph_refs(args.graph, args.config) if acting else None
    source = open_for_ui(args.target, args.thread)
    if graphs is None:
        return run_app(source, thread=args.thread, poll=args.poll, **live)
    source.close()
    require_terminal()
    check_stuck_nodes(live["stuck_per_node"], graphs.breakpoint_names())
    allowed = getattr(args, "allow_modules", None)
    return run_acting_app(
        lambda: _session(args.target, graph=graphs, allow_modules=allowed), record, args, target=args.target, thread=args.thread, **live
    )
