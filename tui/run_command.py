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
    if args.no_ui:
        return _run_headless(graph, target, thread, payload, args)
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

    recorder = _recorder(args.record)
    if recorder is not None:
        controller.sink = recorder.write
    try:
        AgentDebugApp(
            store.source, graph=graph, thread_id=thread, poll_interval=args.poll, controller=controller, start=(thread, payload, args.step)
        ).run()
    finally:
        if recorder is not None:
            recorder.close()
    return 0


def _recorder(path: str | None):
    if path is None:
        return None
    from agent_debug.inspector.recording import Recorder

    return Recorder(path)


def _run_headless(graph, target: str, thread: str, payload, args: argparse.Namespace) -> int:
    """``run --no-ui``: events as lines (or NDJSON) while the run goes; exit 1 if it failed."""
    import sys

    from agent_debug.inspector.control import Controller, open_store_for_app
    from agent_debug.tui.event_lines import EventPrinter

    store = open_store_for_app(target, create=True)
    recorder = _recorder(args.record)
    printer = EventPrinter(as_json=args.json)
    try:
        controller = Controller(graph, store)
        for node in args.breakpoints or []:
            controller.toggle_breakpoint(node)
        for node in args.breakpoints_after or []:
            controller.toggle_breakpoint(node, after=True)

        def sink(event) -> None:
            if recorder is not None:
                recorder.write(event)
            printer(event)

        controller.sink = sink
        outcome = controller.start(thread, payload, step=args.step)
    finally:
        if recorder is not None:
            recorder.close()
        store.close()
    where = f"; next: {', '.join(outcome.next)}" if outcome.next else ""
    print(f"thread {thread} in {outcome.target}: {outcome.status.value}{where}", file=sys.stderr)
    if outcome.error is not None:
        print(f"agent-debug: error: the workflow failed in {outcome.error.node or '?'}: {outcome.error.type}: {outcome.error.message}", file=sys.stderr)
        return 1
    return 0
