"""A store opened to act on: LangGraph's own checkpointer to append, our reader to look.

Acting (resume, step, replay, fork) is the only thing that writes to a store, and it only
appends. What acting would do to a SQLite file is checked before the file is opened for
writing (``check_store_file``); stored objects are decoded in LangGraph's strict mode.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent_debug.inspector.exceptions import InspectorError, TargetError, UsageError
from agent_debug.inspector.paths import cannot_create, is_sqlite
from agent_debug.inspector.sources.checkpoints import CheckpointSource
from agent_debug.inspector.strict_serde import DecodeRefused, StrictSerializer, allow_list
from agent_debug.inspector.targets import check_dsn, is_dsn, open_source, redact, scrub, sqlite_path


@dataclass
class Store:
    """A store opened to act on: LangGraph's checkpointer to write, our reader to look."""

    target: str
    checkpointer: Any
    source: CheckpointSource
    _closers: list[Callable[[], None]] = field(default_factory=list)
    serde: StrictSerializer | None = None
    """How the checkpointer decodes: LangGraph's strict mode over the graph's allow-list."""

    @property
    def refusal(self) -> DecodeRefused | None:
        """The decode this store refused (then it writes nothing more), if any."""
        return self.serde.refused if self.serde is not None else None

    def close(self) -> None:
        """Close the reader, then the writer (once)."""
        closers, self._closers = self._closers, []
        if closers:
            self.source.close()
        for close in reversed(closers):
            close()


def _open(target: str, create: bool, graph: Any = None, allow_modules: Sequence[str] | None = ()) -> Store:
    # Stored objects are revived only if the graph (or --allow-module) names them: a
    # checkpoint naming os.system is refused, never run (inspector/strict_serde.py).
    allowed = allow_list(graph, allow_modules)
    closers: list[Callable[[], None]] = []
    if target == "memory":
        tmp = tempfile.TemporaryDirectory(prefix="agent-debug-")
        closers.append(tmp.cleanup)
        target, create = str(Path(tmp.name) / "memory.db"), True
    try:
        # A DSN (URL or libpq keywords) is never a file name: a typo in one must not
        # create a SQLite file named after it, password included.
        if is_dsn(target):
            check_dsn(target)
            serde = StrictSerializer(allowed, redact(target))
            checkpointer = _postgres_saver(target, create, closers, serde)
        else:
            path = sqlite_path(target)
            if path is None:
                raise TargetError(
                    f"cannot act on {redact(target)}: use a SQLite path, sqlite:///PATH, postgresql://... or memory"
                )
            if not path.exists() and not create:
                raise TargetError(f"no such checkpoint database: {target}")
            from langgraph.checkpoint.sqlite import SqliteSaver

            # A store with LangGraph's current tables needs no setup(), which would also
            # switch a rollback-journal store to WAL (its header changes even when the
            # action is then refused): acting only appends rows. An older schema gets
            # LangGraph's migration, which check_store_file allowed only with --migrate.
            tables = _sqlite_tables(path, target, TargetError) if path.exists() and path.stat().st_size else {}
            current = not (set(_STORE_COLUMNS) - set(tables)) and not any(
                columns - tables[name] for name, columns in _STORE_COLUMNS.items()
            )
            conn = sqlite3.connect(path, check_same_thread=False)
            closers.append(conn.close)
            serde = StrictSerializer(allowed, str(path))
            checkpointer = SqliteSaver(conn, serde=serde)
            if current:
                checkpointer.is_setup = True
            elif create:
                checkpointer.setup()
            # Otherwise LangGraph sets the store up on first use; an action refused before
            # running never touches the saver, so not even a WAL file appears.
            target = str(path)
        return Store(target, checkpointer, open_source(target, writes_too=True), closers, serde)
    except BaseException:
        for close in reversed(closers):
            close()
        raise


@contextmanager
def open_store(
    target: str, *, create: bool = False, graph: Any = None, allow_modules: Sequence[str] | None = ()
) -> Iterator[Store]:
    """Open TARGET for writing (append-only) and reading.

    ``memory`` is a private SQLite file removed on exit, so it reads like any store.
    An existing store is never created: a missing file is an error unless ``create``.
    Stored objects are decoded in LangGraph's strict mode, allowing the types of
    ``graph`` and ``allow_modules`` (``MODULE`` or ``MODULE:NAME``); a value naming
    anything else is refused, and that refusal (a ``DecodeRefused``) is what leaving the
    block raises, whatever the run it stopped made of it.
    """
    store = _open(target, create, graph, allow_modules)
    try:
        yield store
    except Exception:
        if store.refusal is not None:
            raise DecodeRefused(store.refusal.message) from None
        raise
    finally:
        store.close()
    if store.refusal is not None:
        raise DecodeRefused(store.refusal.message)


def _postgres_saver(dsn: str, create: bool, closers: list[Callable[[], None]], serde: StrictSerializer) -> Any:
    try:
        import psycopg
        from langgraph.checkpoint.postgres import PostgresSaver
        from psycopg.rows import dict_row
    except ImportError:
        raise TargetError("acting on PostgreSQL needs: pip install 'agent-debug-tui[postgres]'") from None

    try:
        conn = psycopg.connect(dsn, autocommit=True, prepare_threshold=0, row_factory=dict_row, connect_timeout=5)
    except psycopg.Error as exc:
        reason = scrub(" ".join(str(exc).split()) or type(exc).__name__, dsn)
        raise TargetError(f"cannot connect to {redact(dsn)} to write: {reason}") from None
    closers.append(conn.close)
    saver = PostgresSaver(conn, serde=serde)
    if create:
        saver.setup()
    return saver


