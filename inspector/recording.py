"""Recordings: every event of a session as NDJSON, reopened read-only for a post-mortem.

The first line is a header naming the format; every other line is one event, exactly
as ``Event.model_dump_json()`` writes it, so reading a recording gives back the same
events in the same order.

``--record`` never destroys a file: :func:`check_record_target` refuses the checkpoint
store itself (through links too) and its ``-wal``/``-shm``, any SQLite database, a
directory, and any existing file that is not a recording. An existing recording is
refused too unless ``--record-append`` asks to add to it; an empty file is taken (there
is nothing in it to lose).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from pydantic import ValidationError

from agent_debug.inspector.events import parse_event
from agent_debug.inspector.exceptions import TargetError, UsageError
from agent_debug.inspector.paths import SQLITE_MAGIC, cannot_create, is_sqlite

FORMAT = "agent-debug-events"
VERSION = 1
_SIDE_FILES = ("-wal", "-shm", "-journal")
# A header line is ~70 bytes; a first line this long is not one.
_HEADER_MAX = 4096


class RecordingError(TargetError):
    """A file that is not a recording, or a line of one that cannot be read."""


class Recorder:
    """Appends events to an NDJSON file; safe to call from several threads.

    Lines are flushed at most ``flush_interval`` seconds after they are written (and
    on ``close``), so a crash loses little and a reader can tail the file.
    Usable directly as an ``on_event`` callback.
    """

    def __init__(self, path: str | os.PathLike[str], *, flush_interval: float = 0.25, append: bool = False) -> None:
        """Start a recording at ``path`` (check it first with :func:`check_record_target`).

        ``append``: add to the recording already there (its header is kept; a last line
        cut short by a killed session is dropped first, so the file stays readable);
        a missing or empty file gets a header either way.
        """
        self.path = Path(path)
        self.flush_interval = flush_interval
        self.count = 0
        self.failure: str | None = None
        """Why recording stopped early (a full disk, an I/O error); the run goes on."""
        self.lost = 0
        self.on_failure: Callable[[str], None] | None = None
        """Called once, from the thread that met the failure, with a one-line message."""
        # Re-entrant: a SIGTERM handler in the main thread may close the recording while
        # the main thread it interrupted is inside write().
        self._lock = threading.RLock()
        try:
            keep = append and _drop_cut_line(self.path)
            # Bytes: an event's JSON is written as pydantic makes it, never decoded and encoded again.
            self._file: IO[bytes] | None = self.path.open("ab" if keep else "wb")
            if not keep:
                self._file.write(json.dumps({"format": FORMAT, "version": VERSION, "created": time.time()}).encode() + b"\n")
            self._file.flush()
        except OSError as exc:
            raise RecordingError(f"cannot write recording {self.path}: {exc.strerror or exc}") from None
        self._last_flush = time.monotonic()
        self._timer: threading.Timer | None = None

    def write(self, event: Any) -> None:
        """Append one event."""
        # What model_dump_json() writes, without its wrapper's cost (a flood writes tens
        # of thousands of events a second).
        line = type(event).__pydantic_serializer__.to_json(event) + b"\n"
        with self._lock:
            if self.failure is not None:
                self.lost += 1
                return
            if self._file is None:
                raise ValueError(f"recording {self.path} is closed")
            try:
                self._file.write(line)
            except OSError as exc:
                self.lost += 1
                self._fail(exc)
                return
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
            try:
                self._file.flush()
            except OSError as exc:
                self._fail(exc)
        self._last_flush = time.monotonic()

    def _fail(self, exc: OSError) -> None:
        """Stop recording, keep the run going: a full disk must not fail the workflow.

        What reached the file stays readable (a line cut short is skipped on reading);
        the events after it are counted in ``lost``.
        """
        if self.failure is not None:
            return
        self.failure = exc.strerror or str(exc)
        handle, self._file = self._file, None
        if handle is not None:
            try:
                handle.close()
            except OSError:
                pass  # the buffered lines cannot be written either
        if self.on_failure is not None:
            self.on_failure(self.failure_line())

    def failure_line(self) -> str:
        """One line for the user: which recording stopped and why."""
        return f"recording {self.path} stopped ({self.failure}): it ends there; the run goes on without it"

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
                handle, self._file = self._file, None
                try:
                    handle.close()
                except OSError as exc:
                    self._file = handle
                    self._fail(exc)

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def _drop_cut_line(path: Path) -> bool:
    """Whether ``path`` holds a recording to append to; a cut last line is removed."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return False
    if size == 0:
        return False
    with path.open("rb+") as handle:
        handle.seek(max(0, size - 1))
        if handle.read(1) == b"\n":
            return True
        # Find the end of the last whole line: a kill -9 can leave half an event.
        end = size
        while end > 0:
            start = max(0, end - 65536)
            handle.seek(start)
            chunk = handle.read(end - start)
            cut = chunk.rfind(b"\n")
            if cut >= 0:
                handle.truncate(start + cut + 1)
                return True
            end = start
    return False  # not even a whole header: check_record_target refuses such a file


