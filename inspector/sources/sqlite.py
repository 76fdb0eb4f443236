"""Reading a ``SqliteSaver`` database (langgraph-checkpoint-sqlite 3.x) without writing to it.

How the file is opened so that neither it nor its ``-wal``/``-shm``/``-journal`` change,
in every journal mode, and how commits of other processes are noticed: ``sqlite_file``.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Collection, Hashable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import orjson

from agent_debug.inspector.decode import decode_structure, read_skeleton
from agent_debug.inspector.exceptions import StoreReadError, TargetError
from agent_debug.inspector.sources.sqlite_file import SqliteFile
from agent_debug.inspector.langgraph_names import TASKS
from agent_debug.inspector.sources.checkpoints import (
    group_sends,
    group_task_paths,
    CheckpointRow,
    Decoder,
    FullRow,
    HeadRow,
    StoreReader,
    WriteRow,
    skeleton_head,
    unreadable_head,
    why,
)

if TYPE_CHECKING:
    from agent_debug.inspector.model import NamespaceInfo


def _json(raw: Any) -> dict[str, Any]:
    if raw is None:
        return {}
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        # orjson refuses what json accepts: NaN, integers beyond 64 bits.
        try:
            value = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return {}
    return value if isinstance(value, dict) else {}


# A head checkpoint up to _HEAD_INLINE bytes comes with the listing's query; up to
# _HEAD_WHOLE it is fetched apart, about _HEAD_BATCH bytes of heads per query, and decoded
# whole; a larger one (SqliteSaver keeps channel values inline: it can be tens of MB) is
# walked with incremental blob I/O, its channel values skipped unread. So the listing's
# memory does not grow with the size of the heads.
_HEAD_INLINE = 16 * 1024
_HEAD_WHOLE = 256 * 1024
_HEAD_BATCH = 4 * 1024 * 1024


def _head_metadata(raw: bytes | None) -> tuple[Any, str | None]:
    """A head's metadata, parsed as ``_json`` parses it, or why it cannot be."""
    if raw is None:
        return {}, "latest checkpoint: metadata is NULL"
    try:
        return orjson.loads(raw), None
    except orjson.JSONDecodeError:
        # orjson refuses what json accepts: NaN, integers beyond 64 bits.
        try:
            return json.loads(raw), None
        except ValueError as exc:
            return {}, f"latest checkpoint: metadata is not JSON ({why(exc)})"


def _blob_problem(type_: Any, kind: str) -> str | None:
    """Why a head's checkpoint column cannot hold a checkpoint, from its type and SQL type."""
    if kind == "null":
        return "latest checkpoint: no data (the checkpoint column is NULL)"
    if type_ not in ("msgpack", "json"):
        if type_ is None:
            return "latest checkpoint: no type (the type column is NULL)"
        return f"latest checkpoint: stored as {str(type_)[:40]!r}, which is neither msgpack nor json"
    if kind != "blob" and not (kind == "text" and type_ == "json"):
        return f"latest checkpoint: the checkpoint column holds {kind}, not a blob"
    return None


class _Head(NamedTuple):
    """What the listing's query says of a head, its checkpoint aside."""

    thread_id: str
    checkpoint_id: str
    parent_id: str | None
    count: int
    metadata: Any

    @property
    def key(self) -> tuple[str, str]:
        return (self.thread_id, self.checkpoint_id)


def _head(
    thread_id: str, cid: str, parent: str | None, n: int, metadata: Any, type_: str, data: bytes
) -> HeadRow:
    """A head from its checkpoint's bytes: decoded whole when small, else walked."""
    try:
        if type_ == "json" or len(data) <= _HEAD_WHOLE:
            skeleton = decode_structure(type_, data)
        else:
            skeleton = read_skeleton(lambda offset, n: data[offset : offset + n], len(data), keep=(TASKS,))
    except Exception as exc:  # noqa: BLE001 - stored bytes: any failure is the row's
        return unreadable_head(thread_id, cid, parent, n, metadata, f"latest checkpoint: not valid {type_} ({why(exc)})")
    return skeleton_head(thread_id, cid, parent, n, metadata, skeleton)


def _batches(heads: Sequence[tuple[int, _Head, str, int]]) -> Iterator[Sequence[tuple[int, _Head, str, int]]]:
    """Heads in runs of about ``_HEAD_BATCH`` bytes of checkpoints (one larger head alone)."""
    start, total = 0, 0
    for i, (_, _, _, size) in enumerate(heads):
        if i > start and total + size > _HEAD_BATCH:
            yield heads[start:i]
            start, total = i, 0
        total += size
    if start < len(heads):
        yield heads[start:]


