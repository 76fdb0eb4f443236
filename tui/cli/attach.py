"""``agent-debug attach TARGET``: open the debugger on a checkpoint store and follow it live."""

from __future__ import annotations

import argparse

from agent_debug.inspector.exceptions import UsageError
from agent_debug.tui.cli.acting import graph_ref_target, server_target
from agent_debug.tui.cli.graph_ref import graphs_given, load_graph_refs
from agent_debug.tui.cli.launcher import open_for_ui, require_terminal, run_acting_app, run_app
from agent_debug.tui.cli.live_flags import check_stuck_nodes, live_options
from agent_debug.tui.cli.record_flag import check_record


def run_attach(args: argparse.Namespace) -> int:
    """Validate everything, then open the app; with --graph (repeatable) or --config the
    acting verbs are on, each thread running the graph chosen for it (``graph_binding``).

    ``--record`` is checked before anything opens (it must not be TARGET itself, nor any
    other file it would overwrite) and opened only once the store is; SIGTERM and
    SIGINT close it with every event so far (``signals.stop_on_signals``).
    """
    from agent_debug.inspector.session import open_session

    live = live_options(args)  # a recording's phases get timings and cost too
    if server_target(args):
        # A server runs its own graphs: the app acts through it (resume, replay, fork,
        # step, breakpoints on root nodes, cancel), and --record keeps the runs you start.
        record = check_record(args, args.target)
        open_for_ui(args.target, args.thread).close()
        require_terminal()
        return run_acting_app(lambda: open_session(args.target, assistant=args.assistant), record, args, target=args.target, thread=args.thread, **live)
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
        lambda: open_session(args.target, graph=graphs, allow_modules=allowed), record, args, target=args.target, thread=args.thread, **live
    )