# -- what acting would do to a store file, checked before it is opened ----------------------

# The tables and columns LangGraph's SqliteSaver (langgraph-checkpoint-sqlite 3.x) reads and
# writes. Its setup() adds writes.task_path to a store made before the column existed.
_STORE_COLUMNS = {
    "checkpoints": {"thread_id", "checkpoint_ns", "checkpoint_id", "parent_checkpoint_id", "type", "checkpoint", "metadata"},
    "writes": {"thread_id", "checkpoint_ns", "checkpoint_id", "task_id", "task_path", "idx", "channel", "type", "value"},
}
_MIGRATED_COLUMNS = {("writes", "task_path")}


def check_store_file(target: str, *, create: bool = False, migrate: bool = False, flag: str | None = None) -> None:
    """Refuse, before anything is opened for writing, a SQLite TARGET that acting on would
    fail on or change beyond appending checkpoints.

    Refused: a directory or other non-file; a file that is not SQLite; a SQLite database
    that holds other tables and not LangGraph's (``run`` would add LangGraph's tables to
    it); a store whose tables lack a column LangGraph needs; and, unless ``migrate``, a
    store made by an older langgraph-checkpoint-sqlite (LangGraph's ``setup()`` would
    alter its schema on first use). With ``create`` (``run``), a missing file in an
    existing directory, an empty file and an empty SQLite database are taken as a new
    store. ``flag`` names the option TARGET came from (``--checkpointer``): its problems
    are usage errors (exit 2); a positional TARGET's are ``TargetError`` as for the
    read-only commands. An older schema is always a usage error: ``--migrate``. DSNs and
    ``memory`` are not files: nothing to check here. Reads the file read-only, if at all.
    """
    if target == "memory" or is_dsn(target):
        return
    path = sqlite_path(target)
    if path is None:
        return  # not SQLite: the opener says what it is
    import os
    import stat

    shown = f"{flag} {target}" if flag else target
    error = UsageError if flag else TargetError
    try:
        st = path.stat()
    except FileNotFoundError:
        if create and (why := cannot_create(path)):
            raise error(f"{shown}: {why}; nothing was created") from None
        return  # not create: the opener says "no such checkpoint database"
    except OSError as exc:
        raise error(f"{shown}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise error(f"{shown} is a directory; expected a SQLite checkpoint file such as {target.rstrip('/')}/runs.db")
    if not stat.S_ISREG(st.st_mode):
        raise error(f"{shown} is not a regular file; expected a SQLite checkpoint file")
    if st.st_size == 0:
        return  # SQLite reads an empty file as an empty database: nothing in it to lose
    if not os.access(path, os.R_OK):
        raise error(f"{shown}: cannot read it (permission denied)")
    if not is_sqlite(path):
        hint = "; give a new path for a new store" if create else ""
        raise error(f"{shown} is not a SQLite database (expected a LangGraph checkpoint store){hint}; nothing was changed")
    tables = _sqlite_tables(path, shown, error)
    if not tables:
        return  # an empty database: run sets the store up in it; the reader refuses it for resume
    missing = [name for name in _STORE_COLUMNS if name not in tables]
    if missing:
        have = ", ".join(sorted(tables)[:6]) + (", ..." if len(tables) > 6 else "")
        refusal = "; refusing to add LangGraph's tables to it (give a new path for a new store)" if create else ""
        raise error(
            f"{shown} is a SQLite database but not a LangGraph checkpoint store (it has no "
            f"{' and '.join(repr(m) for m in missing)} table{'s' if len(missing) > 1 else ''}; "
            f"its tables: {have}){refusal}"
        )
    lacking = {(name, column) for name, columns in _STORE_COLUMNS.items() for column in columns - tables[name]}
    if lacking - _MIGRATED_COLUMNS:
        columns = ", ".join(f"{t}.{c}" for t, c in sorted(lacking - _MIGRATED_COLUMNS))
        raise error(f"{shown}: its tables are not the ones LangGraph's SqliteSaver writes (no column {columns}); nothing was changed")
    if lacking and not migrate:
        columns = ", ".join(f"{t}.{c}" for t, c in sorted(lacking))
        raise UsageError(
            f"{shown} has an older checkpoint schema (no column {columns}, from an earlier "
            "langgraph-checkpoint-sqlite): acting on it would migrate it; add --migrate to let "
            "LangGraph upgrade it; nothing was changed"
        )


def _sqlite_tables(path: Path, shown: str, error: type[InspectorError]) -> dict[str, set[str]]:
    """Each table of the SQLite file with its column names, read without writing a byte."""
    from agent_debug.inspector.sources.sqlite_file import SqliteFile

    file = SqliteFile(path)  # the reader's way in: no file beside it is created or changed
    try:
        conn = file.connect()
        try:
            names = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            return {name: {row[0] for row in conn.execute("SELECT name FROM pragma_table_info(?)", (name,))} for name in names}
        finally:
            conn.close()
            file.drop_snapshot()
    except (sqlite3.Error, OSError) as exc:
        raise error(f"{shown}: cannot read it as a SQLite database ({exc}); nothing was changed") from None



def open_store_for_app(
    target: str, *, create: bool = False, graph: Any = None, allow_modules: Sequence[str] | None = ()
) -> Store:
    """Like :func:`open_store`, but kept open by the caller (the TUI) until ``close()``.

    A refused decode stops the action it happened in (its outcome carries the refusal as
    the error) and the store writes nothing more.
    """
    return _open(target, create, graph, allow_modules)