class SqliteReader(StoreReader):
    """Row access to a LangGraph SQLite checkpoint file, read-only by construction."""

    def __init__(self, path: str | os.PathLike[str], *, display: str | None = None, writes_too: bool = False) -> None:
        self.path = Path(path)
        self.target = display or str(path)
        if not self.path.exists():
            raise TargetError(f"no such checkpoint database: {self.target}")
        if not self.path.is_file():
            raise TargetError(f"not a file: {self.target} (expected a LangGraph SQLite checkpoint database)")
        self._lock = threading.Lock()
        self._file = SqliteFile(self.path, writes_too=writes_too)
        self._conn = self._connect()
        self._signature = self._file.signature()
        self._check_schema()

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = self._file.connect()
            if self._file.mode == "ro" and self._file.hot_journal():
                try:
                    conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
                except sqlite3.OperationalError:
                    # A crashed writer's journal: SQLite would have to roll it back into
                    # the file. Read a private copy, where it may.
                    conn.close()
                    conn = self._file.connect("snapshot")
        except (sqlite3.Error, OSError) as exc:
            raise TargetError(f"cannot open {self.target}: {exc}") from exc
        return conn

    def _reopen(self) -> None:
        self._conn.close()
        self._conn = self._connect()

    def _check_schema(self) -> None:
        try:
            tables = {r[0] for r in self._conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError as exc:
            raise TargetError(f"not a SQLite database: {self.target} ({exc})") from exc
        if not {"checkpoints", "writes"} <= tables:
            raise TargetError(
                f"not a LangGraph checkpoint store: {self.target} has no 'checkpoints' and 'writes' tables"
            )
        columns = {r[1] for r in self._conn.execute("PRAGMA table_info(writes)")}
        self._task_path = "w.task_path" if "task_path" in columns else "''"

    def _query(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            if self._file.stale_mode() or (self._file.blind() and self._file.signature() != self._signature):
                # A WAL appeared (or went): the open mode would miss it or write its index;
                # or the files moved under a connection that cannot see commits.
                self._reopen()
                self._signature = self._file.signature()
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.DatabaseError as exc:
                if not self._file.blind():
                    raise StoreReadError(f"reading {self.target} failed: {exc}") from exc
                first = exc
            # An immutable connection takes no lock: a writer's checkpoint may have been
            # copying pages into the file as we read. Once more, on a fresh connection.
            self._reopen()
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.DatabaseError as exc:
                raise StoreReadError(f"reading {self.target} failed: {exc}") from first

    # -- StoreReader ---------------------------------------------------------------

    def heads(self, namespace: str, thread_ids: Sequence[str] | None = None) -> list[HeadRow]:
        only = ""
        params: list[Any] = [namespace]
        if thread_ids is not None:
            only = " AND thread_id IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(list(thread_ids)))
        params.append(namespace)
        # length() and typeof() of a blob read its header only, not its pages. Text is read
        # as bytes: text that is not UTF-8 would fail the whole query, not its row.
        sql = f"""
            WITH h AS (
                SELECT thread_id, max(checkpoint_id) AS cid, count(*) AS n
                FROM checkpoints WHERE checkpoint_ns = ?{only} GROUP BY thread_id
            )
            SELECT c.thread_id, c.checkpoint_id, c.parent_checkpoint_id, CAST(c.metadata AS BLOB),
                   CAST(c.type AS BLOB), typeof(c.checkpoint), length(c.checkpoint),
                   CASE WHEN length(c.checkpoint) <= {_HEAD_INLINE} THEN CAST(c.checkpoint AS BLOB) END,
                   {"c.rowid" if self._heads_have_rowids() else "NULL"}, h.n
            FROM h CROSS JOIN checkpoints c
              ON c.thread_id = h.thread_id AND c.checkpoint_ns = ? AND c.checkpoint_id = h.cid
        """
        out: list[HeadRow | None] = []
        apart: list[tuple[int, _Head, str, int, int | None]] = []  # (place, head, type, size, rowid)
        for thread_id, cid, parent, meta, raw_type, kind, size, inline, rowid, n in self._query(sql, params):
            type_ = raw_type.decode("utf-8", "replace") if raw_type is not None else None
            metadata, problem = _head_metadata(meta)
            problem = problem or _blob_problem(type_, kind)
            if problem is not None:
                out.append(unreadable_head(thread_id, cid, parent, n, metadata, problem))
            elif inline is not None:
                out.append(_head(thread_id, cid, parent, n, metadata, type_, inline))
            else:
                apart.append((len(out), _Head(thread_id, cid, parent, n, metadata), type_, size, rowid))
                out.append(None)
        for at, head, type_, size, rowid in apart:
            if size > _HEAD_WHOLE and rowid is not None and type_ == "msgpack":
                out[at] = self._walk_head(rowid, head)
        whole = [(at, head, type_, size) for at, head, type_, size, _ in apart if out[at] is None]
        for batch in _batches(whole):
            blobs = self._head_blobs(namespace, [head.key for _, head, _, _ in batch])
            for at, head, type_, _ in batch:
                data = blobs.get(head.key)
                # None: gone since the first query; the next listing shows what replaced it.
                out[at] = None if data is None else _head(*head, type_, data)
        return [h for h in out if h is not None]

    def _heads_have_rowids(self) -> bool:
        """Whether ``checkpoints`` has rowids (SqliteSaver's table does; in a WITHOUT ROWID
        copy large heads are fetched whole)."""
        known = getattr(self, "_rowids", None)
        if known is None:
            try:
                self._query("SELECT rowid FROM checkpoints LIMIT 0")
                known = True
            except StoreReadError:
                known = False
            self._rowids = known
        return known

    def _walk_head(self, rowid: int, head: _Head) -> HeadRow | None:
        """A large head read in place (``read_skeleton`` over incremental blob I/O), or None
        when it must be fetched whole instead: the blob cannot be opened, or the row changed
        since it was listed."""
        with self._lock:
            try:
                with self._conn.blobopen("checkpoints", "checkpoint", rowid, readonly=True) as blob:

                    def read(offset: int, n: int) -> bytes:
                        blob.seek(offset)
                        return blob.read(n)

                    found = read_skeleton(read, len(blob), keep=(TASKS,))
            except sqlite3.Error:
                return None
            except Exception as exc:  # noqa: BLE001 - stored bytes: any failure is the row's
                return unreadable_head(*head, f"latest checkpoint: not valid msgpack ({why(exc)})")
        # The rowid came from the listing's query: it must still hold the checkpoint listed.
        if isinstance(found, dict) and found.get("id") != head.checkpoint_id:
            return None
        return skeleton_head(*head, found)

    def _head_blobs(self, namespace: str, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Any]:
        rows = self._query(
            """
            SELECT c.thread_id, c.checkpoint_id, CAST(c.checkpoint AS BLOB) FROM json_each(?) AS k CROSS JOIN checkpoints c
              ON c.thread_id = json_extract(k.value, '$[0]') AND c.checkpoint_ns = ?
             AND c.checkpoint_id = json_extract(k.value, '$[1]')
            """,
            (json.dumps([list(k) for k in keys]), namespace),
        )
        return {(t, c): data for t, c, data in rows}

    def rows(self, thread_id: str, namespace: str, limit: int | None, before: str | None) -> list[CheckpointRow]:
        sql = (
            "SELECT checkpoint_id, parent_checkpoint_id, metadata FROM checkpoints"
            " WHERE thread_id = ? AND checkpoint_ns = ?"
        )
        params: list[Any] = [thread_id, namespace]
        if before is not None:
            sql += " AND checkpoint_id < ?"
            params.append(before)
        sql += " ORDER BY checkpoint_id DESC"
        if limit:
            sql += " LIMIT ?"
            params.append(limit)
        # orjson parses the metadata faster than SQLite's json_extract can pick fields from it.
        return [CheckpointRow(cid, parent, _json(meta)) for cid, parent, meta in self._query(sql, params)]

    def rows_by_ids(self, thread_id: str, namespace: str, checkpoint_ids: Collection[str]) -> list[CheckpointRow]:
        sql = (
            "SELECT checkpoint_id, parent_checkpoint_id, metadata FROM checkpoints "
            "WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id IN (SELECT value FROM json_each(?))"
        )
        rows = self._query(sql, (thread_id, namespace, json.dumps(list(checkpoint_ids))))
        return [CheckpointRow(cid, parent, _json(meta)) for cid, parent, meta in rows]

    def count(self, thread_id: str, namespace: str) -> int:
        rows = self._query(
            "SELECT count(*) FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = ?", (thread_id, namespace)
        )
        return int(rows[0][0])

    def newest_threads(self, namespace: str, limit: int) -> tuple[int, list[str]]:
        total = self._query("SELECT count(DISTINCT thread_id) FROM checkpoints WHERE checkpoint_ns = ?", (namespace,))
        newest = self._query(
            "SELECT thread_id FROM checkpoints WHERE checkpoint_ns = ? GROUP BY thread_id ORDER BY max(checkpoint_id) DESC LIMIT ?",
            (namespace, limit),
        )
        return int(total[0][0]), [r[0] for r in newest]

    def has_checkpoint(self, thread_id: str, namespace: str, checkpoint_id: str) -> bool:
        return bool(
            self._query(
                "SELECT 1 FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id = ?",
                (thread_id, namespace, checkpoint_id),
            )
        )

    def ids_named_by(self, thread_id: str, namespace: str, text: str, limit: int) -> list[str]:
        # substr, not LIKE: case-sensitive, with no wildcards (_ %) to escape. The thread's
        # part of the primary key's index holds every id: no table row is read.
        rows = self._query(
            "SELECT checkpoint_id FROM checkpoints WHERE thread_id = :t AND checkpoint_ns = :ns"
            " AND (substr(checkpoint_id, 1, :n) = :text OR substr(checkpoint_id, -:n) = :text)"
            " ORDER BY checkpoint_id DESC LIMIT :limit",
            {"t": thread_id, "ns": namespace, "n": len(text), "text": text, "limit": limit},
        )
        return [r[0] for r in rows]

    def checkpoint(self, thread_id: str, namespace: str, checkpoint_id: str | None, decode: Decoder) -> FullRow | None:
        sql = "SELECT checkpoint_id, parent_checkpoint_id, metadata, type, checkpoint FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = ?"
        params: list[Any] = [thread_id, namespace]
        if checkpoint_id is None:
            sql += " ORDER BY checkpoint_id DESC LIMIT 1"
        else:
            sql += " AND checkpoint_id = ?"
            params.append(checkpoint_id)
        rows = self._query(sql, params)
        if not rows:
            return None
        cid, parent, meta, type_, blob = rows[0]
        try:
            body = decode(type_, blob)
        except Exception as exc:
            raise StoreReadError(f"cannot decode checkpoint {cid}: {type(exc).__name__}: {exc}") from exc
        body = body if isinstance(body, dict) else {}
        return FullRow(
            checkpoint_id=cid,
            parent_id=parent,
            metadata=_json(meta),
            channel_values=body.get("channel_values") or {},
            channel_versions=body.get("channel_versions") or {},
            versions_seen=body.get("versions_seen") or {},
        )

    def first_write(self, thread_id: str, namespace: str, channel: str) -> tuple[str | None, bytes | None] | None:
        rows = self._query(
            "SELECT type, value FROM writes WHERE thread_id = ? AND checkpoint_ns = ? AND channel = ? "
            "ORDER BY checkpoint_id, task_id, idx LIMIT 1",
            (thread_id, namespace, channel),
        )
        return (rows[0][0], rows[0][1]) if rows else None

    def writes(
        self, namespace: str, keys: Collection[tuple[str, str]], value_channels: Collection[str] | None
    ) -> list[WriteRow]:
        if not keys:
            return []
        if value_channels is None:
            value_sql, params = "w.value", []
        else:
            value_sql = "CASE WHEN w.channel IN (SELECT value FROM json_each(?)) THEN w.value END"
            params = [json.dumps(list(value_channels))]
        rows = self._keyed(
            f"w.thread_id, w.checkpoint_id, w.task_id, {self._task_path}, w.idx, w.channel, w.type, {value_sql}",
            namespace,
            keys,
            "ORDER BY w.thread_id, w.checkpoint_id, w.task_id, w.idx",
            params,
        )
        return [WriteRow(*r) for r in rows]

    def _keyed(
        self, select: str, namespace: str, keys: Collection[tuple[str, str]], tail: str = "", select_params: Sequence[Any] = ()
    ) -> list[tuple[Any, ...]]:
        """Run ``select`` (thread_id and checkpoint_id first) over the writes at each key."""
        threads = {t for t, _ in keys}
        if len(threads) == 1 and len(keys) > 256:
            # A whole history: one range scan of the thread beats thousands of key lookups.
            wanted = {c for _, c in keys}
            rows = self._query(
                f"SELECT {select} FROM writes w WHERE w.thread_id = ? AND w.checkpoint_ns = ? {tail}",
                [*select_params, next(iter(threads)), namespace],
            )
            return [r for r in rows if r[1] in wanted]
        sql = f"""
            WITH k AS (SELECT DISTINCT json_extract(value, '$[0]') AS t, json_extract(value, '$[1]') AS c FROM json_each(?))
            SELECT {select} FROM k CROSS JOIN writes w
              ON w.thread_id = k.t AND w.checkpoint_ns = ? AND w.checkpoint_id = k.c {tail}
        """
        return self._query(sql, [json.dumps([list(k) for k in keys]), *select_params, namespace])

    def task_paths(self, namespace: str, keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], list[str]]:
        if not keys:
            return {}
        return group_task_paths(
            self._keyed(
                f"w.thread_id, w.checkpoint_id, min({self._task_path})", namespace, keys,
                "GROUP BY w.thread_id, w.checkpoint_id, w.task_id",
            )
        )

    def sends(self, namespace: str, keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], list[str | None]]:
        if not keys:
            return {}
        return group_sends(
            self._keyed(
                "w.thread_id, w.checkpoint_id, w.type, w.value", namespace, keys,
                f"AND w.channel = '{TASKS}' ORDER BY w.thread_id, w.checkpoint_id, {self._task_path}, w.task_id, w.idx",
            )
        )

    def namespaces(self, thread_id: str) -> list[NamespaceInfo]:
        from agent_debug.inspector.model import NamespaceInfo

        rows = self._query(
            "SELECT checkpoint_ns, count(*), max(checkpoint_id) FROM checkpoints WHERE thread_id = ? "
            "GROUP BY checkpoint_ns ORDER BY checkpoint_ns",
            (thread_id,),
        )
        return [NamespaceInfo(namespace=ns, checkpoint_count=n, latest_checkpoint_id=cid) for ns, n, cid in rows]

    def change_token(self) -> Hashable:
        if not self.path.exists():
            # An open connection still reads a deleted file's inode; the user should know.
            raise StoreReadError(f"{self.target} is gone (deleted or moved)")
        with self._lock:
            signature = self._file.signature()
            if signature != self._signature:
                identity = signature[0][:2] if signature[0] else None
                replaced = identity != (self._signature[0][:2] if self._signature[0] else None)
                if replaced or self._file.blind() or self._file.stale_mode():
                    # Immutable and snapshot connections never see a commit; a replaced
                    # file is another inode: open what is there now.
                    try:
                        self._reopen()
                        if replaced:
                            self._check_schema()
                    except TargetError as exc:
                        raise StoreReadError(exc.message) from None
                    signature = self._file.signature()
                self._signature = signature
        if signature[0] is not None and signature[0][2] < 100:
            raise StoreReadError(f"{self.target} was truncated ({signature[0][2]} bytes): not a SQLite database any more")
        # Largest rowids move with every insert; the file signature with every commit,
        # also one that replaces a row in place. Both cost microseconds and take no lock.
        rows = self._query("SELECT (SELECT max(rowid) FROM checkpoints), (SELECT max(rowid) FROM writes)")
        return (signature, rows[0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()
            self._file.drop_snapshot()


def stats_rows(
    reader: SqliteReader, thread_ids: Sequence[str], value_channels: Collection[str], marker: bytes
) -> tuple[list[tuple[str, str, CheckpointRow]], list[tuple[str, WriteRow]]]:
    """Every checkpoint and write of the given threads in two queries (``agent-debug stats``):
    (thread, namespace, row) and (namespace, write), each thread's in the order ``rows`` and
    ``writes`` return them. A write's value is read only for ``value_channels`` or when its
    bytes hold ``marker``; checkpoint bodies are never read."""
    ids = json.dumps(list(thread_ids))
    checkpoints = reader._query(
        "SELECT thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, metadata FROM checkpoints"
        " WHERE thread_id IN (SELECT value FROM json_each(?))"
        " ORDER BY thread_id, checkpoint_ns, checkpoint_id DESC",
        (ids,),
    )
    writes = reader._query(
        f"SELECT w.thread_id, w.checkpoint_ns, w.checkpoint_id, w.task_id, {reader._task_path}, w.idx, w.channel, w.type,"
        " CASE WHEN w.channel IN (SELECT value FROM json_each(?)) OR instr(w.value, ?) > 0 THEN w.value END"
        " FROM writes w WHERE w.thread_id IN (SELECT value FROM json_each(?))"
        " ORDER BY w.thread_id, w.checkpoint_ns, w.checkpoint_id, w.task_id, w.idx",
        (json.dumps(list(value_channels)), marker, ids),
    )
    return (
        [(t, ns, CheckpointRow(cid, parent, _json(meta))) for t, ns, cid, parent, meta in checkpoints],
        [(ns, WriteRow(t, cid, task, path, idx, channel, type_, value)) for t, ns, cid, task, path, idx, channel, type_, value in writes],
    )
