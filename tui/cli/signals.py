"""SIGTERM, SIGINT and SIGHUP while a run is open: a clean stop that keeps the recording."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent_debug.inspector.recording import Recorder


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
        return Path(store.target).parent if target == "memory" and store is not None else None

    def hold(self) -> None:
        """From now on a signal is noted, not acted on: the cleanup has begun."""
        self._held = True

    def close(self, recorder: Recorder | None, store: Any) -> None:
        """The cleanup of a run: signals held, the recording flushed and closed, the store closed."""
        self.hold()
        if recorder is not None:
            recorder.close()
        if store is not None:
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
