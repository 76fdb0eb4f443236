"""``agent-debug run GRAPH_REF``: run a workflow under the debugger."""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from agent_debug.inspector.exceptions import InspectorError, UsageError

_PRICE_SHAPE = '{"MODEL": {"input": PRICE_PER_1K_TOKENS, "output": PRICE_PER_1K_TOKENS}}'


def default_run_store() -> Path:
    """The embedded SQLite store runs go to unless --checkpointer says otherwise."""
    from platformdirs import user_data_path

    return user_data_path("agent-debug") / "runs.db"


def run_run(args: argparse.Namespace) -> int:
    """Load the graph, open (or create) the store, and open the app running the graph."""
    from agent_debug.inspector.control import Controller, open_store_for_app
    from agent_debug.tui.acting import parse_json_arg
    from agent_debug.tui.attach import load_graph_ref, require_terminal

    live = live_options(args)  # cheap checks first: a bad flag fails before the graph is imported
    graph = load_graph_ref(args.graph_ref, args.config)
    payload = parse_json_arg(args.input, "--input") if args.input is not None else {}
    target = args.checkpointer
    if target is None:
        path = default_run_store()
        path.parent.mkdir(parents=True, exist_ok=True)
        target = str(path)
    thread = args.thread or f"run-{datetime.now():%Y%m%d-%H%M%S}"
    if args.no_ui:
        return _run_headless(graph, target, thread, payload, args, live)
    require_terminal()
    store = open_store_for_app(target, create=True)
    try:
        controller = Controller(graph, store)
        for node in args.breakpoints or []:
            controller.toggle_breakpoint(node)
        for node in args.breakpoints_after or []:
            controller.toggle_breakpoint(node, after=True)
        check_stuck_nodes(live["stuck_per_node"], controller.nodes)
    except InspectorError:
        store.close()
        raise
    from agent_debug.tui.app import AgentDebugApp

    recorder = _recorder(args.record)
    if recorder is not None:
        controller.sink = recorder.write
    try:
        AgentDebugApp(
            store.source, graph=graph, thread_id=thread, poll_interval=args.poll, controller=controller,
            start=(thread, payload, args.step), **live,
        ).run()
    finally:
        if recorder is not None:
            recorder.close()
    return 0


def load_prices(path: str) -> dict[str, dict[str, float]]:
    """The user's price table (``--prices FILE.json``); a one-line UsageError saying what is wrong."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--prices: cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"--prices: {path} is not a text file; expected JSON {_PRICE_SHAPE}") from None
    try:
        table = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"--prices: {path} is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    if not isinstance(table, dict):
        raise UsageError(f"--prices: {path} must hold a JSON object {_PRICE_SHAPE}")
    prices: dict[str, dict[str, float]] = {}
    for model, price in table.items():
        ok = (
            isinstance(price, dict)
            and bool(price)
            and set(price) <= {"input", "output"}
            and all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) and v >= 0 for v in price.values())
        )
        if not ok:
            raise UsageError(
                f"--prices: {path}: the price of {model!r} must look like "
                '{"input": N, "output": N} (per 1k tokens, 0 or more), not ' + json.dumps(price)[:80]
            )
        prices[model] = {key: float(value) for key, value in price.items()}
    return prices


def parse_stuck(after: float, overrides: Iterable[str] | None) -> tuple[float, dict[str, float | None]]:
    """``--stuck-after`` and the ``--stuck NODE=SECONDS`` overrides as StuckWatch takes them
    (0 or ``off`` means never: math.inf for the default, None for a node)."""
    if not (math.isfinite(after) and after >= 0):
        raise UsageError(f"--stuck-after SECONDS must be 0 (never) or more, got {after}")
    per_node: dict[str, float | None] = {}
    for item in overrides or ():
        node, sep, value = item.rpartition("=")
        node, value = node.strip(), value.strip().lower()
        if not sep or not node or not value:
            raise UsageError(f"--stuck expects NODE=SECONDS or NODE=off, got {item!r}")
        if value == "off":
            per_node[node] = None
            continue
        try:
            seconds = float(value)
        except ValueError:
            raise UsageError(f"--stuck {item}: expected seconds or 'off' after '=', got {value!r}") from None
        if not (math.isfinite(seconds) and seconds >= 0):
            raise UsageError(f"--stuck {item}: seconds must be 0 (never) or more")
        per_node[node] = seconds or None
    return (after or math.inf), per_node


def check_stuck_nodes(per_node: dict[str, float | None], nodes: set[str]) -> None:
    """Refuse a ``--stuck`` override for a node the graph does not have (a typo would
    silently keep the default). ``sub:node`` names a subgraph's node, as ``--break`` does;
    phases report only the node's own name, so that is what is kept."""
    known = nodes | {n.rsplit(":", 1)[1] for n in nodes if ":" in n}
    for node in list(per_node):
        if node not in known:
            raise InspectorError(f"--stuck: no node '{node}' in the graph; it has {', '.join(sorted(nodes))}")
        if ":" in node:
            per_node[node.rsplit(":", 1)[1]] = per_node.pop(node)


