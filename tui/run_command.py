"""``agent-debug run GRAPH_REF``: run a workflow under the debugger."""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent_debug.inspector.exceptions import UsageError

if TYPE_CHECKING:
    from agent_debug.inspector.recording import Recorder

_PRICE_SHAPE = '{"MODEL": {"input": PRICE_PER_1K_TOKENS, "output": PRICE_PER_1K_TOKENS}}'


def default_run_store() -> Path:
    """The embedded SQLite store runs go to unless --checkpointer says otherwise."""
    from platformdirs import user_data_path

    return user_data_path("agent-debug") / "runs.db"


def run_run(args: argparse.Namespace) -> int:
    """Check every argument, load the graph, open (or create) the store, then run the
    graph in the app (or headless with ``--no-ui``).

    Nothing is created before the arguments pass (a refused run leaves no store file),
    and ``--record`` is opened only once the store is open, so nothing is truncated by a
    run that never started. SIGTERM and SIGINT stop the run cleanly: see
    :func:`stop_on_signals`.
    """
    from agent_debug.tui.acting import parse_json_arg
    from agent_debug.tui.attach import load_graph_ref, require_terminal

    live = live_options(args)  # cheap checks first: a bad flag fails before the graph is imported
    target = args.checkpointer
    default_store = target is None
    if default_store:
        target = str(default_run_store())
    record = check_record(args, target)
    payload = parse_json_arg(args.input, "--input") if args.input is not None else {}
    check_store(target, default_store, getattr(args, "migrate", False))
    graph = load_graph_ref(args.graph_ref, args.config)
    check_nodes(graph, args.breakpoints, args.breakpoints_after, live["stuck_per_node"])
    if not args.no_ui:
        require_terminal()
    if default_store:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    thread = args.thread or f"run-{datetime.now():%Y%m%d-%H%M%S}"
    if args.no_ui:
        return _run_headless(graph, target, thread, payload, args, live, record)
    return _run_app(graph, target, thread, payload, args, live, record)


def _run_app(graph, target: str, thread: str, payload, args: argparse.Namespace, live: dict[str, Any], record: Path | None) -> int:
    from agent_debug.inspector.control import open_store_for_app
    from agent_debug.tui.app import AgentDebugApp

    recorder = None
    with stop_on_signals() as stop:
        try:
            store = open_store_for_app(target, create=True, graph=graph, allow_modules=getattr(args, "allow_modules", None))
            try:
                controller = _controller(graph, store, args)
                recorder = stop.recorder = make_recorder(record, args)
                stop.temp_store = stop.temp_folder(target, store)
                if recorder is not None:
                    controller.sink = recorder.write
                stop.app = AgentDebugApp(
                    store.source, graph=graph, thread_id=thread, poll_interval=args.poll, controller=controller,
                    start=(thread, payload, args.step), **live,
                )
                run_app_recording(stop.app, recorder, stop, controller)
            finally:
                stop.close(recorder, store)
        except Stopped:
            pass
    return stop.finish()


def check_record(args: argparse.Namespace, target: str | None) -> Path | None:
    """``--record`` checked against the store ``target`` (see ``check_record_target``)."""
    if args.record is None:
        if getattr(args, "record_append", False):
            raise UsageError("--record-append needs --record FILE.ndjson")
        return None
    from agent_debug.inspector.recording import check_record_target
    from agent_debug.inspector.targets import sqlite_path

    store = None
    if target is not None and target != "memory" and not target.startswith(("postgresql://", "postgres://")):
        store = sqlite_path(target)
    return check_record_target(args.record, store=store, append=getattr(args, "record_append", False))


def check_store(target: str, default_store: bool, migrate: bool) -> None:
    """The store a run writes to, checked before anything creates or opens it: a directory,
    a missing folder, a file that is not a checkpoint store (a SQLite database of other
    tables would get LangGraph's added to it) or, without ``--migrate``, a store LangGraph
    would migrate, is one line and exit 2. The embedded store's folder is made later."""
    from agent_debug.inspector.control import check_store_file

    if default_store and not Path(target).exists():
        return
    check_store_file(target, create=True, migrate=migrate, flag=None if default_store else "--checkpointer")


def check_nodes(graph: Any, before: Iterable[str] | None, after: Iterable[str] | None, stuck: dict[str, float | None]) -> None:
    """Refuse ``--break``/``--break-after``/``--stuck`` nodes the graph does not have,
    before any store is opened (the checks ``Controller`` makes, on the graph alone)."""
    from agent_debug.inspector.control import graph_nodes, subgraphs

    nodes = graph_nodes(graph) - {"__start__"}
    for path, sub in subgraphs(graph).items():
        nodes |= {f"{path}:{n}" for n in sub.nodes if n != "__start__"}
    for node in [*(before or ()), *(after or ())]:
        if node not in nodes:
            raise UsageError(f"no node '{node}' in the graph; it has {', '.join(sorted(nodes))}")
    check_stuck_nodes(stuck, nodes)