def check_record_target(
    path: str | os.PathLike[str], *, store: str | os.PathLike[str] | None = None, append: bool = False
) -> Path:
    """The ``--record`` path, or a ``UsageError`` (one line, exit 2) if writing it could
    destroy something. Opens nothing for writing and creates nothing.

    Refused: the checkpoint store ``store`` (the same path, or the same file through a
    symbolic or hard link) and its ``-wal``/``-shm``/``-journal``; any SQLite database or
    the side file of one; a directory; a path whose directory does not exist; an existing
    file that is not an agent-debug recording (its first line is the JSON header naming
    the format); an existing recording unless ``append`` (``--record-append``).
    """
    target = Path(path)
    shown = str(path)
    if store is not None and _is_store_file(target, Path(store)):
        raise UsageError(f"--record {shown} is the checkpoint store (or its journal); record to a new FILE.ndjson")
    for suffix in _SIDE_FILES:
        if target.name.endswith(suffix) and is_sqlite(target.with_name(target.name[: -len(suffix)])):
            raise UsageError(f"--record {shown} belongs to the SQLite database {target.name[: -len(suffix)]}; record to a new FILE.ndjson")
    try:
        st = target.stat()
    except FileNotFoundError:
        if why := cannot_create(target):
            raise UsageError(f"--record {shown}: {why}") from None
        return target
    except OSError as exc:
        raise UsageError(f"--record {shown}: {exc.strerror or exc}") from None
    import stat as stat_mod

    if stat_mod.S_ISDIR(st.st_mode):
        raise UsageError(f"--record {shown} is a directory; give a file path such as {shown.rstrip('/')}/run.ndjson")
    if not stat_mod.S_ISREG(st.st_mode) or st.st_size == 0:
        return target  # /dev/null, a pipe, an empty file: nothing in it to lose
    try:
        with target.open("rb") as handle:
            head = handle.read(_HEADER_MAX)
    except OSError as exc:
        raise UsageError(f"--record {shown}: cannot read it to check what it is ({exc.strerror or exc}); refusing to overwrite it") from None
    if head.startswith(SQLITE_MAGIC):
        raise UsageError(f"--record {shown} is a SQLite database; refusing to overwrite it (record to a new FILE.ndjson)")
    version = _header_version(head)
    if version is None:
        raise UsageError(f"--record {shown} exists and is not an agent-debug recording; refusing to overwrite it (record to a new FILE.ndjson)")
    if not append:
        raise UsageError(f"--record {shown} already holds a recording; add --record-append to add to it, or record to a new file")
    if version != VERSION:
        raise UsageError(f"--record-append: {shown} is a recording of format version {version}; this agent-debug writes version {VERSION}")
    return target


def _is_store_file(target: Path, store: Path) -> bool:
    """Whether ``target`` is ``store`` or one of its side files, by path or by inode."""
    real_target = os.path.realpath(target)
    real_store = os.path.realpath(store)
    names = [store, *(store.with_name(store.name + s) for s in _SIDE_FILES)]
    if real_target in {real_store, *(real_store + s for s in _SIDE_FILES)}:
        return True
    try:
        mine = os.stat(target)
    except OSError:
        return False
    for name in names:
        try:
            other = os.stat(name)
        except OSError:
            continue
        if (mine.st_dev, mine.st_ino) == (other.st_dev, other.st_ino):
            return True
    return False


def _header_version(head: bytes) -> Any:
    """The version in a recording's header line, or None if ``head`` does not start with one."""
    first, newline, _ = head.partition(b"\n")
    if not newline:
        return None
    try:
        header = json.loads(first)
    except ValueError:
        return None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        return None
    return header.get("version")


def read_recording(path: str | os.PathLike[str]) -> Iterator[Any]:
    """The events of a recording, in order.

    Raises ``RecordingError`` for a missing file, a file that is not a recording, or a
    line that is not an event (with its line number). A last line cut short (the
    session died while writing it) is skipped.
    """
    import stat

    path = Path(path)
    try:
        # Opening a FIFO would wait for a writer for ever; a device is no recording either.
        if not stat.S_ISREG(path.stat().st_mode) and not path.is_dir():
            raise RecordingError(f"{path} is not a regular file, so not an agent-debug recording")
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
