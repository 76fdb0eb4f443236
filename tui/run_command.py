"""``agent-debug run GRAPH_REF``: run a workflow under the debugger."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from agent_debug.inspector.exceptions import InspectorError


def default_run_store() -> Path:
    """The embedded SQLite store runs go to unless --checkpointer says otherwise."""
    from platformdirs import user_data_path

    return user_data_path("agent-debug") / "runs.db"


def run_run(args: argparse.Namespace) -> int:
    """Load the graph, open (or create) the store, and open the app running the graph."""
    from agent_debug.inspector.control import Controller, open_store_for_app
    from agent_debug.tui.acting import parse_json_arg
    from agent_debug.tui.attach import load_graph_ref, require_terminal

    graph = load_graph_ref(args.graph_ref, args.config)
    payload = parse_json_arg(args.input, "--input") if args.input is not None else {}
    target = args.checkpointer
    if target is None:
        path = default_run_store()
        path.parent.mkdir(parents=True, exist_ok=True)
        target = str(path)
    thread = args.thread or f"run-{datetime.now():%Y%m%d-%H%M%S}"
    require_terminal()
    store = open_store_for_app(target, create=True)
    try:
        controller = Controller(graph, store)
        for node in args.breakpoints or []:
            controller.toggle_breakpoint(node)
        for node in args.breakpoints_after or []:
            controller.toggle_breakpoint(node, after=True)
    except InspectorError:
        store.close()
        raise
    from agent_debug.tui.app import AgentDebugApp

    AgentDebugApp(
        store.source, graph=graph, thread_id=thread, poll_interval=args.poll, controller=controller, start=(thread, payload, args.step)
    ).run()
    return 0
