"""``agent-debug attach TARGET``: open the debugger on a checkpoint store."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from agent_debug.inspector.exceptions import InspectorError, UsageError
from agent_debug.inspector.sources.base import Source
from agent_debug.inspector.targets import open_source


def load_graph_ref(ref: str, config: str | None) -> Any:
    """The user's compiled graph, or an ``InspectorError`` with one line saying why not."""
    from agent_debug.inspector.graph_ref import GraphRefError, load_graph

    try:
        return load_graph(ref, config_file=config)
    except GraphRefError as exc:
        raise InspectorError(str(exc)) from exc


def open_for_ui(target: str, thread: str | None) -> Source:
    """Open TARGET and check ``--thread`` before any UI starts, so errors are one line."""
    source = open_source(target)
    try:
        if thread is not None:
            source.thread(thread)
    except BaseException:
        source.close()
        raise
    return source


def require_terminal(close: Any = None) -> None:
    """The app needs a terminal on both ends; scripts get the headless commands."""
    if not sys.stdout.isatty() or not sys.stdin.isatty():
        if close is not None:
            close()
        raise UsageError("the debugger needs a terminal; use the headless commands (threads, history, state, resume, replay) in scripts")


def run_app(source: Source, *, graph: Any = None, thread: str | None = None, poll: float = 0.5, **kw: Any) -> int:
    """Run the Textual app on an opened source."""
    require_terminal(source.close)
    from agent_debug.tui.app import AgentDebugApp

    AgentDebugApp(source, graph=graph, thread_id=thread, poll_interval=poll, **kw).run()
    return 0


def run_attach(args: argparse.Namespace) -> int:
    """Validate everything, then open the app; with --graph the acting verbs are on.

    ``--record`` is checked before anything opens (it must not be TARGET itself, nor any
    other file it would overwrite) and opened only once the store is; SIGTERM and
    SIGINT close it with every event so far (``stop_on_signals``).
    """
    from agent_debug.tui.run_command import Stopped, check_record, check_stuck_nodes, live_options, make_recorder, run_app_recording, stop_on_signals

    live = live_options(args)  # a recording's phases get timings and cost too
    if args.record is not None and not args.graph:
        raise UsageError("--record needs --graph GRAPH_REF: only the runs you start are recorded")
    record = check_record(args, args.target)
    migrate = getattr(args, "migrate", False)
    if migrate and not args.graph:
        raise UsageError("--migrate needs --graph GRAPH_REF: only acting on the store migrates it")
    if args.graph:
        from agent_debug.inspector.control import check_store_file

        check_store_file(args.target, migrate=migrate)  # with --graph, the app acts on TARGET
    graph = load_graph_ref(args.graph, args.config) if args.graph else None
    source = open_for_ui(args.target, args.thread)
    if graph is None:
        return run_app(source, thread=args.thread, poll=args.poll, **live)
    source.close()
    require_terminal()
    from agent_debug.inspector.control import Controller, open_store_for_app

    recorder = None
    with stop_on_signals() as stop:
        try:
            store = open_store_for_app(args.target, graph=graph, allow_modules=getattr(args, "allow_modules", None))
            try:
                controller = Controller(graph, store)
                check_stuck_nodes(live["stuck_per_node"], controller.nodes)
                recorder = stop.recorder = make_recorder(record, args)
                if recorder is not None:
                    controller.sink = recorder.write
                from agent_debug.tui.app import AgentDebugApp

                stop.app = AgentDebugApp(store.source, graph=graph, thread_id=args.thread, poll_interval=args.poll, controller=controller, **live)
                run_app_recording(stop.app, recorder, stop, controller)
            finally:
                stop.close(recorder, store)
        except Stopped:
            pass
    return stop.finish()