def live_options(args: argparse.Namespace) -> dict[str, Any]:
    """``--stuck-after``, ``--stuck`` and ``--prices`` as the app's keyword arguments."""
    stuck_after, per_node = parse_stuck(args.stuck_after, args.stuck_overrides)
    prices = load_prices(args.prices) if args.prices is not None else None
    return {"stuck_after": stuck_after, "stuck_per_node": per_node, "prices": prices}


def _recorder(path: str | None):
    if path is None:
        return None
    from agent_debug.inspector.recording import Recorder

    return Recorder(path)


def _run_headless(graph, target: str, thread: str, payload, args: argparse.Namespace, live: dict[str, Any]) -> int:
    """``run --no-ui``: events as lines (or NDJSON) while the run goes, a warning when a
    phase runs past its stuck threshold, a cost summary with ``--prices``; exit 1 if it failed."""
    import sys

    from agent_debug.inspector.control import Controller, open_store_for_app
    from agent_debug.inspector.events import RunStats, StuckWatch
    from agent_debug.tui.event_lines import EventPrinter, StuckTicker

    store = open_store_for_app(target, create=True)
    recorder = _recorder(args.record)
    printer = EventPrinter(as_json=args.json)
    stats = RunStats()
    watch = StuckWatch(live["stuck_after"], live["stuck_per_node"])
    try:
        controller = Controller(graph, store)
        for node in args.breakpoints or []:
            controller.toggle_breakpoint(node)
        for node in args.breakpoints_after or []:
            controller.toggle_breakpoint(node, after=True)
        check_stuck_nodes(watch.per_node, controller.nodes)

        def sink(event) -> None:
            if recorder is not None:
                recorder.write(event)
            stats.observe(event)
            watch.observe(event)
            printer(event)

        controller.sink = sink
        from agent_debug.tui import gc_policy

        gc_policy.settle()  # what loading the graph made is never garbage: not walked again
        with StuckTicker(watch, printer.stuck):
            outcome = controller.start(thread, payload, step=args.step)
        if live["prices"] is not None:
            printer.summary(stats, live["prices"])
    finally:
        if recorder is not None:
            recorder.close()
        store.close()
    where = f"; next: {', '.join(outcome.next)}" if outcome.next else ""
    # "memory" is a private file removed on exit: naming its path would point at nothing.
    kept_in = "memory (not kept)" if target == "memory" else outcome.target
    print(f"thread {thread} in {kept_in}: {outcome.status.value}{where}", file=sys.stderr)
    if outcome.error is not None:
        print(f"agent-debug: error: the workflow failed in {outcome.error.node or '?'}: {outcome.error.type}: {outcome.error.message}", file=sys.stderr)
        return 1
    return 0
