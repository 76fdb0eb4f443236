"""``agent-debug run GRAPH_REF``: run a workflow under the debugger, or headless with ``--no-ui``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from agent_debug.inspector.exceptions import UsageError
from agent_debug.tui.cli.graph_ref import load_graph_ref
from agent_debug.tui.cli.json_input import parse_json_arg
from agent_debug.tui.cli.live_flags import check_stuck_nodes, live_options
from agent_debug.tui.cli.record_flag import check_record, make_recorder
from agent_debug.tui.cli.signals import Stopped, stop_on_signals


def run_run(args: argparse.Namespace) -> int:
    """Check every argument, load the graph, open (or create) the store, then run the
    graph in the app (or headless with ``--no-ui``).

    A new ``--thread`` starts from ``--input``; an existing one runs on from its latest
    checkpoint, or from the start again with ``--restart`` (see :func:`check_thread`).
    Nothing is created before the arguments pass (a refused run leaves no store file),
    and ``--record`` is opened only once the store is open, so nothing is truncated by a
    run that never started. SIGTERM and SIGINT stop the run cleanly: see
    :func:`stop_on_signals`.
    """
    live = live_options(args)  # cheap checks first: a bad flag fails before the graph is imported
    payload = run_input(args)
    if getattr(args, "server", None):
        return _run_on_server(args, live, payload)
    target = args.checkpointer
    default_store = target is None
    if default_store:
        from agent_debug.inspector.paths import default_run_store

        target = str(default_run_store())
    record = check_record(args, target)
    check_store(target, default_store, getattr(args, "migrate", False))
    if _holds_nothing(target):
        check_thread(None, args.thread, args, where=_memory_or(target))
    graph = load_graph_ref(args.graph_ref, args.config)
    check_nodes(graph, args.breakpoints, args.breakpoints_after, live["stuck_per_node"])
    if not args.no_ui:
        from agent_debug.tui.cli.launcher import require_terminal

        require_terminal()
    if default_store:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    thread = args.thread or f"run-{datetime.now():%Y%m%d-%H%M%S}"
    if args.no_ui:
        return _run_headless(lambda: _session(graph, target, args), target, thread, payload, args, live, record)
    return _run_app(graph, target, thread, payload, args, live, record)


def run_input(args: argparse.Namespace) -> Any:
    """The run's input: ``--input``, ``{}`` for ``--restart`` without one, else None (no
    input: a new thread starts from ``{}``, an existing one runs on; see
    ``DebugSession.start``). The flags that cannot go together are one line and exit 2."""
    flag = "--continue" if args.continue_run else "--restart" if args.restart else None
    if flag and not args.thread:
        raise UsageError(f"{flag} needs the --thread ID of an existing thread")
    if args.continue_run and args.input is not None:
        raise UsageError("--continue runs the thread on from its latest checkpoint, which takes no --input; "
                         "--restart --input JSON runs it again from the start with that input")
    if args.continue_run and args.step:
        raise UsageError("give --continue (run to the next stop) or --step (one step), not both")
    payload = parse_json_arg(args.input, "--input") if args.input is not None else None
    if args.restart and args.input is not None and payload is None:
        raise UsageError("--restart needs an input to start from; --input null is no input (drop --restart to run the thread on)")
    return {} if args.restart and payload is None else payload


def check_thread(session: Any, thread: str | None, args: argparse.Namespace, *, where: str | None = None) -> None:
    """Refuse what ``--thread`` cannot do in the store: ``--continue``/``--restart`` need a
    thread that has checkpoints (exit 1, as for any unknown id), and an ``--input`` for an
    existing thread needs ``--restart``: run would otherwise continue it and drop the input
    (exit 2). ``session`` None: the store holds nothing yet (``where`` names it)."""
    from agent_debug.inspector.exceptions import NotFoundError

    if thread is None:
        return
    exists = False
    if session is not None:
        where = session.target
        try:
            exists = session.thread(thread).checkpoint_id is not None
        except NotFoundError:
            pass
    flag = "--continue" if args.continue_run else "--restart" if args.restart else None
    if flag and not exists:
        what = "to continue" if args.continue_run else "to start over"
        raise NotFoundError(f"{flag}: no thread '{thread}' in {where} {what}; drop {flag} to start it as a new thread")
    if exists and args.input is not None and not args.restart:
        raise UsageError(
            f"thread '{thread}' exists in {where}: run continues it from its latest checkpoint, which takes no --input; "
            "add --restart to run it again from the start with this input, or give a new --thread"
        )


def _holds_nothing(target: str) -> bool:
    """Whether the store is one ``run`` would make: ``memory``, or a SQLite file not made
    yet or empty (``check_store`` has refused anything else that is not a store)."""
    from agent_debug.inspector.targets import sqlite_path

    path = None if target == "memory" else sqlite_path(target)
    return target == "memory" or (path is not None and (not path.exists() or path.stat().st_size == 0))


def _memory_or(target: str) -> str:
    return "memory (a new store each run)" if target == "memory" else target


def _run_on_server(args: argparse.Namespace, live: dict[str, Any], payload: Any) -> int:
    """``run ASSISTANT --target URL``: the server runs its assistant (an id or graph id) on
    a new thread (or ``--thread``, a UUID), streamed into the app or, with ``--no-ui``, as lines."""
    import uuid

    url = args.server
    from agent_debug.inspector.server_options import is_server_url

    if not is_server_url(url):
        raise UsageError(f"--target takes a LangGraph server URL (http://host:port), not {url!r}; a store is --checkpointer")
    for flag, given in (("--checkpointer", args.checkpointer), ("--migrate", getattr(args, "migrate", False)),
                        ("--allow-module", getattr(args, "allow_modules", None)), ("--config", args.config)):
        if given:
            raise UsageError(f"{flag} does not apply with --target: the server runs its own graphs and keeps its own checkpoints")
    record = check_record(args, url)
    if not args.no_ui:
        from agent_debug.tui.cli.launcher import require_terminal

        require_terminal()
    thread = args.thread or str(uuid.uuid4())

    def session() -> Any:
        from agent_debug.inspector.session import open_session

        opened = open_session(url, assistant=args.graph_ref)
        try:
            opened.remote.assistant_for(None)  # an unknown assistant is one line, before any run
            set_breakpoints(opened, args)
            check_stuck_nodes(live["stuck_per_node"], opened.nodes)
            check_thread(opened, args.thread, args)
        except BaseException:
            opened.close()
            raise
        return opened

    if args.no_ui:
        return _run_headless(session, url, thread, payload, args, live, record)
    from agent_debug.tui.cli.launcher import run_acting_app

    return run_acting_app(session, record, args, target=url, thread=thread, start=(thread, payload, args.step), **live)


def _run_app(graph, target: str, thread: str, payload, args: argparse.Namespace, live: dict[str, Any], record: Path | None) -> int:
    from agent_debug.tui.cli.launcher import run_acting_app
    from agent_debug.tui.remember import Remembered

    if target != "memory":  # the store the run writes is the one `attach` reopens next
        live = {**live, "remember": Remembered.open(target)}
    return run_acting_app(lambda: _session(graph, target, args), record, args, target=target, thread=thread, start=(thread, payload, args.step), **live)


def check_store(target: str, default_store: bool, migrate: bool) -> None:
    """The store a run writes to, checked before anything creates or opens it: a directory,
    a missing folder, a file that is not a checkpoint store (a SQLite database of other
    tables would get LangGraph's added to it) or, without ``--migrate``, a store LangGraph
    would migrate, is one line and exit 2. The embedded store's folder is made later."""
    from agent_debug.inspector.acting_store import check_store_file

    if default_store and not Path(target).exists():
        return
    check_store_file(target, create=True, migrate=migrate, flag=None if default_store else "--checkpointer")


def check_nodes(graph: Any, before: Iterable[str] | None, after: Iterable[str] | None, stuck: dict[str, float | None]) -> None:
    """Refuse ``--break``/``--break-after``/``--stuck`` nodes the graph does not have,
    before any store is opened (the checks the session makes, on the graph alone)."""
    from agent_debug.inspector.user_graph import breakpoint_names

    from agent_debug.inspector.breakpoints import split_spec
    from agent_debug.inspector.conditions import ConditionError, parse_condition
    from agent_debug.inspector.user_graph import state_keys

    nodes = breakpoint_names(graph)
    keys = state_keys(graph) or None
    for flag, specs in (("--break", before), ("--break-after", after)):
        for spec in specs or ():
            node, condition = split_spec(spec)
            if node not in nodes:
                raise UsageError(f"no node '{node}' in the graph; it has {', '.join(sorted(nodes))}")
            if condition is None:
                continue
            try:
                parse_condition(condition, keys)
            except ConditionError as exc:
                raise UsageError(f"{flag} '{node} if': {exc}") from None
    check_stuck_nodes(stuck, nodes)


def set_breakpoints(session: Any, args: argparse.Namespace) -> None:
    """The ``--break``/``--break-after`` breakpoints (``NODE`` or ``NODE if EXPR``) and
    ``--break-on-error`` set on the session."""
    from agent_debug.inspector.breakpoints import split_spec

    for specs, after in ((args.breakpoints, False), (args.breakpoints_after, True)):
        for spec in specs or ():
            node, condition = split_spec(spec)
            session.set_breakpoint(node, after=after, condition=condition)
    if getattr(args, "break_on_error", False):
        session.set_break_on_error(True)


def _session(graph: Any, target: str, args: argparse.Namespace) -> Any:
    """The debug session the run goes through: the store opened (or made) to append, the
    ``--break``/``--break-after`` breakpoints set, ``--thread`` checked (:func:`check_thread`)."""
    from agent_debug.inspector.session import open_session

    session = open_session(target, graph=graph, create=True, allow_modules=getattr(args, "allow_modules", None))
    try:
        set_breakpoints(session, args)
        check_thread(session, args.thread, args)
    except BaseException:
        session.close()
        raise
    return session


def _run_headless(
    open_session: Any, target: str, thread: str, payload, args: argparse.Namespace, live: dict[str, Any], record: Path | None
) -> int:
    """``run --no-ui``: events as lines (or NDJSON) while the run goes, a warning when a
    phase runs past its stuck threshold, a cost summary with ``--prices``; exit 1 if it failed."""
    from agent_debug.inspector.events import EventPipeline, StuckWatch
    from agent_debug.tui.event_lines import EventPrinter, StuckTicker

    printer = EventPrinter(as_json=args.json)
    watch = StuckWatch(live["stuck_after"], live["stuck_per_node"])
    with stop_on_signals() as stop:
        try:
            session = open_session()
            recorder = None
            try:
                recorder = make_recorder(record, args)
                # "memory" is a private temp directory: a signal removes it.
                stop.headless(recorder, stop.temp_folder(target, session.store))

                # Each event counted once (stats, stuck watch) where it is made, then
                # recorded and printed.
                pipeline = EventPipeline(recorder.write if recorder is not None else None, printer, watch=watch)
                session.sink = pipeline
                from agent_debug.tui import gc_policy

                gc_policy.settle()  # what loading the graph made is never garbage: not walked again
                with StuckTicker(watch, printer.stuck):
                    outcome = session.start(thread, payload, step=args.step)
                if live["prices"] is not None:
                    printer.summary(pipeline.stats, live["prices"])
            finally:
                stop.close(recorder, session.store)
        except Stopped:
            pass
    stop.finish()
    where = f"; next: {', '.join(outcome.next)}" if outcome.next else ""
    # "memory" is a private file removed on exit: naming its path would point at nothing.
    kept_in = "memory (not kept)" if target == "memory" else outcome.target
    print(f"thread {thread} in {kept_in}: {outcome.status.value}{where}", file=sys.stderr)
    if outcome.stop_reason:
        from agent_debug.tui.safe_text import visible

        print(f"stopped: {visible(outcome.stop_reason)}", file=sys.stderr)
    left = None if pipeline.stats.started is not None else _left_as_it_was(outcome, args)
    if left:
        print(left, file=sys.stderr)
    if outcome.error is not None:
        print(f"agent-debug: error: the workflow failed in {outcome.error.node or '?'}: {outcome.error.type}: {outcome.error.message}", file=sys.stderr)
        return 1
    return 0


def _left_as_it_was(outcome: Any, args: argparse.Namespace) -> str | None:
    """What to do with a thread that ``run`` found waiting at an interrupt, or done, and
    so left as it was (no run started)."""
    from agent_debug.inspector.model import ThreadStatus
    from agent_debug.tui.safe_text import visible

    thread = outcome.thread_id
    if outcome.status is ThreadStatus.INTERRUPTED:
        nodes = visible(", ".join(dict.fromkeys(i.node or "?" for i in outcome.interrupts)))
        graph = "" if getattr(args, "server", None) else f" --graph {args.graph_ref}"
        return (f"nothing ran: thread {thread} waits at an interrupt in {nodes}; answer it with: "
                f"agent-debug resume {outcome.target} --thread {thread}{graph} --approve (or --reject, --value JSON)")
    if outcome.status is ThreadStatus.DONE:
        return f"nothing ran: thread {thread} is done; --restart runs it again from the start"
    return None
