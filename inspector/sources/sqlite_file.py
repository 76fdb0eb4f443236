"""Opening a SQLite file so that reading it changes nothing, and noticing every commit.

SQLite's own read-only mode (``mode=ro``) is not enough for a WAL database: it creates a
missing ``-wal`` and ``-shm``, opens an existing ``-shm`` read-write and rebuilds a crashed
writer's index in it. So the way in depends on what lies beside the file:

``ro``         rollback journal (no WAL): SQLite's locks and change counter do the rest;
               nothing is created.
``shm``        WAL with ``-wal`` and ``-shm`` present: ``readonly_shm`` maps the index
               read-only; when it cannot trust it (a crashed writer), SQLite reads the
               WAL into private memory instead of repairing the file.
``immutable``  WAL without ``-wal``: every commit is in the main file; no lock and no
               file is taken. Such a connection never notices new commits, so it is
               reopened whenever the files' signature moves.
``snapshot``   what SQLite cannot read without writing (a crashed writer's hot
               ``-journal``; a ``-wal`` without its ``-shm``): the files are copied into a
               private folder and the copy is opened, so recovery happens there.

``signature()`` is what change detection compares: identity, size and modification
time of the file and its WAL, the database header's change counter and the WAL header
(salts move on every WAL restart, the size on every commit). Reading them opens nothing
SQLite holds a lock on: the main file is only read while no connection is in WAL mode,
since closing any descriptor of a file drops the process's POSIX locks on it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from agent_debug.inspector.paths import SQLITE_MAGIC

Mode = Literal["ro", "shm", "immutable", "snapshot"]


def read_at(path: str | os.PathLike[str], offset: int, size: int) -> bytes | None:
    """``size`` bytes at ``offset`` of ``path``, read-only; None if it cannot be read."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        return os.pread(fd, size, offset)
    except OSError:
        return None
    finally:
        os.close(fd)


def _stat(path: str) -> tuple[int, int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


class SqliteFile:
    """One SQLite file, opened for reading in the mode that leaves it and its neighbours alone."""

    def __init__(self, path: Path, *, writes_too: bool = False) -> None:
        self.path = path
        # In a process that also writes the store (the acting verbs, the debugger with
        # --graph), SQLite shares one WAL index mapping among the process's connections:
        # a read-only one opened first would make the writer's fail. Such a process
        # reads a WAL store in plain ``mode=ro`` (it writes the index anyway).
        self.writes_too = writes_too
        self.mode: Mode = "ro"
        self._snapshot_dir: tempfile.TemporaryDirectory[str] | None = None

    @property
    def wal(self) -> str:
        return f"{self.path}-wal"

    @property
    def shm(self) -> str:
        return f"{self.path}-shm"

    @property
    def journal(self) -> str:
        return f"{self.path}-journal"

    def is_wal_database(self) -> bool:
        """The header says WAL (file format versions 2); only call with no connection open."""
        header = read_at(self.path, 0, 20)
        return bool(header) and header[:16] == SQLITE_MAGIC and header[18:20] == b"\x02\x02"

    def choose(self) -> Mode:
        """The mode to open in now (no connection of ours may be open)."""
        if not self.is_wal_database():
            return "ro"
        has_wal, has_shm = os.path.exists(self.wal), os.path.exists(self.shm)
        if not has_wal:
            return "immutable"
        if self.writes_too:
            return "ro"
        return "shm" if has_shm else "snapshot"

    def connect(self, mode: Mode | None = None) -> sqlite3.Connection:
        self.drop_snapshot()
        self.mode = mode or self.choose()
        if self.mode == "snapshot":
            target = self._take_snapshot()
            uri = f"file:{quote(str(target))}"
        else:
            uri = f"file:{quote(str(self.path.resolve()))}?mode=ro"
            if self.mode == "shm":
                uri += "&readonly_shm=1"
            elif self.mode == "immutable":
                uri += "&immutable=1"
        # check_same_thread=False: the TUI reads from worker threads, serialised by the reader's lock.
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        conn.execute("PRAGMA query_only = ON")
        return conn

    def _take_snapshot(self) -> Path:
        """Copy the file and its journal or WAL (never the index) into a private folder."""
        self._snapshot_dir = tempfile.TemporaryDirectory(prefix="agent-debug-snapshot-")
        copy = Path(self._snapshot_dir.name) / "store.db"
        shutil.copyfile(self.path, copy)
        for suffix in ("-wal", "-journal"):
            if os.path.exists(f"{self.path}{suffix}"):
                shutil.copyfile(f"{self.path}{suffix}", f"{copy}{suffix}")
        return copy

    def drop_snapshot(self) -> None:
        if self._snapshot_dir is not None:
            self._snapshot_dir.cleanup()
            self._snapshot_dir = None

    def hot_journal(self) -> bool:
        """A rollback journal is beside the file (a crashed writer's, when reads fail)."""
        return self.mode == "ro" and os.path.exists(self.journal)

    def signature(self) -> tuple[object, ...]:
        """What moves with every commit, in any journal mode, read without touching a lock."""
        main = _stat(str(self.path))
        wal = _stat(self.wal)
        # In WAL mode our connection holds a lock on the main file: it is stat()ed only.
        counter = read_at(self.path, 24, 8) if self.mode != "shm" else None
        wal_header = read_at(self.wal, 0, 32) if wal is not None else None
        return (main, counter, wal, wal_header, os.path.exists(self.journal))

    def stale_mode(self) -> bool:
        """Whether the open mode no longer fits the files beside it (cheap: existence only).

        Checked before every query: a rollback-mode or immutable connection must not meet
        a WAL that appeared (SQLite would open its index read-write, or miss it).
        """
        if self.mode == "immutable" or (self.mode == "ro" and not self.writes_too):
            return os.path.exists(self.wal)
        if self.mode == "shm":
            return not (os.path.exists(self.wal) and os.path.exists(self.shm))
        return False

    def blind(self) -> bool:
        """The open connection cannot see commits made after it opened."""
        return self.mode in ("immutable", "snapshot")
