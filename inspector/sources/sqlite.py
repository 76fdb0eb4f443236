"""Reading a ``SqliteSaver`` database (langgraph-checkpoint-sqlite 3.x) without writing to it.

The file is opened with a read-only URI. When no ``-wal`` file exists no writer is
attached, and the file is opened ``immutable`` so that not even the WAL index files
are created next to it; when a writer appears later (``-wal`` shows up), the reader
reopens in shared read-only mode to follow its commits.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Collection, Hashable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import orjson

from agent_debug.inspector.decode import decode_structure
from agent_debug.inspector.exceptions import StoreReadError, TargetError
from agent_debug.inspector.sources.checkpoints import (
    group_sends,
    group_task_paths,
    TASKS,
    CheckpointRow,
    Decoder,
    FullRow,
    HeadRow,
    StoreReader,
    WriteRow,
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


def _skeleton(type_: str | None, blob: bytes | None) -> dict[str, Any]:
    value = decode_structure(type_, blob)
    return value if isinstance(value, dict) else {}


def _sends(channel_values: Any) -> list[str]:
    queued = channel_values.get(TASKS) if isinstance(channel_values, dict) else None
    if not isinstance(queued, list):
        return []
    return [v["node"] for v in queued if isinstance(v, dict) and isinstance(v.get("node"), str)]


class SqliteReader(StoreReader):
    """Row access to a LangGraph SQLite checkpoint file, read-only by construction."""

    def __init__(self, path: str | os.PathLike[str], *, display: str | None = None) -> None:
        self.path = Path(path)
        self.target = display or str(path)
        if not self.path.exists():
            raise TargetError(f"no such checkpoint database: {self.target}")
        if not self.path.is_file():
            raise TargetError(f"not a file: {self.target} (expected a LangGraph SQLite checkpoint database)")
        self._lock = threading.Lock()
        self._conn = self._connect()
        self._check_schema()

    def _wal_active(self) -> bool:
        return Path(f"{self.path}-wal").exists()

    def _connect(self) -> sqlite3.Connection:
        self._immutable = not self._wal_active()
        uri = f"file:{quote(str(self.path.resolve()))}?mode=ro"
        if self._immutable:
            uri += "&immutable=1"
        try:
            # check_same_thread=False: the TUI reads from worker threads, serialised by _lock.
            conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
            conn.execute("PRAGMA query_only = ON")
        except sqlite3.Error as exc:
            raise TargetError(f"cannot open {self.target}: {exc}") from exc
        return conn

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

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            if self._immutable and self._wal_active():
                # A writer attached since we opened: immutable mode would never see its commits.
                self._conn.close()
                self._conn = self._connect()
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise StoreReadError(f"reading {self.target} failed: {exc}") from exc

    # -- StoreReader ---------------------------------------------------------------

    def heads(self, namespace: str, thread_ids: Sequence[str] | None = None) -> list[HeadRow]:
        only = ""
        params: list[Any] = [namespace]
        if thread_ids is not None:
            only = " AND thread_id IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(list(thread_ids)))
        params.append(namespace)
        sql = f"""
            WITH h AS (
                SELECT thread_id, max(checkpoint_id) AS cid, count(*) AS n
                FROM checkpoints WHERE checkpoint_ns = ?{only} GROUP BY thread_id
            )
            SELECT c.thread_id, c.checkpoint_id, c.parent_checkpoint_id, c.metadata, c.type, c.checkpoint, h.n
            FROM h CROSS JOIN checkpoints c
              ON c.thread_id = h.thread_id AND c.checkpoint_ns = ? AND c.checkpoint_id = h.cid
        """
        out = []
        for thread_id, cid, parent, meta, type_, blob, n in self._query(sql, params):
            skel = _skeleton(type_, blob)
            out.append(
                HeadRow(
                    thread_id=thread_id,
                    checkpoint_id=cid,
                    parent_id=parent,
                    count=n,
                    metadata=_json(meta),
                    channel_versions=skel.get("channel_versions") or {},
                    versions_seen=skel.get("versions_seen") or {},
                    available=frozenset(skel.get("channel_values") or ()),
                    pending_sends=_sends(skel.get("channel_values")),
                )
            )
        return out

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

    def has_checkpoint(self, thread_id: str, namespace: str, checkpoint_id: str) -> bool:
        return bool(
            self._query(
                "SELECT 1 FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id = ?",
                (thread_id, namespace, checkpoint_id),
            )
        )

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
        # Largest rowids move with every insert (INSERT OR REPLACE included); both are
        # index lookups, so polling costs microseconds and takes no write lock.
        rows = self._query("SELECT (SELECT max(rowid) FROM checkpoints), (SELECT max(rowid) FROM writes)")
        return rows[0]

    def close(self) -> None:
        with self._lock:
            self._conn.close()
