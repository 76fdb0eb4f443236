"""Recordings: every event of a session as NDJSON, reopened read-only for a post-mortem.

The first line is a header naming the format; every other line is one event, exactly
as ``Event.model_dump_json()`` writes it, so reading a recording gives back the same
events in the same order.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from pydantic import ValidationError

from agent_debug.inspector.events import parse_event
from agent_debug.inspector.exceptions import TargetError

FORMAT = "agent-debug-events"
VERSION = 1


class RecordingError(TargetError):
    """A file that is not a recording, or a line of one that cannot be read."""


class Recorder:
    """Appends events to an NDJSON file; safe to call from several threads.

    Lines are flushed at most ``flush_interval`` seconds after they are written (and
    on ``close``), so a crash loses little and a reader can tail the file.
    Usable directly as an ``on_event`` callback.
    """

    def __init__(self, path: str | os.PathLike[str], *, flush_interval: float = 0.25) -> None:
        self.path = Path(path)
        self.flush_interval = flush_interval
        self.count = 0
        self._lock = threading.Lock()
        self._file: IO[str] | None = self.path.open("w", encoding="utf-8")
        self._file.write(json.dumps({"format": FORMAT, "version": VERSION, "created": time.time()}) + "\n")
        self._file.flush()
        self._last_flush = time.monotonic()
        self._timer: threading.Timer | None = None

    def write(self, event: Any) -> None:
        """Append one event."""
        line = event.model_dump_json() + "\n"
        with self._lock:
            if self._file is None:
                raise ValueError(f"recording {self.path} is closed")
            self._file.write(line)
            self.count += 1
            due = self._last_flush + self.flush_interval - time.monotonic()
            if due <= 0:
                self._flush_locked()
            elif self._timer is None:
                # The last lines of a burst (a run stopping at an interrupt, a phase going
                # quiet) would otherwise wait for the next event or for close().
                self._timer = threading.Timer(due, self._flush_due)
                self._timer.daemon = True
                self._timer.start()

    __call__ = write

    def _flush_locked(self) -> None:
        if self._file is not None:
            self._file.flush()
        self._last_flush = time.monotonic()

    def _flush_due(self) -> None:
        with self._lock:
            self._timer = None
            self._flush_locked()

    def flush(self) -> None:
        """Write buffered lines to the file now."""
        with self._lock:
            self._flush_locked()

    def close(self) -> None:
        """Flush and close (idempotent)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._file is not None:
                self._file.close()
                self._file = None

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def read_recording(path: str | os.PathLike[str]) -> Iterator[Any]:
    """The events of a recording, in order.

    Raises ``RecordingError`` for a missing file, a file that is not a recording, or a
    line that is not an event (with its line number). A last line cut short (the
    session died while writing it) is skipped.
    """
    path = Path(path)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise RecordingError(f"cannot open recording {path}: {exc.strerror or exc}") from None
    with handle:
        lines = iter(handle)
        _check_header(path, next(lines, b""))
        number = 1
        for raw in lines:
            number += 1
            if not raw.strip():
                continue
            try:
                yield parse_event(raw)
            except ValidationError as exc:
                if not raw.endswith(b"\n") and _is_cut_json(raw):
                    return
                raise RecordingError(f"{path}:{number}: not an agent-debug event: {_first_problem(exc)}") from None


def _check_header(path: Path, first: bytes) -> None:
    try:
        header = json.loads(first)
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise RecordingError(f"{path} is not an agent-debug recording (write one with --record FILE.ndjson)")
    if header.get("version") != VERSION:
        raise RecordingError(f"{path} is a recording of format version {header.get('version')}; this agent-debug reads version {VERSION}")


def _is_cut_json(raw: bytes) -> bool:
    try:
        json.loads(raw)
    except ValueError:
        return True
    return False


def _first_problem(exc: ValidationError) -> str:
    errors = exc.errors()
    if not errors:
        return str(exc)
    first = errors[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    return f"{where}: {first.get('msg')}" if where else str(first.get("msg"))