def _controller(graph: Any, store: Any, args: argparse.Namespace) -> Any:
    from agent_debug.inspector.control import Controller

    controller = Controller(graph, store)
    for node in args.breakpoints or []:
        controller.toggle_breakpoint(node)
    for node in args.breakpoints_after or []:
        controller.toggle_breakpoint(node, after=True)
    return controller


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGINT stopped the run: raised in the main thread so that every
    ``finally`` runs (the recording is flushed and closed, a temp store removed)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class stop_on_signals:  # noqa: N801 - used as a context manager, named for what it does
    """Turn SIGTERM, SIGINT and SIGHUP into a clean stop while a run is open.

    In the app (``app`` set) the signal asks Textual to exit, which restores the
    terminal; the caller's ``finally`` then closes the recording and the store. SIGHUP
    means the terminal is gone, so nothing can be drawn: it is handled as headless. Headless
    (``recorder``/``temp_store`` set), the graph's stream runs in the main thread, and
    unwinding it would wait for every node still running in LangGraph's worker threads
    (forever, for a node blocked on I/O): so the handler itself closes the recording
    (every event produced so far is in it) and removes ``memory``'s temp store. Before
    either is set, :class:`Stopped` is raised and unwinds as Ctrl-C would.

    Either way :meth:`finish` ends the process with status 128 + the signal number (143
    for SIGTERM, 130 for SIGINT), the shell's convention for "stopped by a signal". A
    signal while cleaning up (after :meth:`hold`) only marks the stop, and a second
    signal is ignored: the cleanup is never cut short. kill -9 still works.
    """

    SIGNALS = ("SIGTERM", "SIGINT", "SIGHUP")  # SIGHUP: the terminal closed

    def __init__(self) -> None:
        self.app: Any = None
        self.recorder: Any = None
        self.temp_store: Path | None = None
        self.signum: int | None = None
        self.abandoned = False  # the app closed while a phase still ran in its thread
        self._headless = False
        self._held = False
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> stop_on_signals:
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():
            for name in self.SIGNALS:
                signum = getattr(signal, name)
                self._previous[signum] = signal.signal(signum, self._on_signal)
        return self

    def headless(self, recorder: Any, temp_store: Path | None) -> None:
        """From now on a signal cleans up in the handler and ends the process there."""
        self.recorder, self.temp_store, self._headless = recorder, temp_store, True

    @staticmethod
    def temp_folder(target: str, store: Any) -> Path | None:
        """The private folder of a ``memory`` store (removed on a signal), else None."""
        return Path(store.target).parent if target == "memory" else None

    def hold(self) -> None:
        """From now on a signal is noted, not acted on: the cleanup has begun."""
        self._held = True

    def close(self, recorder: Recorder | None, store: Any) -> None:
        """The cleanup of a run: signals held, the recording flushed and closed, the store closed."""
        self.hold()
        if recorder is not None:
            recorder.close()
        store.close()

    def _on_signal(self, signum: int, frame: Any) -> None:
        if self.signum is not None:
            return
        self.signum = signum
        if self._held:
            return
        import signal

        if self.app is not None and signum == signal.SIGHUP:
            # The terminal is gone: the app cannot draw its way out (its writes would
            # wait for ever). Clean up here and end, as without a screen.
            self._headless = True
        elif self.app is not None:
            import asyncio

            try:
                loop = asyncio.get_running_loop()  # the app's: it runs in this (the main) thread
            except RuntimeError:
                loop = None
            if loop is not None:
                loop.call_soon_threadsafe(self.app.exit, None, 128 + signum)
                return
        if self._headless:
            self._held = True
            if self.recorder is not None:
                self.recorder.close()
            if self.temp_store is not None:
                import shutil

                shutil.rmtree(self.temp_store, ignore_errors=True)
            self.finish()
        raise Stopped(signum)

    def __exit__(self, *exc: object) -> None:
        import signal

        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()

    def finish(self, status: int = 0) -> int:
        """``status``, or, after a signal, say what was kept and end the process.

        The process ends here (``os._exit``): a node the signal interrupted may still be
        running in one of LangGraph's worker threads, and the interpreter would wait for
        it forever at exit. Everything of ours is closed by now.
        """
        if self.signum is None and not self.abandoned:
            return status
        import os
        import signal
        import sys

        recorder = self.recorder
        kept = f"; {recorder.count} events kept in {recorder.path}" if recorder is not None else ""
        if self.signum is not None:
            said, status = f"stopped by {signal.Signals(self.signum).name}", 128 + self.signum
        else:
            said = "quit while a phase was running: the run stopped with the debugger (its checkpoints so far are kept)"
        for stream in (sys.stdout, sys.stderr):
            try:
                if stream is sys.stderr:
                    print(f"agent-debug: {said}{kept}", file=stream)
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(status)


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
    except (RecursionError, ValueError):  # nested too deeply; an integer of more than 4300 digits
        raise UsageError(f"--prices: {path} is not a price table Python can read; expected JSON {_PRICE_SHAPE}") from None
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
            raise UsageError(f"--stuck: no node '{node}' in the graph; it has {', '.join(sorted(nodes))}")
        if ":" in node:
            per_node[node.rsplit(":", 1)[1]] = per_node.pop(node)


