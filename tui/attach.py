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
    """Validate everything, then open the app; with --graph the acting verbs are on."""
    from agent_debug.tui.run_command import check_stuck_nodes, live_options

    live = live_options(args)  # a recording's phases get timings and cost too
    graph = load_graph_ref(args.graph, args.config) if args.graph else None
    source = open_for_ui(args.target, args.thread)
    if graph is None:
        return run_app(source, thread=args.thread, poll=args.poll, **live)
    source.close()
    require_terminal()
    from agent_debug.inspector.control import Controller, open_store_for_app

    store = open_store_for_app(args.target)
    try:
        controller = Controller(graph, store)
        check_stuck_nodes(live["stuck_per_node"], controller.nodes)
    except InspectorError:
        store.close()
        raise
    recorder = None
    if args.record:
        from agent_debug.inspector.recording import Recorder

        recorder = Recorder(args.record)
        controller.sink = recorder.write
    try:
        return run_app(store.source, graph=graph, thread=args.thread, poll=args.poll, controller=controller, **live)
    finally:
        if recorder is not None:
            recorder.close()
