"""``agent-debug stats`` read in bulk: every thread's rows in a few queries per batch of threads.

The per-thread path (``stats.read_thread`` through a ``CheckpointSource``) costs about
fifteen round trips a thread. Here the checkpoints (ids, parents, metadata) and writes
(channel names, task ids and paths, and only the values stats decodes: errors, Sends, and
writes whose bytes mention ``usage_metadata``) of a batch of threads come in two queries,
grouped per thread in Python, and each thread is then read by the very same code through
``ThreadRowsReader``, a ``StoreReader`` over that thread's rows in memory: the figures are
those of the per-thread path, by construction. Memory holds one batch of rows at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from agent_debug.inspector.exceptions import StoreReadError
from agent_debug.inspector.langgraph_names import ERROR, TASKS
from agent_debug.inspector.sources.checkpoints import (
    CheckpointRow,
    CheckpointSource,
    Decoder,
    FullRow,
    HeadRow,
    StoreReader,
    WriteRow,
    group_sends,
    group_task_paths,
)

if TYPE_CHECKING:
    from agent_debug.inspector.model import HistoryPage, NamespaceInfo

BATCH_THREADS = 256
"""Threads read per pair of queries: few round trips, and memory bounded by a batch."""

VALUE_CHANNELS = (ERROR, TASKS)
"""Write values stats needs whatever they hold: failures, and the Sends that name push tasks."""

USAGE_MARKER = b"usage_metadata"
"""Other writes' values are read only when their bytes hold this (a message with token usage)."""

RowsQuery = Callable[[Any, Sequence[str], Collection[str], bytes], tuple[list[tuple[str, str, CheckpointRow]], list[tuple[str, WriteRow]]]]


@dataclass
class ThreadRows:
    """One thread's checkpoints (newest first) and writes (by checkpoint, task, index), by namespace."""

    thread_id: str
    checkpoints: dict[str, list[CheckpointRow]] = field(default_factory=dict)
    writes: dict[str, list[WriteRow]] = field(default_factory=dict)


def rows_query(reader: StoreReader) -> RowsQuery | None:
    """The bulk query of ``reader``'s database, or None when it has none."""
    from agent_debug.inspector.sources.sqlite import SqliteReader

    if isinstance(reader, SqliteReader):
        from agent_debug.inspector.sources.sqlite import stats_rows

        return stats_rows  # type: ignore[return-value]
    try:
        from agent_debug.inspector.sources.postgres import PostgresReader, stats_rows as pg_rows
    except ImportError:  # pragma: no cover - the module imports psycopg lazily
        return None
    return pg_rows if isinstance(reader, PostgresReader) else None  # type: ignore[return-value]


def bulk_threads(reader: StoreReader, thread_ids: Sequence[str], batch: int | None = None) -> Iterator[ThreadRows | tuple[str, str]]:
    """Each thread's rows, in the order of ``thread_ids``, or (thread id, why) for a thread
    whose rows the database cannot return (text that is not UTF-8): only it is left out."""
    query = rows_query(reader)
    if query is None:
        raise TypeError(f"no bulk read for {type(reader).__name__}")
    batch = batch or BATCH_THREADS
    for start in range(0, len(thread_ids), batch):
        some = thread_ids[start : start + batch]
        try:
            found = _grouped(query(reader, some, VALUE_CHANNELS, USAGE_MARKER))
        except StoreReadError:
            yield from _one_by_one(reader, query, some)
            continue
        for thread_id in some:
            yield found.get(thread_id) or ThreadRows(thread_id)


def _one_by_one(reader: StoreReader, query: RowsQuery, thread_ids: Sequence[str]) -> Iterator[ThreadRows | tuple[str, str]]:
    """A batch that failed, read a thread at a time: a row the database cannot return
    fails its own thread; the store failing for every one of several is the store's trouble."""
    failures: list[StoreReadError] = []
    for thread_id in thread_ids:
        try:
            found = _grouped(query(reader, [thread_id], VALUE_CHANNELS, USAGE_MARKER))
        except StoreReadError as exc:
            failures.append(exc)
            yield (thread_id, exc.message)
            continue
        yield found.get(thread_id) or ThreadRows(thread_id)
    if len(thread_ids) > 1 and len(failures) == len(thread_ids):
        raise failures[0]


def _grouped(rows: tuple[list[tuple[str, str, CheckpointRow]], list[tuple[str, WriteRow]]]) -> dict[str, ThreadRows]:
    checkpoints, writes = rows
    out: dict[str, ThreadRows] = {}
    for thread_id, namespace, row in checkpoints:
        found = out.get(thread_id) or out.setdefault(thread_id, ThreadRows(thread_id))
        found.checkpoints.setdefault(namespace, []).append(row)
    for namespace, w in writes:
        found = out.get(w.thread_id)
        if found is not None:  # writes of a thread with no checkpoint belong to nothing stats reads
            found.writes.setdefault(namespace, []).append(w)
    return out


