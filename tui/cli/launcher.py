"""Starting the Textual app: the one module of the command line that imports it.

``demo``, ``attach`` and ``run`` open the debugger through here; every other verb is
headless and never imports Textual (the import contracts in pyproject.toml check both).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent_debug.inspector.exceptions import UsageError
from agent_debug.inspector.sources.base import Source
from agent_debug.inspector.targets import open_source

if TYPE_CHECKING:
    from agent_debug.tui.cli.signals import stop_on_signals


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


def make_app(source: Source, *, graph: Any = None, thread: str | None = None, poll: float = 0.5, **kw: Any) -> Any:
    """The debugger app on an opened source (not yet running); ``graph`` is a compiled graph
    or a ``GraphBinding`` of several; ``kw`` goes to the app as it is."""
    from agent_debug.tui.app import AgentDebugApp

    return AgentDebugApp(source, graph=graph, thread_id=thread, poll_interval=poll, **kw)


def run_app(source: Source, *, graph: Any = None, thread: str | None = None, poll: float = 0.5, **kw: Any) -> int:
    """Run the Textual app on an opened source; its first page of threads is read while
    the app is imported and composed (``first_page``)."""
    from agent_debug.tui.first_page import FirstPage

    require_terminal(source.close)
    first = FirstPage.start(source, token=poll > 0)
    make_app(source, graph=graph, thread=thread, poll=poll, first_page=first, **kw).run()
    return 0


def run_app_recording(app: Any, recorder: Any, stop: stop_on_signals, controller: Any = None) -> None:
    """Run the app on a loop of our own; a recording that stops early (a full disk) is
    told in a toast while the app runs and in a line on standard error once it has closed.

    ``asyncio.run`` would join the loop's worker threads on the way out, and one may be
    inside a node that runs for minutes: after a signal the app's screen closes and we
    go on to the cleanup (``stop.finish`` ends the process) instead of waiting for it.
    Quitting while a phase runs is the same: the run stops with the debugger.
    """
    import asyncio

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


def run_acting_app(
    open_session: Callable[[], Any], record: Path | None, args: Any, *, target: str, thread: str | None, **kw: Any
) -> int:
    """The app on a debug session that can act (``attach --graph``, ``run``, ``demo``): the session
    opened inside the signal handling, its runs recorded to ``record`` (opened only once
    the store is), everything closed however it ends. ``kw`` goes to the app."""
    from agent_debug.tui.cli.record_flag import make_recorder
    from agent_debug.tui.cli.signals import Stopped, stop_on_signals

    with stop_on_signals() as stop:
        try:
            session = open_session()
            try:
                stop.temp_store = stop.temp_folder(target, session.store)
                recorder = stop.recorder = make_recorder(record, args)
                if recorder is not None:
                    session.sink = recorder.write
                stop.app = make_app(session.source, graph=session.graphs, thread=thread, poll=args.poll, controller=session, **kw)
                run_app_recording(stop.app, recorder, stop, session)
            finally:
                stop.close(stop.recorder, session.store)
        except Stopped:
            pass
    return stop.finish()