def live_options(args: argparse.Namespace) -> dict[str, Any]:
    """``--stuck-after``, ``--stuck`` and ``--prices`` as the app's keyword arguments."""
    stuck_after, per_node = parse_stuck(args.stuck_after, args.stuck_overrides)
    prices = load_prices(args.prices) if args.prices is not None else None
    return {"stuck_after": stuck_after, "stuck_per_node": per_node, "prices": prices}


def run_app_recording(app: Any, recorder: Any, stop: stop_on_signals, controller: Any = None) -> None:
    """Run the app on a loop of our own; a recording that stops early (a full disk) is
    told in a toast while the app runs and in a line on standard error once it has closed.

    ``asyncio.run`` would join the loop's worker threads on the way out, and one may be
    inside a node that runs for minutes: after a signal the app's screen closes and we
    go on to the cleanup (``stop.finish`` ends the process) instead of waiting for it.
    Quitting while a phase runs is the same: the run stops with the debugger.
    """
    import asyncio
    import sys

    if recorder is not None:
        recorder.on_failure = lambda line: app.notify(line, title="recording stopped", severity="error", timeout=20)
    loop = asyncio.new_event_loop()
    try:
        app.run(loop=loop)
    finally:
        stop.abandoned = controller is not None and controller.running
        if stop.signum is None and not stop.abandoned:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()
    if recorder is not None and recorder.failure is not None:
        print(f"agent-debug: warning: {recorder.failure_line()}", file=sys.stderr)


def make_recorder(path: Path | None, args: argparse.Namespace):
    """The ``--record`` recorder of ``run`` and ``attach`` (None without ``--record``); a
    write failure is a warning line (the TUI replaces it with a toast)."""
    if path is None:
        return None
    from agent_debug.inspector.recording import Recorder

    import sys

    recorder = Recorder(path, append=getattr(args, "record_append", False))
    recorder.on_failure = lambda line: print(f"agent-debug: warning: {line}", file=sys.stderr, flush=True)
    return recorder


def _run_headless(
    graph, target: str, thread: str, payload, args: argparse.Namespace, live: dict[str, Any], record: Path | None
) -> int:
    """``run --no-ui``: events as lines (or NDJSON) while the run goes, a warning when a
    phase runs past its stuck threshold, a cost summary with ``--prices``; exit 1 if it failed."""
    import sys

    from agent_debug.inspector.control import open_store_for_app
    from agent_debug.inspector.events import RunStats, StuckWatch
    from agent_debug.tui.event_lines import EventPrinter, StuckTicker

    printer = EventPrinter(as_json=args.json)
    stats = RunStats()
    watch = StuckWatch(live["stuck_after"], live["stuck_per_node"])
    with stop_on_signals() as stop:
        try:
            store = open_store_for_app(target, create=True, graph=graph, allow_modules=getattr(args, "allow_modules", None))
            recorder = None
            try:
                controller = _controller(graph, store, args)
                recorder = make_recorder(record, args)
                # "memory" is a private temp directory: a signal removes it.
                stop.headless(recorder, stop.temp_folder(target, store))

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
                stop.close(recorder, store)
        except Stopped:
            pass
    stop.finish()
    where = f"; next: {', '.join(outcome.next)}" if outcome.next else ""
    # "memory" is a private file removed on exit: naming its path would point at nothing.
    kept_in = "memory (not kept)" if target == "memory" else outcome.target
    print(f"thread {thread} in {kept_in}: {outcome.status.value}{where}", file=sys.stderr)
    if outcome.error is not None:
        print(f"agent-debug: error: the workflow failed in {outcome.error.node or '?'}: {outcome.error.type}: {outcome.error.message}", file=sys.stderr)
        return 1
    return 0