class ThreadRowsReader(StoreReader):
    """A ``StoreReader`` answering one thread's row reads from memory, as the database would.

    What stats never asks of a thread's rows (heads, a checkpoint's body) goes to the
    store itself: ``store``.
    """

    def __init__(self, rows: ThreadRows, store: StoreReader) -> None:
        self._rows, self._store = rows, store
        self.target = store.target
        self._by_id = {ns: {r.checkpoint_id: r for r in found} for ns, found in rows.checkpoints.items()}

    def _mine(self, thread_id: str, namespace: str) -> list[CheckpointRow]:
        return self._rows.checkpoints.get(namespace, []) if thread_id == self._rows.thread_id else []

    def heads(self, namespace: str, thread_ids: Sequence[str] | None = None) -> list[HeadRow]:
        return self._store.heads(namespace, thread_ids)

    def newest_threads(self, namespace: str, limit: int) -> tuple[int, list[str]]:
        return self._store.newest_threads(namespace, limit)

    def rows(self, thread_id: str, namespace: str, limit: int | None, before: str | None) -> list[CheckpointRow]:
        found = [r for r in self._mine(thread_id, namespace) if before is None or r.checkpoint_id < before]
        return found[:limit] if limit else found

    def rows_by_ids(self, thread_id: str, namespace: str, checkpoint_ids: Collection[str]) -> list[CheckpointRow]:
        known = self._by_id.get(namespace, {}) if thread_id == self._rows.thread_id else {}
        return [known[c] for c in dict.fromkeys(checkpoint_ids) if c in known]

    def count(self, thread_id: str, namespace: str) -> int:
        return len(self._mine(thread_id, namespace))

    def has_checkpoint(self, thread_id: str, namespace: str, checkpoint_id: str) -> bool:
        return thread_id == self._rows.thread_id and checkpoint_id in self._by_id.get(namespace, {})

    def ids_named_by(self, thread_id: str, namespace: str, text: str, limit: int) -> list[str]:
        ids = [r.checkpoint_id for r in self._mine(thread_id, namespace)]
        return [c for c in ids if c.startswith(text) or c.endswith(text)][:limit]

    def checkpoint(self, thread_id: str, namespace: str, checkpoint_id: str | None, decode: Decoder) -> FullRow | None:
        # Only a fork's queued Sends need a checkpoint's body: rare, read from the store.
        return self._store.checkpoint(thread_id, namespace, checkpoint_id, decode)

    def _at(self, namespace: str, keys: Collection[tuple[str, str]]) -> list[WriteRow]:
        wanted = {c for t, c in keys if t == self._rows.thread_id}
        return [w for w in self._rows.writes.get(namespace, []) if w.checkpoint_id in wanted]

    def writes(self, namespace: str, keys: Collection[tuple[str, str]], value_channels: Collection[str] | None) -> list[WriteRow]:
        found = self._at(namespace, keys)
        if value_channels is None:
            return found
        keep = set(value_channels)
        return [w if w.channel in keep or w.value is None else _valueless(w) for w in found]

    def first_write(self, thread_id: str, namespace: str, channel: str) -> tuple[str | None, bytes | None] | None:
        return self._store.first_write(thread_id, namespace, channel)

    def task_paths(self, namespace: str, keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], list[str]]:
        paths: dict[tuple[str, str, str], str] = {}
        for w in self._at(namespace, keys):
            key = (w.thread_id, w.checkpoint_id, w.task_id)
            paths[key] = min(paths[key], w.task_path) if key in paths else w.task_path
        return group_task_paths((t, c, path) for (t, c, _), path in paths.items())

    def sends(self, namespace: str, keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], list[str | None]]:
        found = sorted((w for w in self._at(namespace, keys) if w.channel == TASKS), key=lambda w: (w.checkpoint_id, w.task_path, w.task_id, w.idx))
        return group_sends((w.thread_id, w.checkpoint_id, w.type, w.value) for w in found)

    def namespaces(self, thread_id: str) -> list[NamespaceInfo]:
        from agent_debug.inspector.model import NamespaceInfo

        if thread_id != self._rows.thread_id:
            return []
        return [
            NamespaceInfo(namespace=ns, checkpoint_count=len(found), latest_checkpoint_id=max(r.checkpoint_id for r in found))
            for ns, found in sorted(self._rows.checkpoints.items())
            if found
        ]

    def change_token(self) -> Hashable:
        return self._store.change_token()

    def close(self) -> None:
        """The store is the caller's to close."""


def _valueless(w: WriteRow) -> WriteRow:
    return WriteRow(w.thread_id, w.checkpoint_id, w.task_id, w.task_path, w.idx, w.channel, w.type, None)


@dataclass(frozen=True, slots=True)
class _Row:
    """The fields of a ``CheckpointSummary`` that ``build_timeline`` reads."""

    checkpoint_id: str
    parent_id: str | None
    step: int | None
    source: str | None
    nodes: list[str]
    created_at: datetime | None


@dataclass(frozen=True, slots=True)
class _Page:
    """The fields of a ``HistoryPage`` that ``build_timeline`` reads."""

    checkpoints: tuple[_Row, ...]
    next_before: str | None


class ThreadRowsSource(CheckpointSource):
    """A ``CheckpointSource`` over one thread's rows in memory (``ThreadRowsReader``), for
    ``build_timeline`` only."""

    def history(self, thread_id: str, *, namespace: str = "", limit: int | None = 50, before: str | None = None) -> HistoryPage:
        """``CheckpointSource.history`` as plain rows: a pydantic record per checkpoint
        costs more than the rest of a thread's stats. The one field stored data can make
        of the wrong type is ``source``; such a page is validated (and refused) as there."""
        from agent_debug.inspector.model import HistoryPage

        doc = self.history_document(thread_id, namespace=namespace, limit=limit, before=before)
        if not all(c["source"] is None or type(c["source"]) is str for c in doc["checkpoints"]):
            return HistoryPage.model_validate(doc)
        rows = tuple(_Row(c["checkpoint_id"], c["parent_id"], c["step"], c["source"], c["nodes"], c["created_at"]) for c in doc["checkpoints"])
        return _Page(rows, doc["next_before"])  # type: ignore[return-value]


def thread_source(rows: ThreadRows, store: StoreReader) -> CheckpointSource:
    """A ``CheckpointSource`` reading one thread's rows from memory."""
    return ThreadRowsSource(ThreadRowsReader(rows, store))


__all__ = ["BATCH_THREADS", "ThreadRows", "ThreadRowsReader", "bulk_threads", "rows_query", "thread_source"]
